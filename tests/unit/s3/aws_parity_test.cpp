// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 3: region/endpoint/CA resolution in the library, credential_process, web
// identity and assume-role credentials.
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/environment.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/s3/sigv4.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "s3/credential_process.hpp"

#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::RecordedRequest;

std::vector<std::string> const kEnv = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED", "HOME", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"};

using ccrec_test::EnvGuard;

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("ccrec-aws-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Write(std::string const& name, std::string const& text, bool executable = false) {
    auto p = (dir_ / name).string();
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    if (executable) ::chmod(p.c_str(), 0700);
    return p;
  }
  std::string Path(std::string const& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

class AwsParity : public ::testing::Test {
 protected:
  AwsParity() : guard_(kEnv) {
    setenv("HOME", dir_.Path("home").c_str(), 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  }
  /// A credential_process broker that answers AK1, AK2, ... (counted in NAME.count), each expiring
  /// at 01:00; `extra` is shell run before it answers.
  std::string CountingBroker(std::string const& name, std::string const& extra = "") {
    auto counter = dir_.Path(name + ".count");
    return dir_.Write(name + ".sh",
                      "#!/bin/sh\n"
                      "n=$(cat '" + counter + "' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '" + counter + "'\n" +
                          extra +
                          "printf '{\"Version\":1,\"AccessKeyId\":\"AK%s\",\"SecretAccessKey\":\"SK\",'  $n\n"
                          "printf '\"SessionToken\":\"TK\",\"Expiration\":\"2026-11-01T01:00:00Z\"}'\n",
                      true);
  }

  EnvGuard guard_;
  ScratchDir dir_;
  std::shared_ptr<FakeHttpTransport> transport_ = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();  // 2026-11-01T00:00:00Z
};

std::string StsAnswer(std::string const& action, std::string const& ak, std::string const& exp) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + ak +
         "</AccessKeyId><SecretAccessKey>SECRET-" + ak + "</SecretAccessKey><SessionToken>TOKEN-" + ak +
         "</SessionToken><Expiration>" + exp + "</Expiration></Credentials></" + action + "Result><ResponseMetadata>"
         "<RequestId>r-1</RequestId></ResponseMetadata></" + action + "Response>";
}

std::map<std::string, std::string> Form(std::string const& body) {
  std::map<std::string, std::string> out;
  for (auto const& [k, v] : ::ccrec::detail::ParseQuery(body, true)) out[k] = v;
  return out;
}

// ---- region / endpoint / CA -------------------------------------------------------------------

TEST_F(AwsParity, EnvironmentPrecedence) {
  dir_.Write("home/.aws/config",
             "[default]\nregion = ap-south-1\n[profile dev]\nregion = eu-west-3\nendpoint_url = http://127.0.0.1:9000\n"
             "ca_bundle = /etc/dev-ca.pem\n");
  auto def = ResolveAwsEnvironment();
  ASSERT_TRUE(def) << def.error().ToString();
  EXPECT_EQ(def->profile, "default");
  EXPECT_EQ(def->region, "ap-south-1");
  EXPECT_EQ(def->region_source, "profile default");
  EXPECT_EQ(def->endpoint, "");
  EXPECT_EQ(def->ca_bundle, "");
  // AWS_PROFILE selects the profile whose region, endpoint_url and ca_bundle apply.
  setenv("AWS_PROFILE", "dev", 1);
  auto dev = ResolveAwsEnvironment();
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->region, "eu-west-3");
  EXPECT_EQ(dev->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(dev->endpoint_source, "profile dev");
  EXPECT_EQ(dev->ca_bundle, "/etc/dev-ca.pem");
  // The environment wins over the profile; AWS_REGION over AWS_DEFAULT_REGION; _S3 over the global URL.
  setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->region, "us-west-1");
  setenv("AWS_REGION", "us-west-2", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->region, "us-west-2");
  EXPECT_EQ(ResolveAwsEnvironment()->region_source, "AWS_REGION");
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->endpoint, "http://127.0.0.1:1111");
  setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2222", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->endpoint, "http://127.0.0.1:2222");
  setenv("AWS_CA_BUNDLE", "/tmp/ca.pem", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->ca_bundle, "/tmp/ca.pem");
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  EXPECT_EQ(ResolveAwsEnvironment()->endpoint, "");
  unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  // An explicit profile argument wins over AWS_PROFILE.
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  AwsEnvironmentOptions o;
  o.profile = "default";
  EXPECT_EQ(ResolveAwsEnvironment(o)->region, "ap-south-1");
  // Nothing anywhere: us-east-1.
  o.profile = "ghost";
  EXPECT_EQ(ResolveAwsEnvironment(o)->region, "us-east-1");
  EXPECT_EQ(ResolveAwsEnvironment(o)->region_source, "default");
  // A malformed endpoint names its source.
  setenv("AWS_ENDPOINT_URL_S3", "ftp://x", 1);
  auto bad = ResolveAwsEnvironment();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("AWS_ENDPOINT_URL_S3"), std::string::npos) << bad.error().message;
}

