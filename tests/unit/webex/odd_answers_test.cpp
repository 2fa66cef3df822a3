// SPDX-License-Identifier: Apache-2.0
// Odd but possible Webex CC and recording-store answers that must never end in a recording lost
// with exit status 0: an HTML page or an empty body served with 200 for a presigned URL, a presigned URL whose
// temporary credentials expired (S3 400 ExpiredToken), a Captures re-query answering with another
// task's recording, a task still open whose captureRequested is false, a Tasks page cut short
// that says so with links.next.

#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/recording_source.hpp>

#include "webex/parse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace odd_answers_test {
namespace {

using ccrec::CallContext;
using ccrec::ErrorCode;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;
using exporter_test::Enumerate;
using exporter_test::FakeTask;
using exporter_test::FakeWebex;
using exporter_test::kFromMs;
using exporter_test::ReadAll;
using namespace std::chrono_literals;

constexpr char kOddUrl[] =
    "https://cjp-ccone-media-storage-recording.s3.amazonaws.com/org/task/rec.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Date=20261101T000000Z&X-Amz-Expires=1800&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";

/// Exports every item of `w` into a MemorySink (one worker, no real sleeps).
struct OddExport {
  ccrec::exporter::ExportSummary summary;
  std::shared_ptr<MemorySink> sink = std::make_shared<MemorySink>();
};
OddExport OddRun(FakeWebex& w) {
  OddExport out;
  ccrec::exporter::ExporterOptions o;
  o.concurrency = 1;
  o.sleeper = std::make_shared<ManualSleeper>();
  out.summary = ccrec::exporter::Exporter(w.Source(), out.sink, nullptr, o).Run();
  return out;
}

// A presigned GET answered 200 with an HTML page (a proxy's login page, a captive portal, an
// error page) is not the recording: kIntegrity naming the type, not a response to store.
TEST(WebexOddAnswers, HtmlAnswerToAPresignedGetIsAnError) {
  webex_test::Env env;
  env.transport->EnqueueResponse(200, "<html><body>Please sign in</body></html>",
                                 {{"Content-Type", "Text/HTML; charset=utf-8"}});
  auto html = env.MakeClient().OpenRecording(kOddUrl);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(html.error().http_status, 200);
  EXPECT_NE(html.error().message.find("Text/HTML; charset=utf-8"), std::string::npos) << html.error().message;
  EXPECT_EQ(html.error().message.find("X-Amz-Signature=abc"), std::string::npos) << "the URL is a secret";
  env.transport->EnqueueResponse(206, "<p>",
                                 {{"Content-Type", "application/xhtml+xml"}, {"Content-Range", "bytes 5-7/8"}});
  auto xhtml = env.MakeClient().OpenRecording(kOddUrl, {}, 5);
  ASSERT_FALSE(xhtml);
  EXPECT_EQ(xhtml.error().code, ErrorCode::kIntegrity);
  // Whatever else the store labels a recording or a transcript with is taken.
  for (char const* type : {"audio/wav", "audio/x-wav", "application/octet-stream", "binary/octet-stream",
                           "application/json", "text/plain"}) {
    env.transport->EnqueueResponse(200, "RIFF", {{"Content-Type", type}});
    auto ok = env.MakeClient().OpenRecording(kOddUrl);
    EXPECT_TRUE(ok) << type << ": " << ok.error().ToString();
  }
}

// End to end: the HTML page is never stored as the recording; the run counts it failed (exit 3),
// next to the recording that was exported.
TEST(WebexOddAnswers, HtmlPageIsNotExportedAsTheRecording) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", "<html>proxy login</html>"}}});
  w.tasks.push_back({"t2", true, {{"r2", "b.wav", "main", "RIFF-AUDIO"}}});
  w.content_types["r1"] = "text/html";
  w.content_types["r2"] = "audio/wav";
  auto run = OddRun(w);
  EXPECT_EQ(run.summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  EXPECT_FALSE(run.sink->Get("call-detail/t1/r1.wav")) << "an HTML page stored as the recording";
  EXPECT_TRUE(run.sink->Get("call-detail/t2/r2.wav"));
}

// A presigned GET answered 200 with an empty body is not a recording (no audio file is 0 bytes:
// a WAV header alone is 44): kIntegrity, at once with "Content-Length: 0", on the first read of a
// chunked body. Nothing is stored and the run counts it failed, instead of a 0-byte object
// exported with exit status 0. A transcript is not judged so.
TEST(WebexOddAnswers, EmptyRecordingBodyIsNotExported) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", ""}}});
  w.tasks.push_back({"t2", true, {{"r2", "b.wav", "main", "RIFF-AUDIO"}}});
  w.tasks.push_back({"t3", true, {{"r3", "c.wav", "main", ""}}});
  w.chunked = {"r2", "r3"};
  auto run = OddRun(w);
  EXPECT_EQ(run.summary.LastLine(), "exported=1 skipped=0 failed=2 pending=0 bytes=10");
  EXPECT_FALSE(run.sink->Get("call-detail/t1/r1.wav")) << "a 0-byte object stored as the recording";
  EXPECT_FALSE(run.sink->Get("call-detail/t3/r3.wav")) << "a 0-byte object stored as the recording";
  EXPECT_TRUE(run.sink->Get("call-detail/t2/r2.wav"));

  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 3u);
  auto declared = c.items[0].open(CallContext{}, 0);
  ASSERT_FALSE(declared);
  EXPECT_EQ(declared.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(declared.error().message.find("task t1 recording r1"), std::string::npos) << declared.error().message;
  EXPECT_NE(declared.error().message.find("empty body"), std::string::npos) << declared.error().message;
  auto chunked = c.items[2].open(CallContext{}, 0);
  ASSERT_TRUE(chunked) << chunked.error().ToString();
  auto read = chunked->ReadAll();
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(read.error().message.find("task t3 recording r3"), std::string::npos) << read.error().message;
}

