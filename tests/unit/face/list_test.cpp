// SPDX-License-Identifier: Apache-2.0
// ListRecordings: a truncated window is split until complete, never paged or silently truncated.

#include "face_test_util.hpp"

#include "face/lister.hpp"

#include <gtest/gtest.h>

#include <set>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::ListQuery;
using ccrec::detail::FromEpochMs;

std::vector<std::string> ListAll(ccrec::face::Client const& client, ListQuery const& q, std::optional<ccrec::Error>* error) {
  std::vector<std::string> ids;
  for (auto& m : client.ListRecordings(q)) {
    if (!m) {
      if (error) *error = m.error();
      break;
    }
    ids.push_back(m->recording_id);
  }
  return ids;
}

ListQuery Day() {
  ListQuery q;
  q.from = FromEpochMs(kDayStart);
  q.to = FromEpochMs(kDayStart + 86'400'000);
  return q;
}

TEST(FaceList, SmallWindowOneRequest) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(5, kDayStart + 1000, 60'000);
  auto client = env.MakeClient();
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, Day(), &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(face.DetailsCalls(), 1);
  auto requests = env.transport->Requests();
  auto p = Params(requests.back().url);
  EXPECT_EQ(p["earliestStart"], "2026-11-01 00:00:00");
  EXPECT_EQ(p["latestStart"], "2026-11-02 00:00:00") << "[from, to) as whole seconds, rounded outward";
  EXPECT_EQ(p["maxListLength"], "1000");
}

TEST(FaceList, TruncatedWindowsAreSplitUntilComplete) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(100, kDayStart + 5, 800'000);
  auto client = env.MakeClient();
  auto q = Day();
  q.max_list_length = 10;
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, q, &error);
  ASSERT_FALSE(error) << error->ToString();
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 100u);
  EXPECT_EQ(ids.size(), 100u) << "each recording once";
  EXPECT_GT(face.DetailsCalls(), 10);
}

TEST(FaceList, ServerCapBelowMaxListLengthDetectedByMessage) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(40, kDayStart, 1'000'000);
  face.SetCap(7);  // the server lists 7 although 1000 were allowed
  auto client = env.MakeClient();
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, Day(), &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 40u);
}

TEST(FaceList, FullListWithoutMessageIsTreatedAsTruncated) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(30, kDayStart, 1'000'000);
  face.SetTruncationMessage(false);
  auto client = env.MakeClient();
  auto q = Day();
  q.max_list_length = 8;
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, q, &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 30u);
}

TEST(FaceList, TooManyInOneMillisecondIsAnErrorNotASilentTruncation) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(3, kDayStart + 1000, 60'000);
  face.AddMany(6, kDayStart + 43'200'345, 0);  // six recordings in the same millisecond
  face.SetCap(4);
  auto client = env.MakeClient();
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, Day(), &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kInternal);
  EXPECT_NE(error->message.find("2026-11-01 12:00:00.345"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("incomplete"), std::string::npos) << error->message;
}

TEST(FaceList, SingleMatchWindowYieldsTheRecording) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(1, kDayStart + 77, 0);
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), Day(), &error);
  ASSERT_FALSE(error);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], "1000");
}

TEST(FaceList, EntriesOutsideTheWindowAreDropped) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, Result0(R"("token":"t")"), JsonHeaders()));
  });
  // A sloppy server returns everything, whatever the window.
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":-1,"message":"Returning all matches.","matches":[
          {"match":{"recordingId":1,"start":"2026-10-31 23:59:59.999"}},
          {"match":{"recordingId":2,"start":"2026-11-01 00:00:00"}},
          {"match":{"recordingId":3,"start":"2026-11-02 00:00:00"}},
          {"match":{"recordingId":2,"start":"2026-11-01 00:00:00"}}]}})",
        JsonHeaders()));
  });
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), Day(), &error);
  ASSERT_FALSE(error);
  EXPECT_EQ(ids, std::vector<std::string>{"2"});
  // Logged (audit 4): only the entry outside the window as sent. "2026-11-02 00:00:00" is inside it
  // (latestStart is the window's end rounded up to the second): dropped without a warning.
  EXPECT_NE(env.AllLogs().find("1 of the 4 entries listed for recordings starting in [2026-11-01T00:00:00Z, "
                               "2026-11-01T23:59:59.999Z] start outside the window that was asked for"),
            std::string::npos)
      << env.AllLogs();
  EXPECT_NE(env.AllLogs().find("e.g. recording 1 starts at \"2026-10-31 23:59:59.999\""), std::string::npos)
      << env.AllLogs();
}