TEST_F(AwsParity, SinkOptionsFromEnvironment) {
  dir_.Write("home/.aws/config", "[profile minio]\nregion = eu-central-2\nendpoint_url = http://localhost:9000\n");
  dir_.Write("home/.aws/credentials", "[minio]\naws_access_key_id = AKMINIO\naws_secret_access_key = SKMINIO\n");
  auto o = S3SinkOptions::FromEnvironment("minio");
  ASSERT_TRUE(o) << o.error().ToString();
  EXPECT_EQ(o->region, "eu-central-2");
  EXPECT_EQ(o->endpoint, "http://localhost:9000");
  EXPECT_TRUE(o->path_style);
  ASSERT_TRUE(o->transport);
  ASSERT_TRUE(o->credentials);
  auto c = o->credentials->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "AKMINIO");  // the named profile, not "default"
  EXPECT_TRUE(o->bucket.empty());
  setenv("AWS_ENDPOINT_URL", "not a url", 1);
  EXPECT_FALSE(S3SinkOptions::FromEnvironment("minio"));
}

// ---- credential_process -------------------------------------------------------------------------

TEST(CredentialProcess, SplitsLikeShlex) {
  using ccrec::s3::detail::SplitCommandLine;
  auto v = [](std::string const& s) { return SplitCommandLine(s).value(); };
  EXPECT_EQ(v("aws configure export-credentials --profile sso --format process"),
            (std::vector<std::string>{"aws", "configure", "export-credentials", "--profile", "sso", "--format",
                                      "process"}));
  EXPECT_EQ(v("  /opt/my broker  "), (std::vector<std::string>{"/opt/my", "broker"}));
  EXPECT_EQ(v("'/opt/my broker' --arg \"a b\\\"c\" x\\ y ''"),
            (std::vector<std::string>{"/opt/my broker", "--arg", "a b\"c", "x y", ""}));
  EXPECT_EQ(v("a\"b\"'c'd"), (std::vector<std::string>{"abcd"}));
  EXPECT_EQ(v("\"$HOME\" '$x' a|b;c"), (std::vector<std::string>{"$HOME", "$x", "a|b;c"}));  // no shell
  EXPECT_EQ(v("\"a\\nb\""), (std::vector<std::string>{"a\\nb"}));
  for (std::string bad : {"", "   ", "'open", "\"open", "trailing\\"}) {
    auto r = SplitCommandLine(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(CredentialProcess, ParsesOutputAndRejectsBadOutput) {
  using ccrec::s3::detail::ParseProcessOutput;
  auto ok = ParseProcessOutput(
      R"({"Version": 1, "AccessKeyId": "AKP", "SecretAccessKey": "SKP", "SessionToken": "TKP",
          "Expiration": "2026-11-01T01:00:00Z"})");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->access_key_id, "AKP");
  EXPECT_EQ(ok->session_token, "TKP");
  EXPECT_EQ(*ok->expiration, *::ccrec::detail::ParseTimeArg("2026-11-01T01:00:00Z"));
  auto no_exp = ParseProcessOutput(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"SUPERSECRET"})");
  ASSERT_TRUE(no_exp);
  EXPECT_FALSE(no_exp->expiration);
  for (std::string bad : {std::string(""), std::string("SUPERSECRET"), std::string("[1]"),
                          std::string(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"SUPERSECRET"})"),
                          std::string(R"({"Version":"1","AccessKeyId":"A","SecretAccessKey":"SUPERSECRET"})"),
                          std::string(R"({"AccessKeyId":"A","SecretAccessKey":"SUPERSECRET"})"),
                          std::string(R"({"Version":1,"SecretAccessKey":"SUPERSECRET"})"),
                          std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":7})"),
                          std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":""})"),
                          std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"SUPERSECRET",)"
                                      R"("Expiration":"SUPERSECRET-tomorrow"})"),
                          std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"SUPERSECRET")")}) {
    auto r = ParseProcessOutput(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << bad;
    EXPECT_EQ(r.error().message.find("SUPERSECRET"), std::string::npos) << r.error().message;
  }
}

