// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 3 against moto (tests/emulators/s3_server.py, signature checking on): SSE, storage
// class and tags on PutObject and CreateMultipartUpload, read back with boto3 (s3_inspect.py); STS
// AssumeRole signed with the source credentials (moto checks the signature and the IAM policy) and
// its temporary credentials used for S3; AssumeRoleWithWebIdentity against moto without auth (moto
// 5.2.1 answers 500 to an unsigned STS request once auth is on).
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/transport/curl.hpp>

#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>

namespace {

using namespace ccrec;
using namespace ccrec::s3;

class S3AwsParityIT : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = ccrec_it::ServerProcess::Start("s3_server.py", {"--bucket", "ccrec-parity"}).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static std::shared_ptr<CredentialsProvider> UserCredentials(std::string secret = {}) {
    AwsCredentials c;
    c.access_key_id = server_->Get("access_key");
    c.secret_access_key = secret.empty() ? server_->Get("secret_key") : secret;
    return MakeStaticCredentialsProvider(c);
  }

  static S3SinkOptions Options(std::shared_ptr<CredentialsProvider> credentials) {
    S3SinkOptions o;
    o.bucket = server_->Get("bucket");
    o.region = server_->Get("region");
    o.endpoint = server_->Get("endpoint");
    o.path_style = true;
    o.credentials = std::move(credentials);
    o.part_size = 5 * kMiB;
    o.multipart_threshold = 5 * kMiB;
    return o;
  }

  static StsOptions Sts() {
    StsOptions s;
    s.endpoint = server_->Get("endpoint");  // moto serves STS on the same port
    s.region = server_->Get("region");
    return s;
  }

  static Result<ObjectInfo> Upload(ObjectSink& sink, std::string const& key, std::size_t size) {
    auto w = sink.Open(key, {});
    if (!w) return w.error();
    std::string const chunk(1 << 20, 'r');
    for (std::size_t off = 0; off < size; off += chunk.size()) {
      if (auto r = (*w)->Write(chunk.data(), std::min(chunk.size(), size - off)); !r) return r.error();
    }
    return (*w)->Finish();
  }

  // Every object of the bucket (s3_inspect.py with --prefix would send "prefix=sse%2F", which moto
  // 5.2.1 mis-verifies as SignatureDoesNotMatch).
  static rapidjson::Document Inspect() {
    auto r = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                   server_->Get("endpoint"), "--access-key", server_->Get("access_key"),
                                   "--secret-key", server_->Get("secret_key"), "--bucket", server_->Get("bucket")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ccrec_it::Json(r.out);
  }

  static ccrec_it::ServerProcess* server_;
};

ccrec_it::ServerProcess* S3AwsParityIT::server_ = nullptr;

TEST_F(S3AwsParityIT, SseStorageClassAndTagsOnSinglePutAndMultipart) {
  auto o = Options(UserCredentials());
  o.prefix = "sse/";
  o.server_side_encryption = "aws:kms";
  o.sse_kms_key_id = "alias/ccrec-test";
  o.storage_class = "STANDARD_IA";
  o.tags = {{"team", "qa"}, {"source", "webex cc"}};
  auto sink = MakeS3Sink(o);
  ASSERT_TRUE(sink) << sink.error().ToString();
  auto small = Upload(**sink, "small.wav", 1000);
  ASSERT_TRUE(small) << small.error().ToString();
  auto big = Upload(**sink, "big.wav", 11 * kMiB);  // multipart: 5 + 5 + 1 MiB
  ASSERT_TRUE(big) << big.error().ToString();
  auto listing = Inspect();
  auto const& objects = listing["objects"];
  for (char const* key : {"sse/small.wav", "sse/big.wav"}) {
    ASSERT_TRUE(objects.HasMember(key)) << key;
    auto const& obj = objects[key];
    EXPECT_EQ(std::string(obj["sse"].GetString()), "aws:kms") << key;
    EXPECT_EQ(std::string(obj["sse_kms_key_id"].GetString()), "alias/ccrec-test") << key;
    EXPECT_EQ(std::string(obj["storage_class"].GetString()), "STANDARD_IA") << key;
    ASSERT_TRUE(obj["tags"].HasMember("team")) << key;
    EXPECT_EQ(std::string(obj["tags"]["team"].GetString()), "qa") << key;
    EXPECT_EQ(std::string(obj["tags"]["source"].GetString()), "webex cc") << key;
  }
  EXPECT_EQ(objects["sse/big.wav"]["size"].GetInt64(), static_cast<std::int64_t>(11 * kMiB));
}

TEST_F(S3AwsParityIT, AssumeRoleAgainstMotoStsThenUploadWithTheRoleCredentials) {
  AssumeRoleCredentialsOptions ar;
  ar.source = UserCredentials();
  ar.role_arn = server_->Get("role_arn");
  ar.role_session_name = "ccrec-it";
  ar.sts = Sts();
  auto role = MakeAssumeRoleCredentialsProvider(ar);
  auto c = role->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_NE(c->access_key_id, server_->Get("access_key"));
  EXPECT_FALSE(c->session_token.empty());
  ASSERT_TRUE(c->expiration);
  auto o = Options(role);
  o.prefix = "role/";
  auto sink = MakeS3Sink(o);
  ASSERT_TRUE(sink) << sink.error().ToString();
  auto put = Upload(**sink, "a.wav", 2000);
  ASSERT_TRUE(put) << put.error().ToString();
  EXPECT_TRUE(Inspect()["objects"].HasMember("role/a.wav"));

  // moto checks the AssumeRole signature: a wrong source secret is refused.
  ar.source = UserCredentials("not-the-secret");
  auto refused = MakeAssumeRoleCredentialsProvider(ar)->Get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(refused.error().vendor_code, "SignatureDoesNotMatch") << refused.error().ToString();
  EXPECT_EQ(refused.error().message.find("not-the-secret"), std::string::npos);
}

TEST(S3AwsParityNoAuthIT, WebIdentityAgainstMotoSts) {
  auto server = ccrec_it::ServerProcess::Start("s3_server.py", {"--bucket", "ccrec-webid", "--no-auth"});
  ccrec_it::TempDir dir("ccrec-it-webid");
  ccrec_it::WriteFile(dir / "token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2NyZWMifQ.sig\n");
  WebIdentityCredentialsOptions o;
  o.token_file = dir / "token";
  o.role_arn = server->Get("role_arn");
  o.role_session_name = "pod-ccrec";
  o.sts.endpoint = server->Get("endpoint");
  auto c = MakeWebIdentityCredentialsProvider(o)->Get();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_FALSE(c->access_key_id.empty());
  EXPECT_FALSE(c->secret_access_key.empty());
  EXPECT_FALSE(c->session_token.empty());
  EXPECT_TRUE(c->expiration);
}

}  // namespace
