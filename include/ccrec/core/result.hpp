// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `Result<T>`: a value or an Error — a small subset of C++23 `std::expected` (STYLE.md §3).

#include <ccrec/core/export.hpp>
#include <ccrec/core/error.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace ccrec {
inline namespace v1 {

/// Holds either a `T` or an `Error`.
///
/// Construct from a `T` (success) or an `Error` (failure). `value()` on a failure throws
/// `ccrec::Exception`; `operator*` and `operator->` on a failure are undefined behaviour
/// (check first).
///
/// @par Thread safety
/// Same as `T`.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Result<Error> is not allowed");

 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    Check();
    return std::get<0>(storage_);
  }
  T const& value() const& {
    Check();
    return std::get<0>(storage_);
  }
  T&& value() && {
    Check();
    return std::get<0>(std::move(storage_));
  }

  /// The error; only valid when `!has_value()`.
  Error const& error() const& { return std::get<1>(storage_); }
  Error&& error() && { return std::get<1>(std::move(storage_)); }

  T& operator*() & { return std::get<0>(storage_); }
  T const& operator*() const& { return std::get<0>(storage_); }
  T&& operator*() && { return std::get<0>(std::move(storage_)); }
  T* operator->() { return &std::get<0>(storage_); }
  T const* operator->() const { return &std::get<0>(storage_); }

  /// The value, or `fallback` converted to T on error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(storage_) : static_cast<T>(std::forward<U>(fallback));
  }
  /// As above, moving the value out (works for move-only T such as std::unique_ptr).
  template <typename U>
  T value_or(U&& fallback) && {
    return has_value() ? std::get<0>(std::move(storage_)) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void Check() const {
    if (!has_value()) throw Exception(std::get<1>(storage_));
  }
  std::variant<T, Error> storage_;
};

/// `Result<void>`: success carries no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(implicit)

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) throw Exception(error_);
  }
  Error const& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace v1
}  // namespace ccrec
