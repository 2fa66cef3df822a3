// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Analyzer query JSON sent as `q=` to `GET /aws/api/{record-type}?q=...`: a typed builder
/// with the lab's defaults, plus a raw-JSON passthrough for a query copied from Analyzer.
///
/// Source: ccrec reference `webex-legacy-v1.md` §4. Only `dateBegin`, `dateEnd` (epoch ms),
/// `timezone`, `numberOfRecords` and `activityType` (`INTERACTION` for CSRs) are described; every
/// other field is copied verbatim from an Analyzer request and is opaque to ccrec.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::webex_legacy {

/// `aggregateQueryProperties` of the query. Defaults are the lab's example values; the semantics
/// of every member are undocumented (reference §4).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT AggregateQueryProperties {
  int compute_interval = 0;                      ///< `computeInterval`. Default 0.
  std::string compute_interval_unit = "NONE";    ///< `computeIntervalUnit`. Default "NONE".
  int lookback_count = 0;                        ///< `lookbackCount`. Default 0.
  int frequency = 0;                             ///< `frequency`. Default 0.
  bool moving_window = false;                    ///< `movingWindow`. Default false.
  bool cumulative = false;                       ///< `cumulative`. Default false.
  /// `rowSegmentSet` as JSON text (must be a JSON array). Default "[]".
  std::string row_segment_set_json = "[]";
  /// `columnSegmentSet` as JSON text (must be a JSON array). Default "[]".
  std::string column_segment_set_json = "[]";
  std::string query_type = "TEMPORAL";           ///< `queryType`. Default "TEMPORAL".
  std::string request_type = "PROFILE";          ///< `requestType`. Default "PROFILE".
  std::string interval_axis = "ROW";             ///< `intervalAxis`. Default "ROW".
  bool compute_summaries = true;                 ///< `computeSummaries`. Default true.
};

/// One `filterGroups[]` entry of an aggregation.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT FilterGroup {
  /// `operator`, e.g. "AND". Default "AND".
  std::string op = "AND";
  /// `valueFilters[]`: each element is JSON text copied verbatim from an Analyzer request (the
  /// lab shows only an empty list, so ccrec does not model its members). Default: empty.
  std::vector<std::string> value_filters_json;
};

/// One `aggregations[]` entry.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Aggregation {
  int id = 0;                                     ///< `id`. Default 0.
  std::vector<FilterGroup> filter_groups{FilterGroup{}};  ///< `filterGroups`. Default: one empty AND group.
  std::string aggregation_type = "VALUE";         ///< `aggregationType`. Default "VALUE".
  std::string compute_column_name = "sid";        ///< `computeColumnName`. Default "sid" (session id).
};

/// A v1 Analyzer query.
///
/// Typed form: every member below is serialised (compact JSON, members in the lab's order).
/// Passthrough form: when `raw_json` is set, that JSON object (copied from the operator's own
/// Analyzer `dataQuery` request) is sent with only `dateBegin`, `dateEnd`, `numberOfRecords`
/// and (when `timezone` is set) `timezone` replaced; the typed members other than those are
/// ignored.
///
/// Windows are half-open: `dateBegin` is inclusive, `dateEnd` exclusive, applied to each
/// record's own start time `cstts` (assumed; reference §4 and the ccrec issue).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Query {
  /// `anchorId`, copied from the operator's Analyzer request; omitted when empty. Default empty.
  std::string anchor_id;
  /// `dateBegin`: window start (inclusive), sent as `[epoch ms]`. Sub-millisecond parts are
  /// truncated. Required (must be before `date_end`).
  std::chrono::system_clock::time_point date_begin{};
  /// `dateEnd`: window end (exclusive), sent as `[epoch ms]`. Required.
  std::chrono::system_clock::time_point date_end{};
  /// `timezone`, an IANA zone name. Typed form: default "UTC" when unset. Passthrough form:
  /// replaced only when set.
  std::optional<std::string> timezone;
  /// `numberOfRecords`: the row cap of the response, 1..1000 (the service returns at most
  /// min(numberOfRecords, 1000) rows and has no paging; never send the lab's 1000000 expecting
  /// everything). Default 1000.
  int number_of_records = 1000;
  /// `lastNRecords`. Default false.
  bool last_n_records = false;
  /// `activityType`; omitted when empty. Default "INTERACTION" (the lab's value for CSRs).
  std::string activity_type = "INTERACTION";
  /// `aggregateQueryProperties`; omitted when nullopt. Default: the lab's values.
  std::optional<AggregateQueryProperties> aggregate_query_properties = AggregateQueryProperties{};
  /// `aggregations`; omitted when empty. Default: one `VALUE` aggregation of `sid`.
  std::vector<Aggregation> aggregations{Aggregation{}};
  /// Passthrough: a JSON object used instead of the typed members (see above). Default empty.
  std::string raw_json;
};

/// Serialises `query` as compact JSON (no whitespace), e.g.
/// `{"anchorId":"11894","dateBegin":[1612155600000],"dateEnd":[1612328400000],"timezone":"UTC",...}`.
///
/// @param query the query.
/// @return the JSON text.
/// Errors: kInvalidArgument when `date_end` is not after `date_begin`, `number_of_records` < 1,
/// `raw_json` (or a `*_json` member) is not valid JSON of the right kind (object / array).
///
/// Source: reference §4.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> BuildQueryJson(Query const& query);

/// The `q` parameter value: BuildQueryJson() percent-encoded exactly once, every byte outside the
/// RFC 3986 unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX` (upper-case hex), so the URL never
/// contains a raw `{ } " [ ]`: `{"anchorId":"11894",...}` becomes `%7B%22anchorId%22%3A%2211894%22%2C...`.
///
/// @param query the query.
/// @return the encoded text (without the `q=`).
/// Errors: as BuildQueryJson().
///
/// Source: reference §4 ("Encoding").
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> EncodeQueryParameter(Query const& query);

}  // namespace ccrec::webex_legacy
