// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 3: a CC-Gateway JSON answer larger than wire::kMaxJsonBodyBytes (1 MiB: answers
// are one envelope of about 1 KiB) fails the call with kParse naming the call and the limit, and
// is never used in part; an answer at the limit is read.
#include "unit/huawei/huawei_test_util.hpp"

#include "huawei/wire.hpp"

#include <ccrec/huawei/agent_session.hpp>

#include <gtest/gtest.h>

namespace {

using namespace huawei_test;
using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::huawei::AgentSession;
using ccrec::testing::RecordedRequest;

constexpr std::size_t kLimit = ccrec::huawei::detail::kMaxJsonBodyBytes;

/// The sign-in answer padded with spaces to exactly `size` bytes, served without Content-Length.
HttpResponse SignInOfSize(std::size_t size) {
  HttpResponse ok = SignInOk("G1");
  auto body = ok.ReadAll();
  std::string text = *body;
  text.insert(text.size() - 1, size - text.size(), ' ');
  HttpResponse r;
  r.status = 200;
  for (auto const& h : ok.headers) {
    if (h.first != "Content-Length") r.headers.push_back(h);
  }
  r.body = ccrec::testing::MakeStringBodyReader(std::move(text));
  return r;
}

TEST(HuaweiBodyLimit, IsOneMiB) { EXPECT_EQ(kLimit, std::size_t{1} << 20); }

TEST(HuaweiBodyLimit, SignInAnswerJustOverTheLimitFailsNamingTheCallAndLimit) {
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  AgentSession s(Options(fake));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOfSize(kLimit + 1); });
  auto r = s.SignIn();
  ASSERT_FALSE(r) << "an answer over the limit was used";
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_NE(r.error().message.find("Huawei sign-in of"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("1048576 bytes (1 MiB)"), std::string::npos) << r.error().message;
  EXPECT_EQ(fake->RequestCount(), 1u) << "not retried";
}

TEST(HuaweiBodyLimit, SignInAnswerAtTheLimitIsRead) {
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  AgentSession s(Options(fake));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOfSize(kLimit); });
  auto r = s.SignIn();
  ASSERT_TRUE(r) << r.error().ToString();
}

TEST(HuaweiBodyLimit, EventPollAnswerOverTheLimitFails) {
  auto fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  AgentSession s(Options(fake));
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
  ASSERT_TRUE(s.SignIn());
  fake->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    std::string body = R"({"message":"","retcode":"0","event":null})";
    body.insert(body.size() - 1, kLimit, ' ');
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/json;charset=UTF-8"}};
    r.body = ccrec::testing::MakeStringBodyReader(std::move(body));
    return r;
  });
  auto events = s.PollEvents();
  ASSERT_FALSE(events);
  EXPECT_EQ(events.error().code, ErrorCode::kParse);
  EXPECT_NE(events.error().message.find("1 MiB"), std::string::npos) << events.error().message;
  EXPECT_NE(events.error().message.find("Huawei event poll of agent 20011"), std::string::npos) << events.error().message;
}

}  // namespace
