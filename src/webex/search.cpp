// SPDX-License-Identifier: Apache-2.0
// The Search API (POST /search, GraphQL): request building, response parsing, paging
// (reference webex-cc.md §6; issue 13 item 3).

#include "webex/search_query.hpp"

#include <ccrec/webex/client.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "webex/parse.hpp"

#include <algorithm>
#include <set>

namespace ccrec::webex {

namespace util = ::ccrec::detail;

namespace {

constexpr char kSearchWhat[] = "Webex POST /search";
constexpr std::size_t kMaxPages = 100000;
// The fields ccrec asks for (the CAD aliases are added per query).
constexpr char kTaskFields[] =
    "id channelType status direction origin destination createdTime endedTime totalDuration captureRequested "
    "lastWrapupCodeName owner { id name } lastQueue { id name } lastTeam { id name } lastSite { id name }";

/// GraphQL filter conditions, comma-separated: "c1, c2, ...".
std::string JoinConditions(std::vector<std::string> const& conditions) {
  std::string out;
  for (std::size_t i = 0; i < conditions.size(); ++i) out += (i ? ", " : "") + conditions[i];
  return out;
}

/// The single condition, or `{or: [c1, c2, ...]}` of several (at least one).
std::string AnyCondition(std::vector<std::string> const& conditions) {
  return conditions.size() == 1 ? conditions[0] : "{or: [" + JoinConditions(conditions) + "]}";
}

/// `{field: {equals: "v1"}}`, or `{or: [...]}` of one such condition per value.
std::string AnyEquals(char const* field, std::vector<std::string> const& values) {
  std::vector<std::string> parts;
  for (auto const& v : values) parts.push_back(std::string("{") + field + ": {equals: " + detail::GraphQlString(v) + "}}");
  return AnyCondition(parts);
}

bool AnyOf(std::vector<std::string> const& wanted, std::optional<std::string> const& value) {
  if (wanted.empty()) return true;
  return value && std::find(wanted.begin(), wanted.end(), *value) != wanted.end();
}

}  // namespace

namespace detail {

std::string GraphQlString(std::string_view text) {
  // GraphQL string escapes are JSON's (GraphQL spec, "String Value"); DEL is escaped too.
  return "\"" + util::JsonEscape(text, /*escape_delete=*/true) + "\"";
}

std::vector<std::string> SearchCadNames(SearchQuery const& query) {
  std::vector<std::string> names;
  auto add = [&](std::string const& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  for (auto const& n : query.cad_names) add(n);
  for (auto const& c : query.filter.cad) add(c.first);
  return names;
}

Result<std::string> BuildSearchRequestBody(SearchQuery const& query, std::string const& cursor) {
  auto bad = [](std::string const& why) { return MakeError(ErrorCode::kInvalidArgument, "Webex search query: " + why); };
  if (query.to <= query.from) return bad("`to` must be after `from`");
  if (query.to - query.from > std::chrono::hours(24 * 365)) return bad("the window is longer than 365 days (API limit)");
  if (query.org_id && query.org_id->empty()) return bad("org_id is set but empty");
  auto const& f = query.filter;
  if ((f.min_duration && f.min_duration->count() < 0) || (f.max_duration && f.max_duration->count() < 0)) {
    return bad("a duration bound is negative");
  }
  std::vector<std::string> conditions;
  std::vector<std::string> channels;
  for (auto const& type : query.channel_types) {
    bool ok = !type.empty();
    for (char c : type) ok = ok && c >= 'a' && c <= 'z';
    if (!ok) return bad("channel type \"" + type + "\" is not a lower-case name such as telephony");
    channels.push_back("{channelType: {equals: " + type + "}}");  // an enum value: checked above
  }
  if (!channels.empty()) conditions.push_back(AnyCondition(channels));
  if (f.min_duration) conditions.push_back("{totalDuration: {gte: " + std::to_string(f.min_duration->count()) + "}}");
  if (f.max_duration) conditions.push_back("{totalDuration: {lte: " + std::to_string(f.max_duration->count()) + "}}");
  if (!f.ani.empty()) conditions.push_back(AnyEquals("origin", f.ani));
  if (!f.dnis.empty()) conditions.push_back(AnyEquals("destination", f.dnis));
  if (!f.wrapup.empty()) conditions.push_back(AnyEquals("lastWrapupCodeName", f.wrapup));
  for (auto const& [name, value] : f.cad) {
    if (name.empty()) return bad("a CAD variable filter has an empty name");
    conditions.push_back("{stringGlobalVariables: {name: {equals: " + GraphQlString(name) +
                         "}, value: {equals: " + GraphQlString(value) + "}}}");
  }
  std::string fields = kTaskFields;
  auto names = SearchCadNames(query);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return bad("a CAD variable name is empty");
    fields += " cad" + std::to_string(i) + ": stringGlobalVariables(name: " + GraphQlString(names[i]) + ") { name value }";
  }
  std::string args = "from: $from, to: $to, timeComparator: createdTime";
  if (!conditions.empty()) args += ", filter: {and: [" + JoinConditions(conditions) + "]}";
  args += ", pagination: {cursor: " + GraphQlString(cursor) + "}";
  std::string graphql = "query($from: Long!, $to: Long!) { task(" + args + ") { tasks { " + fields +
                        " } pageInfo { hasNextPage endCursor } } }";
  return "{\"query\":\"" + util::JsonEscape(graphql) + "\",\"variables\":{\"from\":" +
         std::to_string(util::ToEpochMs(query.from)) + ",\"to\":" + std::to_string(util::ToEpochMs(query.to)) + "}}";
}

Result<SearchPage> ParseSearchResponse(std::string_view body, std::vector<std::string> const& cad_names,
                                       Logger const& logger) {
  auto parsed = util::ParseJsonWithSpans(body, std::string(kSearchWhat) + " response");
  if (!parsed) return std::move(parsed).error();
  auto const& doc = parsed->Doc();
  if (!doc.IsObject()) return MakeError(ErrorCode::kParse, std::string(kSearchWhat) + ": the response is not a JSON object");
  if (auto const* errors = util::OptArray(doc, "errors"); errors != nullptr && !errors->Empty()) {
    std::string messages;
    for (auto const& e : errors->GetArray()) {
      std::string m = e.IsObject() ? util::OptString(e, "message").value_or("(no message)") : "(not an object)";
      if (m.size() > 300) m = m.substr(0, 300) + "...";
      if (!messages.empty()) messages += "; ";
      messages += "\"" + m + "\"";
      if (messages.size() > 2000) break;
    }
    return MakeError(ErrorCode::kParse, std::string(kSearchWhat) + ": the server answered with GraphQL errors: " + messages);
  }
  auto const* data = util::OptObject(doc, "data");
  auto const* task = data ? util::OptObject(*data, "task") : nullptr;
  auto const* tasks = task ? util::OptArray(*task, "tasks") : nullptr;
  if (tasks == nullptr) {
    return MakeError(ErrorCode::kParse, std::string(kSearchWhat) + ": the response has no data.task.tasks array");
  }
  SearchPage page;
  for (auto const& v : tasks->GetArray()) {
    auto id = v.IsObject() ? util::OptString(v, "id") : std::nullopt;
    if (!id || id->empty()) {
      logger.Warn(std::string(kSearchWhat) + ": skipped a task without id");
      continue;
    }
    SearchTask t;
    t.id = *id;
    t.raw_json = std::string(parsed->Raw(v));
    t.channel_type = util::OptString(v, "channelType");
    t.status = util::OptString(v, "status");
    t.direction = util::OptString(v, "direction");
    t.ani = util::OptString(v, "origin");
    t.dnis = util::OptString(v, "destination");
    t.created_time = OptEpochMs(v, "createdTime");
    t.ended_time = OptEpochMs(v, "endedTime");
    if (auto d = util::OptInt64(v, "totalDuration"); d && *d >= 0) t.total_duration = std::chrono::milliseconds(*d);
    t.wrapup = util::OptString(v, "lastWrapupCodeName");
    t.agent = OptNamedRef(v, "owner");
    t.queue = OptNamedRef(v, "lastQueue");
    t.team = OptNamedRef(v, "lastTeam");
    t.site = OptNamedRef(v, "lastSite");
    t.capture_requested = util::OptBool(v, "captureRequested");
    for (std::size_t i = 0; i < cad_names.size(); ++i) {
      std::string alias = "cad" + std::to_string(i);
      auto const* var = util::OptObject(v, alias.c_str());
      if (var == nullptr) {
        if (auto const* list = util::OptArray(v, alias.c_str()); list != nullptr && !list->Empty() && (*list)[0].IsObject()) {
          var = &(*list)[0];
        }
      }
      if (var == nullptr) continue;
      if (auto value = util::OptString(*var, "value")) t.cad[util::OptString(*var, "name").value_or(cad_names[i])] = *value;
    }
    page.tasks.push_back(std::move(t));
  }
  page.has_next_page_known = false;
  if (auto const* info = util::OptObject(*task, "pageInfo")) {
    auto next = util::OptBool(*info, "hasNextPage");
    page.has_next_page = next.value_or(false);
    page.has_next_page_known = next.has_value();
    page.end_cursor = util::OptString(*info, "endCursor");
  }
  return page;
}

namespace {
std::string JsonStringOrNull(std::optional<std::string> const& v) {
  return v ? "\"" + util::JsonEscape(*v) + "\"" : "null";
}
std::string RefJson(std::optional<NamedRef> const& r) {
  if (!r) return "null";
  return "{\"id\":" + JsonStringOrNull(r->id) + ",\"name\":" + JsonStringOrNull(r->name) + "}";
}
std::string TimeJson(std::optional<std::chrono::system_clock::time_point> const& t) {
  return t ? "\"" + util::FormatIso8601(*t, true) + "\"" : "null";
}
}  // namespace

std::string SearchSidecarJson(SearchTask const& t) {
  std::string cad = "{";
  for (auto const& [name, value] : t.cad) {
    if (cad.size() > 1) cad += ',';
    cad += "\"" + util::JsonEscape(name) + "\":\"" + util::JsonEscape(value) + "\"";
  }
  cad += "}";
  return "{\"ani\":" + JsonStringOrNull(t.ani) + ",\"dnis\":" + JsonStringOrNull(t.dnis) +
         ",\"channel_type\":" + JsonStringOrNull(t.channel_type) + ",\"status\":" + JsonStringOrNull(t.status) +
         ",\"direction\":" + JsonStringOrNull(t.direction) + ",\"created_time\":" + TimeJson(t.created_time) +
         ",\"ended_time\":" + TimeJson(t.ended_time) + ",\"total_duration_ms\":" +
         (t.total_duration ? std::to_string(t.total_duration->count()) : std::string("null")) +
         ",\"wrapup\":" + JsonStringOrNull(t.wrapup) + ",\"queue\":" + RefJson(t.queue) +
         ",\"agent\":" + RefJson(t.agent) + ",\"team\":" + RefJson(t.team) + ",\"site\":" + RefJson(t.site) +
         ",\"cad\":" + cad + ",\"raw\":" + (t.raw_json.empty() ? std::string("null") : t.raw_json) + "}";
}

std::string WithSearch(std::string sidecar, SearchTask const* task) {
  auto end = sidecar.find_last_of('}');
  if (end == std::string::npos) return sidecar;
  return sidecar.substr(0, end) + ",\"search\":" + (task ? SearchSidecarJson(*task) : std::string("null")) +
         sidecar.substr(end);
}

}  // namespace detail

bool SearchTaskMatches(SearchTask const& task, SearchFilter const& filter) {
  if (filter.min_duration && (!task.total_duration || *task.total_duration < *filter.min_duration)) return false;
  if (filter.max_duration && (!task.total_duration || *task.total_duration > *filter.max_duration)) return false;
  if (!AnyOf(filter.ani, task.ani) || !AnyOf(filter.dnis, task.dnis) || !AnyOf(filter.wrapup, task.wrapup)) return false;
  for (auto const& [name, value] : filter.cad) {
    auto it = task.cad.find(name);
    if (it == task.cad.end() || it->second != value) return false;
  }
  return true;
}

Result<SearchPage> Client::SearchTasksPage(SearchQuery const& query, std::string const& cursor,
                                           CallContext const& ctx) const {
  auto body = detail::BuildSearchRequestBody(query, cursor);
  if (!body) return std::move(body).error();
  std::string path = "/search";
  if (query.org_id) path += "?orgId=" + util::PercentEncode(*query.org_id);
  auto answer = PostJson(path, std::move(*body), ctx, kSearchWhat);
  if (!answer) return std::move(answer).error();
  return detail::ParseSearchResponse(*answer, detail::SearchCadNames(query), Logger{});
}

Result<std::vector<SearchTask>> Client::SearchTasks(SearchQuery const& query, CallContext const& ctx) const {
  std::vector<SearchTask> out;
  std::set<std::string> ids;
  std::set<std::string> cursors;
  std::string cursor = "0";
  for (std::size_t page_no = 0;; ++page_no) {
    if (page_no >= kMaxPages) return MakeError(ErrorCode::kParse, std::string(kSearchWhat) + ": more than 100000 pages");
    if (!cursors.insert(cursor).second) {
      return MakeError(ErrorCode::kParse, std::string(kSearchWhat) + ": the server returned cursor \"" + cursor +
                                              "\" twice; paging would not end");
    }
    auto page = SearchTasksPage(query, cursor, ctx);
    if (!page) return std::move(page).error();
    std::size_t added = 0;
    for (auto& t : page->tasks) {
      if (ids.insert(t.id).second) {
        out.push_back(std::move(t));
        ++added;
      }
    }
    if (ctx.cancel.IsCancelled()) return out;
    if (!page->has_next_page_known) {
      // Without hasNextPage, ending here could drop every later page (and, with filters, the
      // tasks on them). Ask on; a page with nothing new ends the listing.
      if (added == 0) return out;
      ClientLogger().Warn(std::string(kSearchWhat) + ": page " + std::to_string(page_no + 1) +
                         " has no boolean pageInfo.hasNextPage; asking for the next page to find out");
    } else if (!page->has_next_page) {
      return out;
    }
    cursor = page->end_cursor && !page->end_cursor->empty() ? *page->end_cursor : std::to_string(page_no + 1);
  }
}

}  // namespace ccrec::webex
