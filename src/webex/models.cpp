// SPDX-License-Identifier: Apache-2.0
// JSON <-> model conversion for the Webex CC Tasks and Captures APIs (lenient parsing).

#include "webex/parse.hpp"

#include "internal/http_util.hpp"
#include "internal/time_util.hpp"

#include <cctype>
#include <string>

namespace ccrec::webex::detail {

namespace util = ::ccrec::detail;

std::optional<SysTime> OptEpochMs(rapidjson::Value const& obj, char const* key) {
  auto ms = util::OptInt64(obj, key);
  if (!ms || *ms > kMaxEpochMs || *ms < -kMaxEpochMs) return std::nullopt;
  return util::FromEpochMs(*ms);
}

Result<void> CheckJsonContentType(HttpHeaders const& headers, std::string_view what) {
  auto media = ::ccrec::detail::MediaType(headers);
  if (!media) return {};
  std::string const& lower = *media;
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (lower.empty() || lower == "application/json" || lower == "text/json" || ends_with("+json")) return {};
  return MakeError(ErrorCode::kParse, std::string(what) + " has Content-Type \"" +
                                          FindHeader(headers, "Content-Type").value_or("") +
                                          "\", expected application/json (a proxy or captive portal may have "
                                          "answered instead of the Webex API; check the base URL and proxy settings)");
}

std::optional<NamedRef> OptNamedRef(rapidjson::Value const& obj, char const* key) {
  auto const* ref = util::OptObject(obj, key);
  if (ref == nullptr) return std::nullopt;
  return NamedRef{util::OptString(*ref, "id"), util::OptString(*ref, "name")};
}

namespace {

constexpr char kTasksResponseWhat[] = "Webex GET /v1/tasks response";

std::string MemberNames(rapidjson::Value const& obj) {
  std::string names;
  if (!obj.IsObject()) return names;
  int n = 0;
  for (auto const& m : obj.GetObject()) {
    if (n++ == 8) {
      names += ", ...";
      break;
    }
    if (!names.empty()) names += ", ";
    names.append(m.name.GetString(), m.name.GetStringLength());
  }
  return names.empty() ? "none" : names;
}

Result<rapidjson::Value const*> DataArray(rapidjson::Document const& doc, std::string_view what) {
  if (!doc.IsObject()) {
    return MakeError(ErrorCode::kParse, std::string(what) + " is not a JSON object");
  }
  auto const* data = util::OptArray(doc, "data");
  if (data == nullptr) {
    return MakeError(ErrorCode::kParse, std::string(what) + " has no \"data\" array (members: " + MemberNames(doc) +
                                            "); is the base URL a Webex Contact Center API endpoint?");
  }
  return data;
}

/// Parses a `{"data": [...]}` answer into what `parse(doc, element, index)` returns for each
/// element of `data`, in order; an element it returns nullopt for is skipped (`parse` logs why).
/// `doc` holds the spans the elements' raw_json is copied from.
/// Errors: kParse when the body is not JSON or lacks the `data` array (DataArray()).
template <class T, class Parse>
Result<std::vector<T>> ParseDataElements(std::string_view body, std::string_view what, Parse&& parse) {
  auto doc = util::ParseJsonWithSpans(body, what);
  if (!doc) return std::move(doc).error();
  auto data = DataArray(doc->Doc(), what);
  if (!data) return std::move(data).error();
  std::vector<T> out;
  std::size_t index = 0;
  for (auto const& element : (*data)->GetArray()) {
    if (std::optional<T> parsed = parse(*doc, element, index++)) out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace

std::optional<Task> ParseTask(util::JsonWithSpans const& doc, rapidjson::Value const& value) {
  if (!value.IsObject()) return std::nullopt;
  auto id = util::OptString(value, "id");
  if (!id || id->empty()) return std::nullopt;
  Task task;
  task.id = std::move(*id);
  task.raw_json = std::string(doc.Raw(value));
  auto const* attrs = util::OptObject(value, "attributes");
  if (attrs == nullptr) return task;
  task.channel_type = util::OptString(*attrs, "channelType");
  task.status = util::OptString(*attrs, "status");
  task.origin = util::OptString(*attrs, "origin");
  task.destination = util::OptString(*attrs, "destination");
  task.direction = util::OptString(*attrs, "direction");
  task.reason_code = util::OptString(*attrs, "reasonCode");
  task.owner = OptNamedRef(*attrs, "owner");
  task.queue = OptNamedRef(*attrs, "queue");
  task.created_time = OptEpochMs(*attrs, "createdTime");
  task.last_updated_time = OptEpochMs(*attrs, "lastUpdatedTime");
  task.capture_requested = util::OptBool(*attrs, "captureRequested");
  return task;
}

Result<TasksPage> ParseTasksPage(std::string_view body) {
  auto doc = util::ParseJsonWithSpans(body, kTasksResponseWhat);
  if (!doc) return std::move(doc).error();
  auto data = DataArray(doc->Doc(), kTasksResponseWhat);
  if (!data) return std::move(data).error();
  TasksPage page;
  page.elements = (*data)->Size();
  if (auto const* links = util::OptObject(doc->Doc(), "links")) {
    auto const non_empty = [](std::optional<std::string> const& s) { return s && !s->empty(); };
    if (non_empty(util::OptString(*links, "next"))) page.next_link = true;
    if (auto const* next = util::OptObject(*links, "next"); next && non_empty(util::OptString(*next, "href"))) {
      page.next_link = true;
    }
  }
  std::size_t index = 0;
  for (auto const& element : (*data)->GetArray()) {
    if (auto task = ParseTask(*doc, element)) {
      page.tasks.push_back(std::move(*task));
    } else {
      MalformedTask bad;
      bad.raw_json = std::string(doc->Raw(element));
      if (auto const* attrs = element.IsObject() ? util::OptObject(element, "attributes") : nullptr) {
        bad.created_time = OptEpochMs(*attrs, "createdTime");
      }
      bad.reason = "data[" + std::to_string(index) + "] has no string \"id\" (or is not an object)";
      page.malformed.push_back(std::move(bad));
    }
    ++index;
  }
  return page;
}

Result<std::vector<Task>> ParseTasksResponse(std::string_view body, Logger const& logger) {
  auto page = ParseTasksPage(body);
  if (!page) return std::move(page).error();
  for (auto const& bad : page->malformed) logger.Warn(std::string(kTasksResponseWhat) + ": " + bad.reason + "; skipped");
  return std::move(page->tasks);
}

Recording ParseRecording(util::JsonWithSpans const& doc, rapidjson::Value const& value) {
  Recording rec;
  rec.raw_json = std::string(doc.Raw(value));
  if (!value.IsObject()) return rec;
  rec.id = util::OptString(value, "id").value_or("");
  rec.segment = util::OptBool(value, "segment");
  auto const* attrs = util::OptObject(value, "attributes");
  if (attrs == nullptr) return rec;
  auto& a = rec.attributes;
  a.file_name = util::OptString(*attrs, "fileName");
  a.file_path = util::OptString(*attrs, "filePath");
  a.channel1 = util::OptString(*attrs, "channel1");
  a.channel2 = util::OptString(*attrs, "channel2");
  a.call_type = util::OptString(*attrs, "callType");
  a.start_time = OptEpochMs(*attrs, "startTime");
  a.stop_time = OptEpochMs(*attrs, "stopTime");
  a.participants = util::StringArray(util::OptArray(*attrs, "participants"));
  a.sensitive = util::OptBool(*attrs, "sensitive");
  return rec;
}

Transcription ParseTranscription(util::JsonWithSpans const& doc, rapidjson::Value const& value) {
  Transcription t;
  t.raw_json = std::string(doc.Raw(value));
  if (!value.IsObject()) return t;
  t.id = util::OptString(value, "id").value_or("");
  t.source = util::OptString(value, "Source");
  if (!t.source) t.source = util::OptString(value, "source");
  t.provider = util::OptString(value, "Provider");
  if (!t.provider) t.provider = util::OptString(value, "provider");
  t.file_name = util::OptString(value, "fileName");
  t.file_path = util::OptString(value, "filePath");
  t.start_time = OptEpochMs(value, "startTime");
  t.create_time = OptEpochMs(value, "createTime");
  t.language_code = util::OptString(value, "languageCode");
  return t;
}

Result<std::vector<TaskCaptures>> ParseCapturesResponse(std::string_view body, Logger const& logger) {
  constexpr std::string_view kWhat = "Webex POST /v1/captures/query response";
  return ParseDataElements<TaskCaptures>(body, kWhat, [&](util::JsonWithSpans const& doc,
                                                          rapidjson::Value const& element,
                                                          std::size_t index) -> std::optional<TaskCaptures> {
    auto task_id = element.IsObject() ? util::OptString(element, "taskId") : std::nullopt;
    if (!task_id || task_id->empty()) {
      logger.Warn(std::string(kWhat) + ": data[" + std::to_string(index) +
                  "] has no string \"taskId\" (or is not an object); its captures cannot be attributed and are "
                  "skipped");
      return std::nullopt;
    }
    TaskCaptures tc;
    tc.task_id = std::move(*task_id);
    // Either list given as one object where the array belongs is read as that one entry (else a
    // task's transcript beside its recordings would be missing with exit status 0).
    if (auto const* recs = util::OptArray(element, "recording")) {
      for (auto const& r : recs->GetArray()) tc.recordings.push_back(ParseRecording(doc, r));
    } else if (auto const* single = util::OptObject(element, "recording")) {
      tc.recordings.push_back(ParseRecording(doc, *single));
    }
    if (auto const* trs = util::OptArray(element, "transcription")) {
      for (auto const& t : trs->GetArray()) tc.transcriptions.push_back(ParseTranscription(doc, t));
    } else if (auto const* single = util::OptObject(element, "transcription")) {
      tc.transcriptions.push_back(ParseTranscription(doc, *single));
    }
    for (char const* list : {"recording", "transcription"}) {
      auto it = element.FindMember(list);
      if (it == element.MemberEnd() || it->value.IsNull() || it->value.IsArray() || it->value.IsObject()) continue;
      logger.Warn(std::string(kWhat) + ": data[" + std::to_string(index) + "] (task " + tc.task_id + ") has a \"" +
                  list + "\" that is neither an array nor an object; none of its entries can be read");
    }
    return tc;
  });
}

std::string BuildCapturesRequestBody(std::vector<std::string> const& task_ids, CaptureQuery const& query) {
  std::string body = "{\"query\":{\"taskIds\":[";
  for (std::size_t i = 0; i < task_ids.size(); ++i) {
    if (i != 0) body += ',';
    body += '"' + util::JsonEscape(task_ids[i]) + '"';
  }
  body += "],\"urlExpiration\":" + std::to_string(query.url_expiration.count());
  body += std::string(",\"includeSegments\":") + (query.include_segments ? "true" : "false");
  body += std::string(",\"includeVARecordings\":") + (query.include_va_recordings ? "true" : "false");
  if (query.org_id) body += ",\"orgId\":\"" + util::JsonEscape(*query.org_id) + '"';
  body += "}}";
  return body;
}

}  // namespace ccrec::webex::detail
