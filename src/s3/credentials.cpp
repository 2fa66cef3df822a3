// SPDX-License-Identifier: Apache-2.0
// Static, environment and shared-file (profile) credential providers, and the default chain.
#include <ccrec/s3/credentials.hpp>

#include "s3/aws_config.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace ccrec::s3 {
namespace {

using detail::Env;

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(AwsCredentials c) : credentials_(std::move(c)) {}
  Result<AwsCredentials> Get(CallContext const&) override {
    if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "static AWS credentials: the access key id or secret access key is empty");
    }
    return credentials_;
  }
  std::string Describe() const override { return "static"; }

 private:
  AwsCredentials const credentials_;
};

class EnvProvider final : public CredentialsProvider {
 public:
  Result<AwsCredentials> Get(CallContext const&) override {
    AwsCredentials c;
    c.access_key_id = Env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    c.session_token = Env("AWS_SESSION_TOKEN");
    if (c.session_token.empty()) c.session_token = Env("AWS_SECURITY_TOKEN");
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "AWS credentials from the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are "
                       "not set; export both (and AWS_SESSION_TOKEN for temporary credentials)");
    }
    if (c.access_key_id.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "AWS credentials from the environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID "
                       "is not; export it too");
    }
    if (c.secret_access_key.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "AWS credentials from the environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY "
                       "is not; export it too");
    }
    return c;
  }
  std::string Describe() const override { return "environment"; }
};

// ---- shared credentials / config files ---------------------------------------------------------

constexpr int kMaxSourceProfileDepth = 5;

class ProfileProvider final : public CredentialsProvider {
 public:
  explicit ProfileProvider(ProfileCredentialsOptions o) : options_(std::move(o)) {
    if (!options_.clock) options_.clock = MakeSystemClock();
  }

