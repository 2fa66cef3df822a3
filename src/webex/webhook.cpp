// SPDX-License-Identifier: Apache-2.0
// Webex CC webhook deliveries (webex/webhook.hpp): size cap, HMAC over the raw body, envelope,
// staleness, de-duplication.
#include <ccrec/webex/webhook.hpp>

#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

namespace ccrec::webex {

namespace {

Error Refuse(ErrorCode code, int http_status, std::string message) {
  Error e = MakeError(code, std::move(message));
  e.http_status = http_status;
  return e;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Result<WebhookEvent> ParseWebhookEvent(std::string_view body) {
  auto bad = [](std::string what) {
    return Refuse(ErrorCode::kParse, 400, "webhook delivery rejected: " + what);
  };
  auto doc = ::ccrec::detail::ParseJson(body, "webhook delivery");
  if (!doc) return bad("the body is not JSON");
  if (!doc->IsObject()) return bad("the body is not a JSON object");
  auto const& root = *doc;
  WebhookEvent event;
  auto member_string = [&](rapidjson::Value const& obj, char const* key, bool required,
                           std::optional<std::string>& out) -> std::optional<Error> {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
      if (required) return bad(std::string("\"") + key + "\" is missing");
      return std::nullopt;
    }
    if (!it->value.IsString() || it->value.GetStringLength() == 0) {
      return bad(std::string("\"") + key + "\" is not a non-empty string");
    }
    out = std::string(it->value.GetString(), it->value.GetStringLength());
    return std::nullopt;
  };
  std::optional<std::string> id, type;
  if (auto e = member_string(root, "id", true, id)) return *e;
  if (auto e = member_string(root, "type", true, type)) return *e;
  event.id = *id;
  event.type = *type;
  if (auto e = member_string(root, "orgId", false, event.org_id)) return *e;
  auto ms_time = [&](rapidjson::Value const& obj, char const* key,
                     std::optional<std::chrono::system_clock::time_point>& out) -> std::optional<Error> {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
    if (!it->value.IsInt64()) return bad(std::string("\"") + key + "\" is not epoch milliseconds");
    out = ::ccrec::detail::FromEpochMs(it->value.GetInt64());
    return std::nullopt;
  };
  if (auto e = ms_time(root, "createdTime", event.time)) return *e;
  if (!event.time) {
    std::optional<std::string> iso;
    if (auto e = member_string(root, "time", false, iso)) return *e;
    if (iso) {
      auto t = ::ccrec::detail::ParseTimeArg(*iso);
      if (!t) return bad("\"time\" is not an ISO 8601 time");
      event.time = *t;
    }
  }
  auto data = root.FindMember("data");
  if (data != root.MemberEnd() && !data->value.IsNull()) {
    if (!data->value.IsObject()) return bad("\"data\" is not an object");
    if (auto e = member_string(data->value, "taskId", false, event.task_id)) return *e;
    if (auto e = ms_time(data->value, "createdTime", event.capture_created_time)) return *e;
  }
  if (event.type == kCaptureAvailableEvent && !event.task_id) return bad("capture:available without data.taskId");
  event.raw_json = std::string(body);
  return event;
}

std::string WebhookSignature(std::string_view secret, std::string_view body) {
  return ::ccrec::detail::HexEncode(::ccrec::detail::HmacSha256Raw(secret, body));
}

Result<WebhookEvent> VerifyWebhook(WebhookVerifierOptions const& options, HttpHeaders const& headers,
                                   std::string_view body, std::chrono::system_clock::time_point now) {
  if (options.secret.empty()) {
    return Refuse(ErrorCode::kInternal, 500, "webhook receiver has no subscription secret configured");
  }
  if (body.size() > options.max_body_bytes) {
    return Refuse(ErrorCode::kInvalidArgument, 413,
                  "webhook delivery rejected: body of " + std::to_string(body.size()) + " bytes exceeds the cap of " +
                      std::to_string(options.max_body_bytes) + " bytes");
  }
  auto header = FindHeader(headers, kWebhookSignatureHeader);
  if (!header) {
    return Refuse(ErrorCode::kUnauthenticated, 401,
                  std::string("webhook delivery rejected: no ") + kWebhookSignatureHeader + " header");
  }
  std::string given = Lower(Trim(*header));
  if (given.rfind("sha256=", 0) == 0) given.erase(0, 7);
  if (given.size() != 64 || !IsLowerHex(given)) {
    return Refuse(ErrorCode::kUnauthenticated, 401,
                  std::string("webhook delivery rejected: ") + kWebhookSignatureHeader +
                      " is not a hex HMAC-SHA256 (64 hex digits)");
  }
  std::string const expected = WebhookSignature(options.secret, body);
  if (!::ccrec::detail::ConstantTimeEquals(expected, given)) {
    return Refuse(ErrorCode::kUnauthenticated, 401,
                  "webhook delivery rejected: the signature does not match the body (wrong subscription secret, "
                  "or the body was altered)");
  }
  auto event = ParseWebhookEvent(body);
  if (!event) return event;
  if (options.max_age.count() > 0 && event->time) {
    auto skew = now - *event->time;
    if (skew < decltype(skew)::zero()) skew = -skew;
    if (skew > options.max_age) {
      return Refuse(ErrorCode::kInvalidArgument, 400,
                    "webhook delivery rejected: event " + event->id + " is stale (event time " +
                        ::ccrec::detail::FormatIso8601(*event->time) + ", more than " +
                        std::to_string(options.max_age.count()) + " s from the receiver's clock)");
    }
  }
  return event;
}

WebhookDeduplicator::WebhookDeduplicator(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

bool WebhookDeduplicator::FirstDelivery(std::string const& event_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!seen_.insert(event_id).second) return false;
  order_.push_back(event_id);
  while (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

bool WebhookDeduplicator::Seen(std::string const& event_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.count(event_id) != 0;
}

void WebhookDeduplicator::Forget(std::string const& event_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_.erase(event_id) == 0) return;
  for (auto it = order_.begin(); it != order_.end(); ++it) {
    if (*it == event_id) {
      order_.erase(it);
      break;
    }
  }
}

}  // namespace ccrec::webex
