// SPDX-License-Identifier: Apache-2.0
// Webex CC answers that break the spec or its silent assumptions must never lose a recording
// silently: a Tasks page with a malformed element, a server that caps pageSize, recordings
// without (or with repeated) ids, recordings without times under duration bounds, a Search
// page without hasNextPage.

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

namespace hostile_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;
using webex_test::At;
using webex_test::Env;
using webex_test::JsonHeaders;
using webex_test::QueryOf;
using webex_test::RecordedRequest;

constexpr std::int64_t kHostileFrom = 1793404800000;  // 2026-10-31T00:00:00Z
constexpr std::int64_t kHostileTo = kHostileFrom + 3'600'000;

/// One `data[]` element of the hostile Tasks server: a task, or (no id) a malformed element.
struct HostileElement {
  std::string id;  // "" = sent without "id"
  std::int64_t created;
};

/// GET /v1/tasks over fixed elements: `from` inclusive, `to` exclusive, sorted by createdTime
/// (newest first with `newest_first`), at most min(pageSize, cap) elements per page.
class HostileTasksServer {
 public:
  HostileTasksServer(std::vector<HostileElement> data, int cap, bool newest_first = false)
      : data_(std::move(data)), cap_(cap) {
    std::stable_sort(data_.begin(), data_.end(), [newest_first](HostileElement const& a, HostileElement const& b) {
      return newest_first ? a.created > b.created : a.created < b.created;
    });
  }

  Result<ccrec::HttpResponse> operator()(RecordedRequest const& r) {
    auto q = QueryOf(r.url);
    std::int64_t const from = std::stoll(q.at("from"));
    std::int64_t const to = std::stoll(q.at("to"));
    auto const size = static_cast<std::size_t>(std::min(std::stoi(q.at("pageSize")), cap_));
    ++requests;
    std::string body = R"({"meta":{"orgId":"org-1"},"data":[)";
    std::size_t n = 0;
    for (auto const& e : data_) {
      if (e.created < from || e.created >= to) continue;
      if (n == size) break;
      if (n++ != 0) body += ',';
      std::string const attrs = R"("attributes":{"channelType":"telephony","createdTime":)" + std::to_string(e.created) +
                                R"(,"captureRequested":true})";
      body += e.id.empty() ? "{" + attrs + "}" : R"({"id":")" + e.id + R"(",)" + attrs + "}";
    }
    body += "]}";
    return MakeResponse(200, body, JsonHeaders());
  }

  int requests = 0;

 private:
  std::vector<HostileElement> data_;
  int cap_;
};

struct HostileListing {
  std::vector<std::string> ids;
  std::optional<ccrec::Error> error;
  std::vector<ccrec::webex::MalformedTask> malformed;
  int requests = 0;
  std::string log;
};

/// Lists [kHostileFrom, kHostileTo) with `page_size`; with `report` a TaskQuery::on_malformed.
HostileListing HostileList(std::vector<HostileElement> data, int page_size, int cap, bool report,
                           bool newest_first = false) {
  Env env;
  auto server = std::make_shared<HostileTasksServer>(std::move(data), cap, newest_first);
  env.transport->Route("GET", "/v1/tasks", [server](RecordedRequest const& r) { return (*server)(r); });
  auto client = env.MakeClient();
  ccrec::webex::TaskQuery q;
  q.from = At(kHostileFrom);
  q.to = At(kHostileTo);
  q.page_size = page_size;
  HostileListing out;
  if (report) q.on_malformed = [&out](ccrec::webex::MalformedTask bad) { out.malformed.push_back(std::move(bad)); };
  for (auto& task : client.ListTasks(q)) {
    if (!task) {
      out.error = task.error();
      break;
    }
    out.ids.push_back(task->id);
  }
  out.requests = server->requests;
  out.log = env.logs.All();
  return out;
}

