// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 3: the Search API (POST /search, GraphQL) — request building with escaped
// values, defensive parsing (GraphQL errors), cursor paging, and --enrich search in the Webex
// source (sidecar "search" member; filters applied before Captures, saving calls).

#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/webex/search.hpp>

#include "webex/search_query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::webex::SearchQuery;
namespace wd = ccrec::webex::detail;

SearchQuery Window() {
  SearchQuery q;
  q.from = ccrec::detail::FromEpochMs(kFromMs);
  q.to = ccrec::detail::FromEpochMs(kNowMs);
  return q;
}

std::string GraphQl(std::string const& body) {
  auto doc = ccrec::detail::ParseJson(body, "search body");
  EXPECT_TRUE(doc) << body;
  return doc ? ccrec::detail::OptString(*doc, "query").value_or("") : "";
}

TEST(WebexSearch, GraphQlStringEscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(wd::GraphQlString("plain"), "\"plain\"");
  EXPECT_EQ(wd::GraphQlString("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(wd::GraphQlString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(wd::GraphQlString(std::string("\t\r\x7f\x1f\0", 5)), "\"\\t\\r\\u007f\\u001f\\u0000\"");
}

TEST(WebexSearch, RequestBodyUsesVariablesAndEscapedLiterals) {
  auto q = Window();
  q.channel_types = {"telephony"};
  q.filter.min_duration = std::chrono::seconds(60);
  q.filter.max_duration = std::chrono::seconds(600);
  q.filter.ani = {"+1\"}, {injected: 1} #"};
  q.filter.dnis = {"+18005550100", "+18005550101"};
  q.filter.wrapup = {"Sale"};
  q.filter.cad = {{"Tier", "gold"}};
  q.cad_names = {"AccountId"};
  auto body = wd::BuildSearchRequestBody(q, "0");
  ASSERT_TRUE(body) << body.error().ToString();
  auto doc = ccrec::detail::ParseJson(*body, "body");
  ASSERT_TRUE(doc);
  EXPECT_EQ(ccrec::detail::OptInt64(*ccrec::detail::OptObject(*doc, "variables"), "from"), kFromMs);
  EXPECT_EQ(ccrec::detail::OptInt64(*ccrec::detail::OptObject(*doc, "variables"), "to"), kNowMs);
  auto g = GraphQl(*body);
  EXPECT_EQ(g.rfind("query($from: Long!, $to: Long!) { task(from: $from, to: $to, timeComparator: createdTime, ", 0), 0u) << g;
  EXPECT_NE(g.find("{channelType: {equals: telephony}}"), std::string::npos) << g;
  EXPECT_NE(g.find("{totalDuration: {gte: 60000}}, {totalDuration: {lte: 600000}}"), std::string::npos) << g;
  EXPECT_NE(g.find("{origin: {equals: \"+1\\\"}, {injected: 1} #\"}}"), std::string::npos) << "escaped, not syntax: " << g;
  EXPECT_NE(g.find("{or: [{destination: {equals: \"+18005550100\"}}, {destination: {equals: \"+18005550101\"}}]}"),
            std::string::npos) << g;
  EXPECT_NE(g.find("{lastWrapupCodeName: {equals: \"Sale\"}}"), std::string::npos);
  EXPECT_NE(g.find("{stringGlobalVariables: {name: {equals: \"Tier\"}, value: {equals: \"gold\"}}}"), std::string::npos);
  EXPECT_NE(g.find("cad0: stringGlobalVariables(name: \"AccountId\") { name value }"), std::string::npos) << g;
  EXPECT_NE(g.find("cad1: stringGlobalVariables(name: \"Tier\") { name value }"), std::string::npos) << g;
  EXPECT_NE(g.find("pagination: {cursor: \"0\"}"), std::string::npos);
  EXPECT_NE(g.find("pageInfo { hasNextPage endCursor }"), std::string::npos);
  EXPECT_EQ(g.find("filter"), g.rfind("filter")) << "one filter argument";

  auto plain = wd::BuildSearchRequestBody(Window(), "7");
  ASSERT_TRUE(plain);
  EXPECT_EQ(GraphQl(*plain).find("filter"), std::string::npos) << "no filter argument without filters";
}

TEST(WebexSearch, BadQueriesAreRefusedLocally) {
  auto q = Window();
  q.channel_types = {"telephony} evil"};
  EXPECT_EQ(wd::BuildSearchRequestBody(q, "0").error().code, ccrec::ErrorCode::kInvalidArgument);
  q = Window();
  q.to = q.from + std::chrono::hours(24 * 366);
  EXPECT_NE(wd::BuildSearchRequestBody(q, "0").error().message.find("365 days"), std::string::npos);
  q = Window();
  q.cad_names = {""};
  EXPECT_FALSE(wd::BuildSearchRequestBody(q, "0"));
  q = Window();
  q.to = q.from;
  EXPECT_FALSE(wd::BuildSearchRequestBody(q, "0"));
}

TEST(WebexSearch, ParsesTasksPageInfoAndCadVariables) {
  std::string task = R"({"id":"t1","origin":"+14085550100","destination":"+18005550100","createdTime":1793487600000,)"
                     R"("endedTime":1793487660000,"totalDuration":60000,"lastWrapupCodeName":"Sale",)"
                     R"("owner":{"id":"a1","name":"Ada"},"lastQueue":{"id":"q1","name":"Sales"},)"
                     R"("lastTeam":{"id":"tm","name":"Alpha"},"lastSite":{"id":"s","name":"Austin"},)"
                     R"("cad0":{"name":"Tier","value":"gold"},"cad1":null,"x":1E2})";
  std::string body = R"({"data":{"task":{"tasks":[)" + task + R"(,{"origin":"no id"}],"pageInfo":{"hasNextPage":true,"endCursor":"c2"}}}})";
  auto page = wd::ParseSearchResponse(body, {"Tier", "Other"}, {});
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->tasks.size(), 1u);
  auto const& t = page->tasks[0];
  EXPECT_EQ(t.ani, "+14085550100");
  EXPECT_EQ(t.dnis, "+18005550100");
  EXPECT_EQ(t.total_duration, std::chrono::milliseconds(60000));
  EXPECT_EQ(t.ended_time, ccrec::detail::FromEpochMs(1793487660000));
  EXPECT_EQ(t.wrapup, "Sale");
  EXPECT_EQ(t.team->name, "Alpha");
  EXPECT_EQ(t.site->name, "Austin");
  EXPECT_EQ(t.agent->name, "Ada");
  EXPECT_EQ(t.queue->name, "Sales");
  EXPECT_EQ(t.cad, (std::map<std::string, std::string>{{"Tier", "gold"}}));
  EXPECT_EQ(t.raw_json, task) << "the server's bytes";
  EXPECT_TRUE(page->has_next_page);
  EXPECT_EQ(page->end_cursor, "c2");
}

