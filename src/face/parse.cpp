// SPDX-License-Identifier: Apache-2.0
// Reading FACE result documents (reference oracle-face.md §5).

#include "face/parse.hpp"

#include <ccrec/core/log.hpp>
#include <ccrec/face/errors.hpp>

#include "internal/ascii.hpp"
#include "internal/crypto.hpp"
#include "internal/error_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/xml.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ccrec::face::detail {

namespace util = ::ccrec::detail;
namespace xml = ::ccrec::detail::xml;
using rapidjson::Value;

namespace {

std::string_view SkipBomAndBlanks(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front())) != 0) body.remove_prefix(1);
  return body;
}

std::optional<int> ParseInt(std::string_view text) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i;
  s = s.substr(i);
  if (s.empty() || s.size() > 11) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (end == nullptr || *end != '\0' || v < -1000000 || v > 1000000) return std::nullopt;
  return static_cast<int>(v);
}

// `code`, or `Code` as in the guide's `<response>` answers of eventNotify and screen capture.
std::optional<int> JsonCode(Value const& result) {
  auto v = util::OptInt64(result, result.HasMember("code") ? "code" : "Code");
  if (!v || *v < -1000000 || *v > 1000000) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<std::chrono::system_clock::time_point> Time(std::optional<std::string> const& text,
                                                          TimeFormat const& format) {
  if (!text) return std::nullopt;
  return ParseFaceTime(*text, format);
}

// Text() of `key`, else of `alias`: FACE names some members two ways (`ani`/`from`,
// `startTime`/`start`, `sessionId`/`session`), and which one is preferred depends on the record.
std::optional<std::string> TextOr(Value const& obj, char const* key, char const* alias) {
  auto text = Text(obj, key);
  return text ? text : Text(obj, alias);
}

}  // namespace

bool IsResultContentType(std::string_view content_type) {
  std::string ct = util::ToLowerAscii(content_type);
  return ct.find("json") != std::string::npos || ct.find("xml") != std::string::npos ||
         ct.rfind("text/", 0) == 0;
}

BodyKind Classify(HttpHeaders const& headers, std::string_view body) {
  std::string ct = util::ToLowerAscii(FindHeader(headers, "Content-Type").value_or(""));
  auto trimmed = SkipBomAndBlanks(body);
  if (ct.find("json") != std::string::npos) return trimmed.empty() ? BodyKind::kEmpty : BodyKind::kJson;
  if (ct.find("xml") != std::string::npos) return trimmed.empty() ? BodyKind::kEmpty : BodyKind::kXml;
  if (trimmed.empty()) return BodyKind::kEmpty;
  if (trimmed.front() == '{') return BodyKind::kJson;
  if (xml::LooksLikeXml(body)) return BodyKind::kXml;  // UTF-8, or UTF-16 as FACE's guide shows
  return BodyKind::kOther;
}

Value const* ResultObject(Value const& root, bool response_root) {
  if (!root.IsObject()) return nullptr;
  if (auto const* r = util::OptObject(root, "result")) return r;
  // eventNotify and screen capture answer `<response><Code>0</Code>..` (ISR API guide).
  if (response_root) {
    if (auto const* r = util::OptObject(root, "response")) return r;
  }
  if (root.HasMember("code")) return &root;
  return nullptr;
}

namespace {

/// A JSON (kJson) or XML (kXml) answer as a JSON document: XML is read in its JSON form
/// (XmlAnswerAsJson), so that both formats are judged by one rule, the ResultObject(). A `<code>` or
/// `<token>` elsewhere (an HTML error page's, say) is no FACE member, as `{"error":{"code":5}}` is
/// none in JSON. nullopt for any other kind, or when the answer cannot be read.
std::optional<rapidjson::Document> AnswerAsJson(BodyKind kind, std::string_view body, char const* what) {
  if (kind != BodyKind::kJson && kind != BodyKind::kXml) return std::nullopt;
  std::string converted;
  if (kind == BodyKind::kXml) {
    auto json = XmlAnswerAsJson(body, what);
    if (!json) return std::nullopt;
    converted = std::move(*json);
  }
  auto doc = util::ParseJson(kind == BodyKind::kXml ? std::string_view(converted) : body, what);
  if (!doc) return std::nullopt;
  return std::move(*doc);
}

}  // namespace