std::vector<HostileElement> HostileSpread(int count, std::int64_t step) {
  std::vector<HostileElement> data;
  for (int i = 0; i < count; ++i) data.push_back({"t" + std::to_string(i), kHostileFrom + 10 + step * i});
  return data;
}

TEST(WebexHostileTasks, PageFullnessCountsElementsNotParsedTasks) {
  auto page = ccrec::webex::detail::ParseTasksPage(
      R"({"data":[{"id":"a"},{"attributes":{"createdTime":1793404800123}},7,{"id":""},{"id":42}]})");
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->elements, 5u);
  ASSERT_EQ(page->tasks.size(), 2u);
  ASSERT_EQ(page->malformed.size(), 3u);
  EXPECT_EQ(page->malformed[0].raw_json, R"({"attributes":{"createdTime":1793404800123}})");
  EXPECT_EQ(page->malformed[0].created_time, At(1793404800123));
  EXPECT_EQ(page->malformed[0].reason, "data[1] has no string \"id\" (or is not an object)");
  EXPECT_EQ(page->malformed[1].raw_json, "7");
  EXPECT_FALSE(page->malformed[1].created_time);
  EXPECT_NE(page->malformed[2].reason.find("data[3]"), std::string::npos);
}

// A full page of 10 with one element without id is still a full page: the rest of the window
// is listed, and the bad element is reported once (not dropped).
TEST(WebexHostileTasks, FullPageWithAMalformedElementDoesNotEndTheListing) {
  auto data = HostileSpread(25, 1000);
  data[4].id = "";  // in the first page
  auto got = HostileList(data, 10, 1000, /*report=*/true);
  ASSERT_FALSE(got.error) << got.error->ToString();
  EXPECT_EQ(got.ids.size(), 24u) << "every task after the first page too";
  ASSERT_EQ(got.malformed.size(), 1u) << "reported once, although re-read at no page boundary";
  EXPECT_EQ(got.malformed[0].created_time, At(data[4].created));
  EXPECT_NE(got.malformed[0].reason.find("data[4] has no string \"id\""), std::string::npos) << got.malformed[0].reason;
  EXPECT_NE(got.malformed[0].reason.find("from="), std::string::npos) << "names the request";
  EXPECT_NE(got.log.find("data[4]"), std::string::npos) << "logged with its index";

  // Without on_malformed the listing still lists everything, then fails (not silently complete).
  auto plain = HostileList(data, 10, 1000, /*report=*/false);
  EXPECT_EQ(plain.ids.size(), 24u);
  ASSERT_TRUE(plain.error);
  EXPECT_EQ(plain.error->code, ErrorCode::kParse);
  EXPECT_NE(plain.error->message.find("1 element(s)"), std::string::npos) << plain.error->message;
  EXPECT_NE(plain.error->message.find("data[4]"), std::string::npos) << plain.error->message;
}

// A page boundary inside a millisecond re-reads the malformed element at that millisecond: still
// one report; elements outside the window are not reported.
TEST(WebexHostileTasks, MalformedElementAtAPageBoundaryIsReportedOnce) {
  std::vector<HostileElement> data = HostileSpread(12, 1000);
  data.push_back({"", data[6].created});  // after t6, the last task of page 2: re-read by page 3
  data.push_back({"", kHostileFrom - 1});  // before the window (returned for from=kHostileFrom-1)
  auto got = HostileList(data, 5, 1000, true);
  ASSERT_FALSE(got.error) << got.error->ToString();
  EXPECT_EQ(got.ids.size(), 12u);
  EXPECT_EQ(got.malformed.size(), 1u);
}

