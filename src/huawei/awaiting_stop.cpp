// SPDX-License-Identifier: Apache-2.0
// Recordings awaiting their AgentMediaEvent_StopRecordDone: the watch's waiting set and the marker of
// their pending lines (reference huawei-cc-gateway.md §5).

#include "huawei/awaiting_stop.hpp"

#include "internal/time_util.hpp"

#include <algorithm>
#include <cctype>

namespace ccrec::huawei::detail {

namespace util = ::ccrec::detail;

namespace {

constexpr std::string_view kMarkerStart = " [ccrec-awaiting-stop taskId=";
constexpr std::string_view kSeenStart = " seen=";

/// At most about 10 years: `t` + `after` (clamped to [0, that]) never overflows.
template <typename TimePoint>
TimePoint AddClamped(TimePoint t, std::chrono::milliseconds after) {
  std::chrono::milliseconds const cap = std::chrono::hours(24 * 3660);
  return t + std::clamp(after, std::chrono::milliseconds(0), cap);
}

bool IsMarkerIdByte(unsigned char c) { return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-'; }

/// The taskId of a marker: the `%XX` escapes decoded; nullopt when a byte or an escape is malformed.
std::optional<std::string> DecodeMarkerId(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (IsMarkerIdByte(c)) {
      out += static_cast<char>(c);
      continue;
    }
    if (c != '%' || i + 2 >= text.size()) return std::nullopt;
    if (!std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

}  // namespace

std::string AwaitingStopMarker(AwaitingStop const& awaiting) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id;
  for (char ch : awaiting.task_id) {
    auto c = static_cast<unsigned char>(ch);
    if (IsMarkerIdByte(c)) {
      id += ch;
    } else {
      id += '%';
      id += kHex[c >> 4];
      id += kHex[c & 0xF];
    }
  }
  return std::string(kMarkerStart) + id + std::string(kSeenStart) + util::FormatIso8601(awaiting.seen_at, true) +
         "]";
}

std::optional<AwaitingStop> ParseAwaitingStopMarker(std::string_view reason) {
  while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back())) != 0) reason.remove_suffix(1);
  if (reason.empty() || reason.back() != ']') return std::nullopt;
  auto start = reason.rfind(kMarkerStart);
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view body = reason.substr(start + kMarkerStart.size());
  body.remove_suffix(1);  // the ']'
  auto seen = body.find(kSeenStart);
  if (seen == std::string_view::npos || seen == 0) return std::nullopt;
  auto id = DecodeMarkerId(body.substr(0, seen));
  if (!id || id->empty()) return std::nullopt;
  std::string_view time = body.substr(seen + kSeenStart.size());
  // Only the ISO-8601 form the writer uses (ParseTimeArg also reads epoch milliseconds).
  if (time.empty() || time.back() != 'Z' || time.find(' ') != std::string_view::npos) return std::nullopt;
  auto at = util::ParseTimeArg(time);
  if (!at) return std::nullopt;
  return AwaitingStop{std::move(*id), *at};
}

exporter::PendingItem AwaitingStopPending(RecordingReference const& r, AwaitingStop const& awaiting,
                                          std::string const& what) {
  exporter::PendingItem p{"huawei", r.call_id,
                          "recording \"" + r.file_name + "\" (task " + awaiting.task_id + ") " + what +
                              AwaitingStopMarker(awaiting)};
  p.recording_id = r.file_name;  // the identity its export will have: --since-last-run retries it
  return p;
}

std::chrono::steady_clock::time_point DueAfter(std::chrono::steady_clock::time_point now,
                                               std::chrono::milliseconds after) {
  return AddClamped(now, after);
}

std::chrono::milliseconds AgeAt(std::chrono::system_clock::time_point since,
                                std::chrono::system_clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - since);
}

std::string PresumedFinishedWarning(RecordingReference const& r, std::chrono::milliseconds age,
                                    std::chrono::milliseconds max_recording_duration) {
  return "Huawei: no AgentMediaEvent_StopRecordDone for \"" + r.file_name + "\" (task " + r.task_id + ") " +
         std::to_string(age.count() / 1000) + " s after its AgentMediaEvent_Record, longer than the maximum " +
         "recording duration (" + std::to_string(max_recording_duration.count()) +
         " ms): presumed finished and exported now (sidecar \"stop_record_seen\": false); if the call was "
         "still going on, the stored file is incomplete";
}

