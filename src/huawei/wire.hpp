// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::huawei: wire helpers (cookie jar, Set-GUID, recordId encoding, envelopes, events).
// Not installed, not exported: unit tests reach them through ccrec_private::huawei.

#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/models.hpp>

#include "internal/http_util.hpp"
#include "internal/json.hpp"

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::huawei::detail {

/// Largest JSON answer read into memory: 1 MiB. Answers are one envelope (sign-in, one event per
/// poll, a download's JSON error): about 1 KiB. Each signed-in agent has its own poll thread, so
/// the cap bounds memory per agent; a larger answer fails the call with kParse naming the call and
/// the limit (issue 12).
inline constexpr std::size_t kMaxJsonBodyBytes = std::size_t{1} << 20;
/// Reads a 2xx JSON answer whole, up to kMaxJsonBodyBytes. Errors (kParse for a larger body, the
/// reader's error otherwise) are prefixed with `what` (the call, e.g. "Huawei sign-in of agent 101")
/// and carry the answer's HTTP status (see IsUnreadableAnswer()).
Result<std::string> ReadJsonAnswer(HttpResponse& response, std::string const& what);
/// How much of an error body (non-2xx, or a JSON error instead of a file) is read: the shared 64 KiB.
using ::ccrec::detail::kMaxErrorBodyBytes;

/// A per-agent cookie jar: `Set-Cookie` name=value pairs replayed as one `Cookie` header.
///
/// Attributes are ignored (the jar belongs to one agent on one gateway, so Domain and Path do not
/// matter) except deletion: `Max-Age` <= 0, or an `Expires` date in the past. Later values replace
/// earlier ones of the same name; order of first appearance is kept.
///
/// Not thread-safe: the session guards it with its mutex.
class CookieJar {
 public:
  /// Applies every `Set-Cookie` header of a response.
  void Apply(HttpHeaders const& headers, std::chrono::system_clock::time_point now);
  /// Applies one `Set-Cookie` value. Malformed values (no '=', empty name) are ignored; returns
  /// whether the value was used.
  bool ApplyOne(std::string_view set_cookie, std::chrono::system_clock::time_point now);
  /// "a=1; b=2", or empty.
  std::string Header() const;
  void Clear() { cookies_.clear(); }
  bool empty() const { return cookies_.empty(); }
  std::size_t size() const { return cookies_.size(); }
  /// The value of `name`, if set.
  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> cookies_;
};

/// The Guid in a `Set-GUID` value: everything before the first ';', trimmed, without a leading
/// `JSESSIONID=` (case-insensitive). Empty when nothing is left.
std::string GuidFromSetGuid(std::string_view value);

/// `recordId` for the query string per `encoding` (reference §6.1).
std::string EncodeRecordId(std::string_view file_name, RecordIdEncoding encoding);

/// "https://host:port/agentgateway/resource/" (always ending in '/') from the user's gateway URL.
/// Errors: kInvalidArgument when not an http(s) URL, or when it has a query or fragment.
Result<std::string> ResourceRoot(std::string_view gateway_url);

/// The JSON sign-in body (reference §2) with proper JSON types.
std::string SignInBody(AgentSessionOptions const& options);

/// Parses a JSON envelope answer. retcode "0" → the document, with the exact text of each value
/// (a copy of `body` is kept inside); anything else → MapHuaweiError().
Result<::ccrec::detail::JsonWithSpans> ParseEnvelope(int status, std::string_view body,
                                                           HttpHeaders const& headers, std::string_view what);

/// Whether a failed JSON call's error says that a 2xx answer arrived but could not be read: cut off
/// or timed out after its headers, over kMaxJsonBodyBytes, not a JSON envelope, no retcode (such
/// errors carry the answer's HTTP status and no vendor code). A gateway error (a retcode), a non-2xx
/// status, a failure before the answer's headers (refused, reset, timeout) or a cancellation is not.
/// For the event poll it matters: the gateway delivers each event once, so what such an answer
/// carried is lost (EventPoller::UnreadableAnswers()).
bool IsUnreadableAnswer(Error const& error);

/// The events of a poll answer (`event`: missing/null → none, object → one, array → each object).
/// Non-object entries are skipped and counted in `skipped`, except record events: a string holding
/// an event object's JSON is parsed as that event, and any other entry that names
/// AgentMediaEvent_Record or AgentMediaEvent_Record_Fail becomes an event of that type whose content
/// is the raw entry (so the source reports it as a malformed record event, never drops it).
/// `raw_json` and `content_json` are the exact text the gateway sent.
std::vector<AgentEvent> EventsFromPoll(::ccrec::detail::JsonWithSpans const& envelope, int* skipped = nullptr);

/// One event object (a value of `doc`) → AgentEvent (lenient); `raw_json` and `content_json` are
/// its exact text and that of its `content`.
AgentEvent EventFromJson(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& event);

/// What a download's Content-Type says.
enum class BodyKind { kFile, kJson, kMissing, kOther };
BodyKind ClassifyContentType(std::optional<std::string> const& content_type);

/// The first `yyyymmdd` directory of a Huawei path (1990..2100, valid month/day), as a UTC midnight.
std::optional<std::chrono::system_clock::time_point> DateFromPath(std::string_view file_name);

}  // namespace ccrec::huawei::detail