TEST(WebexSearch, GraphQlErrorsAndMissingDataAreClearErrors) {
  auto errors = wd::ParseSearchResponse(
      R"({"errors":[{"message":"Field 'x' is not defined on type 'Task'"}],"data":null})", {}, {});
  ASSERT_FALSE(errors);
  EXPECT_EQ(errors.error().code, ccrec::ErrorCode::kParse);
  EXPECT_NE(errors.error().message.find("GraphQL errors: \"Field 'x' is not defined on type 'Task'\""), std::string::npos)
      << errors.error().message;
  EXPECT_FALSE(wd::ParseSearchResponse(R"({"data":{"task":{}}})", {}, {}));
  EXPECT_FALSE(wd::ParseSearchResponse("not json", {}, {}));
  EXPECT_FALSE(wd::ParseSearchResponse("[]", {}, {}));
}

std::string Page(std::vector<std::string> const& ids, bool next, std::string const& cursor) {
  std::string body = R"({"data":{"task":{"tasks":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) body += (i ? "," : "") + std::string(R"({"id":")") + ids[i] + "\"}";
  body += R"(],"pageInfo":{"hasNextPage":)" + std::string(next ? "true" : "false") +
          (cursor.empty() ? "" : R"(,"endCursor":")" + cursor + "\"") + "}}}}";
  return body;
}

