// SPDX-License-Identifier: Apache-2.0
// Keyset paging of GET /v1/tasks against a synthetic server that implements every combination
// of inclusive/exclusive `from` and `to` (reference webex-cc.md §4.3, §4.4).

#include "webex_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;

constexpr std::int64_t kF = 1793404800000;  // window start 2026-10-31T00:00:00Z
constexpr std::int64_t kT = kF + 3'600'000;  // window end, one hour later

struct FakeTask {
  std::string id;
  std::int64_t created;
  std::string channel = "telephony";
  bool omit_created = false;  // the server knows the time but does not send it
};

struct ServerBehaviour {
  bool from_inclusive = true;
  bool to_inclusive = false;
  bool shuffle_ties = false;  // order of tasks sharing a millisecond differs per request
  bool unsorted = false;      // a full page is an arbitrary subset, in arbitrary order
  bool ignore_range = false;  // from/to ignored entirely
  std::string Name() const {
    return std::string(from_inclusive ? "[from" : "(from") + (to_inclusive ? ",to]" : ",to)") +
           (shuffle_ties ? " shuffled-ties" : "") + (unsorted ? " unsorted" : "");
  }
};

/// A Tasks endpoint over a fixed data set, as strict as the spec about parameters.
class FakeTasksServer {
 public:
  FakeTasksServer(std::vector<FakeTask> data, ServerBehaviour behaviour, std::uint64_t seed = 1)
      : data_(std::move(data)), behaviour_(behaviour), rng_(seed) {}

  struct Call {
    std::int64_t from;
    std::int64_t to;
    int page_size;
    std::string channel_types;
  };

  FakeHttpTransport::Handler Handler() {
    return [this](RecordedRequest const& r) -> Result<ccrec::HttpResponse> { return Handle(r); };
  }

  std::vector<Call> Calls() const { return calls_; }

 private:
  Result<ccrec::HttpResponse> Handle(RecordedRequest const& r) {
    auto q = QueryOf(r.url);
    for (auto const& [name, value] : q) {
      if (name != "from" && name != "to" && name != "pageSize" && name != "channelTypes" && name != "orgId") {
        return MakeResponse(400, R"({"error":{"key":"400","message":[{"description":"unknown parameter"}]}})",
                            JsonHeaders());
      }
    }
    if (!q.count("from")) return MakeResponse(400, "{}", JsonHeaders());
    std::int64_t from = std::stoll(q["from"]);
    std::int64_t to = q.count("to") ? std::stoll(q["to"]) : std::numeric_limits<std::int64_t>::max();
    int page_size = q.count("pageSize") ? std::stoi(q["pageSize"]) : 100;
    if (page_size < 1 || page_size > 1000) return MakeResponse(400, "{}", JsonHeaders());
    std::set<std::string> channels;
    if (q.count("channelTypes")) {
      std::string list = q["channelTypes"];
      std::size_t pos = 0;
      while (pos <= list.size()) {
        auto comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        channels.insert(list.substr(pos, comma - pos));
        pos = comma + 1;
      }
    }
    calls_.push_back({from, to, page_size, q.count("channelTypes") ? q["channelTypes"] : ""});

    std::vector<FakeTask const*> match;
    for (auto const& t : data_) {
      bool after = behaviour_.from_inclusive ? t.created >= from : t.created > from;
      bool before = behaviour_.to_inclusive ? t.created <= to : t.created < to;
      if (!behaviour_.ignore_range && !(after && before)) continue;
      if (!channels.empty() && channels.count(t.channel) == 0) continue;
      match.push_back(&t);
    }
    if (behaviour_.unsorted) {
      std::shuffle(match.begin(), match.end(), rng_);
    } else {
      if (behaviour_.shuffle_ties) std::shuffle(match.begin(), match.end(), rng_);
      std::stable_sort(match.begin(), match.end(), [&](FakeTask const* a, FakeTask const* b) {
        return a->created < b->created;
      });
    }
    if (match.size() > static_cast<std::size_t>(page_size)) match.resize(static_cast<std::size_t>(page_size));
    std::string body = R"({"meta":{"orgId":"org-1"},"data":[)";
    for (std::size_t i = 0; i < match.size(); ++i) {
      auto const& t = *match[i];
      if (i != 0) body += ',';
      body += R"({"id":")" + t.id + R"(","attributes":{"channelType":")" + t.channel + "\"";
      if (!t.omit_created) body += R"(,"createdTime":)" + std::to_string(t.created);
      body += R"(,"status":"completed","captureRequested":true}})";
    }
    body += "]}";
    return MakeResponse(200, body, JsonHeaders());
  }

  std::vector<FakeTask> data_;
  ServerBehaviour behaviour_;
  std::mt19937_64 rng_;
  std::vector<Call> calls_;
};