// S3 answers a presigned URL signed with temporary credentials that expired before X-Amz-Expires
// with 400 ExpiredToken: like a 403, Captures is re-queried once for a fresh URL.
TEST(WebexOddAnswers, PresignedUrlWithExpiredCredentialsIsRequeriedOnce) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", "AUDIO-1"}}});
  w.tasks.push_back({"t2", true, {{"r2", "b.wav", "main", "AUDIO-2"}}});
  w.expired_token_versions["r1"] = {1};        // the listed URL's token expired, the fresh one works
  w.expired_token_versions["r2"] = {1, 2, 3};  // always
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 2u);
  auto ok = c.items[0].open(CallContext{}, 0);
  EXPECT_EQ(ReadAll(ok), "AUDIO-1");
  ASSERT_EQ(w.CaptureBatches().size(), 2u);
  EXPECT_EQ(w.CaptureBatches()[1], std::vector<std::string>{"t1"});
  auto refused = c.items[1].open(CallContext{}, 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_EQ(refused.error().vendor_code, "ExpiredToken");
  EXPECT_NE(refused.error().message.find("re-query captures"), std::string::npos) << refused.error().message;
  EXPECT_EQ(w.CaptureBatches().size(), 3u) << "exactly one re-query per open";
}

// A re-query whose answer no longer lists the recording under its task, but lists a recording
// with the same id under a task that was not asked for, must not download that other task's
// audio into this recording's object.
TEST(WebexOddAnswers, RequeryNeverTakesARecordingOfAnotherTask) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r-shared", "a.wav", "main", "AUDIO-OF-T1"}}});
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 1u);
  w.forbidden_versions["r-shared"] = {1};  // the listed URL is refused: re-query
  w.tasks[0].recordings.clear();           // t1's entry is now empty ...
  w.tasks.push_back({"t-other", true, {{"r-shared", "a.wav", "main", "AUDIO-OF-T-OTHER"}}});
  w.unasked_capture_tasks = {"t-other"};  // ... and the answer adds another task with that id
  auto r = c.items[0].open(CallContext{}, 0);
  EXPECT_NE(ReadAll(r), "AUDIO-OF-T-OTHER") << "another task's recording";
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("of task t1 is no longer listed"), std::string::npos) << r.error().message;
}

// A recording listed without a filePath has no download URL: a failed line that says so (it used
// to say the recording was "no longer listed", sending the operator to look for a purge).
TEST(WebexOddAnswers, ARecordingListedWithoutAFilePathFailsSayingSo) {
  FakeWebex w;
  exporter_test::FakeRecording no_url{"r-no-url", "a.wav", "main", "A"};
  no_url.omit_file_path = true;
  w.tasks.push_back({"t1", true, {no_url}});
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 1u);
  auto r = c.items[0].open(CallContext{}, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("recording r-no-url of task t1 is listed by the Captures API without a filePath"),
            std::string::npos)
      << r.error().message;
}

