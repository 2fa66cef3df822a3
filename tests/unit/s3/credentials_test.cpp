// SPDX-License-Identifier: Apache-2.0
// Static and environment credential providers.
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/presign.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/time_util.hpp"

#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::RecordedRequest;

std::vector<std::string> const kAwsEnv = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "HOME"};

using ccrec_test::EnvGuard;

TEST(Credentials, Static) {
  AwsCredentials c{"AK", "SK", "TOK", std::nullopt};
  auto p = MakeStaticCredentialsProvider(c);
  auto got = p->Get();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->access_key_id, "AK");
  EXPECT_EQ(got->secret_access_key, "SK");
  EXPECT_EQ(got->session_token, "TOK");
  EXPECT_EQ(p->Describe(), "static");
  auto empty = MakeStaticCredentialsProvider({});
  ASSERT_FALSE(empty->Get());
  EXPECT_EQ(empty->Get().error().code, ErrorCode::kUnauthenticated);
}

TEST(Credentials, Environment) {
  EnvGuard guard({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"});
  auto p = MakeEnvCredentialsProvider();
  EXPECT_EQ(p->Describe(), "environment");
  auto none = p->Get();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(none.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);

  setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
  auto half = p->Get();
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);

  setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
  auto ok = p->Get();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->access_key_id, "AKENV");
  EXPECT_EQ(ok->secret_access_key, "SKENV");
  EXPECT_TRUE(ok->session_token.empty());

  setenv("AWS_SECURITY_TOKEN", "LEGACY", 1);
  EXPECT_EQ(p->Get()->session_token, "LEGACY");
  setenv("AWS_SESSION_TOKEN", "TOK", 1);
  EXPECT_EQ(p->Get()->session_token, "TOK");

  unsetenv("AWS_ACCESS_KEY_ID");
  auto other_half = p->Get();
  ASSERT_FALSE(other_half);
  EXPECT_NE(other_half.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(other_half.error().message.find("SKENV"), std::string::npos);
}


class TempFiles {
 public:
  TempFiles() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("ccrec-cred-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  ~TempFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Write(std::string const& name, std::string const& text) {
    auto p = (dir_ / name).string();
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string Path(std::string const& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

TEST(ProfileCredentials, CredentialsFileProfilesAndComments) {
  EnvGuard guard(kAwsEnv);
  TempFiles files;
  auto creds = files.Write("credentials",
                           "# comment\n; other comment\n[default]\naws_access_key_id = AKDEF\n"
                           "aws_secret_access_key=SKDEF   # trailing comment\r\n\n"
                           "[work]\n  aws_access_key_id =   AKWORK  \naws_secret_access_key = SK/WORK+x\n"
                           "aws_session_token = TOKWORK\n[broken\nfoo = bar\n");
  ProfileCredentialsOptions o;
  o.credentials_file = creds;
  o.config_file = files.Path("missing-config");
  auto def = MakeProfileCredentialsProvider(o)->Get();
  ASSERT_TRUE(def) << def.error().ToString();
  EXPECT_EQ(def->access_key_id, "AKDEF");
  EXPECT_EQ(def->secret_access_key, "SKDEF");
  o.profile = "work";
  auto work = MakeProfileCredentialsProvider(o);
  EXPECT_EQ(work->Describe(), "profile work");
  auto w = work->Get();
  ASSERT_TRUE(w) << w.error().ToString();
  EXPECT_EQ(w->access_key_id, "AKWORK");
  EXPECT_EQ(w->secret_access_key, "SK/WORK+x");
  EXPECT_EQ(w->session_token, "TOKWORK");
}

TEST(ProfileCredentials, ConfigFileAndEnvironmentSelection) {
  EnvGuard guard(kAwsEnv);
  TempFiles files;
  files.Write("home/.aws/config",
              "[default]\nregion = us-east-1\n[profile cfg]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n"
              "aws_access_key_id = AKCFG\naws_secret_access_key = SKCFG\n"
              "[profile role]\nrole_arn = arn:aws:iam::123:role/x\nsource_profile = default\n"
              "[profile half]\naws_access_key_id = AKHALF\n");
  files.Write("home/.aws/credentials", "[cfg]\naws_access_key_id = AKFROMCREDS\naws_secret_access_key = SKFROMCREDS\n");
  setenv("HOME", files.Path("home").c_str(), 1);
  setenv("AWS_PROFILE", "cfg", 1);
  // The credentials file wins over the config file.
  auto c = MakeProfileCredentialsProvider()->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "AKFROMCREDS");
  // Without the credentials file, the config file's [profile cfg] is used.
  setenv("AWS_SHARED_CREDENTIALS_FILE", files.Path("nope").c_str(), 1);
  auto c2 = MakeProfileCredentialsProvider()->Get();
  ASSERT_TRUE(c2) << c2.error().ToString();
  EXPECT_EQ(c2->access_key_id, "AKCFG");
  // Unsupported and incomplete profiles, and missing ones, say so.
  setenv("AWS_PROFILE", "role", 1);
  auto role = MakeProfileCredentialsProvider()->Get();
  ASSERT_FALSE(role);
  EXPECT_EQ(role.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(role.error().message.find("role_arn"), std::string::npos);
  setenv("AWS_PROFILE", "half", 1);
  auto half = MakeProfileCredentialsProvider()->Get();
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("only one"), std::string::npos);
  EXPECT_EQ(half.error().message.find("AKHALF"), std::string::npos);
  setenv("AWS_PROFILE", "ghost", 1);
  auto ghost = MakeProfileCredentialsProvider()->Get();
  ASSERT_FALSE(ghost);
  EXPECT_NE(ghost.error().message.find("ghost not found"), std::string::npos) << ghost.error().message;
  // AWS_CONFIG_FILE overrides the location.
  auto other = files.Write("other-config", "[profile ghost]\naws_access_key_id=A\naws_secret_access_key=B\n");
  setenv("AWS_CONFIG_FILE", other.c_str(), 1);
  EXPECT_TRUE(MakeProfileCredentialsProvider()->Get());
}

TEST(ProfileCredentials, MalformedFilesDoNotCrash) {
  EnvGuard guard(kAwsEnv);
  TempFiles files;
  for (std::string text : {std::string(""), std::string("[[[[\n===\n"), std::string("aws_access_key_id=x\n"),
                           std::string(100000, '['), std::string("[default]\n=\n=value\nkey=\n"),
                           std::string("\0\0[default]\0", 13)}) {
    ProfileCredentialsOptions o;
    o.credentials_file = files.Write("c", text);
    o.config_file = files.Path("none");
    auto r = MakeProfileCredentialsProvider(o)->Get();
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    }
  }
}

std::string CredsJson(std::string const& ak, std::string const& exp) {
  return "{\"Code\":\"Success\",\"AccessKeyId\":\"" + ak +
         "\",\"SecretAccessKey\":\"SK\",\"Token\":\"TOK\",\"Expiration\":\"" + exp + "\"}";
}

class EndpointCredentials : public ::testing::Test {
 protected:
  EndpointCredentials() : guard_(kAwsEnv) {}
  CredentialsEndpointOptions Options() {
    CredentialsEndpointOptions o;
    o.transport = transport_;
    o.clock = clock_;
    return o;
  }
  EnvGuard guard_;
  std::shared_ptr<FakeHttpTransport> transport_ = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();  // 2026-11-01T00:00:00Z
};

TEST_F(EndpointCredentials, ContainerRelativeUriAndRefreshBeforeExpiry) {
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer xyz", 1);
  std::atomic<int> calls{0};
  transport_->Route("GET", "169.254.170.2", [&](RecordedRequest const&) {
    int n = ++calls;
    return Result<HttpResponse>(ccrec::testing::MakeResponse(
        200, CredsJson("AK" + std::to_string(n), n == 1 ? "2026-11-01T01:00:00Z" : "2026-11-01T02:00:00Z")));
  });
  auto p = MakeContainerCredentialsProvider(Options());
  auto c = p->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "AK1");
  EXPECT_EQ(c->session_token, "TOK");
  EXPECT_EQ(*c->expiration, *::ccrec::detail::ParseTimeArg("2026-11-01T01:00:00Z"));
  auto req = transport_->Requests().at(0);
  EXPECT_EQ(req.url, "http://169.254.170.2/v2/credentials/abc");
  EXPECT_EQ(*req.Header("Authorization"), "Bearer xyz");
  // Cached until 5 minutes before expiry.
  clock_->Advance(std::chrono::minutes(54));
  EXPECT_EQ(p->Get()->access_key_id, "AK1");
  EXPECT_EQ(calls.load(), 1);
  clock_->Advance(std::chrono::minutes(2));  // 00:56 — inside the window
  EXPECT_EQ(p->Get()->access_key_id, "AK2");
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(EndpointCredentials, RefreshFailureKeepsValidCachedCredentials) {
  std::atomic<int> calls{0};
  transport_->Route("GET", "127.0.0.1", [&](RecordedRequest const&) -> Result<HttpResponse> {
    if (++calls == 1) return ccrec::testing::MakeResponse(200, CredsJson("AK1", "2026-11-01T01:00:00Z"));
    return MakeError(ErrorCode::kTransport, "connection refused");
  });
  auto o = Options();
  o.container_uri = "http://127.0.0.1:8080/creds";
  auto p = MakeContainerCredentialsProvider(o);
  ASSERT_TRUE(p->Get());
  clock_->Advance(std::chrono::minutes(57));
  auto c = p->Get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AK1");
  clock_->Advance(std::chrono::minutes(4));  // expired now
  auto gone = p->Get();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kTransport);
}

TEST_F(EndpointCredentials, ContainerFullUriRulesAndTokenFile) {
  TempFiles files;
  auto token_file = files.Write("token", "file-token\n");
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.c_str(), 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored", 1);
  transport_->Route("GET", "", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, CredsJson("AKF", "2026-11-01T06:00:00Z")));
  });
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
  auto ok = MakeContainerCredentialsProvider(Options())->Get();
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(*transport_->Requests().back().Header("Authorization"), "file-token");
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
  auto bad = MakeContainerCredentialsProvider(Options())->Get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://example.com/creds", 1);
  EXPECT_TRUE(MakeContainerCredentialsProvider(Options())->Get());
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  auto none = MakeContainerCredentialsProvider(Options())->Get();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(EndpointCredentials, ContainerBadResponses) {
  auto o = Options();
  o.container_uri = "http://127.0.0.1/c";
  for (auto const& [status, body, code] : std::vector<std::tuple<int, std::string, ErrorCode>>{
           {200, "not json", ErrorCode::kParse},
           {200, "[1,2]", ErrorCode::kParse},
           {200, "{\"AccessKeyId\":\"A\"}", ErrorCode::kParse},
           {200, "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"tomorrow\"}", ErrorCode::kParse},
           {200, "{\"AccessKeyId\":5,\"SecretAccessKey\":true}", ErrorCode::kParse},
           {403, "", ErrorCode::kUnauthenticated},
           {500, "", ErrorCode::kUnavailable},
       }) {
    SCOPED_TRACE(body);
    auto t = std::make_shared<FakeHttpTransport>();
    t->Route("", "", [status = status, body = body](RecordedRequest const&) {
      return Result<HttpResponse>(ccrec::testing::MakeResponse(status, body));
    });
    o.transport = t;
    auto r = MakeContainerCredentialsProvider(o)->Get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(t->RequestCount(), status >= 500 ? 3u : 1u);  // only 5xx is retried
  }
}