struct Listing {
  std::vector<ccrec::webex::Task> tasks;
  std::optional<ccrec::Error> error;
  std::size_t requests = 0;
  std::vector<FakeTasksServer::Call> calls;
};

Listing List(std::vector<FakeTask> const& data, ServerBehaviour behaviour, int page_size,
             std::vector<std::string> channel_types = {}, std::int64_t from = kF, std::int64_t to = kT,
             std::uint64_t seed = 1) {
  Env env;
  FakeTasksServer server(data, behaviour, seed);
  env.transport->Route("GET", "/v1/tasks", server.Handler());
  auto client = env.MakeClient();
  ccrec::webex::TaskQuery q;
  q.from = At(from);
  q.to = At(to);
  q.page_size = page_size;
  q.channel_types = std::move(channel_types);
  Listing out;
  std::size_t guard = 0;
  for (auto& item : client.ListTasks(q)) {
    if (!item) {
      out.error = item.error();
      break;
    }
    out.tasks.push_back(*item);
    if (++guard > 100000) break;
  }
  out.requests = env.transport->RequestCount();
  out.calls = server.Calls();
  return out;
}

std::set<std::string> Expected(std::vector<FakeTask> const& data, std::vector<std::string> const& channels = {},
                               std::int64_t from = kF, std::int64_t to = kT) {
  std::set<std::string> ids;
  for (auto const& t : data) {
    if (t.created < from || t.created >= to) continue;
    if (!channels.empty() && std::find(channels.begin(), channels.end(), t.channel) == channels.end()) continue;
    ids.insert(t.id);
  }
  return ids;
}

