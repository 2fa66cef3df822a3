// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 4: webhook deliveries — signature over the raw body, size cap, staleness,
// envelope parsing, de-duplication, and the durable spool. No sockets.
#include <ccrec/webex/webhook.hpp>
#include <ccrec/webex/webhook_spool.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace {

using namespace std::chrono_literals;
using ccrec::HttpHeaders;
using ccrec::webex::VerifyWebhook;
using ccrec::webex::WebhookSignature;
using ccrec::webex::WebhookVerifierOptions;

constexpr char kSecret[] = "a-32-plus-character-long-subscription-secret";
constexpr std::int64_t kEventMs = 1'780'000'000'000;  // 2026-05-28T...Z

std::chrono::system_clock::time_point EventTime() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(kEventMs));
}

std::string Body(std::string const& id = "evt-1", std::string const& task = "task-1") {
  return R"({"id":")" + id + R"(","specversion":"1.0","type":"capture:available","orgId":"org-1","createdTime":)" +
         std::to_string(kEventMs) + R"(,"data":{"taskId":")" + task +
         R"(","filePath":"https://media.example/x?X-Amz-Signature=abc","createdTime":)" + std::to_string(kEventMs) +
         "}}";
}

WebhookVerifierOptions Options() {
  WebhookVerifierOptions o;
  o.secret = kSecret;
  return o;
}

HttpHeaders Signed(std::string const& body, std::string const& secret = kSecret) {
  return {{"Content-Type", "application/json"}, {"x-webex-signature", WebhookSignature(secret, body)}};
}

TEST(WebexWebhook, SignatureIsHexHmacSha256OfTheRawBody) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebexWebhook, AcceptsASignedDeliveryAndParsesTheEvent) {
  auto const body = Body();
  auto event = VerifyWebhook(Options(), Signed(body), body, EventTime() + 30s);
  ASSERT_TRUE(event) << event.error().ToString();
  EXPECT_EQ(event->id, "evt-1");
  EXPECT_EQ(event->type, "capture:available");
  EXPECT_EQ(event->org_id, "org-1");
  EXPECT_EQ(event->task_id, "task-1");
  EXPECT_EQ(event->time, EventTime());
  EXPECT_EQ(event->capture_created_time, EventTime());
  EXPECT_EQ(event->raw_json, body);
  // The "sha256=" prefix and upper-case hex are accepted too.
  HttpHeaders prefixed{{"X-Webex-Signature", "sha256=" + WebhookSignature(kSecret, body)}};
  EXPECT_TRUE(VerifyWebhook(Options(), prefixed, body, EventTime()));
}

TEST(WebexWebhook, RejectsMissingWrongAndMalformedSignaturesWith401) {
  auto const body = Body();
  auto const now = EventTime();
  auto expect_401 = [&](HttpHeaders const& headers, std::string const& b) {
    auto r = VerifyWebhook(Options(), headers, b, now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 401);
    EXPECT_EQ(r.error().code, ccrec::ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message.find(kSecret), std::string::npos) << "the secret must never appear";
  };
  expect_401({{"Content-Type", "application/json"}}, body);                              // unsigned
  expect_401(Signed(body, "another-32-plus-character-long-secret-value"), body);         // wrong secret
  expect_401(Signed(body), Body("evt-1", "task-2"));                                     // altered body
  expect_401({{"X-Webex-Signature", "not-hex"}}, body);                                  // malformed
  expect_401({{"X-Webex-Signature", WebhookSignature(kSecret, body).substr(0, 63)}}, body);  // truncated
  // The whitespace of the raw body is signed: a re-serialized body does not verify.
  expect_401(Signed(body), body + " ");
}

TEST(WebexWebhook, RejectsOversizeBodiesWith413BeforeHashing) {
  auto o = Options();
  o.max_body_bytes = 64;
  auto const body = Body();
  ASSERT_GT(body.size(), 64u);
  auto r = VerifyWebhook(o, Signed(body), body, EventTime());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 413);
}

TEST(WebexWebhook, RejectsStaleAndFarFutureEventsWith400) {
  auto const body = Body();
  auto stale = VerifyWebhook(Options(), Signed(body), body, EventTime() + 15min + 1s);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().http_status, 400);
  EXPECT_NE(stale.error().message.find("stale"), std::string::npos);
  auto future = VerifyWebhook(Options(), Signed(body), body, EventTime() - 16min);
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().http_status, 400);
  EXPECT_TRUE(VerifyWebhook(Options(), Signed(body), body, EventTime() + 15min));
  auto o = Options();
  o.max_age = 0s;  // disabled
  EXPECT_TRUE(VerifyWebhook(o, Signed(body), body, EventTime() + 24h));
}

