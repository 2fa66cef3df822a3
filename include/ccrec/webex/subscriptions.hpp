// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex Contact Center Subscriptions API (webhook registrations): create, list, delete, on
/// `/v1/subscriptions` or `/v2/subscriptions` (Webex CC OpenAPI, "Register Subscription",
/// "List Subscriptions", "Delete Subscription"; guide: https://developer.webex.com/docs/using-webhooks).
#include <ccrec/core/call_context.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/client.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::webex {

/// SubscriptionRequest / SubscriptionRequestEnhanced.
struct SubscriptionRequest {
  /// 4..64 characters. Required.
  std::string name;
  /// Up to 1024 characters. Optional.
  std::optional<std::string> description;
  /// 1..32 event types, e.g. {"capture:available"}. Required.
  std::vector<std::string> event_types;
  /// Where deliveries go. Must be https:// (refused otherwise, before any request; Cisco also
  /// requires port 443, a path and no query, userinfo or fragment). Required.
  std::string destination_url;
  /// 32..256 characters; signs every delivery (see webhook.hpp). Never logged. Optional per the
  /// spec, but VerifyWebhook() needs it: ccrec refuses to create a subscription without one.
  std::string secret;
  /// v2 only, e.g. "capture:1.0.0" (required by /v2/subscriptions). Unset: /v1/subscriptions.
  std::optional<std::string> resource_version;
  /// Organization. Default: from the token.
  std::optional<std::string> org_id;
};

/// SubscriptionResponse / SubscriptionResponseEnhanced (the secret is never returned).
struct Subscription {
  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::vector<std::string> event_types;
  std::string destination_url;
  /// "active" or "inactive" (the server may deactivate a failing subscription).
  std::string status;
  std::optional<std::int64_t> created_time_ms;
  std::optional<std::int64_t> last_updated_time_ms;
  std::optional<std::string> resource_version;
  /// The API version it was listed or created with: "v1" or "v2".
  std::string api_version;
};

/// Subscriptions API calls with the Webex client's options (base URL, tokens, transport, retries).
///
/// @par Thread safety
/// Immutable after construction; methods are const and safe to call concurrently.
class CCREC_EXPORT SubscriptionsClient {
 public:
  /// Uses `options` like webex::Client (base_url and tokens required).
  explicit SubscriptionsClient(ClientOptions options);

  /// POST /v1/subscriptions, or /v2/subscriptions when `request.resource_version` is set.
  /// Errors: kInvalidArgument (before any request) for a destination URL that is not https://, a
  /// name outside 4..64 characters, no or more than 32 event types, a secret outside 32..256
  /// characters; otherwise MapWebexError() of the answer (e.g. kInvalidArgument for HTTP 400).
  Result<Subscription> Create(SubscriptionRequest const& request, CallContext const& ctx = {}) const;
  /// GET /{api_version}/subscriptions. `api_version` is "v1" or "v2".
  Result<std::vector<Subscription>> List(std::string const& api_version = "v1",
                                         std::optional<std::string> const& org_id = std::nullopt,
                                         CallContext const& ctx = {}) const;
  /// DELETE /{api_version}/subscriptions/{id}. kNotFound for an unknown id.
  Result<void> Delete(std::string const& id, std::string const& api_version = "v1",
                      std::optional<std::string> const& org_id = std::nullopt, CallContext const& ctx = {}) const;

 private:
  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl const> impl_;
};

}  // namespace ccrec::webex
