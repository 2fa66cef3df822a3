// SPDX-License-Identifier: Apache-2.0
// Which listed tasks the Webex source passes on, and what it keeps pending (task_admission.cpp),
// and the item ids of capture entries whose ids collide. Each test here failed on the code before
// its fix: a task skipped for good, or a recording taken for another one, with exit status 0.

#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include "webex/task_admission.hpp"
#include "webex/transcripts.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace exporter_test {
namespace {

namespace wd = ccrec::webex::detail;

FakeTask AdmissionTask(std::string id, std::string status, bool with_recording = true) {
  FakeTask t{id, true, {}};
  if (with_recording) t.recordings.push_back({"r-" + id, id + ".wav", "main", "AUDIO-" + id});
  t.status = std::move(status);
  if (t.status == "queued" || t.status == "offered") t.capture_requested = std::nullopt;  // not known yet
  return t;
}

std::set<std::string> AdmissionTaskIds(std::vector<PendingItem> const& pending) {
  std::set<std::string> ids;
  for (auto const& p : pending) ids.insert(p.task_id);
  return ids;
}

// A task still open when listed (status queued, offered, assigned) that does not match the task
// filters yet: its status, last agent and last queue change until it ends. Skipping it moved the
// --since-last-run checkpoint past it, and the completed task was never listed again. It is
// pending now (holding the resume point), costs no Captures call, and is given up like any
// pending task after pending_max_age. Ended tasks outside the filters are still skipped.
TEST(WebexTaskAdmission, OpenTasksOutsideTheFiltersStayPendingUntilTheyEnd) {
  FakeWebex w;
  w.tasks = {AdmissionTask("t-queued", "queued", false), AdmissionTask("t-assigned", "assigned"),
             AdmissionTask("t-done", "completed"), AdmissionTask("t-abandoned", "abandoned", false)};
  w.customize = [](ccrec::webex::WebexSourceOptions& o) { o.filter.statuses = {"completed"}; };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].task_id, "t-done");
  EXPECT_EQ(AdmissionTaskIds(c.pending), (std::set<std::string>{"t-queued", "t-assigned"}));
  for (auto const& p : c.pending) {
    EXPECT_FALSE(p.given_up);
    EXPECT_TRUE(p.window_time) << "holds the resume point at its createdTime";
    EXPECT_NE(p.reason.find("filters are judged once it has ended"), std::string::npos) << p.reason;
  }
  ASSERT_EQ(w.CaptureBatches().size(), 1u);
  EXPECT_EQ(w.CaptureBatches()[0], (std::vector<std::string>{"t-done"})) << "filtered tasks cost no Captures call";

  // The same for the last agent (the fake's owner is "Ada"; a queued task may have none yet).
  FakeWebex agent;
  agent.tasks = w.tasks;
  agent.customize = [](ccrec::webex::WebexSourceOptions& o) { o.filter.agents = {"Bob"}; };
  auto a = Enumerate(*agent.Source());
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.items.empty());
  EXPECT_EQ(AdmissionTaskIds(a.pending), (std::set<std::string>{"t-queued", "t-assigned"}));

  // Still open after pending_max_age (3 days): given up once, so it cannot pin the resume point.
  w.clock->Advance(73h);
  auto later = Enumerate(*w.Source());
  ASSERT_EQ(later.pending.size(), 2u);
  for (auto const& p : later.pending) {
    EXPECT_TRUE(p.given_up);
    EXPECT_EQ(p.reason.rfind("still open after 3d: ", 0), 0u) << p.reason;
    EXPECT_NE(p.reason.find("whether it matches the filters is not known"), std::string::npos) << p.reason;
  }
}

/// A Search answer (GraphQL) with `ids`, each ended and lasting 60 s, but those in `short_ids` 30 s.
std::string AdmissionSearchAnswer(std::vector<std::string> const& ids, std::set<std::string> const& short_ids = {}) {
  std::string body = R"({"data":{"task":{"tasks":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string const ms = short_ids.count(ids[i]) ? "30000" : "60000";
    body += (i ? "," : "") + std::string(R"({"id":")") + ids[i] + R"(","endedTime":)" + std::to_string(kNowMs) +
            R"(,"totalDuration":)" + ms + "}";
  }
  return body + R"(],"pageInfo":{"hasNextPage":false,"endCursor":null}}}})";
}