// captureRequested false means no capture "will be made available" (spec), but while the task is
// still open its status, queue and recording setting may change: pending (holding the resume
// point) until it has ended, then skipped if still false. Once older than pending_max_age it is
// skipped quietly: never a failed line for a task that asked for no recording.
TEST(WebexOddAnswers, OpenTaskWithoutCaptureRequestedStaysPendingUntilItEnds) {
  FakeWebex w;
  FakeTask open{"t-open", false, {{"r-later", "later.wav", "main", "L"}}};
  open.status = "queued";
  w.tasks = {open, {"t-done", false, {{"r-x", "x.wav", "main", "X"}}}};
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result);
  EXPECT_TRUE(c.items.empty());
  ASSERT_EQ(c.pending.size(), 1u) << "the completed task without captureRequested is skipped";
  EXPECT_EQ(c.pending[0].task_id, "t-open");
  EXPECT_FALSE(c.pending[0].given_up);
  EXPECT_EQ(c.pending[0].window_time, ccrec::detail::FromEpochMs(kFromMs + 1000)) << "holds the resume point";
  EXPECT_NE(c.pending[0].reason.find("still open (status queued)"), std::string::npos) << c.pending[0].reason;
  EXPECT_NE(c.pending[0].reason.find("captureRequested"), std::string::npos) << c.pending[0].reason;
  EXPECT_TRUE(w.CaptureBatches().empty()) << "no Captures call for it yet";

  // The next run sees it ended, with its capture requested after all: exported.
  w.tasks[0].status = "completed";
  w.tasks[0].capture_requested = true;
  auto ended = Enumerate(*w.Source());
  ASSERT_EQ(ended.items.size(), 1u);
  EXPECT_EQ(ended.items[0].recording_id, "r-later");
  EXPECT_TRUE(ended.pending.empty());

  // Still open and still false after pending_max_age: skipped, not given up as a failure.
  w.tasks[0].status = "queued";
  w.tasks[0].capture_requested = false;
  w.clock->Advance(73h);
  auto old = Enumerate(*w.Source());
  EXPECT_TRUE(old.items.empty());
  EXPECT_TRUE(old.pending.empty());
}

// A listed task without createdTime was created before the end of the window that listed it: its
// pending age counts from there. It is held (without a window time: the resume point stays at the
// window's start) until pending_max_age after that end, never sooner, then given up like a task
// with createdTime: a missing capture as a failed line, an open one without captureRequested
// skipped quietly. Before, such a task was pending for ever, or skipped at once.
TEST(WebexOddAnswers, ListedTaskWithoutCreatedTimeIsGivenUpByTheEndOfItsWindow) {
  FakeWebex w;
  w.tasks.clear();
  w.extra_task_elements = {R"({"id":"t-untimed-open","attributes":{"status":"queued","captureRequested":false}})",
                           R"({"id":"t-untimed-done","attributes":{"status":"completed","captureRequested":true}})"};
  auto reasons = [](exporter_test::Collected const& c) {
    std::map<std::string, ccrec::exporter::PendingItem> out;
    for (auto const& p : c.pending) out.emplace(p.task_id, p);
    return out;
  };
  auto fresh = reasons(Enumerate(*w.Source()));
  ASSERT_EQ(fresh.size(), 2u);
  for (auto const& [id, p] : fresh) {
    EXPECT_FALSE(p.given_up) << id;
    EXPECT_FALSE(p.window_time) << id << ": no window time, so the resume point stays at the window's start";
  }
  EXPECT_NE(fresh.at("t-untimed-open").reason.find("captureRequested is false"), std::string::npos);

  // 71h30m after the window's end (72h30m after its start): not yet, the task may be that young.
  w.clock->Advance(71h + 30min);
  auto young = reasons(Enumerate(*w.Source()));
  ASSERT_EQ(young.size(), 2u);
  for (auto const& [id, p] : young) EXPECT_FALSE(p.given_up) << id << ": " << p.reason;

  w.clock->Advance(1h);
  auto old = reasons(Enumerate(*w.Source()));
  ASSERT_EQ(old.size(), 1u) << "the open task that asked for no recording is skipped quietly";
  auto const& done = old.at("t-untimed-done");
  EXPECT_TRUE(done.given_up);
  EXPECT_NE(done.reason.find("unavailable after 3d"), std::string::npos) << done.reason;
  EXPECT_NE(done.reason.find("task without createdTime, listed by a Tasks window ending " +
                             ccrec::detail::FormatIso8601(ccrec::detail::FromEpochMs(exporter_test::kNowMs))),
            std::string::npos)
      << done.reason;
}