TEST(WebexSearch, PagesWithTheReturnedCursorThenTheCounter) {
  FakeWebex w;
  ccrec::HttpHeaders json{{"Content-Type", "application/json"}};
  w.transport->EnqueueResponse(200, Page({"a", "b"}, true, "opaque-1"), json);
  w.transport->EnqueueResponse(200, Page({"b", "c"}, true, ""), json);  // no endCursor: the counter
  w.transport->EnqueueResponse(200, Page({"d"}, false, ""), json);
  auto tasks = w.Client().SearchTasks(Window());
  ASSERT_TRUE(tasks) << tasks.error().ToString();
  std::vector<std::string> ids;
  for (auto const& t : *tasks) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));
  auto requests = w.transport->Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_NE(GraphQl(requests[0].body).find("cursor: \"0\""), std::string::npos);
  EXPECT_NE(GraphQl(requests[1].body).find("cursor: \"opaque-1\""), std::string::npos);
  EXPECT_NE(GraphQl(requests[2].body).find("cursor: \"2\""), std::string::npos);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_NE(requests[0].url.find("/search"), std::string::npos);
  EXPECT_TRUE(requests[0].Header("TrackingId"));

  FakeWebex loop;
  loop.transport->EnqueueResponse(200, Page({"a"}, true, "0"), json);
  auto stuck = loop.Client().SearchTasks(Window());
  ASSERT_FALSE(stuck);
  EXPECT_NE(stuck.error().message.find("twice"), std::string::npos);
}

// Search spends from the same per-client-id budget as Tasks and Captures: the client's limiter.
TEST(WebexSearch, SearchPagesSpendFromTheSharedRateLimiter) {
  FakeWebex w;
  ccrec::HttpHeaders json{{"Content-Type", "application/json"}};
  w.transport->EnqueueResponse(200, Page({"a"}, true, "1"), json);
  w.transport->EnqueueResponse(200, Page({"b"}, true, "2"), json);
  w.transport->EnqueueResponse(200, Page({"c"}, false, ""), json);
  ccrec::TokenBucketOptions bucket;
  bucket.requests_per_minute = 60;  // one per second
  bucket.clock = w.clock;
  bucket.sleeper = w.sleeper;
  ccrec::webex::ClientOptions o;
  o.base_url = kApi;
  o.tokens = ccrec::webex::MakeStaticAccessTokenSource("t");
  o.transport = w.transport;
  o.clock = w.clock;
  o.sleeper = w.sleeper;
  o.rate_limiter = ccrec::MakeTokenBucketRateLimiter(bucket);
  ccrec::webex::Client client(o);
  auto start = w.clock->Now();
  ASSERT_TRUE(client.SearchTasks(Window()));
  EXPECT_GE(w.clock->Now() - start, 2s) << "three pages, spaced by the limiter";
}

