// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 3: a Webex API answer larger than wire::kMaxApiBodyBytes (16 MiB: the largest
// legitimate page, 1000 tasks, is a few hundred KiB) fails the call with kParse naming the endpoint
// and the limit — whether the length is declared or the body just keeps coming — and is never
// returned in part; a page exactly at the limit is still read.

#include "webex_test_util.hpp"

#include "webex/http_util.hpp"

#include <ccrec/testing/fake_http_transport.hpp>

#include <gtest/gtest.h>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;

constexpr std::size_t kLimit = ccrec::webex::detail::kMaxApiBodyBytes;

/// A valid empty tasks page padded with spaces to exactly `size` bytes.
std::string TasksPageOfSize(std::size_t size) {
  std::string page = R"({"meta":{"orgId":"org-1"},"data":[]})";
  page.insert(page.size() - 1, size - page.size(), ' ');
  return page;
}

/// Serves `body` without a Content-Length (the length shows only while reading).
ccrec::testing::FakeHttpTransport::Handler Undeclared(std::string body) {
  return [body = std::move(body)](RecordedRequest const&) {
    ccrec::HttpResponse r;
    r.status = 200;
    r.headers = JsonHeaders();
    r.body = ccrec::testing::MakeStringBodyReader(body);
    return Result<ccrec::HttpResponse>(std::move(r));
  };
}

TEST(WebexBodyLimit, IsSixteenMiB) { EXPECT_EQ(kLimit, std::size_t{16} << 20); }

TEST(WebexBodyLimit, TasksPageJustOverTheLimitFailsNamingEndpointAndLimit) {
  Env env;
  auto client = env.MakeClient();
  env.transport->EnqueueResponse(200, TasksPageOfSize(kLimit + 1), JsonHeaders());  // Content-Length declared
  env.transport->Enqueue(Undeclared(TasksPageOfSize(kLimit + 1)));
  for (char const* how : {"declared", "undeclared"}) {
    auto page = client.ListTasksPage(OneDay());
    ASSERT_FALSE(page) << how << ": a page over the limit was returned";
    EXPECT_EQ(page.error().code, ErrorCode::kParse) << how;
    EXPECT_NE(page.error().message.find("Webex GET /v1/tasks"), std::string::npos) << page.error().message;
    EXPECT_NE(page.error().message.find("16777216 bytes (16 MiB)"), std::string::npos) << page.error().message;
  }
  EXPECT_EQ(env.transport->RequestCount(), 2u) << "an oversized body is not retried";
}

TEST(WebexBodyLimit, TasksPageExactlyAtTheLimitIsRead) {
  Env env;
  auto client = env.MakeClient();
  env.transport->Enqueue(Undeclared(TasksPageOfSize(kLimit)));
  auto page = client.ListTasksPage(OneDay());
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_TRUE(page->empty());
}

// Through the pager (what the export source uses): the error is yielded, not an empty end.
TEST(WebexBodyLimit, PagerYieldsTheErrorInsteadOfEndingQuietly) {
  Env env;
  auto client = env.MakeClient();
  env.transport->Enqueue(Undeclared(TasksPageOfSize(kLimit + 1)));
  int errors = 0, tasks = 0;
  for (auto& task : client.ListTasks(OneDay())) {
    if (task) {
      ++tasks;
    } else {
      ++errors;
      EXPECT_NE(task.error().message.find("16 MiB"), std::string::npos) << task.error().message;
    }
  }
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(tasks, 0);
}

TEST(WebexBodyLimit, CapturesAnswerOverTheLimitFails) {
  Env env;
  auto client = env.MakeClient();
  std::string body = R"({"data":[]})";
  body.insert(body.size() - 1, kLimit, ' ');
  env.transport->Enqueue(Undeclared(body));
  ccrec::webex::CaptureQuery q;
  q.task_ids = {"task-1"};
  auto captures = client.QueryCaptures(q);
  ASSERT_FALSE(captures);
  EXPECT_EQ(captures.error().code, ErrorCode::kParse);
  EXPECT_NE(captures.error().message.find("Webex POST /v1/captures/query"), std::string::npos)
      << captures.error().message;
  EXPECT_NE(captures.error().message.find("16777216 bytes"), std::string::npos) << captures.error().message;
}

}  // namespace
}  // namespace webex_test