// The spec's Tasks answer has no links; a JSON:API `links.next` is read only as "more follow".
TEST(WebexOddAnswers, TasksPageNextLinkIsRead) {
  auto link = [](std::string const& links) {
    auto page = ccrec::webex::detail::ParseTasksPage(R"({"data":[],"meta":{},)" + links + "}");
    EXPECT_TRUE(page) << links;
    return page && page->next_link;
  };
  EXPECT_TRUE(link(R"("links":{"next":"/v1/tasks?page=2"})"));
  EXPECT_TRUE(link(R"("links":{"next":{"href":"https://x/v1/tasks?page=2"}})"));
  EXPECT_FALSE(link(R"("links":{"next":null})"));
  EXPECT_FALSE(link(R"("links":{"next":""})"));
  EXPECT_FALSE(link(R"("links":{"self":"/v1/tasks"})"));
  EXPECT_FALSE(link(R"("links":"next")"));
  EXPECT_FALSE(link(R"("x":1)"));
}

/// GET /v1/tasks over `count` tasks one second apart from OddFrom(): `from` inclusive, `to`
/// exclusive, sorted, at most min(pageSize, cap) per page; `links.next` when more tasks follow the
/// page (`always`: on every page).
class LinkedTasksServer {
 public:
  LinkedTasksServer(int count, std::size_t cap, bool always) : cap_(cap), always_(always) {
    for (int i = 0; i < count; ++i) created_.push_back(OddFrom() + 1000 + 1000 * static_cast<std::int64_t>(i));
  }
  static std::int64_t OddFrom() { return 1793404800000; }  // 2026-10-31T00:00:00Z

  ccrec::Result<ccrec::HttpResponse> operator()(webex_test::RecordedRequest const& r) {
    auto q = webex_test::QueryOf(r.url);
    std::int64_t const from = std::stoll(q.at("from"));
    std::int64_t const to = std::stoll(q.at("to"));
    auto const size = std::min(static_cast<std::size_t>(std::stoi(q.at("pageSize"))), cap_);
    ++requests;
    std::string body = R"({"meta":{"orgId":"org-1"},"data":[)";
    std::size_t n = 0;
    bool more = false;
    for (std::size_t i = 0; i < created_.size(); ++i) {
      if (created_[i] < from || created_[i] >= to) continue;
      if (n == size) {
        more = true;
        break;
      }
      body += (n++ != 0 ? "," : "") + std::string(R"({"id":"task-)") + std::to_string(i) +
              R"(","attributes":{"channelType":"telephony","createdTime":)" + std::to_string(created_[i]) + "}}";
    }
    body += "]";
    if (more || always_) body += R"(,"links":{"next":"/v1/tasks?page=opaque"})";
    return ccrec::testing::MakeResponse(200, body + "}", webex_test::JsonHeaders());
  }

  int requests = 0;

 private:
  std::vector<std::int64_t> created_;
  std::size_t cap_;
  bool always_;
};

/// Lists an hour from LinkedTasksServer::OddFrom() with pageSize 1000.
std::vector<std::string> LinkedList(std::shared_ptr<LinkedTasksServer> const& server, webex_test::Env& env) {
  env.transport->Route("GET", "/v1/tasks", [server](webex_test::RecordedRequest const& r) { return (*server)(r); });
  ccrec::webex::TaskQuery q;
  q.from = webex_test::At(LinkedTasksServer::OddFrom());
  q.to = webex_test::At(LinkedTasksServer::OddFrom() + 3'600'000);
  q.page_size = 1000;
  std::vector<std::string> ids;
  for (auto& task : env.MakeClient().ListTasks(q)) {
    EXPECT_TRUE(task) << task.error().ToString();
    if (!task) break;
    ids.push_back(task->id);
  }
  return ids;
}

// A server that cuts pages at 40 tasks (not the API's default 100, which is probed for anyway)
// but says so with links.next: every task is listed, once. Without the link the listing ended
// after the first 40, and the rest of the window was lost.
TEST(WebexOddAnswers, ShortTasksPageWithANextLinkDoesNotEndTheListing) {
  webex_test::Env env;
  auto server = std::make_shared<LinkedTasksServer>(130, 40, false);
  auto ids = LinkedList(server, env);
  EXPECT_EQ(ids.size(), 130u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 130u) << "each once";
  EXPECT_TRUE(env.logs.Contains("carries links.next", ccrec::LogLevel::kWarn)) << env.logs.All();

  // A server that sends a next link on every page, the last one included: it ends all the same,
  // after a few requests around the last millisecond (its tasks re-read, then an empty page).
  webex_test::Env always_env;
  auto always = std::make_shared<LinkedTasksServer>(130, 1000, true);
  auto all = LinkedList(always, always_env);
  EXPECT_EQ(all.size(), 130u);
  EXPECT_LE(always->requests, 5);
}

}  // namespace
}  // namespace odd_answers_test