/// Every expected id exactly once, nothing else, ascending createdTime (when sorted).
void ExpectExactlyOnce(Listing const& got, std::set<std::string> const& expected, std::string const& label,
                       bool check_order = true) {
  ASSERT_FALSE(got.error) << label << ": " << got.error->ToString();
  std::multiset<std::string> ids;
  for (auto const& t : got.tasks) ids.insert(t.id);
  for (auto const& id : ids) EXPECT_EQ(ids.count(id), 1u) << label << ": duplicate " << id;
  std::set<std::string> unique(ids.begin(), ids.end());
  std::vector<std::string> missing;
  std::set_difference(expected.begin(), expected.end(), unique.begin(), unique.end(), std::back_inserter(missing));
  std::vector<std::string> extra;
  std::set_difference(unique.begin(), unique.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << label << ": " << missing.size() << " missing, first " << missing.front();
  EXPECT_TRUE(extra.empty()) << label << ": " << extra.size() << " unexpected, first " << extra.front();
  if (check_order) {
    std::int64_t previous = 0;
    for (auto const& t : got.tasks) {
      if (!t.created_time) continue;
      EXPECT_GE(Ms(*t.created_time), previous) << label << ": not ascending at " << t.id;
      previous = Ms(*t.created_time);
    }
  }
}

std::vector<ServerBehaviour> AllBehaviours() {
  std::vector<ServerBehaviour> out;
  for (bool from_inclusive : {true, false}) {
    for (bool to_inclusive : {false, true}) {
      for (bool shuffle_ties : {false, true}) {
        ServerBehaviour b;
        b.from_inclusive = from_inclusive;
        b.to_inclusive = to_inclusive;
        b.shuffle_ties = shuffle_ties;
        out.push_back(b);
      }
    }
  }
  return out;
}

/// `count` tasks at millisecond `ms`, ids "<prefix>-<n>".
void AddCluster(std::vector<FakeTask>& data, std::string const& prefix, std::int64_t ms, int count,
                std::string const& channel = "telephony") {
  for (int i = 0; i < count; ++i) data.push_back({prefix + "-" + std::to_string(i), ms, channel});
}

std::vector<FakeTask> Spread(int count, std::int64_t from, std::int64_t to, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> when(from, to);
  std::vector<FakeTask> data;
  for (int i = 0; i < count; ++i) data.push_back({"s" + std::to_string(seed) + "-" + std::to_string(i), when(rng)});
  return data;
}

class TaskPaging : public ::testing::TestWithParam<ServerBehaviour> {};

TEST_P(TaskPaging, EmptyWindow) {
  auto got = List({{"before", kF - 1}, {"at-end", kT}}, GetParam(), 1000);
  ExpectExactlyOnce(got, {}, GetParam().Name());
  EXPECT_EQ(got.requests, 1u);
}

TEST_P(TaskPaging, ManyPagesOfSpreadTasks) {
  auto data = Spread(2500, kF - 1000, kT + 1000, 7);
  auto got = List(data, GetParam(), 1000);
  ExpectExactlyOnce(got, Expected(data), GetParam().Name());
  EXPECT_LE(got.requests, 5u) << "about one request per full page";
  for (auto const& call : got.calls) {
    EXPECT_EQ(call.to, kT);
    EXPECT_EQ(call.page_size, 1000);
  }
}

TEST_P(TaskPaging, ExactlyOnePageOfTasks) {
  auto data = Spread(10, kF, kT - 1, 3);
  auto got = List(data, GetParam(), 10);
  ExpectExactlyOnce(got, Expected(data), GetParam().Name());
  EXPECT_LE(got.requests, 3u);
}

TEST_P(TaskPaging, ClusterLargerThanAPageInTheMiddle) {
  std::vector<FakeTask> data = Spread(20, kF, kT - 1, 11);
  AddCluster(data, "mid", kF + 1'800'000, 12);
  auto got = List(data, GetParam(), 5);
  ExpectExactlyOnce(got, Expected(data), GetParam().Name());
}

TEST_P(TaskPaging, ClustersAtTheWindowEdgesAndJustOutside) {
  std::vector<FakeTask> data;
  AddCluster(data, "before", kF - 1, 7);  // outside, and more than a page
  AddCluster(data, "start", kF, 8);       // a cluster at the window start
  AddCluster(data, "next", kF + 1, 3);
  AddCluster(data, "last", kT - 1, 9);    // a cluster in the window's last millisecond
  AddCluster(data, "end", kT, 6);         // outside: `to` is exclusive for us
  AddCluster(data, "after", kT + 1, 2);
  auto got = List(data, GetParam(), 5);
  ExpectExactlyOnce(got, Expected(data), GetParam().Name());
}

TEST_P(TaskPaging, AdjacentClustersEachLargerThanAPage) {
  std::vector<FakeTask> data;
  for (int i = 0; i < 6; ++i) AddCluster(data, "c" + std::to_string(i), kF + 100 + i, 6);
  AddCluster(data, "tail", kF + 500, 2);
  for (int page_size : {1, 2, 5, 6, 7}) {
    auto got = List(data, GetParam(), page_size);
    ExpectExactlyOnce(got, Expected(data), GetParam().Name() + " pageSize " + std::to_string(page_size));
  }
}

TEST_P(TaskPaging, PageBoundaryFallingInsideATwoTaskMillisecond) {
  // Page of 3: a, b, c1 | c2, d ... where c1/c2 share a millisecond.
  std::vector<FakeTask> data{{"a", kF + 1}, {"b", kF + 2}, {"c1", kF + 3}, {"c2", kF + 3}, {"d", kF + 4},
                             {"e", kF + 5}, {"f", kF + 5}, {"g", kF + 5}, {"h", kF + 6}};
  for (int page_size : {1, 2, 3, 4}) {
    auto got = List(data, GetParam(), page_size);
    ExpectExactlyOnce(got, Expected(data), GetParam().Name() + " pageSize " + std::to_string(page_size));
  }
}

TEST_P(TaskPaging, RandomDataSetsNeverLoseOrRepeatTasks) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<FakeTask> data = Spread(static_cast<int>(rng() % 60), kF - 5, kF + 200, seed);
    int clusters = static_cast<int>(rng() % 5);
    for (int c = 0; c < clusters; ++c) {
      AddCluster(data, "k" + std::to_string(seed) + "-" + std::to_string(c),
                 kF - 2 + static_cast<std::int64_t>(rng() % 200), 1 + static_cast<int>(rng() % 15));
    }
    int page_size = 1 + static_cast<int>(rng() % 12);
    std::int64_t to = kF + 150;
    auto got = List(data, GetParam(), page_size, {}, kF, to, seed);
    ExpectExactlyOnce(got, Expected(data, {}, kF, to),
                      GetParam().Name() + " seed " + std::to_string(seed) + " pageSize " + std::to_string(page_size));
  }
}

TEST_P(TaskPaging, MillisecondWithMoreThanTheLargestPageIsSplitByChannelType) {
  std::vector<FakeTask> data = Spread(30, kF, kT - 1, 5);
  AddCluster(data, "tel", kF + 1000, 700, "telephony");
  AddCluster(data, "chat", kF + 1000, 600, "chat");
  auto got = List(data, GetParam(), 1000);
  ExpectExactlyOnce(got, Expected(data), GetParam().Name());
  bool per_type = false;
  for (auto const& call : got.calls) per_type = per_type || call.channel_types == "chat";
  EXPECT_TRUE(per_type);
}

