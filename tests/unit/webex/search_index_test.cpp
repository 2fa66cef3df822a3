// SPDX-License-Identifier: Apache-2.0
// --enrich search and tasks the Search API has not indexed yet (task_admission.cpp,
// recording_source.cpp). Search lags behind Tasks; a task it does not return yet was skipped as
// if the Search filters excluded it, the --since-last-run checkpoint moved past it and its
// recording was never exported, with exit status 0. Now Search is asked without the filters
// (they are applied to its answer), so a missing task is one not indexed yet: it is pending,
// holds the checkpoint, and is given up loudly (a failed line) after pending_max_age.

#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace exporter_test {
namespace {

/// A Search answer (GraphQL) with one record per entry of `seconds` (task id -> totalDuration in
/// seconds; an ended task, with endedTime, unless the id is in `no_end`). It does not read the
/// query: a server's answer to an unfiltered query.
std::string UnindexedSearchAnswer(std::map<std::string, int> const& seconds, std::set<std::string> const& no_end = {}) {
  std::string body = R"({"data":{"task":{"tasks":[)";
  bool first = true;
  for (auto const& [id, s] : seconds) {
    body += (first ? "" : ",") + std::string(R"({"id":")") + id + R"(","createdTime":)" + std::to_string(kFromMs) +
            (no_end.count(id) ? std::string(R"(,"endedTime":null,"totalDuration":null)")
                              : R"(,"endedTime":)" + std::to_string(kFromMs + 1000 * s) + R"(,"totalDuration":)" +
                                    std::to_string(1000 * s)) +
            R"(,"origin":"+14085550100"})";
    first = false;
  }
  return body + R"(],"pageInfo":{"hasNextPage":false,"endCursor":null}}}})";
}

FakeTask UnindexedTask(std::string const& id) { return {id, true, {{"r-" + id, id + ".wav", "main", "AUDIO-" + id}}}; }

/// Runs the engine over `w` (no manifest, no sidecars) into `memory`.
ccrec::exporter::ExportSummary UnindexedExport(FakeWebex& w, std::shared_ptr<MemorySink> const& memory) {
  ccrec::exporter::ExporterOptions o;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.write_sidecars = false;
  return ccrec::exporter::Exporter(w.Source(), memory, nullptr, o).Run();
}

std::size_t CapturesAskedFor(FakeWebex const& w, std::string const& id) {
  std::size_t n = 0;
  for (auto const& batch : w.CaptureBatches()) n += static_cast<std::size_t>(std::count(batch.begin(), batch.end(), id));
  return n;
}

// With a Search filter: t0 has ended but Search has not indexed it yet; t1 (60 s) is indexed and
// matches. Before the fix t0 was skipped (an Info count) and the resume point moved past it.
TEST(WebexSearchIndex, EndedTaskSearchHasNotIndexedHoldsTheCheckpoint) {
  FakeWebex w;
  w.tasks = {UnindexedTask("t0"), UnindexedTask("t1"), UnindexedTask("t2")};
  std::map<std::string, int> indexed{{"t1", 60}, {"t2", 30}};  // t2 is indexed and too short
  std::vector<std::string> queries;
  w.transport->Route("POST", "/search", [&](RecordedRequest const& r) {
    queries.push_back(r.body);
    return ccrec::testing::MakeResponse(200, UnindexedSearchAnswer(indexed), {{"Content-Type", "application/json"}});
  });
  webex_test::LogCapture logs;
  w.customize = [&logs](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(45);
    o.logger = logs.MakeLogger(ccrec::LogLevel::kInfo);
  };
  auto memory = std::make_shared<MemorySink>();
  auto first = UnindexedExport(w, memory);
  EXPECT_EQ(first.LastLine(), "exported=1 skipped=0 failed=0 pending=1 bytes=8");
  EXPECT_EQ(memory->Get("call-detail/t1/r-t1.wav"), "AUDIO-t1");
  ASSERT_TRUE(first.earliest_unfinished) << "t0 holds the --since-last-run checkpoint";
  EXPECT_EQ(*first.earliest_unfinished, ccrec::detail::FromEpochMs(kFromMs + 1000)) << "t0's createdTime";
  EXPECT_EQ(CapturesAskedFor(w, "t0"), 0u) << "no Captures call before Search has it";
  EXPECT_EQ(CapturesAskedFor(w, "t2"), 0u) << "the filters still exclude an indexed task";
  ASSERT_FALSE(queries.empty());
  EXPECT_EQ(queries[0].find("totalDuration: {"), std::string::npos) << "Search is asked without the Search filters: "
                                                                    << queries[0];
  EXPECT_NE(queries[0].find("{channelType: {equals: telephony}}"), std::string::npos) << "as the Tasks listing";
  EXPECT_TRUE(logs.Contains("1 ended task(s) of [", ccrec::LogLevel::kInfo)) << logs.All();
  EXPECT_TRUE(logs.Contains("skipped 1 task(s) of [", ccrec::LogLevel::kInfo)) << logs.All();
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].task_id, "t0");
  EXPECT_FALSE(c.pending[0].given_up);
  EXPECT_NE(c.pending[0].reason.find("does not return it yet (not indexed)"), std::string::npos) << c.pending[0].reason;

