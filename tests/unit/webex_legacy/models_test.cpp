// SPDX-License-Identifier: Apache-2.0
// Record parsing, CAR ids and activity chains (reference webex-legacy-v1.md §2, §4, §5).
#include <ccrec/webex_legacy/models.hpp>

#include <gtest/gtest.h>

#include "internal/time_util.hpp"

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;
using ccrec::detail::ToEpochMs;

std::string Other(std::vector<RawField> const& fields, std::string const& name) {
  for (auto const& f : fields) {
    if (f.name == name) return f.json;
  }
  return "<absent>";
}

TEST(Models, CsrTypedFieldsAndUnknownFieldsKeptExactly) {
  auto csr = ParseCsr(R"({
      "sid": "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0",
      "cstts": 1612238768144, "cetts": "1612238790724",
      "ani": "+14085551234", "dnis": "+18005550100", "channelType": "telephony",
      "queueId": 1001, "queueName": "Support, Tier 1", "agentName": "Ana \"A\" B",
      "isRecorded": true, "csat": 1.50, "big": 12345678901234567890, "exp": 1e2,
      "cad": { "a" : [1, 2, {"b": null}] }, "wrapupCode": null, "terminationType": null,
      "notes": "line1\nline2 \u00e9", "ani": "+1999" })");
  ASSERT_TRUE(csr) << csr.error().ToString();
  EXPECT_EQ(csr->sid, "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0");
  EXPECT_EQ(ToEpochMs(*csr->cstts), 1612238768144);
  EXPECT_EQ(ToEpochMs(*csr->cetts), 1612238790724);  // numeric strings accepted
  EXPECT_EQ(csr->ani, "+14085551234");
  EXPECT_EQ(csr->dnis, "+18005550100");
  EXPECT_EQ(csr->channel_type, "telephony");
  EXPECT_EQ(csr->queue_id, "1001");  // numbers accepted for string members, as their text
  EXPECT_EQ(csr->queue_name, "Support, Tier 1");
  EXPECT_EQ(csr->agent_name, "Ana \"A\" B");
  EXPECT_FALSE(csr->termination_type.has_value());  // null reads as absent
  EXPECT_FALSE(csr->agent_id.has_value());
  EXPECT_EQ(Other(csr->other_fields, "isRecorded"), "true");
  EXPECT_EQ(Other(csr->other_fields, "csat"), "1.50");
  EXPECT_EQ(Other(csr->other_fields, "big"), "12345678901234567890");
  EXPECT_EQ(Other(csr->other_fields, "exp"), "1e2");
  EXPECT_EQ(Other(csr->other_fields, "cad"), "{\"a\":[1,2,{\"b\":null}]}");
  EXPECT_EQ(Other(csr->other_fields, "wrapupCode"), "null");
  EXPECT_EQ(Other(csr->other_fields, "notes"), "\"line1\\nline2 \\u00e9\"");
  EXPECT_EQ(Other(csr->other_fields, "ani"), "\"+1999\"");  // a duplicate member is kept, not lost
  EXPECT_EQ(Other(csr->other_fields, "terminationType"), "<absent>");
  EXPECT_EQ(csr->json.find('\n'), std::string::npos);
  EXPECT_NE(csr->json.find("\"notes\":\"line1\\nline2 \\u00e9\""), std::string::npos) << csr->json;
  EXPECT_NE(csr->json.find("\"csat\":1.50"), std::string::npos);
}

TEST(Models, WrongTypesGoToOtherFields) {
  auto csr = ParseCsr(R"({"sid":{"x":1},"cstts":"soon","ani":false,"cetts":1.5})");
  ASSERT_TRUE(csr);
  EXPECT_FALSE(csr->sid);
  EXPECT_FALSE(csr->cstts);
  EXPECT_FALSE(csr->ani);
  EXPECT_FALSE(csr->cetts);
  EXPECT_EQ(Other(csr->other_fields, "sid"), "{\"x\":1}");
  EXPECT_EQ(Other(csr->other_fields, "cstts"), "\"soon\"");
  EXPECT_EQ(Other(csr->other_fields, "ani"), "false");
  EXPECT_EQ(Other(csr->other_fields, "cetts"), "1.5");
}