// A server that ignores pageSize and sends its default of 100: the 100-element page is not
// taken as the end of the window.
TEST(WebexHostileTasks, ServerCappingPageSizeAtItsDefaultIsDetected) {
  auto data = HostileSpread(250, 1000);
  auto got = HostileList(data, 1000, 100, true);
  ASSERT_FALSE(got.error) << got.error->ToString();
  std::set<std::string> unique(got.ids.begin(), got.ids.end());
  EXPECT_EQ(unique.size(), 250u);
  EXPECT_EQ(got.ids.size(), 250u) << "each once";
  EXPECT_NE(got.log.find("at most 100 tasks per page"), std::string::npos) << got.log;

  // A well-formed server with exactly 100 tasks: one extra request, same tasks, no warning.
  auto exact = HostileList(HostileSpread(100, 1000), 1000, 1000, true);
  ASSERT_FALSE(exact.error);
  EXPECT_EQ(exact.ids.size(), 100u);
  EXPECT_EQ(exact.requests, 2);
  EXPECT_EQ(exact.log.find("at most 100"), std::string::npos);
  auto fewer = HostileList(HostileSpread(99, 1000), 1000, 1000, true);
  EXPECT_EQ(fewer.ids.size(), 99u);
  EXPECT_EQ(fewer.requests, 2) << "any short page is probed once";
  EXPECT_EQ(fewer.log.find("at most"), std::string::npos);
}

// A server that cuts pages at a size of its own (neither its default nor the pageSize asked for),
// without a next link: the first short page is probed, and paging goes on at that size.
TEST(WebexHostileTasks, ServerCappingPageSizeAtAnySizeIsDetected) {
  for (int cap : {37, 250, 999}) {
    auto got = HostileList(HostileSpread(2000, 1000), 1000, cap, true);
    ASSERT_FALSE(got.error) << cap << ": " << got.error->ToString();
    std::set<std::string> unique(got.ids.begin(), got.ids.end());
    EXPECT_EQ(unique.size(), 2000u) << cap;
    EXPECT_EQ(got.ids.size(), 2000u) << cap << ": each once";
    EXPECT_NE(got.log.find("at most " + std::to_string(cap) + " tasks per page"), std::string::npos) << got.log;
  }
  // A window smaller than one page: one probe, which finds nothing more.
  auto small = HostileList(HostileSpread(5, 1000), 1000, 37, true);
  EXPECT_EQ(small.ids.size(), 5u);
  EXPECT_EQ(small.requests, 2);
  // An empty window is not probed.
  auto none = HostileList({}, 1000, 37, true);
  EXPECT_TRUE(none.ids.empty());
  EXPECT_EQ(none.requests, 1);
}

// A server that sends the newest tasks first (the spec documents no order) and caps pages at a
// size of its own: the keyset lister falls back to splitting the window, whose parts are then
// all answered by short pages. The first one is probed on both sides of its tasks, so the tasks
// the cap left out are listed instead of silently missing.
TEST(WebexHostileTasks, ServerCappingPageSizeAndSendingNewestFirstIsDetected) {
  for (int cap : {100, 37}) {
    auto got = HostileList(HostileSpread(450, 1000), 1000, cap, true, /*newest_first=*/true);
    ASSERT_FALSE(got.error) << cap << ": " << got.error->ToString();
    std::set<std::string> unique(got.ids.begin(), got.ids.end());
    EXPECT_EQ(unique.size(), 450u) << cap;
    EXPECT_EQ(got.ids.size(), 450u) << cap << ": each once";
    EXPECT_NE(got.log.find("at most " + std::to_string(cap) + " tasks per page"), std::string::npos) << got.log;
  }
  // The cut falls inside the oldest millisecond of the page (80 tasks share it, 50 fitted): the
  // probe asks for that millisecond again.
  std::vector<HostileElement> cut;
  for (int i = 0; i < 80; ++i) cut.push_back({"c" + std::to_string(i), kHostileFrom + 5});
  for (auto& e : HostileSpread(50, 1000)) cut.push_back(e);
  auto inside = HostileList(cut, 1000, 100, true, /*newest_first=*/true);
  ASSERT_FALSE(inside.error) << inside.error->ToString();
  EXPECT_EQ(std::set<std::string>(inside.ids.begin(), inside.ids.end()).size(), 130u);
  EXPECT_EQ(inside.ids.size(), 130u) << "each once";
  // Uncapped and newest first: the probe (two requests) finds nothing more; no warning.
  auto whole = HostileList(HostileSpread(450, 1000), 1000, 1000, true, /*newest_first=*/true);
  ASSERT_FALSE(whole.error) << whole.error->ToString();
  EXPECT_EQ(whole.ids.size(), 450u);
  EXPECT_EQ(whole.requests, 4) << "keyset page, split page, two probes";
  EXPECT_EQ(whole.log.find("tasks per page"), std::string::npos) << whole.log;
}

}  // namespace
}  // namespace hostile_test

