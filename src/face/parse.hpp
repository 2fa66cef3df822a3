// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: reading FACE result documents (JSON, and XML through its JSON form,
// parse_xml.cpp) into the models. Not installed. Reference oracle-face.md §5.

#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/face/criteria.hpp>
#include <ccrec/face/models.hpp>

#include "internal/http_util.hpp"
#include "internal/json.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::face::detail {

/// Largest result document read into memory: 8 MiB. The largest legitimate result is a list at
/// maxListLength 1000 (the documented maximum): 265 KiB from the emulator; one recording's details
/// are a few KiB. A larger body fails the command with kParse naming it and the limit (issue 12).
inline constexpr std::size_t kMaxResultBytes = std::size_t{8} << 20;
/// How much of an error or unexpected body is read: the shared 64 KiB.
using ::ccrec::detail::kMaxErrorBodyBytes;

/// What a body looks like.
enum class BodyKind { kEmpty, kJson, kXml, kOther };

/// Classifies a body by its Content-Type, else by its first non-blank bytes (after a BOM).
BodyKind Classify(HttpHeaders const& headers, std::string_view body);
/// True when Content-Type names JSON, XML or text (a result document, not audio).
bool IsResultContentType(std::string_view content_type);

/// The `code` and `message` of a JSON or XML result document, read by one rule for both formats:
/// an XML answer is read in its JSON form (XmlAnswerAsJson), then both as JSON — the ResultObject()
/// (`result`, `response`, or a root with a `code`), its `code`/`Code`, `message` and `matches`.
/// So an XML answer is classified exactly as the same answer in JSON (token errors, transient
/// codes, codes that are answers, the HTTP-status fallback when there is no code).
struct ResultHeader {
  BodyKind kind = BodyKind::kEmpty;
  /// The document could be read and has a result object (ResultObject() with `response_root`).
  bool parsed = false;
  std::optional<int> code;
  std::string message;
  /// The result has a `matches` list.
  bool has_matches = false;
};
ResultHeader ReadResultHeader(HttpHeaders const& headers, std::string_view body);

/// The `result` object of a parsed JSON document (`{"result":{...}}`, or the root itself when it
/// has a `code`), else nullptr. With `response_root`, also the `response` object of the answers
/// of eventNotify and screen capture (`{"response":{"Code":0,...}}`, the JSON form of the guide's
/// `<response><Code>0</Code>..</response>`), whose code is read from `Code`.
rapidjson::Value const* ResultObject(rapidjson::Value const& root, bool response_root = false);

/// True for an empty list entry: null, `{}` or "".
bool IsEmptyEntry(rapidjson::Value const& entry);
/// Elements of a FACE JSON list (reference §5.3): `"list":[{"item":{...}},...]`, also a plain
/// array, `{"item":[...]}` and `{"item":{...}}`. Empty entries (IsEmptyEntry) are skipped unless
/// `keep_empty`: a `matches` list keeps them, since every entry the server returned counts toward
/// maxListLength.
std::vector<rapidjson::Value const*> ListItems(rapidjson::Value const& parent, char const* list_name,
                                               char const* item_name, bool keep_empty = false);

/// Lenient readers: empty strings read as absent; numbers as numbers or numeric strings;
/// booleans as true/false, "true"/"false", 0/1 or "0"/"1".
std::optional<std::string> Text(rapidjson::Value const& obj, char const* key);
std::optional<bool> Flag(rapidjson::Value const& obj, char const* key);

/// A segment / recording object, a value of `doc`; its `raw_json` (and each SIPREC data's) is its
/// exact text in the answer.
std::optional<Segment> ParseSegment(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& value,
                                                 TimeFormat const& format);
std::optional<Recording> ParseRecording(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& value,
                                                     TimeFormat const& format);
std::optional<RecordingMatch> ParseRecordingMatch(rapidjson::Value const& value, TimeFormat const& format);
std::optional<SegmentMatch> ParseSegmentMatch(rapidjson::Value const& value, TimeFormat const& format);

/// True for the -1 list messages ("Selection criteria insufficient ...").
bool IsListMessage(std::string_view message);
/// True for the "more matches than maxListLength" message.
bool IsTruncationMessage(std::string_view message);
/// The new file name from "This file has been renamed by the recorder, ...: NAME".
std::optional<std::string> RenamedFilename(std::string_view message);

/// A FACE XML answer (UTF-8 or UTF-16, see internal/xml.hpp) rewritten as the JSON FACE documents
/// for the same answer (parse_xml.cpp, docs/face.md "XML answers"): `<result><code>0</code>..` ->
/// `{"result":{"code":0,..}}`, documented lists as `[{"item":{..}}]`, known numeric and boolean
/// members typed. Errors: kParse starting with `what` (malformed XML, a DOCTYPE, nesting deeper than
/// 32 levels); the message names the problem and an offset, never the body's content.
Result<std::string> XmlAnswerAsJson(std::string_view body, std::string_view what);

/// Parses a 2xx `details` answer (codes 0, -1 list, 19), JSON or XML (the same models; for an XML
/// answer each raw_json is the XmlAnswerAsJson() text of the record). `max_list_length` is what was sent
/// (0 = not sent) for the count-based truncation check.
Result<RecordingSearchResult> ParseRecordingSearch(int status, HttpHeaders const& headers,
                                                                std::string_view body, std::string_view what,
                                                                TimeFormat const& format, int max_list_length);
Result<SegmentSearchResult> ParseSegmentSearch(int status, HttpHeaders const& headers,
                                                            std::string_view body, std::string_view what,
                                                            TimeFormat const& format, int max_list_length);
/// Parses a 2xx control-command answer (code 0).
Result<ControlResult> ParseControl(int status, HttpHeaders const& headers, std::string_view body,
                                                std::string_view what);

/// What a login answer said. JSON or XML (a server may ignore Accept on login).
struct LoginAnswer {
  bool parsed = false;
  std::optional<int> code;
  std::string message;
  std::string token;
  /// `expiration` as sent ("3600seconds" or a number).
  std::optional<std::string> expiration;
};
LoginAnswer ParseLogin(HttpHeaders const& headers, std::string_view body);
/// "3600seconds", "3600 seconds", "3600" → 3600 s; nullopt when malformed.
std::optional<std::chrono::seconds> ParseExpiration(std::string_view text);
/// `version` of a JSON or XML answer.
std::optional<std::string> ParseVersion(HttpHeaders const& headers, std::string_view body);

/// At most 200 printable bytes of `body`, for messages, secrets redacted (a UTF-16 body is read as
/// its ASCII characters first, so that `<token>` is recognised and redacted there too).
std::string Snippet(std::string_view body);

}  // namespace ccrec::face::detail