void WaitingRecordings::Add(RecordingReference ref, SysTime seen_at, std::optional<SteadyTime> warn_at) {
  Due due{ref.task_id, ref.file_name};
  if (warn_at) warn_.emplace(*warn_at, due);
  expire_.emplace(AddClamped(seen_at, max_recording_duration_), due);
  std::string task = ref.task_id;  // not ref.task_id below: the right side moves ref first
  by_task_.emplace(std::move(task), Entry{std::move(ref), seen_at});
}

bool WaitingRecordings::Contains(std::string const& task, std::string const& file_name) const {
  auto [first, last] = by_task_.equal_range(task);
  return std::any_of(first, last, [&](auto const& w) { return w.second.ref.file_name == file_name; });
}

std::vector<RecordingReference> WaitingRecordings::TakeTask(std::string const& task) {
  std::vector<RecordingReference> done;
  auto [first, last] = by_task_.equal_range(task);
  for (auto it = first; it != last; ++it) done.push_back(std::move(it->second.ref));
  by_task_.erase(first, last);
  return done;
}

bool WaitingRecordings::EraseEntry(std::string const& task, std::string const& file_name, Entry* out) {
  auto [first, last] = by_task_.equal_range(task);
  for (auto it = first; it != last; ++it) {
    if (it->second.ref.file_name != file_name) continue;
    if (out) *out = std::move(it->second);
    by_task_.erase(it);
    return true;
  }
  return false;
}

void WaitingRecordings::Erase(std::string const& task, std::string const& file_name) {
  (void)EraseEntry(task, file_name, nullptr);
}

std::vector<std::pair<std::string, std::string>> WaitingRecordings::TakeOverdue(SteadyTime now) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = warn_.begin(); it != warn_.end() && it->first <= now; it = warn_.erase(it)) {
    if (Contains(it->second.task, it->second.file_name)) out.emplace_back(it->second.task, it->second.file_name);
  }
  return out;
}

std::vector<std::pair<RecordingReference, WaitingRecordings::SysTime>> WaitingRecordings::TakeExpired(SysTime now) {
  std::vector<std::pair<RecordingReference, SysTime>> out;
  for (auto it = expire_.begin(); it != expire_.end() && it->first <= now; it = expire_.erase(it)) {
    Entry e;
    if (EraseEntry(it->second.task, it->second.file_name, &e)) out.emplace_back(std::move(e.ref), e.seen_at);
  }
  return out;
}

std::optional<WaitingRecordings::SteadyTime> WaitingRecordings::NextDue(SteadyTime steady_now,
                                                                        SysTime clock_now) const {
  std::optional<SteadyTime> next;
  if (!warn_.empty()) next = warn_.begin()->first;
  if (!expire_.empty()) {
    auto in = std::chrono::duration_cast<std::chrono::milliseconds>(expire_.begin()->first - clock_now);
    auto at = AddClamped(steady_now, in);
    next = next ? std::min(*next, at) : at;
  }
  return next;
}

std::vector<std::pair<RecordingReference, AwaitingStop>> WaitingRecordings::TakeAll() {
  std::vector<std::pair<RecordingReference, AwaitingStop>> out;
  for (auto& [task, e] : by_task_) out.emplace_back(std::move(e.ref), AwaitingStop{task, e.seen_at});
  by_task_.clear();
  warn_.clear();
  expire_.clear();
  return out;
}

void EarlyStops::Add(std::string const& task) {
  if (tasks_.count(task) > 0) return;
  if (order_.size() >= capacity_) {
    tasks_.erase(order_.front());
    order_.pop_front();
  }
  tasks_.emplace(task, order_.insert(order_.end(), task));
}

bool EarlyStops::Take(std::string const& task) {
  auto it = tasks_.find(task);
  if (it == tasks_.end()) return false;
  order_.erase(it->second);
  tasks_.erase(it);
  return true;
}

}  // namespace ccrec::huawei::detail