TEST_F(EndpointCredentials, ImdsV2Flow) {
  std::atomic<int> tokens{0};
  transport_->Route("PUT", "/latest/api/token", [&](RecordedRequest const& r) {
    EXPECT_EQ(*r.Header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, "TOKEN" + std::to_string(++tokens)));
  });
  transport_->Route("GET", "/security-credentials/my-role", [&](RecordedRequest const& r) {
    EXPECT_EQ(*r.Header("X-aws-ec2-metadata-token"), "TOKEN" + std::to_string(tokens.load()));
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, CredsJson("AKIMDS", "2026-11-01T06:00:00Z")));
  });
  transport_->Route("GET", "/security-credentials/", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, "my-role\n"));
  });
  auto p = MakeInstanceMetadataCredentialsProvider(Options());
  auto c = p->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "AKIMDS");
  auto reqs = transport_->Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].url, "http://169.254.169.254/latest/api/token");
  EXPECT_EQ(reqs[1].url, "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(reqs[2].url, "http://169.254.169.254/latest/meta-data/iam/security-credentials/my-role");
  // Refresh near expiry reuses the IMDS token.
  clock_->Advance(std::chrono::hours(5) + std::chrono::minutes(56));
  ASSERT_TRUE(p->Get());
  EXPECT_EQ(tokens.load(), 1);
  EXPECT_EQ(transport_->RequestCount(), 5u);
}

