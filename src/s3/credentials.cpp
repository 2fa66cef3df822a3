// SPDX-License-Identifier: Apache-2.0
// Static, environment and shared-file (profile) credential providers, and the default chain.
#include <ccrec/s3/credentials.hpp>

#include "internal/ascii.hpp"
#include "internal/file_util.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace s3 {
namespace {

std::string Env(char const* name) {
  char const* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string Trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

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

using IniFile = std::map<std::string, std::map<std::string, std::string>>;

// Parses the AWS INI dialect: [section], key = value, '#'/';' comment lines and inline comments
// after whitespace; indented lines under a key with an empty value are a nested block (ignored).
IniFile ParseIni(std::string const& text) {
  IniFile out;
  std::string section;
  bool have_section = false;
  bool in_nested = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    std::string raw = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() + 1 : nl + 1;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    bool const indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    auto line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      auto close = line.find(']');
      if (close == std::string::npos) continue;  // malformed header: ignore the line
      section = Trim(line.substr(1, close - 1));
      have_section = true;
      in_nested = false;
      out[section];
      continue;
    }
    if (!have_section) continue;
    if (indented && in_nested) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto key = ::ccrec::detail::ToLowerAscii(Trim(line.substr(0, eq)));
    auto value = line.substr(eq + 1);
    for (std::size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = value.substr(0, i);
        break;
      }
    }
    value = Trim(value);
    in_nested = value.empty();
    out[section][key] = value;
  }
  return out;
}

std::string HomePath(char const* rel) {
  auto home = Env("HOME");
  if (home.empty()) return {};
  return home + rel;
}

std::string ExpandHome(std::string path) {
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    auto home = Env("HOME");
    if (!home.empty()) return home + path.substr(1);
  }
  return path;
}

class ProfileProvider final : public CredentialsProvider {
 public:
  explicit ProfileProvider(ProfileCredentialsOptions o) : options_(std::move(o)) {}

  Result<AwsCredentials> Get(CallContext const&) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_) return *cached_;
    auto r = Load();
    if (r) cached_ = *r;
    return r;
  }
  std::string Describe() const override { return "profile " + ProfileName(); }

 private:
  std::string ProfileName() const {
    if (!options_.profile.empty()) return options_.profile;
    auto p = Env("AWS_PROFILE");
    return p.empty() ? "default" : p;
  }

  Result<AwsCredentials> Load() const {
    auto const profile = ProfileName();
    auto creds_path = ExpandHome(!options_.credentials_file.empty() ? options_.credentials_file
                                 : !Env("AWS_SHARED_CREDENTIALS_FILE").empty() ? Env("AWS_SHARED_CREDENTIALS_FILE")
                                                                                : HomePath("/.aws/credentials"));
    auto config_path = ExpandHome(!options_.config_file.empty()   ? options_.config_file
                                  : !Env("AWS_CONFIG_FILE").empty() ? Env("AWS_CONFIG_FILE")
                                                                    : HomePath("/.aws/config"));
    std::vector<std::string> looked;
    // Reads `path` into `ini` (a missing file is noted and left empty; an unreadable one fails).
    auto read_ini = [&](std::string const& path, IniFile& ini) -> Result<void> {
      auto text = ::ccrec::detail::ReadSmallFile(path, 1u << 20);
      if (text) {
        ini = ParseIni(*text);
        looked.push_back(path);
      } else if (text.error().code != ErrorCode::kNotFound) {
        return MakeError(ErrorCode::kUnauthenticated,
                         "AWS profile " + profile + ": cannot read " + path + ": " + text.error().message);
      } else {
        looked.push_back(path + " (missing)");
      }
      return {};
    };
    std::map<std::string, std::string> const* from_creds = nullptr;
    std::map<std::string, std::string> const* from_config = nullptr;
    IniFile creds_ini, config_ini;
    if (!creds_path.empty()) {
      if (auto read = read_ini(creds_path, creds_ini); !read) return std::move(read).error();
      auto it = creds_ini.find(profile);
      if (it != creds_ini.end()) from_creds = &it->second;
    }
    if (!config_path.empty()) {
      if (auto read = read_ini(config_path, config_ini); !read) return std::move(read).error();
      auto it = config_ini.find("profile " + profile);
      if (it == config_ini.end() && profile == "default") it = config_ini.find("default");
      if (it != config_ini.end()) from_config = &it->second;
    }
    std::string where;
    for (auto const& l : looked) where += (where.empty() ? "" : ", ") + l;
    for (auto const* section : {from_creds, from_config}) {
      if (!section) continue;
      auto get = [&](char const* k) {
        auto it = section->find(k);
        return it == section->end() ? std::string() : it->second;
      };
      AwsCredentials c;
      c.access_key_id = get("aws_access_key_id");
      c.secret_access_key = get("aws_secret_access_key");
      c.session_token = get("aws_session_token");
      if (c.session_token.empty()) c.session_token = get("aws_security_token");
      if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return c;
      if (!c.access_key_id.empty() || !c.secret_access_key.empty()) {
        return MakeError(ErrorCode::kUnauthenticated, "AWS profile " + profile +
                                                          " has only one of aws_access_key_id and "
                                                          "aws_secret_access_key (" + where + ")");
      }
      for (char const* unsupported : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                                       "web_identity_token_file", "credential_source"}) {
        if (section->count(unsupported)) {
          return MakeError(ErrorCode::kUnauthenticated,
                           "AWS profile " + profile + " uses " + unsupported +
                               ", which ccrec does not support; export temporary credentials (e.g. `aws configure "
                               "export-credentials --profile " + profile + " --format env`) or use static keys");
        }
      }
    }
    if (!from_creds && !from_config) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "AWS profile " + profile + " not found in " + (where.empty() ? "(no HOME)" : where));
    }
    return MakeError(ErrorCode::kUnauthenticated,
                     "AWS profile " + profile + " has no aws_access_key_id / aws_secret_access_key (" + where + ")");
  }

  ProfileCredentialsOptions options_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
};

// ---- default chain -----------------------------------------------------------------------------

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(DefaultCredentialsChainOptions o) : options_(std::move(o)) {
    env_ = MakeEnvCredentialsProvider();
    profile_ = MakeProfileCredentialsProvider(options_.profile);
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
    std::vector<Entry> entries = {{env_.get(), false}, {profile_.get(), explicit_profile}};
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
  std::shared_ptr<CredentialsProvider> env_, profile_, container_, imds_;
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

}  // namespace s3
}  // namespace v1
}  // namespace ccrec
