// SPDX-License-Identifier: Apache-2.0
// v1 record models, CAR ids and activity chains (reference webex-legacy-v1.md §2, §4, §5).

#include <ccrec/webex_legacy/models.hpp>

#include <ccrec/core/log.hpp>

#include "internal/ascii.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "webex_legacy/field_names.hpp"
#include "webex_legacy/json_scan.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

namespace ccrec::webex_legacy {

namespace util = ::ccrec::detail;

namespace {

/// Each record type with its path segment (reference §2): the one table ToPathSegment() and
/// ParseRecordType() read.
constexpr std::pair<RecordType, std::string_view> kPathSegments[] = {
    {RecordType::kCsr, "csrs"}, {RecordType::kCar, "cars"}, {RecordType::kAsr, "asrs"}, {RecordType::kAar, "aars"}};

std::optional<std::int64_t> ParseEpochMs(std::string_view raw) { return detail::ParseInteger(raw); }

bool IsNumberText(std::string_view raw) {
  return !raw.empty() && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'));
}

template <typename T>
struct FieldSpec {
  char const* name;
  std::optional<std::string> T::*text = nullptr;
  std::optional<EpochTime> T::*time = nullptr;
};

/// Fills a typed member from a raw value. Returns true when the member was consumed (typed, or a
/// null for a well-known member, which reads as absent).
template <typename T>
bool Assign(T& record, FieldSpec<T> const& spec, std::string_view raw) {
  if (raw == "null") {
    return spec.text ? !(record.*spec.text).has_value() : !(record.*spec.time).has_value();
  }
  if (spec.text) {
    auto& slot = record.*spec.text;
    if (slot) return false;  // a duplicate member: keep it in other_fields
    if (raw.front() == '"') {
      slot = detail::DecodeString(raw);
      return true;
    }
    if (IsNumberText(raw)) {
      slot = std::string(raw);
      return true;
    }
    return false;
  }
  auto& slot = record.*spec.time;
  if (slot) return false;
  auto ms = ParseEpochMs(raw);
  if (!ms) return false;
  slot = util::FromEpochMs(*ms);
  return true;
}

template <typename T>
Result<T> ParseRecord(std::string_view json, std::vector<FieldSpec<T>> const& specs, char const* what) {
  auto doc = util::ParseJson(json, what);
  if (!doc) return std::move(doc).error();
  if (!doc->IsObject()) return MakeError(ErrorCode::kParse, std::string(what) + " is not a JSON object");
  T record;
  record.json = detail::CompactJson(json);
  for (auto const& [key, value] : detail::ObjectMembers(record.json)) {
    std::string name = detail::DecodeString(key);
    bool consumed = false;
    for (auto const& spec : specs) {
      if (name == spec.name) {
        consumed = Assign(record, spec, value);
        break;
      }
    }
    if (!consumed) record.other_fields.push_back(RawField{std::move(name), std::string(value)});
  }
  return record;
}

std::vector<FieldSpec<Csr>> const& CsrSpecs() {
  static std::vector<FieldSpec<Csr>> const specs{
      {"sid", &Csr::sid},
      {"cstts", nullptr, &Csr::cstts},
      {"cetts", nullptr, &Csr::cetts},
      {"ani", &Csr::ani},
      {"dnis", &Csr::dnis},
      {"channelType", &Csr::channel_type},
      {"direction", &Csr::direction},
      {"entrypointId", &Csr::entrypoint_id},
      {"entrypointName", &Csr::entrypoint_name},
      {"queueId", &Csr::queue_id},
      {"queueName", &Csr::queue_name},
      {"agentId", &Csr::agent_id},
      {"agentName", &Csr::agent_name},
      {"teamId", &Csr::team_id},
      {"teamName", &Csr::team_name},
      {"siteId", &Csr::site_id},
      {"siteName", &Csr::site_name},
      {"terminationType", &Csr::termination_type},
  };
  return specs;
}

std::vector<FieldSpec<Car>> const& CarSpecs() {
  static std::vector<FieldSpec<Car>> const specs{
      {"id", &Car::id},
      {"session", &Car::session},
      {"state", &Car::state},
      {"cstts", nullptr, &Car::cstts},
      {"cetts", nullptr, &Car::cetts},
      {"queueId", &Car::queue_id},
      {"queueName", &Car::queue_name},
      {"agentId", &Car::agent_id},
      {"agentName", &Car::agent_name},
  };
  return specs;
}

std::vector<FieldSpec<Asr>> const& AsrSpecs() {
  static std::vector<FieldSpec<Asr>> const specs{
      {"id", &Asr::id},
      {"sid", &Asr::id},
      {"agentId", &Asr::agent_id},
      {"agentName", &Asr::agent_name},
      {"agentLogin", &Asr::agent_login},
      {"teamId", &Asr::team_id},
      {"teamName", &Asr::team_name},
      {"siteId", &Asr::site_id},
      {"siteName", &Asr::site_name},
      {"channelType", &Asr::channel_type},
      {"cstts", nullptr, &Asr::cstts},
      {"cetts", nullptr, &Asr::cetts},
  };
  return specs;
}

std::vector<FieldSpec<Aar>> const& AarSpecs() {
  static std::vector<FieldSpec<Aar>> const specs{
      {"id", &Aar::id},
      {"session", &Aar::session},
      {"agentId", &Aar::agent_id},
      {"agentName", &Aar::agent_name},
      {"state", &Aar::state},
      {"cstts", nullptr, &Aar::cstts},
      {"cetts", nullptr, &Aar::cetts},
      {"idleCodeName", &Aar::idle_code_name},
  };
  return specs;
}

/// Member names of error objects (compared ignoring ASCII case): what an error answer sent with
/// status 200 carries instead of record fields. v1 error bodies are undocumented (reference §6).
constexpr std::string_view kErrorMemberNames[] = {"error",       "errors", "errorMessage", "error_message",
                                                  "message",     "fault",  "status",       "statusCode",
                                                  "code",        "reason", "description",  "trackingId"};

/// Why `object` (an element of a list answer) is no v1 record, or nullopt: an empty object, or one
/// with no member named like a v1 field and one named like an error member, e.g. `{"error":"…"}`
/// answered with status 200, which must not be stored as a window's one record. Anything else is
/// kept: an operator's aggregation query may return rows of other columns (reference §4). Names at
/// most 5 of its members, printable ASCII, secrets masked.
std::optional<std::string> NotARecordProblem(rapidjson::Value const& object) {
  std::string names;
  std::size_t count = 0;
  bool error_member = false;
  for (auto const& member : object.GetObject()) {
    std::string_view const name(member.name.GetString(), member.name.GetStringLength());
    if (detail::IsV1FieldName(name)) return std::nullopt;
    for (auto known : kErrorMemberNames) error_member = error_member || util::EqualsIgnoreCase(name, known);
    if (++count <= 5) {
      names += (names.empty() ? "\"" : ", \"") + util::PrintableAscii(std::string(name.substr(0, 40))) + "\"";
    }
  }
  if (count == 0) return std::string("is an empty object, not a v1 record");
  if (!error_member) return std::nullopt;
  return "is an error object, not a v1 record (no v1 field; its members: " + RedactSecrets(names) +
         (count > 5 ? ", …" : "") + "): an error answered with status 200?";
}

template <typename T>
Result<std::vector<T>> ParseList(std::string_view json, std::vector<FieldSpec<T>> const& specs, char const* what) {
  auto records = SplitRecordArray(json);
  if (!records) return std::move(records).error();
  std::vector<T> out;
  out.reserve(records->size());
  for (auto const& text : *records) {
    auto record = ParseRecord<T>(text, specs, what);
    if (!record) return std::move(record).error();
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace

std::string_view ToPathSegment(RecordType type) noexcept {
  for (auto const& [known, segment] : kPathSegments) {
    if (known == type) return segment;
  }
  return "csrs";
}

std::optional<RecordType> ParseRecordType(std::string_view text) noexcept {
  for (auto const& [type, segment] : kPathSegments) {
    if (segment == text) return type;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> SplitRecordArray(std::string_view json) {
  auto doc = util::ParseJson(json, "v1 record list");
  if (!doc) return std::move(doc).error();
  if (!doc->IsArray()) {
    return MakeError(ErrorCode::kParse, std::string("v1 record list is not a JSON array (it is a JSON ") +
                                            (doc->IsObject() ? "object" : "scalar") + ")");
  }
  std::size_t index = 0;
  for (auto const& element : doc->GetArray()) {
    if (!element.IsObject()) {
      return MakeError(ErrorCode::kParse,
                       "v1 record list: element " + std::to_string(index) + " is not a JSON object");
    }
    if (auto problem = NotARecordProblem(element)) {
      return MakeError(ErrorCode::kParse, "v1 record list: element " + std::to_string(index) + " " + *problem);
    }
    ++index;
  }
  std::string compact = detail::CompactJson(json);
  std::vector<std::string> out;
  out.reserve(index);
  for (auto element : detail::ArrayElements(compact)) out.emplace_back(element);
  if (out.size() != index) {
    // The byte scanner disagrees with the parser: never pass that off as fewer (or no) records.
    std::string const shown = ::ccrec::detail::PrintableAscii(compact.substr(0, 16));
    return MakeError(ErrorCode::kInternal, "v1 record list: the body parsed as a JSON array of " +
                                               std::to_string(index) + " record(s), but " + std::to_string(out.size()) +
                                               " could be cut out of it (its compacted text starts \"" + shown +
                                               "\"); nothing was kept from it (a ccrec bug: please report it)");
  }
  return out;
}

Result<Csr> ParseCsr(std::string_view json) { return ParseRecord<Csr>(json, CsrSpecs(), "v1 CSR"); }
Result<Car> ParseCar(std::string_view json) { return ParseRecord<Car>(json, CarSpecs(), "v1 CAR"); }
Result<Asr> ParseAsr(std::string_view json) { return ParseRecord<Asr>(json, AsrSpecs(), "v1 ASR"); }
Result<Aar> ParseAar(std::string_view json) { return ParseRecord<Aar>(json, AarSpecs(), "v1 AAR"); }
Result<std::vector<Csr>> ParseCsrList(std::string_view json) { return ParseList<Csr>(json, CsrSpecs(), "v1 CSR"); }
Result<std::vector<Car>> ParseCarList(std::string_view json) { return ParseList<Car>(json, CarSpecs(), "v1 CAR"); }
Result<std::vector<Asr>> ParseAsrList(std::string_view json) { return ParseList<Asr>(json, AsrSpecs(), "v1 ASR"); }
Result<std::vector<Aar>> ParseAarList(std::string_view json) { return ParseList<Aar>(json, AarSpecs(), "v1 AAR"); }

std::string ComposeCarId(std::string_view session_id, EpochTime timestamp, std::string_view event) {
  return std::string(session_id) + "-" + std::to_string(util::ToEpochMs(timestamp)) + "-" + std::string(event);
}

Result<CarId> ParseCarId(std::string_view id) {
  auto bad = [&](std::string const& why) {
    return MakeError(ErrorCode::kInvalidArgument, "CAR id \"" + std::string(id.substr(0, 200)) + "\" is not " +
                                                      "{sessionId}-{timestamp}-{event}: " + why);
  };
  if (id.size() < 36) return bad("shorter than a session UUID");
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = id[i];
    if (dash ? c != '-' : std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return bad("the first 36 characters are not a UUID");
    }
  }
  if (id.size() < 38 || id[36] != '-') return bad("no timestamp after the session UUID");
  auto dash = id.find('-', 37);
  if (dash == std::string_view::npos) return bad("no event after the timestamp");
  auto ms = ParseEpochMs(id.substr(37, dash - 37));
  if (!ms || id[37] == '-') return bad("the timestamp is not decimal epoch milliseconds");
  if (dash + 1 >= id.size()) return bad("the event name is empty");
  // Beyond system_clock's range (about year 2262) FromEpochMs saturates: another id would come back.
  constexpr std::int64_t kMaxMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::duration::max()).count();
  if (*ms > kMaxMs) return bad("the timestamp is beyond the year 2262");
  return CarId{std::string(id.substr(0, 36)), util::FromEpochMs(*ms), std::string(id.substr(dash + 1))};
}

ActivityChain BuildActivityChain(Csr const& csr, std::vector<Car> const& cars) {
  ActivityChain chain;
  if (!csr.sid) {
    chain.problems.push_back("the CSR has no sid");
    return chain;
  }
  std::set<std::string> seen;
  for (auto const& car : cars) {
    if (car.session != csr.sid) continue;
    std::string key = car.id ? *car.id : car.json;
    if (!seen.insert(key).second) continue;
    chain.activities.push_back(car);
  }
  std::stable_sort(chain.activities.begin(), chain.activities.end(), [](Car const& a, Car const& b) {
    auto ta = a.cstts.value_or(EpochTime::max());
    auto tb = b.cstts.value_or(EpochTime::max());
    if (ta != tb) return ta < tb;
    return a.cetts.value_or(EpochTime::max()) < b.cetts.value_or(EpochTime::max());
  });
  auto& acts = chain.activities;
  if (acts.empty()) {
    chain.problems.push_back("no activity records for session " + *csr.sid);
    return chain;
  }
  if (acts.front().state != std::string("new")) {
    chain.problems.push_back("the first activity is \"" + acts.front().state.value_or("") + "\", not \"new\"");
  }
  if (csr.cstts && acts.front().cstts != csr.cstts) {
    chain.problems.push_back("the first activity does not start at the CSR's cstts");
  }
  for (std::size_t i = 0; i < acts.size(); ++i) {
    if (!acts[i].cstts) chain.problems.push_back("activity " + std::to_string(i) + " has no cstts");
    if (i + 1 < acts.size() && acts[i].cetts != acts[i + 1].cstts) {
      chain.problems.push_back("gap after activity " + std::to_string(i) + " (\"" + acts[i].state.value_or("") +
                               "\"): its cetts is not the next activity's cstts");
    }
  }
  if (acts.back().state != std::string("ended")) {
    chain.problems.push_back("the last activity is \"" + acts.back().state.value_or("") + "\", not \"ended\"");
  }
  chain.complete = chain.problems.empty();
  return chain;
}

}  // namespace ccrec::webex_legacy
