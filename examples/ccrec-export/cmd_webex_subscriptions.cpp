// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex subscriptions create|list|delete: the Contact Center Subscriptions API, for
// the webhook registration that `webex serve` receives (docs/webex.md).
#include "cmd_webex_serve.hpp"
#include "cli_redis.hpp"

#include <ccrec/webex/regions.hpp>
#include <ccrec/webex/subscriptions.hpp>

#include <iostream>

namespace ccrec_cli {

namespace {

struct SubscriptionFlags {
  std::string name = "ccrec recordings";
  std::string description;
  std::string destination_url;
  std::vector<std::string> event_types{"capture:available"};
  SecretFlag secret;
  std::string resource_version;
  std::string api_version = "v1";
  std::string id;
};

struct SubsContext {
  ccrec::Logger logger;
  WebexTokens tokens;
  std::unique_ptr<ccrec::webex::SubscriptionsClient> client;
};

SubsContext MakeSubsClient(WebexFlags& f) {
  SubsContext out;
  out.logger = MakeLogger(f.common);
  auto file = OpenWebexTokenFile(f);
  if (!file.token && f.auth != "service-app") {
    throw UsageError{TokenStoreName(f) + " does not exist; authorize once with `ccrec-export webex login`"};
  }
  auto transport = MakeTransport(f.common, out.logger);
  out.tokens = MakeWebexTokens(f, file, transport, out.logger);
  auto co = WebexClientOptions(f, WebexBaseUrl(f), out.tokens.source, transport, out.logger);
  out.client = std::make_unique<ccrec::webex::SubscriptionsClient>(co);
  return out;
}

void Print(ccrec::webex::Subscription const& s) {
  std::string events;
  for (auto const& e : s.event_types) events += (events.empty() ? "" : ",") + e;
  std::cout << s.id << "\t" << s.status << "\t" << s.api_version << "\t" << events << "\t" << s.destination_url << "\t"
            << s.name << "\n";
}

int Finish(SubsContext& c, ccrec::Error const* error) {
  auto saved = c.tokens.source->Flush({});
  if (error) {
    std::cerr << "ccrec-export: error: " << ccrec::RedactSecrets(error->ToString()) << "\n";
    return kExitFatal;
  }
  return saved ? kExitOk : kExitFatal;
}

int RunCreate(WebexFlags& f, SubscriptionFlags const& s) {
  if (s.destination_url.rfind("https://", 0) != 0) {
    throw UsageError{"--destination-url must be https:// (Webex delivers webhooks over HTTPS only): terminate TLS in "
                     "`webex serve --tls-cert/--tls-key`, or in a reverse proxy that forwards to it"};
  }
  ccrec::webex::SubscriptionRequest r;
  r.name = s.name;
  if (!s.description.empty()) r.description = s.description;
  r.event_types = s.event_types;
  r.destination_url = s.destination_url;
  r.secret = ResolveSecret(s.secret, "CCREC_WEBEX_WEBHOOK_SECRET", "webhook-secret");
  if (!s.resource_version.empty()) r.resource_version = s.resource_version;
  if (!f.org_id.empty()) r.org_id = f.org_id;
  auto c = MakeSubsClient(f);
  auto created = c.client->Create(r);
  if (!created) return Finish(c, &created.error());
  Print(*created);
  return Finish(c, nullptr);
}

int RunList(WebexFlags& f, SubscriptionFlags const& s) {
  auto c = MakeSubsClient(f);
  std::optional<std::string> org;
  if (!f.org_id.empty()) org = f.org_id;
  auto list = c.client->List(s.api_version, org);
  if (!list) return Finish(c, &list.error());
  for (auto const& sub : *list) Print(sub);
  return Finish(c, nullptr);
}

int RunDelete(WebexFlags& f, SubscriptionFlags const& s) {
  auto c = MakeSubsClient(f);
  std::optional<std::string> org;
  if (!f.org_id.empty()) org = f.org_id;
  auto deleted = c.client->Delete(s.id, s.api_version, org);
  if (!deleted) return Finish(c, &deleted.error());
  std::cout << "deleted " << s.id << "\n";
  return Finish(c, nullptr);
}

void AddConnection(CLI::App& app, WebexFlags& f) {
  AddWebexAuthFlags(app, f, /*with_connection_flags=*/true);
  AddWebexApiFlags(app, f);
}

}  // namespace

void AddWebexSubscriptionSubcommands(CLI::App& webex, std::shared_ptr<WebexFlags> f,
                                     std::vector<WebexExtraSubcommand>& out) {
  auto s = std::make_shared<SubscriptionFlags>();
  auto* subs = webex.add_subcommand("subscriptions", "manage the Contact Center webhook subscription of `webex serve`");
  subs->require_subcommand(1);
  auto* create = subs->add_subcommand("create", "register a subscription (POST /v1/subscriptions, or /v2 with "
                                                "--resource-version); prints id, status, version, events, URL, name");
  AddConnection(*create, *f);
  create->add_option("--destination-url", s->destination_url,
                     "the public https:// URL of `webex serve` (port 443, with a path, no query)")
      ->required();
  create->add_option("--name", s->name, "subscription name (4..64 characters)")->capture_default_str();
  create->add_option("--description", s->description, "subscription description");
  create->add_option("--event-type", s->event_types, "event type (repeatable)")->capture_default_str();
  create->add_option("--resource-version", s->resource_version, "use /v2/subscriptions with this resourceVersion");
  AddSecretFlag(*create, s->secret, "webhook-secret", "CCREC_WEBEX_WEBHOOK_SECRET",
                "subscription secret that signs deliveries (32..256 characters); give `webex serve` the same");
  auto* list = subs->add_subcommand("list", "list subscriptions (id, status, version, events, URL, name)");
  AddConnection(*list, *f);
  list->add_option("--api-version", s->api_version, "v1 or v2")->check(CLI::IsMember({"v1", "v2"}))->capture_default_str();
  auto* del = subs->add_subcommand("delete", "delete a subscription by id");
  AddConnection(*del, *f);
  del->add_option("id", s->id, "subscription id")->required();
  del->add_option("--api-version", s->api_version, "v1 or v2")->check(CLI::IsMember({"v1", "v2"}))->capture_default_str();
  out.push_back({create, [f, s] { return RunCreate(*f, *s); }});
  out.push_back({list, [f, s] { return RunList(*f, *s); }});
  out.push_back({del, [f, s] { return RunDelete(*f, *s); }});
}

}  // namespace ccrec_cli
