// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: the MediaOpener of a Webex export item (recording_source.cpp): its
// presigned URL, replaced by a Captures re-query when it is about to expire or is refused
// (reference webex-cc.md §5.4). Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/models.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ccrec::webex {
namespace detail {

/// One capture entry's (a recording's or a transcript's) current presigned URL, shared by every
/// attempt of its export item.
///
/// Open() downloads from `url`; it first re-queries Captures (`query`, whose task_ids are
/// {task_id}) when the URL is empty or expires within EffectiveMargin() (X-Amz-Date +
/// X-Amz-Expires, Client::PresignedUrlExpiry()), and re-queries once more when the store refuses
/// the URL it used (HTTP 403, or HTTP 400 ExpiredToken / TokenRefreshRequired / InvalidToken: the
/// URL's temporary credentials ended first). The fresh URL is the one of the asked task's entry
/// (never of a task the server added unasked) with the same item id
/// (`recording_id`: RecordingItemId() / TranscriptItemId()) and, when that id is positional, the
/// same attributes (`fingerprint`: FingerprintOf()); never another entry's. A recording's body
/// read from byte 0 that ends empty is a kIntegrity error on its first Read() (no audio file is
/// 0 bytes); a transcript's is not checked.
///
/// @par Thread safety
/// Open() and Refresh() may be called from several threads (`url` is guarded by `mu`); the
/// fields are set once before the first call.
struct PresignedMedia {
  explicit PresignedMedia(Client c) : client(std::move(c)) {}

  Client client;
  CaptureQuery query;  ///< task_ids = {task_id}
  std::string task_id;
  std::string recording_id;  ///< the item id: RecordingItemId() / TranscriptItemId()
  bool transcript = false;
  std::optional<std::string> fingerprint;  ///< FingerprintOf() when the item id is positional
  std::chrono::milliseconds margin{};      ///< WebexSourceOptions::url_refresh_margin
  std::shared_ptr<Clock> clock;
  Logger logger;
  std::mutex mu;
  std::string url;                                        ///< guarded by `mu`
  std::chrono::system_clock::time_point url_received{};  ///< when `url` was obtained; guarded by `mu`

  /// How long before expiry a URL is replaced: `margin`, or a quarter of the URL's lifetime
  /// when that is shorter (a 30 s URL is not refreshed on every use).
  std::chrono::milliseconds EffectiveMargin(std::chrono::system_clock::time_point expiry) const;

  /// Re-queries Captures for this entry's fresh presigned URL and keeps it.
  /// Errors: the Captures call's; kNotFound when the answer no longer lists the entry.
  Result<std::string> Refresh(CallContext const& media_ctx);

  /// The MediaOpener: Client::OpenRecording() of the current URL at `offset`, re-queried as
  /// described above. A resumed download (`offset` > 0) answered with the whole object (200) is
  /// reported as 206 when it provably is the same object (the If-Range of ctx.extra_headers
  /// equals its strong ETag or Last-Modified), else downloaded again from byte 0 (200).
  /// Errors: as Client::OpenRecording() and Refresh().
  Result<HttpResponse> Open(CallContext const& ctx, std::uint64_t offset);
};

}  // namespace detail
}  // namespace ccrec::webex