std::int64_t AdmissionSearchFrom(RecordedRequest const& r) {
  auto doc = ccrec::detail::ParseJson(r.body, "search body");
  if (!doc) return -1;
  auto const* variables = ccrec::detail::OptObject(*doc, "variables");
  return variables ? ccrec::detail::OptInt64(*variables, "from").value_or(-1) : -1;
}

// --enrich search with a Search filter: an open task has no totals yet, so Search does not match
// it. It is pending, not skipped; an ended task whose Search record does not match is skipped
// (and counted).
TEST(WebexTaskAdmission, OpenTaskTheSearchAnswerLacksStaysPending) {
  FakeWebex w;
  w.tasks = {AdmissionTask("t-open", "assigned"), AdmissionTask("t-short", "completed"),
             AdmissionTask("t-long", "completed")};
  w.transport->Route("POST", "/search", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, AdmissionSearchAnswer({"t-short", "t-long"}, {"t-short"}),
                                        {{"Content-Type", "application/json"}});
  });
  webex_test::LogCapture logs;
  w.customize = [&logs](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(45);
    o.logger = logs.MakeLogger(ccrec::LogLevel::kInfo);
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].task_id, "t-long");
  EXPECT_EQ(AdmissionTaskIds(c.pending), (std::set<std::string>{"t-open"}));
  EXPECT_TRUE(logs.Contains("skipped 1 task(s) of [", ccrec::LogLevel::kInfo)) << logs.All();
}

