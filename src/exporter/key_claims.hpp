// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal piece of the export engine (exporter.cpp): the object keys claimed in one run, so
// that no two recordings (or a recording and another recording's sidecar) share one. Not
// installed.

#include <ccrec/core/result.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/object_identity.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace ccrec::exporter::detail {

/// An item that had completed (exported or skipped) when a later item of the run collided with
/// it: its outcome is taken back and it is recorded "failed" with `error`.
struct CollisionVictim {
  RecordingIdentity id;
  std::string key;  ///< the key of its recording (its manifest line's key)
  ItemStatus state = ItemStatus::kExported;  ///< kExported or kSkipped, as it was recorded
  std::uint64_t bytes = 0;                   ///< the bytes it was exported with (kExported)
  std::optional<std::chrono::system_clock::time_point> window_time;
  Error error;  ///< the collision, seen from the victim
};

/// The keys of one run: each recording's key and, when it has a sidecar, key + ".json". A key
/// wanted by two different objects (two recordings, or a recording and another recording's
/// sidecar) fails both items: the later one through Claim(), the earlier one through Complete()
/// when it is still in flight, else through Claim()'s `on_victim`. The same recording listed
/// twice (same identity, same key) is not a collision.
///
/// @par Thread safety
/// Thread-safe; the callbacks run under its lock (they must not call back into it).
class KeyClaims {
 public:
  /// `describe` names a key in messages (ObjectSink::Describe()).
  explicit KeyClaims(std::function<std::string(std::string const& key)> describe) : describe_(std::move(describe)) {}

  /// Claims `key` for the recording `id` and, with `sidecar`, `key` + ".json" for its sidecar.
  /// @return the kIntegrity "key collision" error the item must fail with, or nothing. Each
  /// other item it collides with is marked (Complete() fails it); one that already completed
  /// is handed to `on_victim` instead, under the lock, before this returns.
  std::optional<Error> Claim(RecordingIdentity const& id,
                             std::optional<std::chrono::system_clock::time_point> window_time, std::string const& key,
                             bool sidecar, std::function<void(CollisionVictim const&)> const& on_victim);

  /// The item whose recording key is `key` completed with `status` (kExported with `bytes`, or
  /// kSkipped): `record` runs under the lock, so that the "failed" line of a later collision
  /// follows its line. When the item's keys collided meanwhile, returns the collision error
  /// instead (and `record` is not called).
  std::optional<Error> Complete(std::string const& key, ItemStatus status, std::uint64_t bytes,
                                std::function<void()> const& record);

 private:
  enum class Use { kRecording, kSidecar };
  /// Who holds a key. The item's outcome is kept in the entry of its recording key.
  struct Entry {
    RecordingIdentity id;
    Use use = Use::kRecording;
    std::string recording_key;  // the holder's recording key (this entry's own for kRecording)
    ItemStatus state = ItemStatus::kPending;  // kPending = in flight
    std::optional<Error> collision;           // set once another item collided with the holder
    std::uint64_t bytes = 0;
    std::optional<std::chrono::system_clock::time_point> window_time;
  };

  Error Collision(std::string const& key, Entry const& mine, Entry const& theirs) const;

  std::function<std::string(std::string const&)> describe_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by key, guarded by mu_
};

}  // namespace ccrec::exporter::detail