namespace exporter_test {
namespace {

// Runs the engine over `source` into a memory sink, with its manifest at `manifest_path`.
ccrec::exporter::ExportSummary HostileExport(std::shared_ptr<ccrec::exporter::RecordingSource> source,
                                             std::string const& manifest_path) {
  auto manifest = ccrec::exporter::Manifest::Open(manifest_path);
  if (!manifest) {
    ADD_FAILURE() << manifest.error().ToString();
    return {};
  }
  ccrec::exporter::ExporterOptions o;
  o.sleeper = std::make_shared<ManualSleeper>();
  return ccrec::exporter::Exporter(std::move(source), std::make_shared<MemorySink>(), *manifest, o).Run();
}

// End to end: an element of the Tasks answer without id is a failed manifest line (the run
// reports failures), next to the tasks that were exported.
TEST(WebexHostileSource, MalformedTaskElementIsAFailedItem) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "a.wav", "main", Bytes(10, 1)}}});
  std::string const bad = R"({"attributes":{"channelType":"telephony","createdTime":1793487605000,"captureRequested":true}})";
  w.extra_task_elements = {bad};
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 2u);
  auto const& failed = c.items[0].task_id == "t1" ? c.items[1] : c.items[0];
  EXPECT_EQ(failed.task_id.rfind("malformed-task-", 0), 0u) << failed.task_id;
  EXPECT_EQ(failed.window_time, ccrec::detail::FromEpochMs(1793487605000));
  auto opened = failed.open(CallContext{}, 0);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ccrec::ErrorCode::kParse);
  EXPECT_NE(opened.error().message.find("data[1] has no string \"id\""), std::string::npos) << opened.error().message;

  ccrec_test::TempDir dir;
  auto summary = HostileExport(w.Source(), dir / "m.jsonl");
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  EXPECT_FALSE(summary.fatal);
  auto counts = StatusCounts(ReadManifest(dir / "m.jsonl"));
  EXPECT_EQ(counts["failed"], 1u);
  EXPECT_EQ(counts["exported"], 1u);

  // Older than pending_max_age (3 days): given up like a pending task, one failed line, and it no
  // longer pins the resume point. (As a failed item without a window time it kept the
  // --since-last-run checkpoint at the window's start on every run, for ever.)
  w.clock->Advance(73h);
  auto old = Enumerate(*w.Source());
  ASSERT_EQ(old.items.size(), 1u);
  EXPECT_EQ(old.items[0].task_id, "t1");
  ASSERT_EQ(old.pending.size(), 1u);
  EXPECT_EQ(old.pending[0].task_id, failed.task_id) << "the same identity on every run";
  EXPECT_TRUE(old.pending[0].given_up);
  EXPECT_EQ(old.pending[0].reason.rfind("given up after 3d: ", 0), 0u) << old.pending[0].reason;
  EXPECT_NE(old.pending[0].reason.find("data[1] has no string \"id\""), std::string::npos) << old.pending[0].reason;
  EXPECT_NE(old.pending[0].reason.find("no later run retries it"), std::string::npos) << old.pending[0].reason;
  ccrec_test::TempDir later_dir;
  auto later = HostileExport(w.Source(), later_dir / "m.jsonl");
  EXPECT_EQ(later.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  EXPECT_EQ(later.unfinished_without_window_time, 0u) << "the checkpoint would stay at the window start";
  EXPECT_FALSE(later.earliest_unfinished);
}

