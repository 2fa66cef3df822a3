// SPDX-License-Identifier: Apache-2.0
#include "huawei/wire.hpp"

#include <ccrec/huawei/errors.hpp>

#include "internal/ascii.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ccrec::huawei::detail {

namespace util = ::ccrec::detail;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool ValidCookieName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7F || std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

// --- CookieJar -------------------------------------------------------------------------------------

void CookieJar::Apply(HttpHeaders const& headers, std::chrono::system_clock::time_point now) {
  for (auto const& [name, value] : headers) {
    if (HeaderNameEquals(name, "Set-Cookie")) ApplyOne(value, now);
  }
}

bool CookieJar::ApplyOne(std::string_view set_cookie, std::chrono::system_clock::time_point now) {
  auto semi = set_cookie.find(';');
  std::string_view pair = Trim(set_cookie.substr(0, semi));
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  std::string name(Trim(pair.substr(0, eq)));
  std::string value(Trim(pair.substr(eq + 1)));
  if (!ValidCookieName(name)) return false;
  // RFC 6265 §4.1.1: no control characters in a value; one would go into the next request's
  // Cookie header (a CR or LF could split that request).
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  bool remove = false;
  if (semi != std::string_view::npos) {
    std::string_view attrs = set_cookie.substr(semi + 1);
    while (!attrs.empty()) {
      auto next = attrs.find(';');
      std::string_view attr = Trim(attrs.substr(0, next));
      attrs = next == std::string_view::npos ? std::string_view() : attrs.substr(next + 1);
      auto aeq = attr.find('=');
      std::string key = util::ToLowerAscii(Trim(attr.substr(0, aeq)));
      std::string_view val = aeq == std::string_view::npos ? std::string_view() : Trim(attr.substr(aeq + 1));
      if (key == "max-age") {
        // RFC 6265 §5.2.2: a non-positive Max-Age expires the cookie; a malformed one is ignored.
        bool digits = !val.empty();
        std::size_t start = (!val.empty() && val.front() == '-') ? 1 : 0;
        if (start == val.size()) digits = false;
        for (std::size_t i = start; i < val.size(); ++i) digits = digits && std::isdigit(static_cast<unsigned char>(val[i]));
        if (digits && (start == 1 || val.find_first_not_of('0') == std::string_view::npos)) remove = true;
      } else if (key == "expires") {
        if (auto t = util::ParseHttpDate(val); t && *t <= now) remove = true;
      }
    }
  }
  auto it = std::find_if(cookies_.begin(), cookies_.end(), [&](auto const& c) { return c.first == name; });
  if (remove) {
    if (it != cookies_.end()) cookies_.erase(it);
    return true;
  }
  if (it != cookies_.end()) {
    it->second = std::move(value);
  } else {
    cookies_.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

std::string CookieJar::Header() const {
  std::string out;
  for (auto const& [name, value] : cookies_) {
    if (!out.empty()) out += "; ";
    out += name + "=" + value;
  }
  return out;
}

std::optional<std::string> CookieJar::Get(std::string_view name) const {
  for (auto const& c : cookies_) {
    if (c.first == name) return c.second;
  }
  return std::nullopt;
}

// --- Guid, recordId, URLs --------------------------------------------------------------------------

std::string GuidFromSetGuid(std::string_view value) {
  std::string_view v = Trim(value.substr(0, value.find(';')));
  if (util::StartsWithIgnoreCase(v, "jsessionid=")) v = Trim(v.substr(11));
  return std::string(v);
}

std::string EncodeRecordId(std::string_view file_name, RecordIdEncoding encoding) {
  if (encoding == RecordIdEncoding::kPercentEncode) return util::PercentEncode(file_name);
  std::string out;
  out.reserve(file_name.size() * 2);
  for (char c : file_name) {
    if (c == ':' || c == '/' || c == '\\') {
      out += c;
    } else {
      out += util::PercentEncode(std::string_view(&c, 1));
    }
  }
  return out;
}

Result<std::string> ResourceRoot(std::string_view gateway_url) {
  auto url = util::ParseUrl(gateway_url);
  if (!url || gateway_url.find('#') != std::string_view::npos || !url->query.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "gateway URL \"" + RedactUrl(gateway_url) +
                         "\" is not an http(s) URL without query, like https://10.1.2.3:8043");
  }
  std::string path = url->path;
  if (path.empty() || path == "/") path = "/agentgateway/resource/";
  if (path.back() != '/') path += '/';
  return url->Origin() + path;
}

std::string SignInBody(AgentSessionOptions const& o) {
  std::string body = "{\"password\":\"" + util::JsonEscape(o.password) + "\",\"phonenum\":\"" +
                     util::JsonEscape(o.phone_number) + "\"";
  auto const& f = o.sign_in;
  auto add_bool = [&](char const* name, std::optional<bool> const& v) {
    if (v) body += std::string(",\"") + name + "\":" + (*v ? "true" : "false");
  };
  auto add_int = [&](char const* name, std::optional<int> const& v) {
    if (v) body += std::string(",\"") + name + "\":" + std::to_string(*v);
  };
  add_bool("autoanswer", f.auto_answer);
  add_bool("autoenteridle", f.auto_enter_idle);
  add_bool("releasephone", f.release_phone);
  add_int("agenttype", f.agent_type);
  add_int("status", f.status);
  if (f.ip) body += ",\"ip\":\"" + util::JsonEscape(*f.ip) + "\"";
  body += "}";
  return body;
}

// --- envelopes and events --------------------------------------------------------------------------

Result<std::string> ReadJsonAnswer(HttpResponse& response, std::string const& what) {
  auto body = response.ReadAll(kMaxJsonBodyBytes);
  if (!body) {
    Error e = std::move(body).error();
    e.message = what + ": reading the answer failed: " + e.message;
    if (e.http_status == 0) e.http_status = response.status;  // the answer arrived: IsUnreadableAnswer()
    return e;
  }
  return body;
}

Result<util::JsonWithSpans> ParseEnvelope(int status, std::string_view body, HttpHeaders const& headers,
                                          std::string_view what) {
  if (status < 200 || status > 299) return MapHuaweiError(status, body, headers, what);
  // A copy: the answer outlives the body it was read from (AgentSession's retry loop).
  auto doc = util::ParseJsonWithSpans(std::string(body), std::string(what) + " answer");
  if (!doc || !doc->Doc().IsObject()) return MapHuaweiError(status, body, headers, what);
  auto retcode = util::OptString(doc->Doc(), "retcode");
  if (!retcode || *retcode != "0") return MapHuaweiError(status, body, headers, what);
  return std::move(*doc);
}

bool IsUnreadableAnswer(Error const& error) {
  return error.http_status >= 200 && error.http_status <= 299 && error.vendor_code.empty() &&
         error.code != ErrorCode::kCancelled;
}

AgentEvent EventFromJson(util::JsonWithSpans const& doc, rapidjson::Value const& event) {
  AgentEvent e;
  e.raw_json = doc.Raw(event);
  if (!event.IsObject()) return e;
  e.event_type = util::OptString(event, "eventType").value_or("");
  e.work_no = util::OptString(event, "workNo").value_or("");
  if (auto ms = util::OptInt64(event, "eventGenTime")) e.generated_at = util::FromEpochMs(*ms);
  auto it = event.FindMember("content");
  if (it != event.MemberEnd()) {
    if (it->value.IsString()) {
      // Defensive [U]: some gateways may send the content as a JSON text inside a string.
      std::string_view text(it->value.GetString(), it->value.GetStringLength());
      auto inner = util::ParseJsonWithSpans(text, "event content");
      bool const unwrap = inner && (inner->Doc().IsObject() || inner->Doc().IsArray());
      e.content_json = unwrap ? inner->Raw(inner->Doc()) : doc.Raw(it->value);
    } else {
      e.content_json = doc.Raw(it->value);
    }
  }
  return e;
}

namespace {

/// A non-object entry of the poll's event array that is still a record event: a JSON text of an
/// event object inside a string (parsed as such), or any other entry naming AgentMediaEvent_Record
/// or _Record_Fail, kept as an event of that type whose content is the raw entry — the source then
/// reports it as a malformed record event (a failed manifest line) instead of it being skipped.
std::optional<AgentEvent> SalvageEvent(util::JsonWithSpans const& doc, rapidjson::Value const& entry) {
  if (entry.IsNull()) return std::nullopt;
  std::string raw(doc.Raw(entry));
  if (entry.IsString()) {
    auto inner = util::ParseJsonWithSpans(std::string_view(entry.GetString(), entry.GetStringLength()), "event");
    if (inner && inner->Doc().IsObject()) return EventFromJson(*inner, inner->Doc());
  }
  AgentEvent e;
  if (raw.find(kRecordFailEvent) != std::string::npos) e.event_type = std::string(kRecordFailEvent);
  else if (raw.find(kRecordEvent) != std::string::npos) e.event_type = std::string(kRecordEvent);
  else return std::nullopt;
  e.raw_json = raw;
  e.content_json = raw;
  return e;
}

}  // namespace

std::vector<AgentEvent> EventsFromPoll(util::JsonWithSpans const& doc, int* skipped) {
  rapidjson::Value const& envelope = doc.Doc();
  std::vector<AgentEvent> out;
  int bad = 0;
  if (envelope.IsObject()) {
    auto it = envelope.FindMember("event");
    if (it != envelope.MemberEnd() && !it->value.IsNull()) {
      if (it->value.IsObject()) {
        if (it->value.MemberCount() > 0) out.push_back(EventFromJson(doc, it->value));
      } else if (it->value.IsArray()) {
        for (auto const& e : it->value.GetArray()) {
          if (e.IsObject()) out.push_back(EventFromJson(doc, e));
          else if (auto salvaged = SalvageEvent(doc, e)) out.push_back(std::move(*salvaged));
          else if (!e.IsNull()) ++bad;
        }
      } else if (auto salvaged = SalvageEvent(doc, it->value)) {
        out.push_back(std::move(*salvaged));
      } else {
        ++bad;
      }
    }
  }
  if (skipped) *skipped = bad;
  return out;
}

BodyKind ClassifyContentType(std::optional<std::string> const& content_type) {
  if (!content_type) return BodyKind::kMissing;
  std::string type = util::ToLowerAscii(Trim(std::string_view(*content_type).substr(0, content_type->find(';'))));
  if (type.empty()) return BodyKind::kMissing;
  if (type == "application/octet-stream" || type.rfind("audio/", 0) == 0 || type.rfind("video/", 0) == 0) {
    return BodyKind::kFile;
  }
  if (type == "application/json" || type == "text/json" ||
      (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0)) {
    return BodyKind::kJson;
  }
  return BodyKind::kOther;
}

std::optional<std::chrono::system_clock::time_point> DateFromPath(std::string_view file_name) {
  std::size_t i = 0;
  while (i < file_name.size()) {
    if (!std::isdigit(static_cast<unsigned char>(file_name[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[j]))) ++j;
    bool bounded_left = i == 0 || file_name[i - 1] == '/' || file_name[i - 1] == '\\';
    bool bounded_right = j == file_name.size() || file_name[j] == '/' || file_name[j] == '\\';
    if (j - i == 8 && bounded_left && bounded_right) {
      std::string d(file_name.substr(i, 8));
      int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(4, 2)), day = std::stoi(d.substr(6, 2));
      if (y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && day >= 1 && day <= 31) {
        char iso[32];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT00:00:00Z", y, m, day);
        if (auto t = util::ParseTimeArg(iso)) {
          // Reject dates that normalised into another month (e.g. 20260231).
          if (util::FormatYmd(*t) == d) return t;
        }
      }
    }
    i = j;
  }
  return std::nullopt;
}

}  // namespace ccrec::huawei::detail
