// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal piece of the export engine (exporter.cpp): the bounded work queue. Not installed.

#include <ccrec/exporter/exporter.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace ccrec::exporter::detail {

/// Bounded FIFO between the enumerating thread and the workers (back-pressure).
class ItemQueue {
 public:
  explicit ItemQueue(std::size_t capacity) : capacity_(capacity) {}
  /// Blocks while full; false when closed.
  bool Push(ExportItem item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  /// Blocks while empty; nullopt when closed and drained (or aborted).
  std::optional<ExportItem> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || aborted_ || !items_.empty(); });
    if (aborted_ || items_.empty()) return std::nullopt;
    ExportItem item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  /// No more pushes; workers drain what is queued.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  /// Stop now: workers get no more items. The queued ones are kept for TakeDropped(), so that
  /// the engine can record each of them (as pending) instead of losing it.
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    aborted_ = true;
    for (auto& item : items_) dropped_.push_back(std::move(item));
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  /// The items Abort() took out of the queue (each once).
  std::deque<ExportItem> TakeDropped() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(dropped_, {});
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<ExportItem> items_;
  std::deque<ExportItem> dropped_;
  std::size_t capacity_;
  bool closed_ = false;
  bool aborted_ = false;
};

}  // namespace ccrec::exporter::detail