ResultHeader ReadResultHeader(HttpHeaders const& headers, std::string_view body) {
  ResultHeader h;
  h.kind = Classify(headers, body);
  auto doc = AnswerAsJson(h.kind, body, "FACE result");
  if (!doc) return h;
  if (auto const* r = ResultObject(*doc, true)) {
    h.parsed = true;
    h.code = JsonCode(*r);
    h.message = Text(*r, "message").value_or("");
    h.has_matches = r->HasMember("matches");
  }
  return h;
}

bool IsEmptyEntry(Value const& entry) {
  return entry.IsNull() || (entry.IsObject() && entry.MemberCount() == 0) ||
         (entry.IsString() && entry.GetStringLength() == 0);
}

std::vector<Value const*> ListItems(Value const& parent, char const* list_name, char const* item_name,
                                    bool keep_empty) {
  std::vector<Value const*> out;
  if (!parent.IsObject()) return out;
  auto it = parent.FindMember(list_name);
  if (it == parent.MemberEnd()) return out;
  auto add = [&](Value const& element) {
    Value const* x = &element;
    if (element.IsObject() && element.MemberCount() == 1 && element.HasMember(item_name)) x = &element[item_name];
    if (!keep_empty && IsEmptyEntry(*x)) return;  // e.g. the trailing "segment":{} of Oracle's example
    out.push_back(x);
  };
  auto add_all = [&](Value const& v) {
    if (v.IsArray()) {
      for (auto const& e : v.GetArray()) {
        // [{"item":[...]}] - a converter that grouped the items under one key
        if (e.IsObject() && e.MemberCount() == 1 && e.HasMember(item_name) && e[item_name].IsArray()) {
          for (auto const& inner : e[item_name].GetArray()) add(inner);
        } else {
          add(e);
        }
      }
    } else {
      add(v);
    }
  };
  Value const& v = it->value;
  if (v.IsArray()) {
    add_all(v);
  } else if (v.IsObject()) {
    auto inner = v.FindMember(item_name);
    if (inner != v.MemberEnd() && v.MemberCount() == 1) {
      add_all(inner->value);
    } else if (v.MemberCount() > 0) {
      add(v);
    }
  }
  return out;
}

std::optional<std::string> Text(Value const& obj, char const* key) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return std::nullopt;
  Value const& v = it->value;
  std::optional<std::string> out;
  if (v.IsString()) out = std::string(v.GetString(), v.GetStringLength());
  else if (v.IsInt64()) out = std::to_string(v.GetInt64());
  else if (v.IsUint64()) out = std::to_string(v.GetUint64());
  if (out && out->empty()) return std::nullopt;  // <agentId/> <-> "agentId":"" : absent
  return out;
}

std::optional<bool> Flag(Value const& obj, char const* key) {
  if (auto b = util::OptBool(obj, key)) return b;
  if (auto n = util::OptInt64(obj, key)) {
    if (*n == 0) return false;
    if (*n == 1) return true;
  }
  return std::nullopt;
}

namespace {

/// A list entry `v` (the `index`th) that has no readable `id_key`: its member names (at most 12,
/// each cut at 40 bytes; never values) and a fingerprint of its text.
UnreadableEntry Unreadable(util::JsonWithSpans const& doc, Value const& v, std::size_t index, char const* id_key) {
  UnreadableEntry e;
  e.index = index;
  if (!v.IsObject()) {
    e.problem = std::string("not an object (") +
                (v.IsNull()     ? "null"
                 : v.IsArray()  ? "an array"
                 : v.IsString() ? (v.GetStringLength() == 0 ? "an empty string" : "a string")
                                : "a scalar") +
                ")";
  } else if (v.MemberCount() == 0) {
    e.problem = std::string("no readable ") + id_key + " (an empty object)";
  } else {
    e.problem = std::string("no readable ") + id_key + " (members:";
    std::size_t listed = 0;
    for (auto const& m : v.GetObject()) {
      if (listed++ == 12) {
        e.problem += " ...";
        break;
      }
      std::size_t const n = std::min<std::size_t>(m.name.GetStringLength(), 40);
      e.problem += (listed == 1 ? " " : ", ") + std::string(m.name.GetString(), n);
    }
    e.problem += ")";
  }
  e.fingerprint = util::Sha256Hex(doc.Raw(v)).substr(0, 12);
  return e;
}

}  // namespace