TEST_F(AwsParity, ProcessProviderRunsCachesAndRefreshes) {
  auto script = CountingBroker("broker", "echo \"args:$#:$1\" >&2\n");
  ProcessCredentialsOptions o;
  o.command = "'" + script + "' 'one arg'";
  o.clock = clock_;
  auto p = MakeProcessCredentialsProvider(o);
  EXPECT_EQ(p->Describe(), "credential_process " + script);  // never the arguments
  auto c = p->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "AK1");
  EXPECT_EQ(c->session_token, "TK");
  clock_->Advance(std::chrono::minutes(54));
  EXPECT_EQ(p->Get()->access_key_id, "AK1");  // cached
  clock_->Advance(std::chrono::minutes(2));   // inside the 5-minute window
  EXPECT_EQ(p->Get()->access_key_id, "AK2");
  // Through a profile.
  dir_.Write("home/.aws/config", "[profile broker]\ncredential_process = '" + script + "'\n");
  ProfileCredentialsOptions po;
  po.profile = "broker";
  po.clock = clock_;
  auto via_profile = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_TRUE(via_profile) << via_profile.error().ToString();
  EXPECT_EQ(via_profile->access_key_id, "AK3");
}

// The profile's CredentialsRefreshOptions reach the source it resolves to (here credential_process).
TEST_F(AwsParity, ProfileHandsItsRefreshSettingsToItsSource) {
  auto script = CountingBroker("broker-refresh");
  dir_.Write("home/.aws/config", "[profile broker]\ncredential_process = '" + script + "'\n");
  ProfileCredentialsOptions po;
  po.profile = "broker";
  po.clock = clock_;
  po.refresh_before_expiry = std::chrono::minutes(30);
  auto p = MakeProfileCredentialsProvider(po);
  EXPECT_EQ(p->Get()->access_key_id, "AK1");
  clock_->Advance(std::chrono::minutes(29));
  EXPECT_EQ(p->Get()->access_key_id, "AK1");  // cached
  clock_->Advance(std::chrono::minutes(2));   // 00:31: inside the profile's 30-minute window
  EXPECT_EQ(p->Get()->access_key_id, "AK2");
}

TEST_F(AwsParity, ProcessProviderFailures) {
  auto run = [&](std::string const& body, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto script = dir_.Write("p" + std::to_string(std::rand()) + ".sh", "#!/bin/sh\n" + body, true);
    ProcessCredentialsOptions o;
    o.command = script;
    o.timeout = timeout;
    o.max_output_bytes = 4096;
    return MakeProcessCredentialsProvider(o)->Get();
  };
  // Non-zero exit: the status, never the output.
  auto failed = run("echo '{\"SecretAccessKey\":\"SUPERSECRET\"}'; echo SUPERSECRET >&2; exit 3\n");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(failed.error().message.find("status 3"), std::string::npos) << failed.error().message;
  EXPECT_EQ(failed.error().message.find("SUPERSECRET"), std::string::npos);
  // Too much output.
  auto big = run("head -c 100000 /dev/zero | tr '\\0' x\n");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kParse);
  EXPECT_NE(big.error().message.find("more than 4096 bytes"), std::string::npos) << big.error().message;
  // Hangs: killed after the timeout (a real, short wait: this is a real process).
  auto slow = run("exec sleep 30\n", std::chrono::milliseconds(200));
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, ErrorCode::kDeadlineExceeded);
  // Not JSON.
  auto junk = run("echo hello\n");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kParse);
  // Missing program.
  ProcessCredentialsOptions o;
  o.command = dir_.Path("no-such-program") + " --x";
  auto missing = MakeProcessCredentialsProvider(o)->Get();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(missing.error().message.find("cannot be started"), std::string::npos) << missing.error().message;
  // Cancelled.
  auto script = dir_.Write("sleepy.sh", "#!/bin/sh\nexec sleep 30\n", true);
  o.command = script;
  CallContext ctx;
  ctx.cancel.Cancel();
  auto cancelled = MakeProcessCredentialsProvider(o)->Get(ctx);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
}

