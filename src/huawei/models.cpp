// SPDX-License-Identifier: Apache-2.0
// Lenient parsing of AgentMediaEvent_Record / _Record_Fail / _StopRecordDone (reference §5).

#include <ccrec/huawei/models.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <cctype>
#include <cmath>

namespace ccrec::huawei {

namespace {

namespace util = ::ccrec::detail;

/// A string member, or a number member's text exactly as the gateway wrote it ("1E2", "1.0", a
/// 30-digit id); "" otherwise.
std::string Text(util::JsonWithSpans const& doc, rapidjson::Value const& obj, char const* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return {};
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsNumber()) return std::string(doc.Raw(it->value));
  return {};
}

std::optional<int> SmallInt(rapidjson::Value const& obj, char const* key) {
  auto v = util::OptInt64(obj, key);
  if (!v) {
    // " 2 " or "2.0" are not documented but cost nothing to accept.
    // The range check comes before the cast: converting 1e300 to int64 is undefined behaviour.
    if (auto d = util::OptDouble(obj, key); d && std::floor(*d) == *d && std::fabs(*d) <= 1e6) {
      v = static_cast<std::int64_t>(*d);
    }
  }
  if (!v || *v < -1'000'000 || *v > 1'000'000) return std::nullopt;
  return static_cast<int>(*v);
}

bool AllDigits(std::string const& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isdigit(c)) return false;
  }
  return true;
}

}  // namespace

Result<RecordingReference> ParseRecordEvent(AgentEvent const& event) {
  if (event.event_type != kRecordEvent && event.event_type != kRecordFailEvent) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "event \"" + event.event_type + "\" is not an " + std::string(kRecordEvent) + " event");
  }
  auto parsed = util::ParseJsonWithSpans(event.content_json, std::string(kRecordEvent) + " content");
  if (!parsed) return std::move(parsed).error();
  auto Text = [&](rapidjson::Value const& obj, char const* key) { return huawei::Text(*parsed, obj, key); };
  rapidjson::Document const* doc = &parsed->Doc();
  if (!doc->IsObject()) {
    return MakeError(ErrorCode::kParse, std::string(kRecordEvent) + " event of agent " + event.work_no +
                                            " has no content object");
  }
  RecordingReference r;
  r.agent_id = event.work_no;
  r.file_name = Text(*doc, "fileName");
  if (r.file_name.empty()) {
    return MakeError(ErrorCode::kParse, std::string(kRecordEvent) + " event of agent " + event.work_no +
                                            " has no fileName (callId \"" + Text(*doc, "callId") + "\")");
  }
  r.location_id = Text(*doc, "locationId");
  while (!r.location_id.empty() && r.location_id.front() == ' ') r.location_id.erase(0, 1);
  while (!r.location_id.empty() && r.location_id.back() == ' ') r.location_id.pop_back();
  if (!r.location_id.empty() && !AllDigits(r.location_id)) {
    return MakeError(ErrorCode::kParse, std::string(kRecordEvent) + " event for \"" + r.file_name +
                                            "\" has a locationId that is not a number: \"" + r.location_id + "\"");
  }
  r.record_serial = Text(*doc, "recordID");
  r.call_id = Text(*doc, "callId");
  r.caller = Text(*doc, "caller");
  r.called = Text(*doc, "called");
  r.file_media_type = SmallInt(*doc, "fileMediaType");
  r.task_id = Text(*doc, "taskId");
  r.event_time = event.generated_at;
  r.content_json = event.content_json;
  return r;
}

std::optional<RecordingStopped> ParseStopRecordDone(AgentEvent const& event) {
  if (event.event_type != kStopRecordDoneEvent) return std::nullopt;
  auto parsed = util::ParseJsonWithSpans(event.content_json, "StopRecordDone content");
  if (!parsed || !parsed->Doc().IsObject()) return std::nullopt;
  rapidjson::Document const* doc = &parsed->Doc();
  RecordingStopped s;
  s.task_id = Text(*parsed, *doc, "taskId");
  if (s.task_id.empty()) return std::nullopt;
  if (auto b = util::OptInt64(*doc, "beginTime")) s.begin_time = util::FromEpochMs(*b);
  if (auto e = util::OptInt64(*doc, "endTime")) s.end_time = util::FromEpochMs(*e);
  s.file_media_type = SmallInt(*doc, "fileMediaType");
  return s;
}

}  // namespace ccrec::huawei