// Whether Search's `from` is inclusive is not documented. A pending task holds the
// --since-last-run checkpoint at its exact createdTime, so the next run's window starts there; a
// server that reads `from` as exclusive left that task out of the answer, and the Search filter
// skipped it for good. Search is asked from one millisecond earlier.
TEST(WebexTaskAdmission, SearchIsAskedFromOneMillisecondBeforeTheWindow) {
  FakeWebex w;
  w.tasks = {AdmissionTask("t0", "completed"), AdmissionTask("t1", "completed")};
  std::int64_t const t0_created = kFromMs + 1000;  // the fake's createdTime of tasks[0]
  std::vector<std::int64_t> asked_from;
  w.transport->Route("POST", "/search", [&](RecordedRequest const& r) {
    asked_from.push_back(AdmissionSearchFrom(r));
    std::vector<std::string> ids{"t1"};
    if (asked_from.back() < t0_created) ids.insert(ids.begin(), "t0");  // `from` exclusive
    return ccrec::testing::MakeResponse(200, AdmissionSearchAnswer(ids), {{"Content-Type", "application/json"}});
  });
  w.customize = [&](ccrec::webex::WebexSourceOptions& o) {
    o.tasks.from = ccrec::detail::FromEpochMs(t0_created);  // the checkpoint a pending t0 left
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(45);
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(asked_from.size(), 1u);
  EXPECT_EQ(asked_from[0], t0_created - 1);
  std::set<std::string> exported;
  for (auto const& item : c.items) exported.insert(item.task_id);
  EXPECT_EQ(exported, (std::set<std::string>{"t0", "t1"}));
}

/// Exports everything `w` lists into `memory` (no manifest, no sidecars).
ccrec::exporter::ExportSummary AdmissionExport(FakeWebex& w, std::shared_ptr<MemorySink> const& memory) {
  ccrec::exporter::ExporterOptions o;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.write_sidecars = false;
  return ccrec::exporter::Exporter(w.Source(), memory, nullptr, o).Run();
}

struct AdmissionEntry {
  std::string id;
};
// No AdmissionEntry repeats another (found by argument-dependent lookup, as for Recording).
bool SameCaptureEntry(AdmissionEntry const&, AdmissionEntry const&) { return false; }

// Derived item ids (an entry without id, or sharing one) never take an id another entry has as
// its own, nor each other's; ids of well-formed lists are unchanged.
TEST(WebexTaskAdmission, DerivedCaptureEntryIdsNeverTakeAnotherEntrysId) {
  using List = std::vector<AdmissionEntry>;
  EXPECT_EQ(wd::CaptureEntryIds(List{{"a"}, {"b"}}, "", "recording-"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(wd::CaptureEntryIds(List{{""}, {"d"}, {"d"}}, "", "recording-"),
            (std::vector<std::string>{"recording-1", "d-2", "d-3"}));
  EXPECT_EQ(wd::CaptureEntryIds(List{{""}, {"recording-1"}}, "", "recording-"),
            (std::vector<std::string>{"recording-1-1", "recording-1"}));
  EXPECT_EQ(wd::CaptureEntryIds(List{{""}, {"recording-1"}, {"recording-1-1"}}, "", "recording-"),
            (std::vector<std::string>{"recording-1-1-1", "recording-1", "recording-1-1"}));
  EXPECT_EQ(wd::CaptureEntryIds(List{{"d"}, {"d"}, {"d-2"}}, "", "recording-"),
            (std::vector<std::string>{"d-1", "d-2-2", "d-2"}));
  EXPECT_EQ(wd::CaptureEntryIds(List{{""}, {"1"}}, "transcript-", "transcript-"),
            (std::vector<std::string>{"transcript-1-1", "transcript-1"}));
  for (auto const& list : {List{{""}, {""}, {"recording-2"}, {"x"}, {"x"}, {"x-4"}}, List{{"1"}, {""}, {"1"}}}) {
    auto ids = wd::CaptureEntryIds(list, "", "recording-");
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  }
}

// Through the engine: a recording without id beside one whose id is "recording-1" were one item
// id, so the second was "the same recording listed twice" and skipped (never stored).
TEST(WebexTaskAdmission, RecordingWhoseIdEqualsADerivedIdIsExportedToo) {
  FakeWebex w;
  FakeRecording no_id{"m-none", "none.wav", "main", "AUDIO-NONE"};
  no_id.id_json = "";
  FakeRecording named{"m-named", "named.wav", "consult", "AUDIO-NAMED"};
  named.id_json = R"("id":"recording-1",)";
  w.tasks.push_back({"t1", true, {no_id, named}});
  auto memory = std::make_shared<MemorySink>();
  auto summary = AdmissionExport(w, memory);
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=21");
  EXPECT_EQ(memory->Get("call-detail/t1/recording-1-1.wav"), "AUDIO-NONE");
  EXPECT_EQ(memory->Get("call-detail/t1/recording-1.wav"), "AUDIO-NAMED");
}

// The same entry listed twice (same id, attributes and presigned object) is one item, exported
// once under the id it would have alone; before, it was two ("dup-1", "dup-2"), two objects of
// one recording. An entry with that id but another file stays distinct.
TEST(WebexTaskAdmission, AnEntryListedTwiceIsExportedOnce) {
  FakeWebex w;
  FakeRecording same{"m-same", "same.wav", "main", "AUDIO-SAME"};
  same.id_json = R"("id":"dup",)";
  FakeRecording other{"m-other", "other.wav", "consult", "AUDIO-OTHER"};
  other.id_json = R"("id":"dup",)";
  FakeTask twice{"t-twice", true, {same, same}};
  twice.transcripts = {{"cfg-1", "chat.json", "main", R"({"t":1})"}, {"cfg-1", "chat.json", "main", R"({"t":1})"}};
  w.tasks = {twice, {"t-three", true, {same, other, same}}};
  webex_test::LogCapture logs;
  w.customize = [&logs](ccrec::webex::WebexSourceOptions& o) { o.logger = logs.MakeLogger(ccrec::LogLevel::kInfo); };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  std::vector<std::string> ids;
  for (auto const& item : c.items) ids.push_back(item.task_id + "/" + item.recording_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"t-twice/dup", "t-twice/transcript-cfg-1", "t-three/dup-1", "t-three/dup-2"}));
  EXPECT_TRUE(logs.Contains("repeats an earlier entry", ccrec::LogLevel::kInfo)) << logs.All();

  auto memory = std::make_shared<MemorySink>();
  auto summary = AdmissionExport(w, memory);
  EXPECT_EQ(summary.LastLine(), "exported=4 skipped=0 failed=0 pending=0 bytes=38");
  EXPECT_EQ(memory->Get("call-detail/t-twice/dup.wav"), "AUDIO-SAME");
  EXPECT_EQ(memory->Get("call-detail/t-three/dup-2.wav"), "AUDIO-OTHER");
}

}  // namespace
}  // namespace exporter_test