// ---- web identity -------------------------------------------------------------------------------

TEST_F(AwsParity, WebIdentityFromEnvironmentThroughTheChain) {
  auto token = dir_.Write("token", "eyJ.first.token\n");
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token.c_str(), 1);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa", 1);
  setenv("AWS_ROLE_SESSION_NAME", "pod-1", 1);
  setenv("AWS_REGION", "eu-west-1", 1);
  std::atomic<int> calls{0};
  transport_->Route("POST", "sts.eu-west-1.amazonaws.com", [&](RecordedRequest const&) {
    int n = ++calls;
    return Result<HttpResponse>(ccrec::testing::MakeResponse(
        200, StsAnswer("AssumeRoleWithWebIdentity", "ASIA" + std::to_string(n),
                       n == 1 ? "2026-11-01T01:00:00Z" : "2026-11-01T02:00:00Z")));
  });
  DefaultCredentialsChainOptions o;
  o.endpoints.transport = transport_;
  o.endpoints.clock = clock_;
  auto chain = MakeDefaultCredentialsChain(o);
  auto c = chain->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIA1");
  EXPECT_EQ(c->secret_access_key, "SECRET-ASIA1");
  EXPECT_EQ(c->session_token, "TOKEN-ASIA1");
  EXPECT_EQ(*c->expiration, *::ccrec::detail::ParseTimeArg("2026-11-01T01:00:00Z"));
  auto req = transport_->Requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_FALSE(req.Header("Authorization"));  // AssumeRoleWithWebIdentity is unsigned
  auto form = Form(req.body);
  EXPECT_EQ(form["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form["Version"], "2011-06-15");
  EXPECT_EQ(form["RoleArn"], "arn:aws:iam::123456789012:role/irsa");
  EXPECT_EQ(form["RoleSessionName"], "pod-1");
  EXPECT_EQ(form["WebIdentityToken"], "eyJ.first.token");
  EXPECT_EQ(chain->Describe(), "default chain (web identity (arn:aws:iam::123456789012:role/irsa))");
  // Refreshed before expiry with the rotated token (Kubernetes rewrites the file).
  dir_.Write("token", "eyJ.second.token");
  clock_->Advance(std::chrono::minutes(50));
  EXPECT_EQ(chain->Get()->access_key_id, "ASIA1");
  clock_->Advance(std::chrono::minutes(6));
  EXPECT_EQ(chain->Get()->access_key_id, "ASIA2");
  EXPECT_EQ(Form(transport_->Requests().at(1).body)["WebIdentityToken"], "eyJ.second.token");
}

TEST_F(AwsParity, WebIdentityErrorsAndEndpointRules) {
  auto token = dir_.Write("token", "SECRET-OIDC-TOKEN");
  WebIdentityCredentialsOptions o;
  o.token_file = token;
  o.role_arn = "arn:aws:iam::1:role/r";
  o.sts.transport = transport_;
  o.sts.clock = clock_;
  o.sts.max_attempts = 2;
  // STS error document: code, request id and message; the token never appears.
  transport_->EnqueueResponse(
      400,
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error>"
      "<RequestId>req-42</RequestId></ErrorResponse>");
  auto refused = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(refused.error().vendor_code, "InvalidIdentityToken");
  EXPECT_EQ(refused.error().request_id, "req-42");
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_NE(refused.error().message.find("No OpenIDConnect provider found"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("SECRET-OIDC-TOKEN"), std::string::npos);
  // A server echoing the token or the signing secret in its message gets them masked.
  transport_->EnqueueResponse(400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token "
                                   "SECRET-OIDC-TOKEN</Message></Error></ErrorResponse>");
  auto echoed = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().message.find("SECRET-OIDC-TOKEN"), std::string::npos) << echoed.error().message;
  EXPECT_NE(echoed.error().message.find("bad token ***"), std::string::npos) << echoed.error().message;
  // 5xx is retried, then succeeds.
  transport_->EnqueueResponse(503, "");
  transport_->EnqueueResponse(200, StsAnswer("AssumeRoleWithWebIdentity", "ASIAOK", "2026-11-01T01:00:00Z"));
  auto retried = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_TRUE(retried) << retried.error().ToString();
  EXPECT_EQ(retried->access_key_id, "ASIAOK");
  // Malformed answers.
  for (std::string body : {std::string("not xml"), std::string("<X/>"),
                           StsAnswer("AssumeRoleWithWebIdentity", "", "2026-11-01T01:00:00Z"),
                           StsAnswer("AssumeRoleWithWebIdentity", "A", "tomorrow")}) {
    transport_->EnqueueResponse(200, body);
    auto bad = MakeWebIdentityCredentialsProvider(o)->Get();
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().code, ErrorCode::kParse) << body;
  }
  // Endpoints: https, or http to loopback only.
  o.sts.endpoint = "http://sts.example.com";
  auto plain = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::kInvalidArgument);
  o.sts.endpoint = "";
  setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000", 1);
  transport_->EnqueueResponse(200, StsAnswer("AssumeRoleWithWebIdentity", "ASIALOCAL", "2026-11-01T01:00:00Z"));
  auto local = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_TRUE(local) << local.error().ToString();
  EXPECT_EQ(transport_->Requests().back().url, "http://127.0.0.1:5000/");
  // Missing configuration and unreadable token file.
  WebIdentityCredentialsOptions none;
  none.sts.transport = transport_;
  auto unset = MakeWebIdentityCredentialsProvider(none)->Get();
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().code, ErrorCode::kUnauthenticated);
  o.token_file = dir_.Path("missing-token");
  auto missing = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing-token"), std::string::npos);
}