TEST(Models, OtherRecordTypes) {
  auto car = ParseCar(R"({"id":"s-1-new","session":"s","state":"ivr-connected","cstts":1,"cetts":2,
                          "agentId":"a","isActive":false})");
  ASSERT_TRUE(car);
  EXPECT_EQ(car->state, "ivr-connected");
  EXPECT_EQ(car->session, "s");
  EXPECT_EQ(Other(car->other_fields, "isActive"), "false");
  auto asr = ParseAsr(R"({"sid":"as-1","agentLogin":"a@b.c","cstts":5})");
  ASSERT_TRUE(asr);
  EXPECT_EQ(asr->id, "as-1");
  EXPECT_EQ(asr->agent_login, "a@b.c");
  auto aar = ParseAar(R"({"id":"x","session":"as-1","state":"idle","idleCodeName":"Lunch, long"})");
  ASSERT_TRUE(aar);
  EXPECT_EQ(aar->idle_code_name, "Lunch, long");
  auto list = ParseCarList(R"([{"id":"1"},{"id":"2"}])");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ(ParseAsrList("[]")->size(), 0u);
  EXPECT_EQ(ParseAarList("{}").error().code, ErrorCode::kParse);
}

TEST(Models, SplitRecordArrayKeepsRecordsByteExact) {
  auto records = SplitRecordArray("[ {\"a\" : true, \"s\":\"x , ] } \\\" y\"} ,\n\t{\"b\":[1.0, {\"c\":\"}\"}]} ]");
  ASSERT_TRUE(records) << records.error().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0], "{\"a\":true,\"s\":\"x , ] } \\\" y\"}");
  EXPECT_EQ((*records)[1], "{\"b\":[1.0,{\"c\":\"}\"}]}");
  EXPECT_TRUE(SplitRecordArray("[]")->empty());
}

// A UTF-8 byte-order mark before the array (the JSON parser accepts it) is not part of the first
// record, and never makes the list look empty.
TEST(Models, SplitRecordArraySkipsAByteOrderMark) {
  auto one = SplitRecordArray("\xEF\xBB\xBF[{\"cstts\":1}]");
  ASSERT_TRUE(one) << one.error().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0], "{\"cstts\":1}");
  auto two = SplitRecordArray("\xEF\xBB\xBF [ {\"a\":1} , {\"b\":2} ]");
  ASSERT_TRUE(two) << two.error().ToString();
  EXPECT_EQ(*two, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_TRUE(SplitRecordArray("\xEF\xBB\xBF[]")->empty());
  auto csr = ParseCsr("\xEF\xBB\xBF{\"sid\":\"s1\",\"cstts\":5}");
  ASSERT_TRUE(csr) << csr.error().ToString();
  EXPECT_EQ(csr->sid.value_or(""), "s1");
  EXPECT_EQ(csr->json, "{\"sid\":\"s1\",\"cstts\":5}");
}

// An error object answered with status 200 inside the list (or an empty object) is no record:
// stored as the window's one record, it would hide that the window's real records never came.
TEST(Models, AnErrorObjectInTheListIsNoRecord) {
  for (char const* bad : {R"([{"error":"timed out"}])", R"([{"sid":"s1","cstts":1},{"message":"x","code":500}])",
                          R"([{}])", R"([{"ERROR":"a","b":1,"c":2,"d":3,"e":4,"f":5}])"}) {
    auto r = SplitRecordArray(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << bad;
    std::string const& m = r.error().message;
    EXPECT_TRUE(m.find("is an error object") != std::string::npos || m.find("is an empty object") != std::string::npos)
        << m;
    EXPECT_FALSE(ParseCsrList(bad)) << bad;
  }
  auto named = SplitRecordArray(R"([{"id":"1"},{"error":"boom","status":500}])");
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().message.find(R"(element 1 is an error object, not a v1 record (no v1 field; its )"
                                       R"(members: "error", "status"))"),
            std::string::npos)
      << named.error().message;
  auto many = SplitRecordArray(R"([{"ERROR":"a","b":1,"c":2,"d":3,"e":4,"f":5}])");
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().message.find(R"("ERROR", "b", "c", "d", "e", …))"), std::string::npos)
      << many.error().message;
  // One known field is enough, whatever else the record carries; and a row of other columns (an
  // operator's aggregation query) is kept as it is.
  for (char const* good : {R"([{"error":"none","cstts":1}])", R"([{"count":5,"bucket":"2026-11-01"}])"}) {
    auto kept = SplitRecordArray(good);
    ASSERT_TRUE(kept) << good << ": " << kept.error().ToString();
    EXPECT_EQ(kept->size(), 1u);
  }
}