// Audit 4: a server that writes times in another time zone (here two hours ahead) lists every
// recording outside the window. They are still left out, but never silently: one warning for the
// list, with the count, an example and the server_utc_offset hint.
TEST(FaceList, EntriesOutsideTheWindowAsSentAreLoggedOncePerList) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) { return LoginOk("t"); });
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        200, R"({"result":{"code":-1,"message":"Returning all matches.","matches":[
          {"match":{"recordingId":1,"start":"2026-11-01 12:00:01"}},
          {"match":{"recordingId":2,"start":"2026-11-01 12:00:02"}},
          {"match":{"recordingId":3,"start":"2026-11-01 12:30:00"}}]}})",
        JsonHeaders()));
  });
  ListQuery q;
  q.from = FromEpochMs(kDayStart + 10 * 3'600'000);
  q.to = FromEpochMs(kDayStart + 11 * 3'600'000);
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), q, &error);
  ASSERT_FALSE(error);
  EXPECT_TRUE(ids.empty());
  std::string const logs = env.AllLogs();
  std::size_t warnings = 0;
  for (auto p = logs.find("start outside the window"); p != std::string::npos;
       p = logs.find("start outside the window", p + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1u) << logs;
  EXPECT_NE(logs.find("3 of the 3 entries listed for recordings starting in [2026-11-01T10:00:00Z, "
                      "2026-11-01T10:59:59.999Z]"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("e.g. recording 1 starts at \"2026-11-01 12:00:01\", read as 2026-11-01T12:00:01Z"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("TimeFormat::server_utc_offset"), std::string::npos) << logs;
}

TEST(FaceList, SecondsPrecisionRoundsOutwardAndFiltersLocally) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(20, kDayStart + 400, 500);  // several per second
  auto o = env.Options();
  o.time_format.milliseconds = false;
  ccrec::face::Client client(o);
  ListQuery q;
  q.from = FromEpochMs(kDayStart + 900);
  q.to = FromEpochMs(kDayStart + 6400);
  q.max_list_length = 3;
  std::optional<ccrec::Error> error;
  auto ids = ListAll(client, q, &error);
  ASSERT_FALSE(error) << error->ToString();
  // Starts at 400, 900, 1400, ..., 9900: those in [900, 6400) are 900..5900 = 11 recordings.
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 11u);
  EXPECT_EQ(ids.size(), 11u);
  for (auto const& r : env.transport->Requests()) {
    auto p = Params(r.url);
    if (p.count("earliestStart")) {
      EXPECT_EQ(p["earliestStart"].size(), 19u) << "no milliseconds on the wire";
      EXPECT_EQ(p["latestStart"].size(), 19u);
    }
  }
}