  // The next run, once Search has indexed t0 (90 s): exported.
  indexed["t0"] = 90;
  auto second = UnindexedExport(w, memory);
  EXPECT_EQ(memory->Get("call-detail/t0/r-t0.wav"), "AUDIO-t0");
  EXPECT_FALSE(second.earliest_unfinished);
}

// Never indexed: after pending_max_age (3 days from its createdTime) it is given up loudly, one
// failed line, and no longer holds the resume point. Indexed and too short, it is skipped.
TEST(WebexSearchIndex, TaskNeverIndexedIsGivenUpAsAFailure) {
  FakeWebex w;
  w.tasks = {UnindexedTask("t0"), UnindexedTask("t1")};
  w.transport->Route("POST", "/search", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, UnindexedSearchAnswer({{"t1", 30}}), {{"Content-Type", "application/json"}});
  });
  w.customize = [](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.ani = {"+14085550100"};
    o.search_filter.min_duration = std::chrono::seconds(45);
  };
  w.clock->Advance(73h);
  auto memory = std::make_shared<MemorySink>();
  auto summary = UnindexedExport(w, memory);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(summary.earliest_unfinished) << "given up: the resume point moves on";
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_TRUE(c.pending[0].given_up);
  EXPECT_EQ(c.pending[0].reason.rfind("not indexed by Search after 3d: ", 0), 0u) << c.pending[0].reason;
  EXPECT_NE(c.pending[0].reason.find("whether it matches the Search filters is not known"), std::string::npos);
}

// Search has the task but without endedTime (indexed while it ran, its end not yet): its
// totals, wrap-up and CAD variables may still change, so the filters are not judged on it.
TEST(WebexSearchIndex, SearchRecordWithoutEndedTimeIsNotJudged) {
  FakeWebex w;
  w.tasks = {UnindexedTask("t0")};
  w.transport->Route("POST", "/search", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, UnindexedSearchAnswer({{"t0", 0}}, {"t0"}),
                                        {{"Content-Type", "application/json"}});
  });
  w.customize = [](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(45);
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  EXPECT_TRUE(c.items.empty());
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_NE(c.pending[0].reason.find("without an endedTime"), std::string::npos) << c.pending[0].reason;
  EXPECT_TRUE(w.CaptureBatches().empty());
}

// Enrichment without filters: a sidecar written without the Search metadata is never written
// again, so the task waits (pending) for Search; once given up it is exported with
// "search": null (a warning), never dropped.
TEST(WebexSearchIndex, WithoutFiltersTheSidecarWaitsForSearchThenGoesWithoutIt) {
  FakeWebex w;
  w.tasks = {UnindexedTask("t0"), UnindexedTask("t1")};
  w.transport->Route("POST", "/search", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, UnindexedSearchAnswer({{"t1", 30}}), {{"Content-Type", "application/json"}});
  });
  webex_test::LogCapture logs;
  w.customize = [&logs](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.logger = logs.MakeLogger(ccrec::LogLevel::kInfo);
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].task_id, "t1");
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].task_id, "t0");
  EXPECT_FALSE(c.pending[0].given_up);
  EXPECT_NE(c.pending[0].reason.find("its sidecar waits for the Search metadata"), std::string::npos);

  w.clock->Advance(73h);
  auto late = Enumerate(*w.Source());
  ASSERT_EQ(late.items.size(), 2u);
  EXPECT_TRUE(late.pending.empty());
  auto doc = ccrec::detail::ParseJson(late.items[0].metadata_json, "sidecar");
  ASSERT_TRUE(doc) << late.items[0].metadata_json;
  ASSERT_TRUE(doc->HasMember("search"));
  EXPECT_TRUE((*doc)["search"].IsNull()) << late.items[0].metadata_json;
  EXPECT_TRUE(logs.Contains("exported without the Search metadata", ccrec::LogLevel::kWarn)) << logs.All();
}

}  // namespace
}  // namespace exporter_test
