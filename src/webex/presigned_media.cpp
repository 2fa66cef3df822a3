// SPDX-License-Identifier: Apache-2.0
// The presigned URL of a Webex export item and its re-query (presigned_media.hpp).
#include "presigned_media.hpp"

#include <ccrec/webex/recording_source.hpp>

#include "transcripts.hpp"

#include "internal/http_util.hpp"

#include <algorithm>

namespace ccrec::webex {
namespace detail {

namespace {

/// Whether the recording store refused the presigned URL itself, so that a fresh one from
/// Captures may work: HTTP 403 (expired or altered; reference §5.4), or HTTP 400 with one of
/// S3's temporary-credential codes (ExpiredToken, TokenRefreshRequired, InvalidToken: the URL
/// was signed with session credentials that ended before its X-Amz-Expires did).
bool UrlRefused(Error const& e) {
  if (e.http_status == 403) return true;
  return e.http_status == 400 && (e.vendor_code == "ExpiredToken" || e.vendor_code == "TokenRefreshRequired" ||
                                  e.vendor_code == "InvalidToken");
}

}  // namespace

std::chrono::milliseconds PresignedMedia::EffectiveMargin(std::chrono::system_clock::time_point expiry) const {
  auto lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(expiry - url_received);
  if (lifetime.count() > 0) return std::min(margin, lifetime / 4);
  return margin;
}

Result<std::string> PresignedMedia::Refresh(CallContext const& media_ctx) {
  // The media request's own headers (If-Range, Accept-Encoding) do not belong on the API call.
  CallContext ctx = media_ctx;
  RemoveHeader(ctx.extra_headers, "If-Range");
  RemoveHeader(ctx.extra_headers, "Accept-Encoding");
  auto captures = client.QueryCaptures(query, ctx);
  if (!captures) return std::move(captures).error();
  // The entry this item was made from: the same item id (one rule, CaptureEntryId()) and, when
  // that id is positional, the same attributes (never another recording's audio).
  bool listed_without_url = false;
  auto find = [&](auto const& list, auto item_id) -> std::optional<std::string> {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (item_id(list, i) != recording_id) continue;
      if (fingerprint && FingerprintOf(list[i]) != *fingerprint) {
        logger.Warn(std::string(transcript ? "transcript " : "recording ") + recording_id + " of task " + task_id +
                    " is listed with other attributes by the new Captures answer; not taken as the same entry");
        return std::nullopt;
      }
      auto const& path = FilePathOf(list[i]);
      if (!path || path->empty()) {
        listed_without_url = true;
        return std::nullopt;
      }
      return path;
    }
    return std::nullopt;
  };
  for (auto const& tc : *captures) {
    // Only this task's entry: QueryCaptures() keeps tasks the server added unasked, and another
    // task's recording with the same id is another task's audio.
    if (tc.task_id != task_id) continue;
    std::optional<std::string> fresh = transcript ? find(tc.transcriptions, TranscriptItemId)
                                                  : find(tc.recordings, RecordingItemId);
    if (fresh) {
      std::lock_guard<std::mutex> lock(mu);
      url = *fresh;
      url_received = clock->Now();
      return url;
    }
  }
  std::string const what = std::string(transcript ? "transcript " : "recording ") + recording_id + " of task " + task_id;
  if (listed_without_url) {
    return MakeError(ErrorCode::kNotFound, what + " is listed by the Captures API without a filePath (no download URL)");
  }
  return MakeError(ErrorCode::kNotFound, what + " is no longer listed by the Captures API");
}

Result<HttpResponse> PresignedMedia::Open(CallContext const& ctx, std::uint64_t offset) {
  std::string current;
  std::chrono::milliseconds effective_margin = margin;
  std::optional<std::chrono::system_clock::time_point> expiry;
  {
    std::lock_guard<std::mutex> lock(mu);
    current = url;
    expiry = webex::Client::PresignedUrlExpiry(current);
    if (expiry) effective_margin = EffectiveMargin(*expiry);
  }
  bool refreshed = false;
  if (current.empty() || (expiry && *expiry - clock->Now() < effective_margin)) {
    logger.Debug("presigned URL of task " + task_id + " recording " + recording_id +
                 " expires soon; re-querying captures");
    auto fresh = Refresh(ctx);
    if (!fresh) return std::move(fresh).error();
    current = *fresh;
    refreshed = true;
  }
  auto response = client.OpenRecording(current, ctx, offset);
  if (!response && UrlRefused(response.error()) && !refreshed) {
    logger.Info("download of task " + task_id + " recording " + recording_id + " was refused (HTTP " +
                std::to_string(response.error().http_status) +
                (response.error().vendor_code.empty() ? "" : " " + response.error().vendor_code) +
                ", URL expired?); re-querying captures once");
    auto fresh = Refresh(ctx);
    if (!fresh) return std::move(fresh).error();
    current = *fresh;
    response = client.OpenRecording(current, ctx, offset);
  }
  // A recording's body from byte 0 must not be empty (no audio file is 0 bytes: an empty 200 is
  // the store failing, e.g. an object whose upload never completed).
  auto from_start = [&](Result<HttpResponse> r) -> Result<HttpResponse> {
    if (!r || transcript) return r;
    Error empty = MakeError(ErrorCode::kIntegrity, "download of task " + task_id + " recording " + recording_id +
                                                       ": the recording store answered HTTP 200 with an empty body "
                                                       "(0 bytes), which no recording is; nothing was stored");
    empty.http_status = r->status;
    return ::ccrec::detail::RequireNonEmptyBody(std::move(*r), std::move(empty));
  };
  if (offset == 0) return from_start(std::move(response));
  if (!response || response->status != 200) return response;
  // The server ignored Range, or If-Range did not match because the recording changed: it
  // answered 200, and Client::OpenRecording skipped the first `offset` bytes itself. That is
  // the rest of the bytes already written only if the answer is provably the same object (its
  // strong ETag or its Last-Modified is the If-Range the engine sent): then say so with 206 (the
  // engine would otherwise skip those bytes a second time). Else take the recording whole from
  // byte 0 (200), which the engine writes anew instead of splicing two versions.
  auto if_range = FindHeader(ctx.extra_headers, "If-Range");
  auto etag = FindHeader(response->headers, "ETag");
  auto last_modified = FindHeader(response->headers, "Last-Modified");
  bool const same = if_range && ((etag && etag->rfind("W/", 0) != 0 && *etag == *if_range) ||
                                 (last_modified && *last_modified == *if_range));
  if (!same) {
    logger.Info("task " + task_id + " recording " + recording_id + ": the resumed download came back whole (HTTP " +
                "200) and cannot be shown to be the recording already partly written; downloading it from byte 0");
    return from_start(client.OpenRecording(current, ctx, 0));
  }
  response->status = 206;
  if (auto rest = response->ContentLength(); rest && *rest > 0 && !response->Header("Content-Range")) {
    SetHeader(response->headers, "Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                      std::to_string(offset + *rest - 1) + "/" +
                                                      std::to_string(offset + *rest));
  }
  return response;
}

}  // namespace detail
}  // namespace ccrec::webex