TEST_F(EndpointCredentials, ImdsTokenExpiredIsRenewedOn401) {
  std::atomic<int> tokens{0};
  std::atomic<int> lists{0};
  transport_->Route("PUT", "/latest/api/token", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, "T" + std::to_string(++tokens)));
  });
  transport_->Route("GET", "/security-credentials/r", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, CredsJson("AK", "2026-11-01T06:00:00Z")));
  });
  transport_->Route("GET", "/security-credentials/", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(++lists == 1 ? 401 : 200, "r"));
  });
  auto o = Options();
  o.imds_endpoint = "http://[fd00:ec2::254]/";
  auto c = MakeInstanceMetadataCredentialsProvider(o)->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(tokens.load(), 2);
  EXPECT_EQ(transport_->Requests().at(0).url, "http://[fd00:ec2::254]/latest/api/token");
}

TEST_F(EndpointCredentials, ImdsNotAvailableOrNoRoleOrDisabled) {
  transport_->EnqueueError(MakeError(ErrorCode::kDeadlineExceeded, "timeout"));
  auto away = MakeInstanceMetadataCredentialsProvider(Options())->Get();
  ASSERT_FALSE(away);
  EXPECT_EQ(away.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(transport_->RequestCount(), 1u);  // no retries when IMDS is unreachable

  transport_->EnqueueResponse(200, "TOK");
  transport_->EnqueueResponse(404, "");
  auto norole = MakeInstanceMetadataCredentialsProvider(Options())->Get();
  ASSERT_FALSE(norole);
  EXPECT_NE(norole.error().message.find("no IAM role"), std::string::npos);

  setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
  transport_->ClearRequests();
  EXPECT_FALSE(MakeInstanceMetadataCredentialsProvider(Options())->Get());
  EXPECT_EQ(transport_->RequestCount(), 0u);
}

TEST_F(EndpointCredentials, SingleFlightRefresh) {
  std::atomic<int> calls{0};
  transport_->Route("GET", "", [&](RecordedRequest const&) {
    ++calls;
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, CredsJson("AK", "2026-11-01T06:00:00Z")));
  });
  auto o = Options();
  o.container_uri = "http://127.0.0.1/c";
  auto p = MakeContainerCredentialsProvider(o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(p->Get()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(EndpointCredentials, ChainOrder) {
  TempFiles files;
  setenv("HOME", files.Path("home").c_str(), 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  DefaultCredentialsChainOptions o;
  o.endpoints = Options();
  // Nothing configured: one error listing every source.
  auto none = MakeDefaultCredentialsChain(o)->Get();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(none.error().message.find("environment"), std::string::npos);
  EXPECT_NE(none.error().message.find("profile default"), std::string::npos);
  EXPECT_NE(none.error().message.find("IMDSv2"), std::string::npos);
  // Profile file.
  files.Write("home/.aws/credentials", "[default]\naws_access_key_id=AKFILE\naws_secret_access_key=SKFILE\n");
  auto chain = MakeDefaultCredentialsChain(o);
  EXPECT_EQ(chain->Get()->access_key_id, "AKFILE");
  EXPECT_EQ(chain->Describe(), "default chain (profile default)");
  // Environment wins over the file.
  setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
  EXPECT_EQ(MakeDefaultCredentialsChain(o)->Get()->access_key_id, "AKENV");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  // An explicit profile that does not resolve is an error, not skipped.
  setenv("AWS_PROFILE", "ghost", 1);
  auto ghost = MakeDefaultCredentialsChain(o)->Get();
  ASSERT_FALSE(ghost);
  EXPECT_NE(ghost.error().message.find("ghost"), std::string::npos);
  unsetenv("AWS_PROFILE");
  // Container endpoint after the (now absent) file.
  std::filesystem::remove(files.Path("home/.aws/credentials"));
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
  transport_->Route("GET", "127.0.0.1:1", [&](RecordedRequest const&) {
    return Result<HttpResponse>(ccrec::testing::MakeResponse(200, CredsJson("AKCONT", "2026-11-01T06:00:00Z")));
  });
  EXPECT_EQ(MakeDefaultCredentialsChain(o)->Get()->access_key_id, "AKCONT");
}

TEST(Presign, ObjectUrlAndS3Uri) {
  auto uri = ParseS3Uri("s3://my-bucket/dir/a b.wav");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->bucket, "my-bucket");
  EXPECT_EQ(uri->key, "dir/a b.wav");
  EXPECT_EQ(ParseS3Uri("s3://b")->key, "");
  EXPECT_FALSE(ParseS3Uri("https://b/k"));
  EXPECT_FALSE(ParseS3Uri("s3:///k"));

  S3PresignOptions o;
  o.credentials = MakeStaticCredentialsProvider({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", std::nullopt});
  o.clock = std::make_shared<ManualClock>(*::ccrec::detail::ParseAmzDate("20130524T000000Z"));
  o.expires = std::chrono::seconds(86400);
  auto url = PresignS3Object("examplebucket", "test.txt", o);
  ASSERT_TRUE(url) << url.error().ToString();
  EXPECT_EQ(url->url.rfind("https://examplebucket.s3.us-east-1.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256", 0),
            0u);
  // With the global endpoint this is exactly the AWS documentation example.
  o.endpoint = "https://s3.amazonaws.com";
  auto doc = PresignS3Object("examplebucket", "test.txt", o);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  o.path_style = true;
  auto path = PresignS3Object("examplebucket", "test.txt", o);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->url.rfind("https://s3.amazonaws.com/examplebucket/test.txt?", 0), 0u);

  o.endpoint = "http://127.0.0.1:9000";
  o.method = "PUT";
  o.content_type = "audio/wav";
  auto put = PresignS3Object("b", "k/a b.wav", o);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->url.rfind("http://127.0.0.1:9000/b/k/a%20b.wav?", 0), 0u);
  EXPECT_NE(put->url.find("X-Amz-SignedHeaders=content-type%3Bhost"), std::string::npos);
  EXPECT_EQ(put->canonical_request.rfind("PUT\n", 0), 0u);

  o.method = "DELETE";
  EXPECT_EQ(PresignS3Object("b", "k", o).error().code, ErrorCode::kInvalidArgument);
  o.method = "GET";
  o.expires = std::chrono::seconds(604801);
  EXPECT_FALSE(PresignS3Object("b", "k", o));
  o.expires = std::chrono::seconds(60);
  EXPECT_FALSE(PresignS3Object("b", "", o));
  o.credentials = MakeStaticCredentialsProvider({});
  EXPECT_EQ(PresignS3Object("b", "k", o).error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
