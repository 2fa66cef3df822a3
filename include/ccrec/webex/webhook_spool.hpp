// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// A durable spool of accepted webhook events: the receiver acknowledges a delivery only after
/// WebhookSpool::Accept() returned (the event is on disk, fsynced), a worker exports the events
/// it lists and removes each one once its task is exported. A restart replays what is left.
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/webex/webhook.hpp>

#include <string>
#include <vector>

namespace ccrec::webex {

/// A directory of accepted events, one file per event id (`<sha256(id) hex>.json`, mode 0600,
/// holding the raw body). Keying files by event id makes a repeated delivery of a spooled event a
/// no-op, also across restarts.
///
/// @par Thread safety
/// Thread-safe: each operation works on whole files with atomic renames; Accept() may run on many
/// listener threads while one worker calls Pending() and Done().
class CCREC_EXPORT WebhookSpool {
 public:
  /// Opens (creating, mode 0700, durable) the spool directory `dir`. Errors: kInvalidArgument when
  /// `dir` is empty, kUnavailable when it cannot be created.
  static Result<WebhookSpool> Open(std::string dir);

  /// Stores `event` durably (temporary file, fsync, rename, fsync of the directory).
  /// @return true when stored now, false when an event with this id is already spooled.
  /// Errors: kUnavailable when the file cannot be written (answer 5xx: the sender retries).
  Result<bool> Accept(WebhookEvent const& event) const;

  /// Every spooled event, oldest file first by modification time (events spooled within the file
  /// system's timestamp granularity may come in either order; `webex serve` does not depend on
  /// it). A file that cannot be read or parsed is skipped with its path in `problems` (when
  /// given) and left in place.
  Result<std::vector<WebhookEvent>> Pending(std::vector<std::string>* problems = nullptr) const;

  /// Removes the event `event_id` (durably). Removing an absent event succeeds.
  Result<void> Done(std::string const& event_id) const;

  /// The spool directory.
  std::string const& Dir() const { return dir_; }

 private:
  explicit WebhookSpool(std::string dir) : dir_(std::move(dir)) {}
  std::string PathFor(std::string const& event_id) const;
  std::string dir_;
};

}  // namespace ccrec::webex
