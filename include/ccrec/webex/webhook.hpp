// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Receiving Webex Contact Center webhook deliveries (Subscriptions API, `/v1/subscriptions` and
/// `/v2/subscriptions`): signature verification over the raw body, a body size cap, a staleness
/// window, envelope parsing into typed events, and de-duplication of repeated deliveries. Pure
/// logic: no sockets. The HTTP listener that feeds it is ccrec::webex::WebhookListener
/// (ccrec/webex_login/webhook_listener.hpp, optional, on cpp-httplib); `ccrec-export webex serve`
/// wires both to the export engine.
///
/// Vendor sources: "Using Webhooks" (https://developer.webex.com/docs/using-webhooks)
/// and "Receive and verify events"
/// (https://developer.webex.com/docs/receive-and-verify-contact-center-webhooks): deliveries are
/// POSTs of a CloudEvents-style JSON envelope, signed with an HMAC keyed by the subscription's
/// `secret`; delivery is not guaranteed, may be repeated, and may arrive out of order.
///
/// **Assumptions** (not confirmed from Cisco's public text, documented in docs/webex.md): the
/// signature travels in the `X-Webex-Signature` header as the lower-case hex HMAC-SHA256 of the
/// raw body keyed by the secret's UTF-8 bytes (an optional `sha256=` prefix is accepted); the
/// envelope's `id` identifies an event across redeliveries; the event time is `createdTime`
/// (epoch milliseconds) or `time` (ISO 8601).
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace ccrec::webex {

/// The header carrying the delivery's signature (assumption, see the file comment).
inline constexpr char kWebhookSignatureHeader[] = "X-Webex-Signature";
/// The event type announcing that a task's recording can be fetched through Captures.
inline constexpr char kCaptureAvailableEvent[] = "capture:available";

/// Limits applied to every delivery by VerifyWebhook().
struct WebhookVerifierOptions {
  /// The subscription's `secret` (SubscriptionRequest.secret, 32..256 characters). Never logged.
  std::string secret;
  /// Bodies larger than this are refused with HTTP 413 before any hashing. Default 256 KiB.
  std::size_t max_body_bytes = 256 * 1024;
  /// An event whose time is further than this from `now` (in the past, or in the future) is
  /// refused with HTTP 400 as stale: a replayed capture. Zero disables the check. An event without
  /// a time passes (nothing to compare). Default 15 min.
  std::chrono::seconds max_age{std::chrono::minutes(15)};
};

/// One verified delivery.
struct WebhookEvent {
  /// Envelope `id`: the same across redeliveries of one event (assumption). Never empty.
  std::string id;
  /// Envelope `type`, e.g. "capture:available", "task:ended". Never empty.
  std::string type;
  /// Envelope `orgId`, when present.
  std::optional<std::string> org_id;
  /// Envelope `createdTime` (epoch ms) or `time` (ISO 8601), when present.
  std::optional<std::chrono::system_clock::time_point> time;
  /// `data.taskId` (capture:available and task events), when present.
  std::optional<std::string> task_id;
  /// capture:available `data.createdTime`, when present.
  std::optional<std::chrono::system_clock::time_point> capture_created_time;
  /// The raw body exactly as received (it may carry a presigned URL in data.filePath: do not log).
  std::string raw_json;
};

/// Parses a delivery body (no signature check). Errors: kParse (HTTP 400) for a body that is not a
/// JSON object, or lacks a string `id` or `type`, or has a wrongly typed `data`, `data.taskId` or
/// `createdTime`.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<WebhookEvent> ParseWebhookEvent(std::string_view body);

/// The value of kWebhookSignatureHeader for `body` signed with `secret`: lower-case hex
/// HMAC-SHA256 (assumption). For senders and tests (the emulator signs the same way).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string WebhookSignature(std::string_view secret, std::string_view body);

/// Verifies one delivery: size cap first, then the signature over the raw bytes (constant-time
/// comparison), then the envelope, then staleness. Errors carry the HTTP status to answer with:
/// - 413 (kInvalidArgument): body larger than WebhookVerifierOptions::max_body_bytes;
/// - 401 (kUnauthenticated): signature header missing, malformed, or not matching;
/// - 400 (kParse): envelope unreadable (see ParseWebhookEvent());
/// - 400 (kInvalidArgument): event time outside WebhookVerifierOptions::max_age of `now`.
/// - 500 (kInternal): `options.secret` is empty (misconfiguration; nothing can be verified).
/// No message contains the secret or the signature.
/// @param headers the request headers (names compared case-insensitively).
/// @param body the raw request body, exactly as received.
/// @param now the receiver's clock.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<WebhookEvent> VerifyWebhook(WebhookVerifierOptions const& options, HttpHeaders const& headers,
                                                std::string_view body, std::chrono::system_clock::time_point now);

/// Remembers the ids of the most recent events (bounded, oldest forgotten first) to drop repeated
/// deliveries within one process. Durable de-duplication (across restarts) comes from the spool
/// (WebhookSpool keys files by event id) and the export manifest (task + recording).
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT WebhookDeduplicator {
 public:
  /// @param capacity how many event ids to remember; at least 1. Default 65536.
  explicit WebhookDeduplicator(std::size_t capacity = 65536);
  /// True the first time `event_id` is seen (and remembers it), false for a repeat.
  bool FirstDelivery(std::string const& event_id);
  /// Whether `event_id` is remembered (does not remember it). A receiver that acknowledges only
  /// after durable storage checks Seen() first and calls FirstDelivery() once the event is stored,
  /// so that a concurrent redelivery is never acknowledged before the first copy is on disk.
  bool Seen(std::string const& event_id) const;
  /// Forgets `event_id` (e.g. when storing the event failed, so that a redelivery is taken).
  void Forget(std::string const& event_id);

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> seen_;
  std::deque<std::string> order_;
};

}  // namespace ccrec::webex