  Result<AwsCredentials> Get(CallContext const& ctx) override {
    std::shared_ptr<CredentialsProvider> source;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!source_) {
        auto const profile = detail::ProfileName(options_.profile);
        auto files = detail::ReadAwsConfigFiles(options_.credentials_file, options_.config_file, "AWS profile " + profile);
        if (!files) return files.error();
        std::vector<std::string> visited;
        auto resolved = Resolve(*files, profile, visited);
        if (!resolved) return resolved.error();
        source_ = std::move(*resolved);
      }
      source = source_;
    }
    return source->Get(ctx);  // each source is thread-safe and refreshes on its own
  }
  std::string Describe() const override { return "profile " + detail::ProfileName(options_.profile); }

 private:
  // The credential source profile `name` names, following source_profile links.
  Result<std::shared_ptr<CredentialsProvider>> Resolve(detail::AwsConfigFiles const& files, std::string const& name,
                                                       std::vector<std::string>& visited) {
    std::string const what = "AWS profile " + name;
    auto section = detail::MergedProfile(files, name);
    if (!section) return MakeError(ErrorCode::kUnauthenticated, what + " not found in " + files.where);
    auto get = [&](char const* k) { return detail::Value(*section, k); };
    visited.push_back(name);
    auto const role_arn = get("role_arn");
    if (!role_arn.empty()) {
      auto const source_profile = get("source_profile");
      StsOptions sts;
      static_cast<CredentialsRefreshOptions&>(sts) = options_;  // refreshed like the profile says
      sts.region = Env("AWS_REGION");
      if (sts.region.empty()) sts.region = Env("AWS_DEFAULT_REGION");
      if (sts.region.empty()) sts.region = get("region");
      sts.transport = options_.transport;
      if (!source_profile.empty()) {
        std::shared_ptr<CredentialsProvider> source;
        if (source_profile == name) {
          auto keys = StaticKeys(*section, what + " (its own keys, source_profile = itself)");
          if (!keys) return keys.error();
          source = MakeStaticCredentialsProvider(*keys);
        } else if (std::find(visited.begin(), visited.end(), source_profile) != visited.end()) {
          return MakeError(ErrorCode::kUnauthenticated, what + ": source_profile " + source_profile + " is a cycle");
        } else if (static_cast<int>(visited.size()) >= kMaxSourceProfileDepth) {
          return MakeError(ErrorCode::kUnauthenticated,
                           what + ": source_profile chain deeper than " + std::to_string(kMaxSourceProfileDepth));
        } else {
          auto r = Resolve(files, source_profile, visited);
          if (!r) {
            Error e = r.error();
            e.message = what + ": source_profile " + source_profile + ": " + e.message;
            return e;
          }
          source = std::move(*r);
        }
        AssumeRoleCredentialsOptions ar;
        ar.source = std::move(source);
        ar.role_arn = role_arn;
        ar.role_session_name = get("role_session_name");
        ar.external_id = get("external_id");
        if (auto d = get("duration_seconds"); !d.empty()) {
          char* end = nullptr;
          long const v = std::strtol(d.c_str(), &end, 10);
          if (end == d.c_str() || *end != '\0' || v < 900 || v > 43200) {
            return MakeError(ErrorCode::kInvalidArgument, what + ": duration_seconds \"" + d + "\" is not 900..43200");
          }
          ar.duration = std::chrono::seconds(v);
        }
        ar.sts = std::move(sts);
        return MakeAssumeRoleCredentialsProvider(std::move(ar));
      }
      if (auto token_file = get("web_identity_token_file"); !token_file.empty()) {
        WebIdentityCredentialsOptions wi;
        wi.token_file = token_file;
        wi.role_arn = role_arn;
        wi.role_session_name = get("role_session_name");
        wi.sts = std::move(sts);
        return MakeWebIdentityCredentialsProvider(std::move(wi));
      }
      if (!get("credential_source").empty()) return Unsupported(what, "credential_source", name);
      return MakeError(ErrorCode::kUnauthenticated,
                       what + " has role_arn but neither source_profile nor web_identity_token_file (" + files.where + ")");
    }
    if (!get("aws_access_key_id").empty() || !get("aws_secret_access_key").empty()) {
      auto keys = StaticKeys(*section, what + " (" + files.where + ")");
      if (!keys) return keys.error();
      return MakeStaticCredentialsProvider(*keys);
    }
    if (auto command = get("credential_process"); !command.empty()) {
      ProcessCredentialsOptions po;
      static_cast<CredentialsRefreshOptions&>(po) = options_;  // refreshed like the profile says
      po.command = command;
      po.timeout = options_.process_timeout;
      return MakeProcessCredentialsProvider(std::move(po));
    }
    for (char const* unsupported : {"sso_session", "sso_start_url", "sso_account_id"}) {
      if (!get(unsupported).empty()) return Unsupported(what, unsupported, name);
    }
    return MakeError(ErrorCode::kUnauthenticated, what +
                                                      " has no credentials (aws_access_key_id / aws_secret_access_key, "
                                                      "role_arn or credential_process) in " + files.where);
  }

  static Result<AwsCredentials> StaticKeys(detail::IniSection const& section, std::string const& what) {
    AwsCredentials c;
    c.access_key_id = detail::Value(section, "aws_access_key_id");
    c.secret_access_key = detail::Value(section, "aws_secret_access_key");
    c.session_token = detail::Value(section, "aws_session_token");
    if (c.session_token.empty()) c.session_token = detail::Value(section, "aws_security_token");
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
      return MakeError(ErrorCode::kUnauthenticated, what + " has no aws_access_key_id / aws_secret_access_key");
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       what + " has only one of aws_access_key_id and aws_secret_access_key");
    }
    return c;
  }

  static Error Unsupported(std::string const& what, char const* key, std::string const& name) {
    return MakeError(ErrorCode::kUnauthenticated,
                     what + " uses " + key +
                         ", which ccrec does not support directly; add `credential_process = aws configure "
                         "export-credentials --profile " + name + " --format process` to a profile and use that one");
  }

  ProfileCredentialsOptions options_;
  std::mutex mu_;
  std::shared_ptr<CredentialsProvider> source_;
};