// Recordings of one task without id, or sharing one, are distinct items; each downloads its own
// audio, also after its presigned URL was refused and Captures re-queried.
TEST(WebexHostileSource, RecordingsWithMissingOrRepeatedIdsStayDistinct) {
  FakeWebex w;
  FakeRecording none{"m-none", "none.wav", "main", "AUDIO-NONE"};
  none.id_json = "";
  FakeRecording dup1{"m-dup1", "dup1.wav", "consult", "AUDIO-DUP1"};
  dup1.id_json = R"("id":"dup",)";
  FakeRecording dup2{"m-dup2", "dup2.wav", "consult", "AUDIO-DUP2"};
  dup2.id_json = R"("id":"dup",)";
  FakeRecording number{"m-num", "num.wav", "main", "AUDIO-NUM"};
  number.id_json = R"("id":null,)";
  w.tasks.push_back({"t1", true, {none, dup1, dup2, number, {"r-ok", "ok.wav", "main", "AUDIO-OK"}}});
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result);
  std::vector<std::string> ids;
  for (auto const& item : c.items) ids.push_back(item.recording_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"recording-1", "dup-2", "dup-3", "recording-4", "r-ok"}));
  std::vector<std::string> audio{"AUDIO-NONE", "AUDIO-DUP1", "AUDIO-DUP2", "AUDIO-NUM", "AUDIO-OK"};
  for (std::size_t i = 0; i < c.items.size(); ++i) {
    auto r = c.items[i].open(CallContext{}, 0);
    EXPECT_EQ(ReadAll(r), audio[i]) << ids[i];
  }
  // Every URL of the first answer now refused: each item re-queries and takes its own entry.
  for (auto const& m : {"m-none", "m-dup1", "m-dup2", "m-num", "r-ok"}) w.forbidden_versions[m] = {1};
  for (std::size_t i = 0; i < c.items.size(); ++i) {
    auto r = c.items[i].open(CallContext{}, 0);
    EXPECT_EQ(ReadAll(r), audio[i]) << ids[i] << " after a re-query";
  }
  auto doc = ccrec::detail::ParseJson(c.items[1].metadata_json, "sidecar");
  ASSERT_TRUE(doc);
  EXPECT_EQ(ccrec::detail::OptString(*doc, "recording_id"), "dup-2");

  // End to end: five objects, none taken for a repeat of another.
  ccrec_test::TempDir dir;
  auto summary = HostileExport(w.Source(), dir / "m.jsonl");
  EXPECT_EQ(summary.exported, 5u) << summary.LastLine();
  EXPECT_EQ(summary.skipped, 0u);
}

// A derived (positional) id is re-found only if the entry at that place is still the same one.
TEST(WebexHostileSource, RequeryDoesNotTakeAnotherRecordingAtTheSamePlace) {
  FakeWebex w;
  FakeRecording first{"m-a", "a.wav", "main", "AUDIO-A"};
  first.id_json = "";
  FakeRecording second{"m-b", "b.wav", "consult", "AUDIO-B"};
  second.id_json = "";
  w.tasks.push_back({"t1", true, {first, second}});
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 2u);
  std::swap(w.tasks[0].recordings[0], w.tasks[0].recordings[1]);  // the server now lists them the other way round
  w.forbidden_versions["m-a"] = {1};
  auto r = c.items[0].open(CallContext{}, 0);
  EXPECT_NE(ReadAll(r), "AUDIO-B") << "never another recording's audio";
  EXPECT_FALSE(r);
}

