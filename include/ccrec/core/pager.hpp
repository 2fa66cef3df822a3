// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `Pager<T>`: a move-only, lazily fetching input range of `Result<T>` (STYLE.md §5).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <functional>
#include <iterator>
#include <optional>
#include <utility>

namespace ccrec {
inline namespace v1 {

/// Lazily yields items of a paged listing. Each element is a `Result<T>`; an error is yielded
/// once, as the last element.
///
/// @code
/// for (auto& task : client.ListTasks(query)) {
///   if (!task) { /* task.error() */ break; }
///   Use(*task);
/// }
/// @endcode
///
/// @par Thread safety
/// One thread at a time.
template <typename T>
class Pager {
 public:
  /// Produces the next element, or nullopt at the end. Called lazily.
  using Next = std::function<std::optional<Result<T>>()>;

  explicit Pager(Next next) : next_(std::move(next)) {}
  Pager(Pager&&) noexcept = default;
  Pager& operator=(Pager&&) noexcept = default;
  Pager(Pager const&) = delete;
  Pager& operator=(Pager const&) = delete;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Result<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = value_type*;
    using reference = value_type&;

    iterator() = default;
    reference operator*() const { return *owner_->current_; }
    pointer operator->() const { return &*owner_->current_; }
    iterator& operator++() {
      owner_->Advance();
      if (!owner_->current_) owner_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(iterator const& a, iterator const& b) { return a.owner_ == b.owner_; }
    friend bool operator!=(iterator const& a, iterator const& b) { return !(a == b); }

   private:
    friend class Pager;
    explicit iterator(Pager* owner) : owner_(owner) {}
    Pager* owner_ = nullptr;
  };

  iterator begin() {
    Advance();
    return current_ ? iterator(this) : iterator();
  }
  iterator end() { return iterator(); }

 private:
  void Advance() {
    if (done_) {
      current_.reset();
      return;
    }
    current_ = next_();
    if (!current_ || !current_->has_value()) done_ = true;  // error is the last element
  }

  Next next_;
  std::optional<Result<T>> current_;
  bool done_ = false;
};

}  // namespace v1
}  // namespace ccrec