TEST_F(AwsParity, WebIdentitySingleFlightRefresh) {
  auto token = dir_.Write("token", "t");
  std::atomic<int> calls{0};
  transport_->Route("POST", "sts.", [&](RecordedRequest const&) {
    ++calls;
    return Result<HttpResponse>(
        ccrec::testing::MakeResponse(200, StsAnswer("AssumeRoleWithWebIdentity", "A", "2026-11-01T01:00:00Z")));
  });
  WebIdentityCredentialsOptions o;
  o.token_file = token;
  o.role_arn = "arn:aws:iam::1:role/r";
  o.sts.transport = transport_;
  o.sts.clock = clock_;
  auto p = MakeWebIdentityCredentialsProvider(o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(p->Get()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
}

// ---- assume role (role_arn + source_profile) ----------------------------------------------------

TEST_F(AwsParity, AssumeRoleFromSourceProfileIsSignedWithTheSourceKeys) {
  dir_.Write("home/.aws/credentials", "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = SKBASE\n");
  dir_.Write("home/.aws/config",
             "[profile ops]\nrole_arn = arn:aws:iam::222:role/ops\nsource_profile = base\nregion = eu-north-1\n"
             "role_session_name = ccrec-test\nexternal_id = ext-9\nduration_seconds = 1800\n"
             "[profile chained]\nrole_arn = arn:aws:iam::333:role/next\nsource_profile = ops\n"
             "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n"
             "[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n"
             "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
             "aws_access_key_id = AKSELF\naws_secret_access_key = SKSELF\n"
             "[profile sso]\nsso_session = corp\nsso_account_id = 1\n"
             "[profile norole]\nrole_arn = arn:aws:iam::1:role/x\n");
  std::atomic<int> calls{0};
  transport_->Route("POST", "sts.eu-north-1.amazonaws.com", [&](RecordedRequest const& r) {
    int n = ++calls;
    auto form = Form(r.body);
    return Result<HttpResponse>(ccrec::testing::MakeResponse(
        200, StsAnswer("AssumeRole", "ASIA" + form["RoleArn"].substr(form["RoleArn"].rfind('/') + 1) +
                                         std::to_string(n), "2026-11-01T01:00:00Z")));
  });
  ProfileCredentialsOptions po;
  po.profile = "ops";
  po.transport = transport_;
  po.clock = clock_;
  auto ops = MakeProfileCredentialsProvider(po);
  auto c = ops->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAops1");
  EXPECT_EQ(c->session_token, "TOKEN-ASIAops1");
  auto req = transport_->Requests().at(0);
  EXPECT_EQ(req.url, "https://sts.eu-north-1.amazonaws.com/");
  auto form = Form(req.body);
  EXPECT_EQ(form["Action"], "AssumeRole");
  EXPECT_EQ(form["RoleArn"], "arn:aws:iam::222:role/ops");
  EXPECT_EQ(form["RoleSessionName"], "ccrec-test");
  EXPECT_EQ(form["ExternalId"], "ext-9");
  EXPECT_EQ(form["DurationSeconds"], "1800");
  auto auth = req.Header("Authorization").value_or("");
  EXPECT_NE(auth.find("Credential=AKBASE/20261101/eu-north-1/sts/aws4_request"), std::string::npos) << auth;
  EXPECT_EQ(auth.find("SKBASE"), std::string::npos);
  // Recompute the signature: the request is exactly what was signed.
  SigV4Request sreq;
  sreq.method = "POST";
  sreq.host = "sts.eu-north-1.amazonaws.com";
  sreq.path = "/";
  sreq.headers = {{"Content-Type", *req.Header("Content-Type")}, {"Accept", *req.Header("Accept")}};
  sreq.payload_hash = ::ccrec::detail::Sha256Hex(req.body);
  SigV4Options so;
  so.region = "eu-north-1";
  so.service = "sts";
  so.time = clock_->Now();
  so.path_mode = PathMode::kGeneric;
  so.add_content_sha256_header = false;
  auto expected = SignRequest(sreq, {"AKBASE", "SKBASE", "", std::nullopt}, so);
  ASSERT_TRUE(expected);
  EXPECT_EQ(auth, expected->authorization);
  // Cached until the refresh window.
  EXPECT_EQ(ops->Get()->access_key_id, "ASIAops1");
  EXPECT_EQ(calls.load(), 1);
  // Chained: the second call is signed with the first role's temporary credentials.
  po.profile = "chained";
  auto chained = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_FALSE(chained);  // "chained" has no region and AWS_REGION is unset: us-east-1, not routed
  setenv("AWS_REGION", "eu-north-1", 1);
  chained = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_TRUE(chained) << chained.error().ToString();
  EXPECT_EQ(chained->access_key_id, "ASIAnext4");
  auto chained_auth = transport_->Requests().back().Header("Authorization").value_or("");
  EXPECT_NE(chained_auth.find("Credential=ASIAops3/"), std::string::npos) << chained_auth;
  EXPECT_EQ(transport_->Requests().back().Header("x-amz-security-token").value_or(""), "TOKEN-ASIAops3");
  // source_profile = itself uses the profile's own keys.
  po.profile = "self";
  auto self = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_TRUE(self) << self.error().ToString();
  EXPECT_NE(transport_->Requests().back().Header("Authorization")->find("Credential=AKSELF/"), std::string::npos);
  // A cycle, SSO without credential_process and role_arn without a source are clear errors.
  po.profile = "loop-a";
  auto loop = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find("cycle"), std::string::npos) << loop.error().message;
  po.profile = "sso";
  auto sso = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_FALSE(sso);
  EXPECT_NE(sso.error().message.find("credential_process"), std::string::npos) << sso.error().message;
  po.profile = "norole";
  auto norole = MakeProfileCredentialsProvider(po)->Get();
  ASSERT_FALSE(norole);
  EXPECT_NE(norole.error().message.find("source_profile"), std::string::npos) << norole.error().message;
}

TEST_F(AwsParity, AssumeRoleSourceFailureAndStsDenial) {
  AssumeRoleCredentialsOptions o;
  o.source = MakeStaticCredentialsProvider({"AKSRC", "SKSRC-SECRET", "", std::nullopt});
  o.role_arn = "arn:aws:iam::1:role/denied";
  o.sts.transport = transport_;
  o.sts.clock = clock_;
  transport_->EnqueueResponse(403,
                              "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized to perform "
                              "sts:AssumeRole</Message></Error><RequestId>q</RequestId></ErrorResponse>");
  auto denied = MakeAssumeRoleCredentialsProvider(o)->Get();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(denied.error().vendor_code, "AccessDenied");
  EXPECT_EQ(denied.error().message.find("SKSRC-SECRET"), std::string::npos);
  transport_->EnqueueResponse(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>key SKSRC-SECRET"
                                   "</Message></Error></ErrorResponse>");
  auto echoed = MakeAssumeRoleCredentialsProvider(o)->Get();
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().message.find("SKSRC-SECRET"), std::string::npos) << echoed.error().message;
  o.source = MakeStaticCredentialsProvider({});
  auto nosource = MakeAssumeRoleCredentialsProvider(o)->Get();
  ASSERT_FALSE(nosource);
  EXPECT_NE(nosource.error().message.find("source credentials"), std::string::npos);
}

}  // namespace