// Without startTime/stopTime a recording's duration is unknown: exported despite the bounds,
// with a warning naming the task and the recording.
TEST(WebexHostileSource, RecordingWithoutTimesIsExportedDespiteDurationBounds) {
  FakeWebex w;
  FakeRecording untimed{"r-untimed", "u.wav", "main", "U"};
  untimed.omit_times = true;
  w.tasks.push_back({"t1", true, {untimed, {"r-short", "s.wav", "main", "S"}}});  // the fake's times: 60 s
  webex_test::LogCapture logs;
  w.customize = [&logs](ccrec::webex::WebexSourceOptions& o) {
    o.filter.min_duration = std::chrono::seconds(90);
    o.logger = logs.MakeLogger();
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result);
  ASSERT_EQ(c.items.size(), 1u) << "the 60 s recording is filtered, the untimed one is not";
  EXPECT_EQ(c.items[0].recording_id, "r-untimed");
  EXPECT_TRUE(logs.Contains("task t1 recording r-untimed: no startTime", ccrec::LogLevel::kWarn)) << logs.All();
}

// A task still open when listed (reference §4.4) whose capture already has a recording: exported,
// and pending too, so that the resume point stays and a later run lists it again.
TEST(WebexHostileSource, OpenTaskWithAPartialCaptureStaysPending) {
  FakeWebex w;
  FakeTask open{"t-open", true, {{"r-leg1", "leg1.wav", "consult", "L1"}}};
  open.status = "assigned";
  w.tasks = {open, {"t-done", true, {{"r-done", "done.wav", "main", "D"}}}};
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result);
  ASSERT_EQ(c.items.size(), 2u);
  ASSERT_EQ(c.pending.size(), 1u) << "the completed task is not pending";
  EXPECT_EQ(c.pending[0].task_id, "t-open");
  EXPECT_FALSE(c.pending[0].given_up);
  EXPECT_EQ(c.pending[0].window_time, ccrec::detail::FromEpochMs(kFromMs + 1000));
  EXPECT_NE(c.pending[0].reason.find("still open (status assigned)"), std::string::npos) << c.pending[0].reason;
  w.clock->Advance(73h);
  auto later = Enumerate(*w.Source());
  ASSERT_EQ(later.pending.size(), 1u);
  EXPECT_TRUE(later.pending[0].given_up) << "not pinned forever";
}

std::string HostileSearchPage(std::vector<std::string> const& ids, std::string const& page_info) {
  std::string body = R"({"data":{"task":{"tasks":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) body += (i ? "," : "") + std::string(R"({"id":")") + ids[i] + "\"}";
  return body + "]" + page_info + "}}}";
}

// A Search page without a boolean hasNextPage does not end the paging: the next page is asked
// for, and a page with nothing new ends it.
TEST(WebexHostileSource, SearchPageWithoutHasNextPageIsFollowed) {
  FakeWebex w;
  ccrec::HttpHeaders json{{"Content-Type", "application/json"}};
  w.transport->EnqueueResponse(200, HostileSearchPage({"a", "b"}, R"(,"pageInfo":{"endCursor":"c1"})"), json);
  w.transport->EnqueueResponse(200, HostileSearchPage({"c"}, R"(,"pageInfo":{"hasNextPage":null,"endCursor":"c2"})"), json);
  w.transport->EnqueueResponse(200, HostileSearchPage({"d"}, R"(,"pageInfo":{"hasNextPage":false})"), json);
  ccrec::webex::SearchQuery q;
  q.from = ccrec::detail::FromEpochMs(kFromMs);
  q.to = ccrec::detail::FromEpochMs(kNowMs);
  auto tasks = w.Client().SearchTasks(q);
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  std::vector<std::string> ids;
  for (auto const& t : *tasks) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));

  FakeWebex no_info;
  no_info.transport->EnqueueResponse(200, HostileSearchPage({"a"}, ""), json);
  no_info.transport->EnqueueResponse(200, HostileSearchPage({}, ""), json);
  auto two = no_info.Client().SearchTasks(q);
  ASSERT_TRUE(two) << two.error().ToString();
  EXPECT_EQ(two->size(), 1u);
  EXPECT_EQ(no_info.transport->Requests().size(), 2u) << "an empty page ends it";
}

}  // namespace
}  // namespace exporter_test