// ---- default chain -----------------------------------------------------------------------------

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(DefaultCredentialsChainOptions o) : options_(std::move(o)) {
    env_ = MakeEnvCredentialsProvider();
    auto profile = options_.profile;
    if (!profile.transport) profile.transport = options_.endpoints.transport;
    if (!profile.clock) profile.clock = options_.endpoints.clock;
    if (!profile.logger.Enabled(LogLevel::kError)) profile.logger = options_.endpoints.logger;
    profile_ = MakeProfileCredentialsProvider(std::move(profile));
    WebIdentityCredentialsOptions wi;
    wi.sts.transport = options_.endpoints.transport;
    wi.sts.clock = options_.endpoints.clock;
    wi.sts.logger = options_.endpoints.logger;
    web_identity_ = MakeWebIdentityCredentialsProvider(std::move(wi));
    container_ = MakeContainerCredentialsProvider(options_.endpoints);
    imds_ = MakeInstanceMetadataCredentialsProvider(options_.endpoints);
  }

  Result<AwsCredentials> Get(CallContext const& ctx) override {
    CredentialsProvider* last = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = last_;
    }
    if (last) {
      auto r = last->Get(ctx);
      if (r) return r;
    }
    struct Entry {
      CredentialsProvider* provider;
      bool stop_on_error;  // explicitly configured: its error is the answer
    };
    bool const explicit_profile = !options_.profile.profile.empty() || !Env("AWS_PROFILE").empty();
    bool const container_configured = !options_.endpoints.container_uri.empty() ||
                                      !Env("AWS_CONTAINER_CREDENTIALS_FULL_URI").empty() ||
                                      !Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty();
    bool const web_identity_configured =
        !Env("AWS_WEB_IDENTITY_TOKEN_FILE").empty() && !Env("AWS_ROLE_ARN").empty();
    std::vector<Entry> entries = {{env_.get(), false}, {profile_.get(), explicit_profile}};
    if (web_identity_configured) entries.push_back({web_identity_.get(), true});
    if (container_configured) entries.push_back({container_.get(), true});
    entries.push_back({imds_.get(), false});
    std::string reasons;
    for (auto const& e : entries) {
      auto r = e.provider->Get(ctx);
      if (r) {
        std::lock_guard<std::mutex> lock(mu_);
        last_ = e.provider;
        return r;
      }
      if (e.stop_on_error) return r;
      reasons += "\n  - " + e.provider->Describe() + ": " + r.error().message;
    }
    return MakeError(ErrorCode::kUnauthenticated,
                     "no AWS credentials found; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with "
                     "~/.aws/credentials, or run with a container/instance role. Tried:" +
                         reasons);
  }

  std::string Describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return last_ ? "default chain (" + last_->Describe() + ")" : "default chain";
  }

 private:
  DefaultCredentialsChainOptions options_;
  std::shared_ptr<CredentialsProvider> env_, profile_, web_identity_, container_, imds_;
  mutable std::mutex mu_;
  CredentialsProvider* last_ = nullptr;
};

}  // namespace

std::shared_ptr<CredentialsProvider> MakeStaticCredentialsProvider(AwsCredentials credentials) {
  return std::make_shared<StaticProvider>(std::move(credentials));
}

std::shared_ptr<CredentialsProvider> MakeEnvCredentialsProvider() { return std::make_shared<EnvProvider>(); }

std::shared_ptr<CredentialsProvider> MakeProfileCredentialsProvider(ProfileCredentialsOptions options) {
  return std::make_shared<ProfileProvider>(std::move(options));
}

std::shared_ptr<CredentialsProvider> MakeDefaultCredentialsChain(DefaultCredentialsChainOptions options) {
  return std::make_shared<ChainProvider>(std::move(options));
}

}  // namespace ccrec::s3
