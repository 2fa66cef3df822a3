// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal piece of the export engine (exporter.cpp): a few threads running small tasks (the
// sidecar writes) off the workers' critical path. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ccrec::exporter::detail {
// An anonymous namespace, in a header included by exporter.cpp only: std::thread's state for the
// pool's lambda then has internal linkage instead of being exported from the library
// (abi.exported_symbols).
namespace {

/// `threads` threads running submitted tasks in submission order. At most `capacity` tasks wait:
/// Submit() blocks while that many do (back-pressure on the workers, bounded memory). Join()
/// runs every submitted task to its end, then joins the threads; the destructor joins too.
/// Tasks must not throw.
///
/// Thread safety: Submit() from any thread; Join() once, after the last Submit().
class TaskPool {
 public:
  TaskPool(int threads, std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~TaskPool() { Join(); }
  TaskPool(TaskPool const&) = delete;
  TaskPool& operator=(TaskPool const&) = delete;

  void Submit(std::function<void()> task) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return tasks_.size() < capacity_; });
    tasks_.push_back(std::move(task));
    not_empty_.notify_one();
  }

  void Join() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      not_empty_.notify_all();
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        not_empty_.wait(lock, [&] { return closed_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // closed and drained
        task = std::move(tasks_.front());
        tasks_.pop_front();
        not_full_.notify_one();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::function<void()>> tasks_;
  std::size_t capacity_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace
}  // namespace ccrec::exporter::detail
