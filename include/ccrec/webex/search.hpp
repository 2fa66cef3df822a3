// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex Contact Center Search API (`POST /search`, GraphQL): task metadata that the Tasks API
/// lacks (end time, total duration, wrap-up, team, site, CAD/global variables) and server-side
/// filters on it. Used by Client::SearchTasks() and `WebexSourceOptions::enrich_search`.
///
/// Source: Webex CC OpenAPI `POST /search` (operationId getSearchResults;
/// https://developer.webex.com/webex-contact-center/docs/api/v1/search/search): body
/// `{"query","variables"}`, `task(from:, to:, filter:, pagination:{cursor:"0"}) { tasks {..} }`.
/// Field and filter names beyond the spec's example (`lastWrapupCodeName`, `lastTeam`, `lastSite`,
/// `stringGlobalVariables(name:)`, `totalDuration: {gte|lte}`, `pageInfo{hasNextPage endCursor}`,
/// `timeComparator`) come from Cisco's public samples, not the spec: assumptions (docs/webex.md).

#include <ccrec/core/export.hpp>
#include <ccrec/webex/models.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::webex {

/// Server-side filters of a Search query. Lists are "any of" (empty = no filter), combined with
/// "and"; every value is sent as a GraphQL string literal, escaped (never pasted as syntax).
/// MakeWebexSource() (WebexSourceOptions::search_filter) does not send them: it applies them to
/// an unfiltered answer with SearchTaskMatches(), so that a task the answer lacks is known to be
/// one Search has not indexed yet rather than one the filters exclude.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SearchFilter {
  /// `totalDuration` bounds (the task's whole duration, ms on the wire; `gte` / `lte`).
  std::optional<std::chrono::milliseconds> min_duration;
  std::optional<std::chrono::milliseconds> max_duration;
  /// `origin` equals one of these (ANI: the caller's number as Webex stores it, e.g. "+14085550100").
  std::vector<std::string> ani;
  /// `destination` equals one of these (DNIS: the dialled number).
  std::vector<std::string> dnis;
  /// `lastWrapupCodeName` equals one of these (the wrap-up / disposition name).
  std::vector<std::string> wrapup;
  /// String CAD (global) variables: each (name, value) must hold (`stringGlobalVariables`).
  std::vector<std::pair<std::string, std::string>> cad;

  /// Whether any filter is set.
  bool Any() const {
    return min_duration || max_duration || !ani.empty() || !dnis.empty() || !wrapup.empty() || !cad.empty();
  }
};

/// Options of Client::SearchTasks() / Client::SearchTasksPage().
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SearchQuery {
  /// Window on createdTime (`timeComparator: createdTime`), [from, to), epoch ms. Required;
  /// `to` after `from`, at most 365 days apart (API limit).
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;
  /// `channelType` equals one of these (lower-case enum names). Default {} = every channel.
  std::vector<std::string> channel_types;
  /// Server-side filters. Default: none.
  SearchFilter filter;
  /// String CAD variables to fetch (`stringGlobalVariables(name: "...")`), besides those in
  /// `filter.cad`. Default: none.
  std::vector<std::string> cad_names;
  /// Sent as `?orgId=` only when set.
  std::optional<std::string> org_id;
};

/// One task as the Search API returns it. Every field may be absent.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT SearchTask {
  std::string id;                                  ///< `id`
  std::optional<std::string> channel_type;         ///< `channelType`
  std::optional<std::string> status;               ///< `status`
  std::optional<std::string> direction;            ///< `direction`
  std::optional<std::string> ani;                  ///< `origin`
  std::optional<std::string> dnis;                 ///< `destination`
  std::optional<std::chrono::system_clock::time_point> created_time;  ///< `createdTime` (epoch ms)
  std::optional<std::chrono::system_clock::time_point> ended_time;    ///< `endedTime` (epoch ms)
  std::optional<std::chrono::milliseconds> total_duration;            ///< `totalDuration` (ms)
  std::optional<std::string> wrapup;               ///< `lastWrapupCodeName`
  std::optional<NamedRef> agent;                   ///< `owner{id name}`
  std::optional<NamedRef> queue;                   ///< `lastQueue{id name}`
  std::optional<NamedRef> team;                    ///< `lastTeam{id name}`
  std::optional<NamedRef> site;                    ///< `lastSite{id name}`
  std::optional<bool> capture_requested;           ///< `captureRequested`
  /// String CAD variables fetched: name -> value (only those with a string value).
  std::map<std::string, std::string> cad;
  /// The task object exactly as received (the server's bytes).
  std::string raw_json;
};

/// One page of Search results.
struct CCREC_EXPORT SearchPage {
  std::vector<SearchTask> tasks;
  /// `pageInfo.hasNextPage` (false when absent or not a boolean).
  bool has_next_page = false;
  /// Whether `pageInfo.hasNextPage` was a boolean (or "true"/"false"). When it was not, whether
  /// more pages follow is unknown: Client::SearchTasks() then asks for the next page anyway and
  /// stops at a page that adds no new task. Default true.
  bool has_next_page_known = true;
  /// `pageInfo.endCursor`, passed back as the next `pagination.cursor`.
  std::optional<std::string> end_cursor;
};

/// Whether `task` satisfies every filter of `filter` (a task lacking a filtered field does not).
/// Used to re-check what the server returned. Names compare exactly; durations inclusively.
CCREC_EXPORT bool SearchTaskMatches(SearchTask const& task, SearchFilter const& filter);

}  // namespace ccrec::webex