// Issue 11 item 2: lists write start times to the second while the search bounds are in
// milliseconds. A recording at :14.141 listed as ":14" in a window that begins at :14.062 must not
// be dropped: the listed second covers [:14.000, :14.999].
TEST(FaceList, SecondPrecisionListTimesAreComparedAtTheirPrecision) {
  Env env;
  FakeFace face(env.transport);
  face.SetSecondsInLists(true);
  face.AddMany(1, kDayStart + 14'141, 0);
  face.AddMany(1, kDayStart + 15'500, 0);
  // Before the window, but in its first second: the window is asked from ":14", and the entry
  // ":14" cannot be placed more exactly, so it is kept. The neighbouring run, which ends at
  // :14.062, keeps it too: both export it to the same key (never neither).
  face.AddMany(1, kDayStart + 14'020, 0);
  face.AddMany(1, kDayStart + 13'999, 0);  // a second earlier: the server does not list it
  ListQuery q;
  q.from = FromEpochMs(kDayStart + 14'062);
  q.to = FromEpochMs(kDayStart + 20'000);
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), q, &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), (std::set<std::string>{"1000", "1001", "1002"}));
  EXPECT_EQ(ids.size(), 3u);
}

TEST(FaceList, SubSecondStartsInSplitWindowsAreNeitherLostNorDuplicated) {
  Env env;
  FakeFace face(env.transport);
  face.SetSecondsInLists(true);
  face.AddMany(431, kDayStart + 141, 4'321);  // sub-second starts; windows split at odd milliseconds
  auto q = Day();
  q.max_list_length = 7;
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), q, &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 431u);
  EXPECT_EQ(ids.size(), 431u) << "each recording once";
}

// The date-parameter format is undocumented (reference §4 [U]). A server that reads only
// "yyyy-MM-dd HH:mm:ss" of "...:14.499" takes it as ":14.000"; had ccrec sent milliseconds, the
// recording at :14.200 would be in neither of two adjacent runs (the first asked up to ":14", the
// second dropped it as before its window), and :15.999 would be lost at the next edge likewise.
TEST(FaceList, WholeSecondBoundsLoseNothingWhenTheServerIgnoresFractions) {
  Env env;
  FakeFace face(env.transport);
  face.SetDateFractionsIgnored(true);
  for (std::int64_t at : {10'000, 14'200, 14'700, 15'999, 16'000, 19'999}) face.AddMany(1, kDayStart + at, 0);
  auto client = env.MakeClient();
  std::multiset<std::string> listed;
  for (auto [from, to] : {std::pair{10'000, 14'500}, {14'500, 16'000}, {16'000, 20'000}}) {
    ListQuery q;
    q.from = FromEpochMs(kDayStart + from);
    q.to = FromEpochMs(kDayStart + to);
    std::optional<ccrec::Error> error;
    for (auto const& id : ListAll(client, q, &error)) listed.insert(id);
    ASSERT_FALSE(error) << error->ToString();
  }
  EXPECT_EQ(listed, (std::multiset<std::string>{"1000", "1001", "1002", "1003", "1004", "1005"}))
      << "each recording in exactly one of the adjacent runs";
  for (auto const& r : env.transport->Requests()) {
    auto p = Params(r.url);
    if (!p.count("earliestStart")) continue;
    EXPECT_EQ(p["earliestStart"].size(), 19u) << "no fraction on the wire: " << r.url;
    EXPECT_EQ(p["latestStart"].size(), 19u) << r.url;
  }
}

TEST(FaceList, ASecondHoldingMoreThanAListIsSplitToTheMillisecond) {
  Env env;
  FakeFace face(env.transport);
  face.AddMany(3, kDayStart + 1000, 60'000);
  face.AddMany(12, kDayStart + 30'000, 37);  // twelve in one second
  face.SetCap(5);
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), Day(), &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 15u);
  EXPECT_EQ(ids.size(), 15u) << "each recording once";
  bool fraction_sent = false;
  for (auto const& r : env.transport->Requests()) fraction_sent |= Params(r.url)["latestStart"].size() == 23;
  EXPECT_TRUE(fraction_sent) << "milliseconds go on the wire only to split one second";
}

// Splitting a second needs a server that honours milliseconds. One that ignores them answers a
// sub-second window with the recordings of its whole second's first instant only: the lister sees
// that recordings listed for the second are in none of the sub-second answers and fails, rather
// than list a thinned second. Lists that write starts to the second are checked the same way.
TEST(FaceList, AServerIgnoringFractionsFailsASecondItCannotSplit) {
  for (bool seconds_in_lists : {false, true}) {
    SCOPED_TRACE("seconds_in_lists=" + std::to_string(seconds_in_lists));
    Env env;
    FakeFace face(env.transport);
    face.SetDateFractionsIgnored(true);
    face.SetSecondsInLists(seconds_in_lists);
    face.AddMany(12, kDayStart + 30'000, 37);
    face.SetCap(5);
    std::optional<ccrec::Error> error;
    ListAll(env.MakeClient(), Day(), &error);
    ASSERT_TRUE(error) << "a thinned second must not end the listing as complete";
    EXPECT_EQ(error->code, ErrorCode::kInternal);
    EXPECT_NE(error->message.find("does not honour milliseconds"), std::string::npos) << error->message;
  }
}

// The same check, with a server that honours milliseconds but lists starts to the second, and a run
// that begins inside the crowded second: recordings of that second before the run's start are
// listed for the second (":30") but belong to the previous run, so their absence from the
// sub-second answers is no alarm.
TEST(FaceList, ASplitSecondAtTheRunsEdgeIsListedCompletely) {
  Env env;
  FakeFace face(env.transport);
  face.SetSecondsInLists(true);
  face.AddMany(7, kDayStart + 30'222, 37);  // ids 1000..1006, :30.222 .. :30.444: this run's
  face.AddMany(5, kDayStart + 30'000, 37);  // ids 1007..1011, :30.000 .. :30.148: the previous run's
  face.SetCap(5);  // the fake lists the last added first: the second's list holds exactly those five
  ListQuery q;
  q.from = FromEpochMs(kDayStart + 30'200);
  q.to = FromEpochMs(kDayStart + 40'000);
  std::optional<ccrec::Error> error;
  auto ids = ListAll(env.MakeClient(), q, &error);
  ASSERT_FALSE(error) << error->ToString();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            (std::set<std::string>{"1000", "1001", "1002", "1003", "1004", "1005", "1006"}));
}

TEST(FaceList, TimeSpanFollowsTheWrittenPrecision) {
  using ccrec::face::detail::TimeSpanMs;
  EXPECT_EQ(TimeSpanMs("2026-11-01 10:00:14"), 1000);
  EXPECT_EQ(TimeSpanMs("2026-11-01 10:00:14.1"), 100);
  EXPECT_EQ(TimeSpanMs("2026-11-01 10:00:14.14"), 10);
  EXPECT_EQ(TimeSpanMs("2026-11-01 10:00:14.141"), 1);
  EXPECT_EQ(TimeSpanMs(""), 1);
  ccrec::face::RecordingMatch m;
  m.start_text = "2026-11-01 00:00:14";
  m.start = FromEpochMs(kDayStart + 14'000);
  EXPECT_TRUE(ccrec::face::detail::MayStartIn(m, kDayStart + 14'062, kDayStart + 20'000));
  EXPECT_TRUE(ccrec::face::detail::MayStartIn(m, kDayStart, kDayStart + 14'000));
  EXPECT_FALSE(ccrec::face::detail::MayStartIn(m, kDayStart + 15'000, kDayStart + 20'000));
  EXPECT_FALSE(ccrec::face::detail::MayStartIn(m, kDayStart, kDayStart + 13'999));
  EXPECT_TRUE(ccrec::face::detail::SurelyStartsIn(m, kDayStart + 14'000, kDayStart + 14'999));
  EXPECT_FALSE(ccrec::face::detail::SurelyStartsIn(m, kDayStart + 14'062, kDayStart + 20'000))
      << "\":14\" may be before :14.062";
  m.start_text = "2026-11-01 00:00:14.000";
  EXPECT_FALSE(ccrec::face::detail::MayStartIn(m, kDayStart + 14'062, kDayStart + 20'000));
  EXPECT_TRUE(ccrec::face::detail::SurelyStartsIn(m, kDayStart + 14'000, kDayStart + 14'000));
  m.start.reset();
  EXPECT_TRUE(ccrec::face::detail::MayStartIn(m, kDayStart + 14'062, kDayStart + 20'000)) << "unknown: kept";
  EXPECT_FALSE(ccrec::face::detail::SurelyStartsIn(m, kDayStart, kDayStart + 20'000)) << "unknown: not placed";
}

TEST(FaceList, BadQueries) {
  Env env;
  auto client = env.MakeClient();
  ListQuery empty;
  std::optional<ccrec::Error> error;
  ListAll(client, empty, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kInvalidArgument);
  auto q = Day();
  q.max_list_length = 0;
  error.reset();
  ListAll(client, q, &error);
  ASSERT_TRUE(error);
  auto f = Day();
  f.filter.earliest_start = FromEpochMs(kDayStart);
  error.reset();
  ListAll(client, f, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(FaceList, ErrorsEndThePager) {
  Env env;
  env.transport->Route("POST", "/Face/login", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, Result0(R"("token":"t")"), JsonHeaders()));
  });
  env.transport->Route("GET", "/Face/audioRecording/details", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(200, R"({"result":{"code":2,"message":"Host Not Authorized"}})", JsonHeaders()));
  });
  int n = 0;
  std::optional<ccrec::Error> last;
  for (auto& m : env.MakeClient().ListRecordings(Day())) {
    ++n;
    if (!m) last = m.error();
  }
  EXPECT_EQ(n, 1);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->vendor_code, "2");
}

}  // namespace
}  // namespace face_test
