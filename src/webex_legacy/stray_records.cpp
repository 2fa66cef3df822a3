// SPDX-License-Identifier: Apache-2.0
// detail::StrayRecords: records far outside the window a v1 query asked for (stray_records.hpp).

#include "webex_legacy/stray_records.hpp"

#include "internal/time_util.hpp"

#include <algorithm>

namespace ccrec::webex_legacy::detail {

void StrayRecords::Check(std::int64_t cstts_ms) {
  if (cstts_ms >= sent_begin_ms_ && cstts_ms <= end_ms_) return;
  min_ms_ = count_ == 0 ? cstts_ms : std::min(min_ms_, cstts_ms);
  max_ms_ = count_ == 0 ? cstts_ms : std::max(max_ms_, cstts_ms);
  ++count_;
}

void StrayRecords::Report(Logger const& logger, std::string const& context) const {
  if (count_ == 0) return;
  auto at = [](std::int64_t ms) { return ::ccrec::detail::FormatIso8601(::ccrec::detail::FromEpochMs(ms), true); };
  logger.Warn(context + ": " + std::to_string(count_) + " record(s) with a cstts outside the queried range [" +
              at(sent_begin_ms_) + ", " + at(end_ms_) + "] (seen from " + at(min_ms_) + " to " + at(max_ms_) +
              "); the service appears not to filter on cstts in epoch milliseconds, so records may be missing "
              "from the export (each record is kept only by the window its cstts falls in, and that window's "
              "query may not return it). Nothing fixes this automatically: report it, with these times, to the "
              "ccrec maintainers and check the export against Analyzer");
}

}  // namespace ccrec::webex_legacy::detail
