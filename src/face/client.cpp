// SPDX-License-Identifier: Apache-2.0
// face::Client: the public methods (reference oracle-face.md). The session is in session.cpp, the
// authenticated calls in calls.cpp, ListRecordings' window splitting in lister.cpp.

#include <ccrec/face/client.hpp>

#include "face/client_impl.hpp"
#include "face/lister.hpp"
#include "face/parse.hpp"
#include "face/request.hpp"
#include "internal/http_util.hpp"
#include "internal/retry_loop.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ccrec::face {

namespace util = ::ccrec::detail;

namespace {

/// A segment entry listed twice (the same segmentId) is one segment: kept once, the first in
/// `segments`' order, with a warning. Exported twice, its audio would be in a concatenated WAV twice.
void DropRepeatedSegments(Recording& r, Logger const& logger) {
  std::set<std::string> seen;
  std::vector<Segment> kept;
  kept.reserve(r.segments.size());
  for (auto& s : r.segments) {
    if (seen.insert(s.segment_id).second) {
      kept.push_back(std::move(s));
    } else {
      logger.Warn("FACE recording " + r.recording_id + " lists segment " + s.segment_id +
                  " more than once; it is used once (the first entry)");
    }
  }
  r.segments = std::move(kept);
}

// Audio is never 0 bytes (a WAV header alone is 44): a 200 with an empty body is FACE failing,
// not a recording, and stored it would be exported with exit status 0.
Result<HttpResponse> NonEmptyAudio(Result<HttpResponse> response, std::string const& what) {
  if (!response) return response;
  Error e = MakeError(ErrorCode::kIntegrity, what + ": FACE answered HTTP " + std::to_string(response->status) +
                                                 " with an empty body (0 bytes), which no audio file is; nothing "
                                                 "was stored");
  e.http_status = response->status;
  return util::RequireNonEmptyBody(std::move(*response), std::move(e));
}

}  // namespace

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Result<std::string> Client::Version(CallContext const& ctx) const {
  if (impl_->config_error) return *impl_->config_error;
  std::string what = "FACE GET version";
  return util::RunWithRetries(impl_->Env(), ctx, true, what, [&](int) -> Result<std::string> {
    HttpRequest request = detail::ControlRequest("GET", impl_->Url("version"), impl_->options);
    for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
    auto response = impl_->transport->Send(request, ctx);
    if (!response) {
      Error e = std::move(response).error();
      e.message = what + ": " + e.message;
      return e;
    }
    std::string body = util::ReadPrefix(response->body.get(), detail::kMaxErrorBodyBytes);
    if (response->status < 200 || response->status > 299) {
      return MapFaceError(response->status, body, response->headers, what);
    }
    if (auto version = detail::ParseVersion(response->headers, body)) return *version;
    auto header = detail::ReadResultHeader(response->headers, body);
    if (header.code && *header.code != 0) return MapFaceError(response->status, body, response->headers, what);
    Error e = MakeError(ErrorCode::kParse, what + ": no version in the answer (\"" + detail::Snippet(body) + "\")");
    e.http_status = response->status;
    return e;
  });
}

Result<LoginInfo> Client::Login(CallContext const& ctx) const {
  auto token = impl_->Token(ctx, {});
  if (!token) return std::move(token).error();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return LoginInfo{impl_->expires_at, impl_->lifetime};
}

std::uint64_t Client::LoginCount() const { return impl_->logins.load(); }

Result<RecordingSearchResult> Client::SearchRecordings(SearchCriteria const& criteria, CallContext const& ctx) const {
  return impl_->SearchRecordings(criteria, ctx);
}

Result<SegmentSearchResult> Client::SearchSegments(SearchCriteria const& criteria, CallContext const& ctx) const {
  return impl_->SearchSegments(criteria, ctx);
}