// Like every Webex API answer, a Search page over 16 MiB fails the call (kParse), not retried.
TEST(WebexSearch, OversizedAnswerFailsTheCall) {
  FakeWebex w;
  w.transport->EnqueueResponse(200, std::string(17u << 20, ' '), {{"Content-Type", "application/json"}});
  auto r = w.Client().SearchTasksPage(Window(), "0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ccrec::ErrorCode::kParse);
  EXPECT_NE(r.error().message.find("exceeds the limit"), std::string::npos) << r.error().message;
  EXPECT_EQ(w.transport->Requests().size(), 1u);
}

/// FakeWebex's tasks (t0.. with totalDuration 30 s * (index + 1), ended) as the Search API returns
/// them, filtered by totalDuration gte when the query has one.
std::string SearchAnswer(FakeWebex const& w, std::string const& graphql) {
  std::int64_t min = -1;
  if (auto at = graphql.find("totalDuration: {gte: "); at != std::string::npos) min = std::stoll(graphql.substr(at + 21));
  std::string body = R"({"data":{"task":{"tasks":[)";
  bool first = true;
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    std::int64_t d = 30000 * static_cast<std::int64_t>(i + 1);
    if (d < min) continue;
    body += (first ? "" : ",") + std::string(R"({"id":")") + w.tasks[i].id + R"(","endedTime":)" + std::to_string(kFromMs + d) + R"(,"totalDuration":)" + std::to_string(d) +
            R"(,"origin":"+14085550100","lastWrapupCodeName":"Sale","lastTeam":{"id":"tm","name":"Alpha"},)" +
            R"("cad0":{"name":"Tier","value":"gold"}})";
    first = false;
  }
  return body + R"(],"pageInfo":{"hasNextPage":false,"endCursor":null}}}})";
}

TEST(WebexSearch, EnrichSearchFiltersBeforeCapturesAndFillsTheSidecar) {
  FakeWebex w;
  for (int i = 0; i < 20; ++i) {
    std::string n = std::to_string(i);
    w.tasks.push_back({"t" + n, true, {{"r" + n, "recording-1.wav", "main", "d"}}});
  }
  w.transport->Route("POST", "/search", [&w](RecordedRequest const& r) {
    return ccrec::testing::MakeResponse(200, SearchAnswer(w, GraphQl(r.body)), {{"Content-Type", "application/json"}});
  });
  w.customize = [](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(450);  // tasks t14..t19
    o.search_cad_names = {"Tier"};
  };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 6u);
  EXPECT_EQ(c.items[0].task_id, "t14");
  std::size_t asked = 0;
  for (auto const& b : w.CaptureBatches()) asked += b.size();
  EXPECT_EQ(asked, 6u) << "filtered tasks cost no Captures calls";
  EXPECT_EQ(w.CaptureBatches().size(), 1u);
  auto doc = ccrec::detail::ParseJson(c.items[0].metadata_json, "sidecar");
  ASSERT_TRUE(doc) << c.items[0].metadata_json;
  auto const* search = ccrec::detail::OptObject(*doc, "search");
  ASSERT_NE(search, nullptr) << c.items[0].metadata_json;
  EXPECT_EQ(ccrec::detail::OptInt64(*search, "total_duration_ms"), 450000);
  EXPECT_EQ(ccrec::detail::OptString(*search, "ani"), "+14085550100");
  EXPECT_EQ(ccrec::detail::OptString(*search, "wrapup"), "Sale");
  EXPECT_EQ(ccrec::detail::OptString(*ccrec::detail::OptObject(*search, "team"), "name"), "Alpha");
  EXPECT_EQ(ccrec::detail::OptString(*ccrec::detail::OptObject(*search, "cad"), "Tier"), "gold");
  EXPECT_EQ(ccrec::detail::OptString(*ccrec::detail::OptObject(*search, "raw"), "id"), "t14");
  EXPECT_TRUE(ccrec::detail::OptObject(*doc, "task")) << "the Tasks attributes stay";

  // Without enrich_search: no Search call, sidecars unchanged.
  FakeWebex plain;
  plain.tasks = w.tasks;
  auto p = Enumerate(*plain.Source());
  EXPECT_EQ(p.items.size(), 20u);
  for (auto const& r : plain.transport->Requests()) EXPECT_EQ(r.url.find("/search"), std::string::npos);
  EXPECT_EQ(p.items[0].metadata_json.find("\"search\""), std::string::npos);
}

