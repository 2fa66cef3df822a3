// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: the Search API's GraphQL request and response (issue 13 item 3).
// Not installed, not exported: unit tests reach it through ccrec_private::webex.

#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/search.hpp>

#include <string>
#include <string_view>

namespace ccrec::webex::detail {

/// `text` as a GraphQL string literal, quotes included: `"`, `\` and control characters escaped
/// (`\"`, `\\`, `\n`, `\u001f`, ...); other bytes (UTF-8) as they are.
std::string GraphQlString(std::string_view text);

/// Checks `query` (see Client::SearchTasksPage) and builds the request body for `cursor`.
Result<std::string> BuildSearchRequestBody(SearchQuery const& query, std::string const& cursor);

/// The CAD names a query fetches, in alias order (`cad0`, `cad1`, ...): cad_names, then the
/// names of filter.cad not already listed.
std::vector<std::string> SearchCadNames(SearchQuery const& query);

/// Parses a Search answer. kParse when not JSON, when it has a non-empty GraphQL `errors`
/// array (messages quoted), or lacks `data.task.tasks`. Tasks without id are dropped (logged).
Result<SearchPage> ParseSearchResponse(std::string_view body, std::vector<std::string> const& cad_names,
                                                    Logger const& logger);

/// The sidecar's "search" member: `{"ani","dnis","channel_type","status","direction",
/// "created_time","ended_time" (ISO 8601 UTC),"total_duration_ms","wrapup","queue","agent","team",
/// "site" ({"id","name"}),"cad":{name: value},"raw":{the task as received}}`; absent fields are null.
std::string SearchSidecarJson(SearchTask const& task);

/// `sidecar` (a JSON object followed by "\n") with `"search": SearchSidecarJson(*task)` added
/// as its last member; `"search": null` when `task` is null (enrichment asked, but Search had
/// no record of the task). Call it only when enriching.
std::string WithSearch(std::string sidecar, SearchTask const* task);

}  // namespace ccrec::webex::detail