Result<Recording> Client::GetRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE GetRecording: the recording id is empty");
  SearchCriteria c;
  c.recording_id = recording_id;
  auto result = impl_->SearchRecordings(c, ctx);
  if (!result) return std::move(result).error();
  if (result->recording) {
    if (result->recording->recording_id != recording_id) {
      return MakeError(ErrorCode::kParse, "FACE GET audioRecording/details?recordingId=" + recording_id +
                                              " answered with recording " + result->recording->recording_id);
    }
    DropRepeatedSegments(*result->recording, impl_->logger);
    return std::move(*result->recording);
  }
  auto not_found = [&] {
    Error e = MakeError(ErrorCode::kNotFound, "FACE recording " + recording_id + " was not found (code 19)");
    e.vendor_code = "19";
    return e;
  };
  if (result->code == 19) return not_found();
  // A list: the server ignored recordingId as a retrieval criterion (reference §4 [U]).
  auto it = std::find_if(result->matches.begin(), result->matches.end(),
                         [&](RecordingMatch const& m) { return m.recording_id == recording_id; });
  if (it == result->matches.end()) return not_found();
  impl_->logger.Info("FACE answered details?recordingId=" + recording_id +
                     " with a list; reading its segments with segment/details");
  Recording r;
  r.recording_id = recording_id;
  r.ani = it->ani;
  r.dnis = it->dnis;
  r.isr_ucid = it->isr_ucid;
  r.ingress_call_id = it->ingress_call_id;
  r.egress_call_id = it->egress_call_id;
  r.start_time = it->start;
  r.start_time_text = it->start_text;
  SearchCriteria sc;
  sc.recording_id = recording_id;
  auto segments = impl_->SearchSegments(sc, ctx);
  if (!segments) return std::move(segments).error();
  if (segments->segment) {
    if (segments->segment->recording_id.empty() || segments->segment->recording_id == recording_id) {
      r.segments.push_back(std::move(*segments->segment));
    }
  }
  // Entries without a segmentId may belong to this recording: it is not complete as read.
  r.unreadable_segments = std::move(segments->unreadable_matches);
  for (auto& m : segments->matches) {
    if (!m.recording_id.empty() && m.recording_id != recording_id) continue;
    Segment s;
    s.segment_id = m.segment_id;
    s.recording_id = recording_id;
    s.filename = m.filename;
    s.start = m.start;
    s.end = m.end;
    if (m.start) s.start_text = FormatFaceTime(*m.start, impl_->options.time_format);
    if (m.end) s.end_text = FormatFaceTime(*m.end, impl_->options.time_format);
    s.has_video = m.has_video;
    r.segments.push_back(std::move(s));
  }
  if (segments->truncated) {
    return MakeError(ErrorCode::kInternal, "FACE recording " + recording_id + " has more segments than one list holds");
  }
  std::stable_sort(r.segments.begin(), r.segments.end(), [](Segment const& a, Segment const& b) {
    if (a.start && b.start) return *a.start < *b.start;
    return false;
  });
  DropRepeatedSegments(r, impl_->logger);
  return r;
}

Pager<RecordingMatch> Client::ListRecordings(ListQuery const& query, CallContext const& ctx) const {
  auto impl = impl_;
  auto search = [impl](SearchCriteria const& c, CallContext const& call_ctx) {
    return impl->SearchRecordings(c, call_ctx);
  };
  auto lister = std::make_shared<detail::RecordingLister>(std::move(search), impl_->logger,
                                                          impl_->options.time_format, query, ctx);
  return Pager<RecordingMatch>([lister] { return lister->Next(); });
}

Result<HttpResponse> Client::DownloadRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE DownloadRecording: the recording id is empty");
  }
  SearchCriteria c;
  c.recording_id = recording_id;
  auto query = impl_->SelectionQuery(c);
  if (!query) return std::move(query).error();
  return NonEmptyAudio(impl_->Open("audioRecording/download", *query, ctx, false, true),
                       "FACE GET audioRecording/download");
}

Result<HttpResponse> Client::DownloadSegment(Segment const& segment, CallContext const& ctx) const {
  auto query = impl_->SegmentQuery(segment);
  if (!query) return std::move(query).error();
  return NonEmptyAudio(impl_->Open("audioRecording/segment/download", *query, ctx, false, true),
                       "FACE GET audioRecording/segment/download");
}