TEST_P(TaskPaging, MillisecondThatCannotBePagedYieldsEverythingElseThenAnError) {
  std::vector<FakeTask> data = Spread(30, kF, kT - 1, 9);
  AddCluster(data, "huge", kF + 2000, 1100, "telephony");
  Env env;
  FakeTasksServer server(data, GetParam());
  env.transport->Route("GET", "/v1/tasks", server.Handler());
  auto client = env.MakeClient();
  ccrec::webex::TaskQuery q;
  q.from = At(kF);
  q.to = At(kT);
  q.channel_types = {"telephony"};
  std::set<std::string> ids;
  std::optional<ccrec::Error> error;
  for (auto& item : client.ListTasks(q)) {
    if (!item) {
      error = item.error();
      break;
    }
    EXPECT_TRUE(ids.insert(item->id).second);
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kInternal);
  EXPECT_NE(error->message.find("more than 1000 tasks share createdTime"), std::string::npos) << error->message;
  for (auto const& t : data) {
    if (t.id.rfind("huge", 0) != 0) {
      EXPECT_EQ(ids.count(t.id), 1u) << t.id;
    }
  }
  EXPECT_GE(ids.size(), 30u + 1000u);
}

INSTANTIATE_TEST_SUITE_P(AllInclusivityModes, TaskPaging, ::testing::ValuesIn(AllBehaviours()),
                         [](::testing::TestParamInfo<ServerBehaviour> const& param_info) {
                           auto const& b = param_info.param;
                           return std::string(b.from_inclusive ? "FromInclusive" : "FromExclusive") +
                                  (b.to_inclusive ? "ToInclusive" : "ToExclusive") +
                                  (b.shuffle_ties ? "ShuffledTies" : "");
                         });

TEST(TaskPagingFallback, UnsortedServerFallsBackToWindowSplitting) {
  for (bool from_inclusive : {true, false}) {
    ServerBehaviour b;
    b.from_inclusive = from_inclusive;
    b.unsorted = true;
    std::vector<FakeTask> data = Spread(300, kF - 10, kT + 10, 21);
    AddCluster(data, "cl", kF + 77, 9);
    auto got = List(data, b, 20);
    ExpectExactlyOnce(got, Expected(data), b.Name(), /*check_order=*/false);
  }
}

TEST(TaskPagingFallback, TasksWithoutCreatedTimeAreListedOnce) {
  for (auto const& b : AllBehaviours()) {
    std::vector<FakeTask> data = Spread(40, kF, kT - 1, 13);
    data[3].omit_created = true;
    data[17].omit_created = true;
    data[30].omit_created = true;
    auto got = List(data, b, 7);
    ASSERT_FALSE(got.error) << got.error->ToString();
    std::multiset<std::string> ids;
    for (auto const& t : got.tasks) ids.insert(t.id);
    for (auto const& t : data) EXPECT_EQ(ids.count(t.id), 1u) << b.Name() << " " << t.id;
  }
}

TEST(TaskPagingFallback, ServerIgnoringFromAndToEndsWithAnErrorInsteadOfLooping) {
  ServerBehaviour b;
  b.ignore_range = true;
  std::vector<FakeTask> data = Spread(50, kF - 100000, kT + 100000, 17);
  auto got = List(data, b, 10);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->code, ErrorCode::kParse);
  EXPECT_NE(got.error->message.find("does not honour from/to"), std::string::npos);
  EXPECT_LT(got.requests, 10u);
}

TEST(TaskPagingFallback, ChannelFilterIsSentCommaSeparatedOnEveryRequest) {
  std::vector<FakeTask> data;
  AddCluster(data, "t", kF + 10, 4, "telephony");
  AddCluster(data, "e", kF + 10, 4, "email");
  AddCluster(data, "c", kF + 11, 4, "chat");
  auto got = List(data, ServerBehaviour{}, 3, {"telephony", "email"});
  ExpectExactlyOnce(got, Expected(data, {"telephony", "email"}), "filtered");
  for (auto const& call : got.calls) EXPECT_EQ(call.channel_types, "telephony,email");
}

TEST(TaskPagingFallback, ErrorMidwayIsYieldedAfterTheTasksAlreadyRead) {
  Env env;
  std::vector<FakeTask> data = Spread(25, kF, kT - 1, 4);
  FakeTasksServer server(data, ServerBehaviour{});
  auto handler = server.Handler();
  int calls = 0;
  env.transport->Route("GET", "/v1/tasks", [&](RecordedRequest const& r) -> Result<ccrec::HttpResponse> {
    if (++calls == 2) return MakeResponse(403, R"({"error":{"key":"403","message":[]}})", JsonHeaders());
    return handler(r);
  });
  auto client = env.MakeClient();
  ccrec::webex::TaskQuery q;
  q.from = At(kF);
  q.to = At(kT);
  q.page_size = 10;
  int tasks = 0;
  int errors = 0;
  for (auto& item : client.ListTasks(q)) {
    if (item) ++tasks;
    else ++errors;
  }
  EXPECT_EQ(tasks, 10);
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace webex_test