TEST(WebexWebhook, NoSecretConfiguredIsAnInternalError) {
  auto const body = Body();
  auto r = VerifyWebhook(WebhookVerifierOptions{}, Signed(body), body, EventTime());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 500);
}

TEST(WebexWebhook, ParseRejectsBadEnvelopesWith400) {
  for (std::string bad : {std::string(""), std::string("[]"), std::string("{\"id\":\"e\"}"),
                          std::string("{\"type\":\"capture:available\"}"), std::string("{\"id\":1,\"type\":\"t\"}"),
                          std::string("{\"id\":\"e\",\"type\":\"t\",\"data\":[]}"),
                          std::string("{\"id\":\"e\",\"type\":\"t\",\"createdTime\":\"yesterday\"}"),
                          std::string("{\"id\":\"e\",\"type\":\"t\",\"data\":{\"taskId\":7}}"),
                          std::string("{\"id\":\"e\",\"type\":\"capture:available\",\"data\":{}}"),
                          std::string("{\"id\":\"e\",\"type\":\"t\",\"time\":\"not a time\"}"),
                          std::string("{\"id\":\"e\",\"type\":\"t\""), std::string("{\"id\":\"\",\"type\":\"t\"}")}) {
    auto r = ccrec::webex::ParseWebhookEvent(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().http_status, 400) << bad;
  }
  auto task_event = ccrec::webex::ParseWebhookEvent(
      R"({"id":"e2","type":"task:ended","time":"2026-05-28T10:00:00Z","data":{"taskId":"t9"}})");
  ASSERT_TRUE(task_event) << task_event.error().ToString();
  EXPECT_EQ(task_event->task_id, "t9");
  EXPECT_TRUE(task_event->time.has_value());
}

TEST(WebexWebhook, DeduplicatorDropsRepeatsAndForgetsTheOldest) {
  ccrec::webex::WebhookDeduplicator dedup(2);
  EXPECT_FALSE(dedup.Seen("a"));
  EXPECT_TRUE(dedup.FirstDelivery("a"));
  EXPECT_TRUE(dedup.Seen("a"));
  EXPECT_FALSE(dedup.FirstDelivery("a"));
  EXPECT_TRUE(dedup.FirstDelivery("b"));
  EXPECT_TRUE(dedup.FirstDelivery("c"));  // "a" forgotten
  EXPECT_TRUE(dedup.FirstDelivery("a"));
  dedup.Forget("a");
  EXPECT_TRUE(dedup.FirstDelivery("a"));
}

class WebexWebhookSpool : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ccrec-spool-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + root_ + "'").c_str()); }
  std::string root_;
};

TEST_F(WebexWebhookSpool, AcceptsOncePerEventIdListsAllAndRemoves) {
  auto spool = ccrec::webex::WebhookSpool::Open(root_ + "/spool");
  ASSERT_TRUE(spool) << spool.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/spool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto e1 = ccrec::webex::ParseWebhookEvent(Body("evt-1", "task-1"));
  auto e2 = ccrec::webex::ParseWebhookEvent(Body("evt-2", "task-2"));
  ASSERT_TRUE(e1 && e2);
  EXPECT_EQ(spool->Accept(*e1).value(), true);
  EXPECT_EQ(spool->Accept(*e1).value(), false);  // a replay is a no-op
  EXPECT_EQ(spool->Accept(*e2).value(), true);
  // A restart sees both (a new WebhookSpool on the same directory).
  auto reopened = ccrec::webex::WebhookSpool::Open(root_ + "/spool");
  ASSERT_TRUE(reopened);
  auto pending = reopened->Pending();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  // Both, byte for byte; their order is the files' mtime order, which a coarse file system clock
  // can leave tied (seen in CI), so it is not asserted.
  auto const first_is_e1 = (*pending)[0].id == "evt-1";
  EXPECT_EQ((*pending)[first_is_e1 ? 0 : 1].raw_json, e1->raw_json);
  EXPECT_EQ((*pending)[first_is_e1 ? 1 : 0].raw_json, e2->raw_json);
  ASSERT_TRUE(reopened->Done("evt-1"));
  ASSERT_TRUE(reopened->Done("evt-1"));  // absent: fine
  pending = reopened->Pending();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, "evt-2");
}

TEST_F(WebexWebhookSpool, SkipsUnreadableFilesAndReportsThem) {
  auto spool = ccrec::webex::WebhookSpool::Open(root_);
  ASSERT_TRUE(spool);
  std::string const junk = root_ + "/" + std::string(64, 'a') + ".json";
  FILE* f = std::fopen(junk.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("{not json", f);
  std::fclose(f);
  std::vector<std::string> problems;
  auto pending = spool->Pending(&problems);
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(junk), std::string::npos);
  EXPECT_FALSE(ccrec::webex::WebhookSpool::Open(""));
}

}  // namespace
