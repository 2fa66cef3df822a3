// SPDX-License-Identifier: Apache-2.0
#pragma once
// Records a v1 list query returned although their cstts lies outside what the query asked for
// (JSON: Client::QueryPage(); CSV: CsvWindowFilter). Not installed.

#include <ccrec/core/log.hpp>

#include <cstdint>
#include <string>

namespace ccrec::webex_legacy::detail {

/// Counts the records of one answer whose integer `cstts` lies outside [sent_begin_ms, end_ms]:
/// the dateBegin sent (one millisecond before the window unless asked for it exactly) to the
/// window end, both included, since the service's window semantics are undocumented (reference
/// §4). Records at sent_begin_ms or end_ms are expected (a neighbouring window keeps them); one
/// further out means the service does not filter on cstts in epoch milliseconds, and such a
/// record may be returned only by a window that drops it. Nothing is changed about what is kept:
/// Report() makes it visible.
///
/// @par Thread safety
/// One thread at a time.
class StrayRecords {
 public:
  StrayRecords(std::int64_t sent_begin_ms, std::int64_t end_ms) : sent_begin_ms_(sent_begin_ms), end_ms_(end_ms) {}

  /// Counts `cstts_ms` when it lies outside [sent_begin_ms, end_ms].
  void Check(std::int64_t cstts_ms);
  /// Records counted by Check().
  std::uint64_t Count() const noexcept { return count_; }
  /// When any record was counted: one Warn, starting with `context` (the query and its window),
  /// with the count and the range of cstts seen, saying that records may be missing from the
  /// export and that nothing fixes it automatically.
  void Report(Logger const& logger, std::string const& context) const;

 private:
  std::int64_t sent_begin_ms_, end_ms_;
  std::uint64_t count_ = 0;
  std::int64_t min_ms_ = 0, max_ms_ = 0;
};

}  // namespace ccrec::webex_legacy::detail
