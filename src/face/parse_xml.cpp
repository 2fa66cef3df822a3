// SPDX-License-Identifier: Apache-2.0
// FACE's XML answers (reference oracle-face.md §5): each is rewritten into the JSON form the guide
// documents for the same answer, so that parse.cpp's JSON readers build the same models from
// either format, and a record's raw_json is that JSON text. The mapping (docs/face.md, "XML answers"):
// - the root element becomes the one member of the top object: <result>..</result> -> {"result":{..}};
// - an element with child elements becomes an object, members in document order (a repeated name
//   is kept as written: the readers take the first);
// - the documented list elements (matches, segments, customDataSets, ...; reference §5.3) become
//   arrays of one-member objects: <segments><segment>..</segment></segments> ->
//   "segments":[{"segment":{..}}], and an empty one (<dtmfDigits/>) becomes [];
// - every other element becomes a string: its text, "" when empty (<agentId/> <-> "agentId":"");
// - except the members FACE's JSON types as numbers or booleans (code, recordingId, segmentId,
//   sequence, ...): a canonical integer is written as a number, true/false as a boolean;
// - the `<response><Code>0</Code><message>..</message></response>` answer of eventNotify and
//   screen capture (ISR API guide) becomes {"response":{"Code":0,"message":".."}} (its JSON form
//   is assumed to mirror it), read like {"result":{"code":0,..}};
// - `location` (the guide's XML example) is written `locationId` (its JSON and 6.4 XML name).
// Attributes, comments and processing instructions are ignored. Deeper than 32 levels: kParse.

#include "face/parse.hpp"

#include <ccrec/core/error.hpp>

#include "internal/xml.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>

namespace ccrec::face::detail {

namespace xml = ::ccrec::detail::xml;

namespace {

constexpr int kMaxDepth = 32;

// List elements of FACE answers (reference §5.1-§5.3).
constexpr std::string_view kListNames[] = {"matches",           "segments",     "customDataSets",
                                           "siprecDataSets",    "participants", "streams",
                                           "extensionDataSets", "values",       "supplementalFiles",
                                           "dtmfDigits"};

// Members FACE's JSON writes as numbers or booleans (reference §5.1, §5.3, §7; the guide's JSON
// examples and the ccrec emulator). Everything else stays a string, even when it looks numeric
// (`ani`, `account`, `participantId`, `label`, custom data values).
constexpr std::string_view kTypedNames[] = {
    "code",        "Code",         "recordingId",  "tmpRecordingId", "segmentId",     "sequence",         "duration",
    "fileStatus",  "locationId",   "pauseLength",    "archived",      "conversionStatus", "customDataId",
    "size",        "rss",          "route",          "sensitive",     "deleteFlag",       "checksumMismatch",
    "hasVideo",    "inProgress",   "supplementalFileId"};

bool In(std::string_view name, std::string_view const* first, std::string_view const* last) {
  return std::find(first, last, name) != last;
}

bool IsList(std::string_view name) { return In(name, std::begin(kListNames), std::end(kListNames)); }
bool IsTyped(std::string_view name) { return In(name, std::begin(kTypedNames), std::end(kTypedNames)); }

// -?(0|[1-9][0-9]*), at most 18 digits (always fits an int64).
bool IsCanonicalInteger(std::string_view t) {
  if (!t.empty() && t.front() == '-') t.remove_prefix(1);
  if (t.empty() || t.size() > 18 || (t.size() > 1 && t.front() == '0')) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view Trim(std::string_view t) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!t.empty() && blank(t.front())) t.remove_prefix(1);
  while (!t.empty() && blank(t.back())) t.remove_suffix(1);
  return t;
}

std::string JsonName(std::string name) { return name == "location" ? std::string("locationId") : name; }

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, std::string const& name) { w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size())); }

/// Writes `e` (named `name` in JSON) as a value; false when the tree is deeper than kMaxDepth.
bool WriteValue(Writer& w, xml::Element const& e, std::string const& name, int depth) {
  if (depth > kMaxDepth) return false;
  auto const children = e.Children();
  if (IsList(name)) {
    w.StartArray();
    for (auto const& child : children) {
      std::string const child_name = JsonName(child.Name());
      w.StartObject();
      Key(w, child_name);
      if (!WriteValue(w, child, child_name, depth + 1)) return false;
      w.EndObject();
    }
    w.EndArray();
    return true;
  }
  if (!children.empty()) {
    w.StartObject();
    for (auto const& child : children) {
      std::string const child_name = JsonName(child.Name());
      Key(w, child_name);
      if (!WriteValue(w, child, child_name, depth + 1)) return false;
    }
    w.EndObject();
    return true;
  }
  std::string const text = e.Text().value_or("");
  if (IsTyped(name)) {
    std::string_view const t = Trim(text);
    if (IsCanonicalInteger(t)) {
      w.RawValue(t.data(), t.size(), rapidjson::kNumberType);
      return true;
    }
    if (t == "true" || t == "false") {
      w.Bool(t == "true");
      return true;
    }
  }
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return true;
}

}  // namespace

Result<std::string> XmlAnswerAsJson(std::string_view body, std::string_view what) {
  auto doc = xml::Document::Parse(body, what);
  if (!doc) return std::move(doc).error();
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  auto const root = doc->Root();
  std::string const root_name = JsonName(root.Name());
  w.StartObject();
  Key(w, root_name);
  if (!WriteValue(w, root, root_name, 1)) {
    return MakeError(ErrorCode::kParse, std::string(what) + " nests elements deeper than " +
                                            std::to_string(kMaxDepth) + " levels (not a FACE result)");
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ccrec::face::detail