std::optional<Segment> ParseSegment(util::JsonWithSpans const& doc, Value const& v, TimeFormat const& format) {
  if (!v.IsObject()) return std::nullopt;
  auto id = Text(v, "segmentId");
  if (!id) return std::nullopt;
  Segment s;
  s.segment_id = *id;
  s.recording_id = Text(v, "recordingId").value_or("");
  s.sequence = util::OptInt64(v, "sequence");
  s.filename = Text(v, "filename").value_or("");
  s.directory = Text(v, "directory");
  s.file_status = util::OptInt64(v, "fileStatus");
  s.location_id = util::OptInt64(v, "locationId");
  if (!s.location_id) s.location_id = util::OptInt64(v, "location");
  s.start_text = Text(v, "start");
  s.end_text = Text(v, "end");
  s.start = Time(s.start_text, format);
  s.end = Time(s.end_text, format);
  s.checksum_mismatch = Flag(v, "checksumMismatch");
  s.pause_length = util::OptInt64(v, "pauseLength");
  s.has_video = Flag(v, "hasVideo");
  s.archived = util::OptInt64(v, "archived");
  s.conversion_status = util::OptInt64(v, "conversionStatus");
  for (auto const* sd : ListItems(v, "siprecDataSets", "siprecData")) {
    if (!sd->IsObject()) continue;
    SiprecData d;
    d.session_id = TextOr(*sd, "sessionId", "session");
    for (auto const* p : ListItems(*sd, "participants", "participant")) {
      if (!p->IsObject()) continue;
      d.participants.push_back(SiprecParticipant{Text(*p, "participantId"), Text(*p, "aor"), Text(*p, "name")});
    }
    for (auto const* st : ListItems(*sd, "streams", "stream")) {
      if (!st->IsObject()) continue;
      d.streams.push_back(SiprecStream{Text(*st, "streamId"), Text(*st, "label")});
    }
    d.raw_json = std::string(doc.Raw(*sd));
    s.siprec_data.push_back(std::move(d));
  }
  s.raw_json = std::string(doc.Raw(v));
  return s;
}

std::optional<Recording> ParseRecording(util::JsonWithSpans const& doc, Value const& v, TimeFormat const& format) {
  if (!v.IsObject()) return std::nullopt;
  auto id = Text(v, "recordingId");
  if (!id) return std::nullopt;
  Recording r;
  r.recording_id = *id;
  r.ani = TextOr(v, "ani", "from");
  r.dnis = TextOr(v, "dnis", "to");
  r.account = Text(v, "account");
  if (auto d = util::OptInt64(v, "duration"); d && *d >= 0) r.duration = std::chrono::milliseconds(*d);
  r.start_time_text = TextOr(v, "startTime", "start");
  r.start_time = Time(r.start_time_text, format);
  r.rss = Text(v, "rss");
  r.route = Text(v, "route");
  r.agent_id = Text(v, "agentId");
  r.sensitive = Flag(v, "sensitive");
  r.delete_flag = Flag(v, "deleteFlag");
  r.isr_ucid = Text(v, "isrUcid");
  r.ingress_call_id = Text(v, "ingressCallId");
  r.egress_call_id = Text(v, "egressCallId");
  for (auto const* c : ListItems(v, "customDataSets", "customData")) {
    if (!c->IsObject()) continue;
    auto name = Text(*c, "name");
    if (!name) continue;
    CustomData cd;
    cd.custom_data_id = util::OptInt64(*c, "customDataId");
    cd.name = *name;
    if (auto value = Text(*c, "value")) {
      cd.value = *value;
    } else {
      // "values":[{"value":..},..] (reference §5.3): joined with ','.
      for (auto const* x : ListItems(*c, "values", "value")) {
        std::string part;
        if (x->IsString()) part.assign(x->GetString(), x->GetStringLength());
        else if (x->IsNumber() || x->IsBool()) part = doc.Raw(*x);  // as written: 1E2 stays 1E2
        if (part.empty()) continue;
        cd.value += (cd.value.empty() ? "" : ",") + part;
      }
    }
    r.custom_data.push_back(std::move(cd));
  }
  // Empty entries (the trailing "segment":{} of Oracle's example) are left out; kept here only so
  // that an unreadable entry's index is its position as sent.
  auto const segments = ListItems(v, "segments", "segment", true);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (IsEmptyEntry(*segments[i])) continue;
    auto seg = ParseSegment(doc, *segments[i], format);
    if (!seg) {  // never silently: the recording would look complete without it
      r.unreadable_segments.push_back(Unreadable(doc, *segments[i], i, "segmentId"));
      continue;
    }
    if (seg->recording_id.empty()) seg->recording_id = r.recording_id;
    r.segments.push_back(std::move(*seg));
  }
  bool all_sequenced = std::all_of(r.segments.begin(), r.segments.end(), [](Segment const& s) { return s.sequence.has_value(); });
  if (all_sequenced) {
    std::stable_sort(r.segments.begin(), r.segments.end(),
                     [](Segment const& a, Segment const& b) { return *a.sequence < *b.sequence; });
  }
  for (auto const* f : ListItems(v, "supplementalFiles", "supplementalFile")) {
    if (!f->IsObject()) continue;
    SupplementalFile sf;
    sf.supplemental_file_id = Text(*f, "supplementalFileId");
    sf.filename = Text(*f, "filename");
    if (auto size = util::OptInt64(*f, "size"); size && *size >= 0) sf.size = static_cast<std::uint64_t>(*size);
    sf.type = Text(*f, "type");
    sf.raw_json = std::string(doc.Raw(*f));
    r.supplemental_files.push_back(std::move(sf));
  }
  r.raw_json = std::string(doc.Raw(v));
  return r;
}