TEST(WebexSearch, TasksTheServerReturnsOutsideTheFiltersAreSkipped) {
  FakeWebex w;
  w.tasks.push_back({"t0", true, {{"r0", "recording-1.wav", "main", "d"}}});
  w.tasks.push_back({"t1", true, {{"r1", "recording-1.wav", "main", "d"}}});
  // A server that ignores the filter: t0 (30 s) comes back although min is 45 s.
  w.transport->Route("POST", "/search", [&w](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, SearchAnswer(w, ""), {{"Content-Type", "application/json"}});
  });
  w.customize = [](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(45);
  };
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].task_id, "t1");
}

// A task whose Search record the filters exclude is skipped before Captures, and the skips are
// counted at Info level per sub-window, not only in a per-task Debug line. A task Search has not
// indexed yet is not among them: it is pending (search_index_test.cpp).
TEST(WebexSearch, TasksSearchDoesNotMatchAreCountedAtInfoLevel) {
  FakeWebex w;
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    w.tasks.push_back({"t" + n, true, {{"r" + n, "recording-1.wav", "main", "d"}}});
  }
  // Search lags behind Tasks: t0 (30 s, below the 45 s bound) and t2 (90 s) are indexed, t1
  // (60 s) is not yet.
  w.transport->Route("POST", "/search", [&w](RecordedRequest const&) {
    std::string body = SearchAnswer(w, "");
    auto const t1 = body.find(R"({"id":"t1")");
    auto const t2 = body.find(R"({"id":"t2")");
    body.erase(t1, t2 - t1);
    return ccrec::testing::MakeResponse(200, body, {{"Content-Type", "application/json"}});
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
  EXPECT_EQ(c.items[0].task_id, "t2");
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].task_id, "t1") << "not indexed yet: pending, not skipped";
  EXPECT_TRUE(logs.Contains("skipped 1 task(s) of [", ccrec::LogLevel::kInfo)) << logs.All();
  EXPECT_TRUE(logs.Contains("whose Search record does not match the Search filters", ccrec::LogLevel::kInfo))
      << logs.All();

  // Nothing turned away (every task lasts 30 s or more), nothing said.
  FakeWebex all;
  all.tasks = w.tasks;
  all.transport->Route("POST", "/search", [&all](RecordedRequest const& r) {
    return ccrec::testing::MakeResponse(200, SearchAnswer(all, GraphQl(r.body)), {{"Content-Type", "application/json"}});
  });
  webex_test::LogCapture quiet;
  all.customize = [&quiet](ccrec::webex::WebexSourceOptions& o) {
    o.enrich_search = true;
    o.search_filter.min_duration = std::chrono::seconds(30);
    o.logger = quiet.MakeLogger(ccrec::LogLevel::kInfo);
  };
  auto a = Enumerate(*all.Source());
  ASSERT_TRUE(a.result);
  EXPECT_EQ(a.items.size(), 3u);
  EXPECT_EQ(quiet.All().find("Search record does not match"), std::string::npos) << quiet.All();
  EXPECT_EQ(quiet.All().find("not indexed"), std::string::npos) << quiet.All();
}

TEST(WebexSearch, GraphQlErrorEndsTheListingWithTheMessage) {
  FakeWebex w;
  w.tasks.push_back({"t0", true, {{"r0", "recording-1.wav", "main", "d"}}});
  w.transport->Route("POST", "/search", [](RecordedRequest const&) {
    return ccrec::testing::MakeResponse(200, R"({"errors":[{"message":"Unknown filter field 'origin'"}],"data":null})",
                                        {{"Content-Type", "application/json"}});
  });
  w.customize = [](ccrec::webex::WebexSourceOptions& o) { o.enrich_search = true; };
  auto c = Enumerate(*w.Source());
  ASSERT_FALSE(c.result);
  EXPECT_NE(c.result.error().message.find("Unknown filter field 'origin'"), std::string::npos);
  EXPECT_TRUE(w.CaptureBatches().empty());
}

}  // namespace
}  // namespace exporter_test
