// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: JSON <-> model conversion and response checks. Not installed.
// Hidden in the shared library; unit tests call it through ccrec_private::webex.

#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/token_store.hpp>
#include <ccrec/webex/models.hpp>

#include "internal/json.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex::detail {

using SysTime = std::chrono::system_clock::time_point;

/// Largest |epoch ms| accepted as a time (about year 2250): beyond it system_clock's
/// nanosecond time_point would overflow. Larger values read as absent.
inline constexpr std::int64_t kMaxEpochMs = 8'000'000'000'000;

/// Epoch-ms member (number or numeric string) as a time, or nullopt when missing, mistyped or
/// out of range.
std::optional<SysTime> OptEpochMs(rapidjson::Value const& obj, char const* key);

/// An `{"id", "name"}` object member (owner, queue, team, site) as a NamedRef, or nullopt when
/// missing or not an object.
std::optional<NamedRef> OptNamedRef(rapidjson::Value const& obj, char const* key);

/// kParse unless the Content-Type is absent or a JSON type (application/json, */*+json).
Result<void> CheckJsonContentType(HttpHeaders const& headers, std::string_view what);

/// What a token endpoint answered (OAuth2 token response, Service App token), read on receipt.
struct TokenResponse {
  /// `access_token`; `token_type` ("Bearer" when absent or empty); `expires_at` = receipt +
  /// `expires_in`; `refresh_token` as sent (empty when absent); `refresh_token_expires_at` =
  /// receipt + `refresh_token_expires_in` when that is a positive integer.
  OAuthToken token;
  /// `expires_in`.
  std::chrono::seconds lifetime{};
};

/// Reads a token endpoint's JSON answer `doc`, received at `now`. Lifetimes longer than 10 years
/// are clamped so that time arithmetic cannot overflow.
/// Errors: kParse ("<what> response ...") when `doc` is not an object, has no non-empty
/// `access_token` string or no positive integer `expires_in`.
Result<TokenResponse> ReadTokenResponse(rapidjson::Value const& doc, std::string const& what, SysTime now);

/// One `data[]` element of GET /v1/tasks (a value of `doc`); nullopt when it is not an object or
/// has no string id. `raw_json` is its exact text in the response.
std::optional<Task> ParseTask(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& value);

/// One page of GET /v1/tasks as the keyset lister reads it.
struct TasksPage {
  /// The `data[]` elements that are tasks, in server order.
  std::vector<Task> tasks;
  /// The other elements (not an object, or no non-empty string id), in server order; `reason`
  /// names the element ("data[3] has no string ...").
  std::vector<MalformedTask> malformed;
  /// The size of `data[]` as sent: whether a page is full is judged on this, never on
  /// tasks.size() (a full page with one malformed element is still full).
  std::size_t elements = 0;
  /// The answer has a JSON:API next link, `links.next` (a non-empty string, or an object with a
  /// non-empty string `href`). The spec documents no links (reference §4.2, §4.3); a server that
  /// sends one says more tasks follow, even on a page shorter than pageSize.
  bool next_link = false;
};

/// The body of GET /v1/tasks, every element accounted for. kParse when not JSON or without a
/// `data` array.
Result<TasksPage> ParseTasksPage(std::string_view body);

/// The body of GET /v1/tasks (ParseTasksPage()); malformed elements are skipped and logged
/// (Warn, with their index).
Result<std::vector<Task>> ParseTasksResponse(std::string_view body, Logger const& logger);

/// One `recording[]` / `transcription[]` element, a value of `doc` (lenient; never fails).
/// `raw_json` is its exact text in the response.
Recording ParseRecording(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& value);
Transcription ParseTranscription(::ccrec::detail::JsonWithSpans const& doc, rapidjson::Value const& value);

/// The body of POST /v1/captures/query, in server order. kParse when not JSON or without a
/// `data` array. Elements without taskId are skipped and logged. A `recording` or
/// `transcription` given as one object instead of an array is read as that one entry; one that is
/// neither (a string, a number) is logged (Warn) and read as empty.
Result<std::vector<TaskCaptures>> ParseCapturesResponse(std::string_view body, Logger const& logger);

/// The request body of POST /v1/captures/query (no validation).
std::string BuildCapturesRequestBody(std::vector<std::string> const& task_ids, CaptureQuery const& query);

}  // namespace ccrec::webex::detail