std::optional<RecordingMatch> ParseRecordingMatch(Value const& v, TimeFormat const& format) {
  if (!v.IsObject()) return std::nullopt;
  auto id = Text(v, "recordingId");
  if (!id) return std::nullopt;
  RecordingMatch m;
  m.recording_id = *id;
  m.isr_ucid = Text(v, "isrUcid");
  m.ingress_call_id = Text(v, "ingressCallId");
  m.egress_call_id = Text(v, "egressCallId");
  m.filename = Text(v, "filename");
  m.ani = TextOr(v, "from", "ani");
  m.dnis = TextOr(v, "to", "dnis");
  m.start_text = TextOr(v, "start", "startTime");
  m.start = Time(m.start_text, format);
  return m;
}

std::optional<SegmentMatch> ParseSegmentMatch(Value const& v, TimeFormat const& format) {
  if (!v.IsObject()) return std::nullopt;
  auto id = Text(v, "segmentId");
  if (!id) return std::nullopt;
  SegmentMatch m;
  m.segment_id = *id;
  m.recording_id = Text(v, "recordingId").value_or("");
  m.filename = Text(v, "filename").value_or("");
  m.start = Time(Text(v, "start"), format);
  m.end = Time(Text(v, "end"), format);
  m.has_video = Flag(v, "hasVideo");
  return m;
}

bool IsListMessage(std::string_view message) {
  return util::ContainsIgnoreCase(message, "selection criteria insufficient") || util::ContainsIgnoreCase(message, "returning all matches") ||
         IsTruncationMessage(message);
}

bool IsTruncationMessage(std::string_view message) {
  return util::ContainsIgnoreCase(message, "more matches than maxlistlength");
}

std::optional<std::string> RenamedFilename(std::string_view message) {
  if (!util::ContainsIgnoreCase(message, "has been renamed")) return std::nullopt;
  auto colon = message.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string name(message.substr(colon + 1));
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())) != 0) name.erase(name.begin());
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())) != 0) name.pop_back();
  if (name.empty()) return std::nullopt;
  return name;
}

std::string Snippet(std::string_view body) {
  // UTF-16 (a BOM, or a zero byte in the first code unit): keep the ASCII characters, '?' for the
  // rest, so that RedactSecrets sees "<token>" rather than "< t o k e n >".
  bool const bom = body.substr(0, 2) == "\xFF\xFE" || body.substr(0, 2) == "\xFE\xFF";
  bool const utf16 = bom || (body.size() >= 2 && (body[0] == '\0') != (body[1] == '\0'));
  if (!utf16) return ::ccrec::detail::BodySnippet(body);
  bool const little_endian = bom ? body[0] == '\xFF' : body[1] == '\0';
  if (bom) body.remove_prefix(2);
  std::string ascii;
  for (std::size_t i = 0; i + 1 < body.size() && ascii.size() < 256; i += 2) {
    unsigned char const lo = static_cast<unsigned char>(body[little_endian ? i : i + 1]);
    unsigned char const hi = static_cast<unsigned char>(body[little_endian ? i + 1 : i]);
    ascii.push_back(hi == 0 && lo < 0x80 ? static_cast<char>(lo) : '?');
  }
  return ::ccrec::detail::BodySnippet(ascii);
}

