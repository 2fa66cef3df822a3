// SPDX-License-Identifier: Apache-2.0
// src/s3/credential_http.hpp: the request the container and IMDS providers and the STS calls share
// (retried at once; which failures are retried) and the loopback test of plain-http endpoints.

#include "s3/credential_http.hpp"

#include <ccrec/testing/fake_http_transport.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using ccrec::ErrorCode;
using ccrec::HttpRequest;
using ccrec::Result;
using ccrec::s3::detail::CredentialAnswer;
using ccrec::s3::detail::IsLoopbackHost;
using ccrec::s3::detail::SendCredentialRequest;
using ccrec::testing::FakeHttpTransport;

HttpRequest EndpointRequest() {
  HttpRequest r;
  r.method = "GET";
  r.url = "http://169.254.170.2/v2/credentials";
  return r;
}

// Accepts 2xx-4xx answers; a 5xx is kUnavailable (retried), a 418 is kParse (not retried).
Result<CredentialAnswer> AcceptBelow500(CredentialAnswer answer) {
  if (answer.status >= 500) return ccrec::MakeError(ErrorCode::kUnavailable, "HTTP " + std::to_string(answer.status));
  if (answer.status == 418) return ccrec::MakeError(ErrorCode::kParse, "not credentials");
  return answer;
}

Result<CredentialAnswer> SendToEndpoint(FakeHttpTransport& transport, int attempts, ccrec::CallContext const& ctx = {}) {
  HttpRequest const request = EndpointRequest();
  return SendCredentialRequest(transport, ctx, attempts, 1024, "container credentials",
                               [&]() -> HttpRequest const& { return request; }, AcceptBelow500);
}

TEST(CredentialRequest, UnavailableAnswersTransportAndReadErrorsAreRetriedAtOnce) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(503, "busy");
  transport.EnqueueError(ccrec::MakeError(ErrorCode::kTransport, "connection refused"));
  transport.Enqueue([](ccrec::testing::RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    auto r = ccrec::testing::MakeResponse(200, "");
    r.body = ccrec::testing::MakeStringBodyReader("{\"Acc", 4, ccrec::MakeError(ErrorCode::kTransport, "reset"));
    return r;
  });
  transport.EnqueueResponse(200, "{\"AccessKeyId\":\"AKID\"}");
  auto got = SendToEndpoint(transport, 4);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "{\"AccessKeyId\":\"AKID\"}");
  EXPECT_EQ(transport.RequestCount(), 4u);
}

TEST(CredentialRequest, TheLastErrorNamesTheEndpointWhenAttemptsRunOut) {
  FakeHttpTransport transport;
  transport.EnqueueError(ccrec::MakeError(ErrorCode::kTransport, "connection refused"));
  transport.Enqueue([](ccrec::testing::RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    auto r = ccrec::testing::MakeResponse(200, "");
    r.body = ccrec::testing::MakeStringBodyReader("x", 1, ccrec::MakeError(ErrorCode::kTransport, "reset"));
    return r;
  });
  auto got = SendToEndpoint(transport, 2);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kTransport);
  EXPECT_EQ(got.error().message, "container credentials: reading the answer: reset");
  EXPECT_EQ(transport.RequestCount(), 2u);

  FakeHttpTransport too_big;
  too_big.Route("", "", [](ccrec::testing::RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return ccrec::testing::MakeResponse(200, std::string(4096, 'x'));  // over the 1 KiB limit
  });
  auto big = SendToEndpoint(too_big, 3);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("container credentials: reading the answer: "), std::string::npos)
      << big.error().message;
  EXPECT_EQ(too_big.RequestCount(), 3u);
}

TEST(CredentialRequest, CancelledInvalidAndNonUnavailableAnswersReturnAtOnce) {
  for (auto code : {ErrorCode::kCancelled, ErrorCode::kInvalidArgument}) {
    FakeHttpTransport transport;
    transport.EnqueueError(ccrec::MakeError(code, "stop"));
    auto got = SendToEndpoint(transport, 5);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, code);
    EXPECT_EQ(got.error().message, "container credentials: stop");
    EXPECT_EQ(transport.RequestCount(), 1u);
  }
  FakeHttpTransport transport;
  transport.EnqueueResponse(418, "teapot");
  auto got = SendToEndpoint(transport, 5);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kParse);
  EXPECT_EQ(transport.RequestCount(), 1u);
}

TEST(CredentialRequest, ACancelledContextSendsNothingAndZeroAttemptsStillSendOnce) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(200, "{}");
  ccrec::CallContext cancelled;
  cancelled.cancel.Cancel();
  auto got = SendToEndpoint(transport, 3, cancelled);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(transport.RequestCount(), 0u);
  EXPECT_TRUE(SendToEndpoint(transport, 0));
  EXPECT_EQ(transport.RequestCount(), 1u);
}

TEST(CredentialRequest, LoopbackHostsArePlainHttpCapable) {
  for (char const* host : {"localhost", "::1", "127.0.0.1", "127.1.2.3"}) EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (char const* host : {"127.example.com", "128.0.0.1", "169.254.170.2", "", "127.0.0.256"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