Result<HttpResponse> Client::DownloadFile(FileSelector const& file, CallContext const& ctx) const {
  util::QueryParams params;
  if (file.filename) {
    if (file.filename->empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: filename is empty");
    params.emplace_back("filename", *file.filename);
  }
  if (file.supplemental_file_id) {
    if (file.supplemental_file_id->empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: supplemental_file_id is empty");
    }
    params.emplace_back("supplementalFileId", *file.supplemental_file_id);
  }
  if (params.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: set filename or supplemental_file_id");
  }
  if (file.video) params.emplace_back("type", "video");
  return impl_->Open("file/download", util::BuildQuery(params), ctx);
}

namespace {
Result<std::string> RedirectLocation(Result<HttpResponse> response, std::string const& what) {
  if (!response) return std::move(response).error();
  if (response->status >= 300 && response->status <= 399) {
    if (auto location = response->Header("Location"); location && !location->empty()) return *location;
  }
  Error e = MakeError(ErrorCode::kParse, what + ": expected a redirect, got HTTP " + std::to_string(response->status) +
                                             " with Content-Type \"" + response->Header("Content-Type").value_or("") +
                                             "\"");
  e.http_status = response->status;
  return e;
}
}  // namespace

Result<std::string> Client::RedirectRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE redirect: the recording id is empty");
  SearchCriteria c;
  c.recording_id = recording_id;
  auto query = impl_->SelectionQuery(c);
  if (!query) return std::move(query).error();
  return RedirectLocation(impl_->Open("audioRecording/redirect", *query, ctx, true), "FACE GET audioRecording/redirect");
}

Result<std::string> Client::RedirectSegment(Segment const& segment, CallContext const& ctx) const {
  auto query = impl_->SegmentQuery(segment);
  if (!query) return std::move(query).error();
  return RedirectLocation(impl_->Open("audioRecording/segment/redirect", *query, ctx, true),
                          "FACE GET audioRecording/segment/redirect");
}

Result<ControlResult> Client::Start(StartParams const& params, CallContext const& ctx) const {
  if (params.ani.empty() || params.dnis.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE start: ani and dnis are required");
  }
  SearchCriteria c;
  c.ani = params.ani;
  c.dnis = params.dnis;
  c.channel_number = params.channel_number;
  c.rss_id = params.rss_id;
  c.custom_fields = params.custom_fields;
  auto query = impl_->SelectionQuery(c);
  if (query && params.codec_profile) {
    *query = Impl::JoinQuery(*query, "codecProfile=" + std::to_string(static_cast<int>(*params.codec_profile)));
  }
  return impl_->Control("audioRecording/start", std::move(query), params.metadata, ctx);
}

Result<ControlResult> Client::Stop(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata,
                                   CallContext const& ctx) const {
  return impl_->Control("audioRecording/stop", impl_->SelectionQuery(target), metadata, ctx);
}

Result<ControlResult> Client::Pause(SearchCriteria const& target, PauseOptions const& options,
                                    CallContext const& ctx) const {
  auto query = impl_->SelectionQuery(target);
  if (query && options.fill_with_silence) {
    *query =
        Impl::JoinQuery(*query, std::string("fillWithSilence=") + (*options.fill_with_silence ? "true" : "false"));
  }
  return impl_->Control("audioRecording/pause", std::move(query), options.metadata, ctx);
}

Result<ControlResult> Client::Resume(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata,
                                     CallContext const& ctx) const {
  return impl_->Control("audioRecording/resume", impl_->SelectionQuery(target), metadata, ctx);
}

Result<ControlResult> Client::Split(SearchCriteria const& target, CallContext const& ctx) const {
  return impl_->Control("audioRecording/split", impl_->SelectionQuery(target), std::nullopt, ctx);
}

Result<ControlResult> Client::Delete(SearchCriteria const& target, CallContext const& ctx) const {
  return impl_->Control("audioRecording/delete", impl_->SelectionQuery(target), std::nullopt, ctx);
}

}  // namespace ccrec::face