namespace {

/// Common checks of a 2xx search/control answer: JSON, or XML read into its JSON form
/// (XmlAnswerAsJson), with a result object and a code. The result views `body` (JSON) or keeps the
/// converted text (XML).
Result<util::JsonWithSpans> ParseResultDocument(int status, HttpHeaders const& headers, std::string_view body,
                                                std::string_view what, bool response_root = false) {
  auto kind = Classify(headers, body);
  if (kind == BodyKind::kEmpty) {
    Error e = MakeError(ErrorCode::kParse, std::string(what) + ": FACE answered HTTP " + std::to_string(status) +
                                               " with an empty body instead of a result document");
    e.http_status = status;
    return e;
  }
  auto doc = [&]() -> Result<util::JsonWithSpans> {
    if (kind != BodyKind::kXml) return util::ParseJsonWithSpans(body, std::string(what) + " response");
    auto json = XmlAnswerAsJson(body, std::string(what) + ": the XML answer");
    if (!json) return std::move(json).error();
    return util::ParseJsonWithSpans(std::move(*json), std::string(what) + " response");
  }();
  if (!doc) {
    Error e = std::move(doc).error();
    e.http_status = status;
    return e;
  }
  Value const* result = ResultObject(doc->Doc(), response_root);
  if (result == nullptr || !JsonCode(*result)) {
    Error e = MakeError(ErrorCode::kParse, std::string(what) + ": the " + (kind == BodyKind::kXml ? "XML" : "JSON") +
                                               " answer has no result object with a code (starts with \"" +
                                               Snippet(doc->Text()) + "\")");
    e.http_status = status;
    return e;
  }
  return doc;
}

Error UnexpectedCode(int status, HttpHeaders const& headers, std::string_view body, std::string_view what) {
  return MapFaceError(status, body, headers, what);
}


/// A 2xx `details` answer (codes 0, -1 list, 19), for recordings and segments alike: `item_key`
/// names the code-0 object ("recording"), `item` the result's field for it; `parse_item` and
/// `parse_match` read the object and the list entries.
template <typename SearchResult, typename Item, typename Match>
Result<SearchResult> ParseSearch(int status, HttpHeaders const& headers, std::string_view body, std::string_view what,
                                 TimeFormat const& format, int max_list_length, char const* item_key,
                                 std::optional<Item> SearchResult::*item,
                                 std::optional<Item> (*parse_item)(util::JsonWithSpans const&, Value const&, TimeFormat const&),
                                 std::optional<Match> (*parse_match)(Value const&, TimeFormat const&)) {
  auto doc = ParseResultDocument(status, headers, body, what);
  if (!doc) return std::move(doc).error();
  Value const& result = *ResultObject(doc->Doc());
  SearchResult out;
  out.code = *JsonCode(result);
  out.message = Text(result, "message").value_or("");
  if (out.code == 19) return out;
  if (out.code == 0) {
    Value const* object = util::OptObject(result, item_key);
    if (object != nullptr) out.*item = parse_item(*doc, *object, format);
    if (!(out.*item)) {
      Error e = MakeError(ErrorCode::kParse, std::string(what) + ": code 0 answer without a " + item_key + " with a " +
                                                 item_key + "Id (" + Snippet(doc->Text()) + ")");
      e.http_status = status;
      return e;
    }
    return out;
  }
  if (out.code == -1 && (result.HasMember("matches") || IsListMessage(out.message))) {
    // A list answer must carry its list: without a `matches` member (or with one that is a number,
    // a boolean or a non-empty string) the matches it announces cannot be read, and taking it for
    // an empty list would drop every recording of the window with exit status 0. An empty list is
    // written [] (XML <matches/>), {}, null or "".
    auto const list = result.FindMember("matches");
    bool const readable = list != result.MemberEnd() &&
                          (list->value.IsArray() || list->value.IsObject() || IsEmptyEntry(list->value));
    if (!readable) {
      Error e = MakeError(ErrorCode::kParse,
                          std::string(what) + ": a list answer (code -1, \"" + out.message + "\") " +
                              (list == result.MemberEnd() ? "without a `matches` member"
                                                          : "whose `matches` member is not a list") +
                              ", so the " + item_key + "s it lists cannot be read (" + Snippet(doc->Text()) + ")");
      e.http_status = status;
      return e;
    }
    // Every entry counts, empty ones too ({}, null, ""): an empty entry names no recording, so it is
    // unreadable like one without a recordingId, and a full list stays full.
    auto const entries = ListItems(result, "matches", "match", true);
    std::string const id_key = std::string(item_key) + "Id";
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (auto match = parse_match(*entries[i], format)) {
        out.matches.push_back(std::move(*match));
      } else {
        out.unreadable_matches.push_back(Unreadable(*doc, *entries[i], i, id_key.c_str()));
      }
    }
    // What the server returned counts, read or not: a full list with one bad entry is still full.
    out.truncated = IsTruncationMessage(out.message) ||
                    (max_list_length > 0 && entries.size() >= static_cast<std::size_t>(max_list_length));
    return out;
  }
  return UnexpectedCode(status, headers, body, what);
}

}  // namespace