TEST(Models, BadJsonIsAParseError) {
  for (char const* bad : {"", "[", "[{\"a\":1},", "[{\"a\":1}", "{\"a\":1}", "[1,2]", "[{\"a\":1}] x", "null",
                          "[{\"a\":\"raw\nnewline\"}]", "[{\"a\":tru}]", "<html>oops</html>"}) {
    auto r = SplitRecordArray(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_EQ(ParseCsr("[1]").error().code, ErrorCode::kParse);
  EXPECT_EQ(ParseCsr("{\"sid\":").error().code, ErrorCode::kParse);
}

TEST(Models, RecordTypes) {
  EXPECT_EQ(ToPathSegment(RecordType::kCsr), "csrs");
  EXPECT_EQ(ToPathSegment(RecordType::kCar), "cars");
  EXPECT_EQ(ToPathSegment(RecordType::kAsr), "asrs");
  EXPECT_EQ(ToPathSegment(RecordType::kAar), "aars");
  EXPECT_EQ(ParseRecordType("aars"), RecordType::kAar);
  EXPECT_FALSE(ParseRecordType("CSRS"));
  EXPECT_FALSE(ParseRecordType("csr"));
}

TEST(CarIds, ComposeAndParseTheLabExamples) {
  std::string sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  EXPECT_EQ(ComposeCarId(sid, FromEpochMs(1612238768144), "new"), sid + "-1612238768144-new");
  auto id = ParseCarId(sid + "-1612238769933-ivr-connected");
  ASSERT_TRUE(id) << id.error().ToString();
  EXPECT_EQ(id->session_id, sid);
  EXPECT_EQ(ToEpochMs(id->timestamp), 1612238769933);
  EXPECT_EQ(id->event, "ivr-connected");
  auto round = ParseCarId(ComposeCarId(sid, FromEpochMs(1612238790724), "parked"));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->event, "parked");
}

TEST(CarIds, Malformed) {
  std::string sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  for (std::string const& bad : std::vector<std::string>{"short-1-new", sid, sid + "-", sid + "-123", sid + "-123-", sid + "-12a-new",
                          sid + "--5-new", "74d98c29x39b4-4e1e-81fa-0ce0ae5aebb0-1-new",
                          "74d98c29-39b4-4e1e-81fa-0ce0ae5aebbZ-1-new",
                          // Found by fuzz_webex_legacy: beyond system_clock's range (year 2262) the
                          // timestamp saturated and ComposeCarId gave another id back.
                          sid + "-17934912000060-new", sid + "-999999999999999999-new"}) {
    auto r = ParseCarId(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

Car MakeCar(std::string const& session, std::string state, std::int64_t cstts, std::int64_t cetts) {
  Car c;
  c.session = session;
  c.state = std::move(state);
  c.cstts = FromEpochMs(cstts);
  c.cetts = FromEpochMs(cetts);
  c.id = ComposeCarId(session, FromEpochMs(cstts), *c.state);
  return c;
}

TEST(ActivityChain, OrdersLinksAndChecks) {
  Csr csr;
  csr.sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  csr.cstts = FromEpochMs(100);
  csr.cetts = FromEpochMs(400);
  std::vector<Car> cars{MakeCar(*csr.sid, "parked", 200, 300), MakeCar("other", "new", 100, 101),
                        MakeCar(*csr.sid, "ended", 400, 400), MakeCar(*csr.sid, "new", 100, 150),
                        MakeCar(*csr.sid, "ivr-connected", 150, 200), MakeCar(*csr.sid, "connected", 300, 400),
                        MakeCar(*csr.sid, "parked", 200, 300)};
  auto chain = BuildActivityChain(csr, cars);
  EXPECT_TRUE(chain.complete) << (chain.problems.empty() ? "" : chain.problems[0]);
  ASSERT_EQ(chain.activities.size(), 5u);
  std::vector<std::string> states;
  for (auto const& c : chain.activities) states.push_back(*c.state);
  EXPECT_EQ(states, (std::vector<std::string>{"new", "ivr-connected", "parked", "connected", "ended"}));

  cars.erase(cars.begin());  // remove "parked" twice -> a gap
  cars.pop_back();
  chain = BuildActivityChain(csr, cars);
  EXPECT_FALSE(chain.complete);
  ASSERT_FALSE(chain.problems.empty());
  EXPECT_NE(chain.problems[0].find("gap"), std::string::npos);

  Csr no_sid;
  EXPECT_FALSE(BuildActivityChain(no_sid, cars).complete);
}

}  // namespace
