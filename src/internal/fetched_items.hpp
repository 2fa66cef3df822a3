// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the yielding end of a lister that fetches ahead (the source of a Pager). Not installed.

#include <ccrec/core/error.hpp>
#include <ccrec/core/result.hpp>

#include <deque>
#include <optional>
#include <utility>

namespace ccrec::detail {

/// What a lister has fetched and not yet yielded: its items in order, then the error that ended
/// the listing (yielded once), then the end. The lister's Next() takes from it, and fetches more
/// only while Take() has nothing to give:
/// @code
///   std::optional<Result<T>> out;
///   while (!fetched_.Take(out)) FetchMoreOrFinish();
///   return out;
/// @endcode
///
/// @par Thread safety
/// None: one thread, like the Pager it backs.
template <class T>
class FetchedItems {
 public:
  /// Queues an item, yielded after those queued before it.
  void Push(T item) { items_.push_back(std::move(item)); }
  /// Ends the listing with `error`, yielded once after the queued items. The first error wins.
  void Fail(Error error) {
    if (!error_ && !finished_) error_ = std::move(error);
  }
  /// Ends the listing after the queued items.
  void Finish() { finished_ = true; }

  /// Sets `out` to what the lister's Next() returns now and returns true: the first queued item;
  /// else the error (once, and the listing is finished); else, once finished, nothing (the end).
  /// Returns false, leaving `out` alone, when nothing is queued and the listing goes on: the
  /// lister must fetch first.
  bool Take(std::optional<Result<T>>& out) {
    if (!items_.empty()) {
      out.emplace(std::move(items_.front()));
      items_.pop_front();
      return true;
    }
    if (error_) {
      out.emplace(std::move(*error_));
      error_.reset();
      finished_ = true;
      return true;
    }
    if (finished_) {
      out.reset();
      return true;
    }
    return false;
  }

 private:
  std::deque<T> items_;
  std::optional<Error> error_;
  bool finished_ = false;
};

}  // namespace ccrec::detail