Result<RecordingSearchResult> ParseRecordingSearch(int status, HttpHeaders const& headers, std::string_view body,
                                                   std::string_view what, TimeFormat const& format,
                                                   int max_list_length) {
  return ParseSearch(status, headers, body, what, format, max_list_length, "recording", &RecordingSearchResult::recording,
                     &ParseRecording, &ParseRecordingMatch);
}

Result<SegmentSearchResult> ParseSegmentSearch(int status, HttpHeaders const& headers, std::string_view body,
                                               std::string_view what, TimeFormat const& format, int max_list_length) {
  return ParseSearch(status, headers, body, what, format, max_list_length, "segment", &SegmentSearchResult::segment,
                     &ParseSegment, &ParseSegmentMatch);
}

Result<ControlResult> ParseControl(int status, HttpHeaders const& headers, std::string_view body, std::string_view what) {
  auto doc = ParseResultDocument(status, headers, body, what, true);
  if (!doc) return std::move(doc).error();
  Value const& result = *ResultObject(doc->Doc(), true);
  int code = *JsonCode(result);
  if (code != 0) return UnexpectedCode(status, headers, body, what);
  ControlResult out;
  out.code = code;
  out.message = Text(result, "message").value_or("");
  out.recording_id = TextOr(result, "recordingId", "tmpRecordingId");
  out.renamed_filename = RenamedFilename(out.message);
  out.raw_json = std::string(doc->Raw(result));
  return out;
}

LoginAnswer ParseLogin(HttpHeaders const& headers, std::string_view body) {
  LoginAnswer a;
  // One rule for JSON and XML (the XML in its JSON form): the result object, or a root with a
  // `token` (a flat `{"token":..}`). A `<token>` or `<code>` anywhere else is no login answer.
  auto doc = AnswerAsJson(Classify(headers, body), body, "FACE login response");
  if (!doc) return a;
  Value const* r = ResultObject(*doc);
  if (r == nullptr && doc->IsObject() && doc->HasMember("token")) r = &*doc;
  if (r == nullptr) return a;
  a.parsed = true;
  a.code = JsonCode(*r);
  a.message = Text(*r, "message").value_or("");
  a.token = Text(*r, "token").value_or("");
  a.expiration = Text(*r, "expiration");
  // Tokens are opaque; surrounding blanks are never part of one.
  while (!a.token.empty() && std::isspace(static_cast<unsigned char>(a.token.back())) != 0) a.token.pop_back();
  while (!a.token.empty() && std::isspace(static_cast<unsigned char>(a.token.front())) != 0) a.token.erase(a.token.begin());
  return a;
}

std::optional<std::chrono::seconds> ParseExpiration(std::string_view text) {
  std::string s = util::ToLowerAscii(text);
  auto pos = s.find("second");
  if (pos != std::string::npos) s = s.substr(0, pos);
  auto v = ParseInt(s);
  if (!v || *v < 0) return std::nullopt;
  return std::chrono::seconds(*v);
}

std::optional<std::string> ParseVersion(HttpHeaders const& headers, std::string_view body) {
  // As ParseLogin: the result object, or a root with a `version`, in JSON or in the XML's JSON
  // form. A `<version>` anywhere else (an HTML or proxy page) is no version answer.
  auto doc = AnswerAsJson(Classify(headers, body), body, "FACE version");
  if (!doc) return std::nullopt;
  Value const* r = ResultObject(*doc);
  if (r == nullptr && doc->IsObject() && doc->HasMember("version")) r = &*doc;
  if (r == nullptr) return std::nullopt;
  auto v = Text(*r, "version");
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace ccrec::face::detail
