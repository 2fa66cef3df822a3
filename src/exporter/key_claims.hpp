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
#include <vector>

namespace ccrec::exporter::detail {

/// One listing of a recording that completed: the outcome it was counted and recorded with.
struct Completion {
  ItemStatus state = ItemStatus::kExported;  ///< kExported or kSkipped
  std::uint64_t bytes = 0;                   ///< the bytes it was exported with (kExported)
  std::optional<std::chrono::system_clock::time_point> window_time;  ///< the listing's ExportItem::window_time
};

/// A recording that had completed (exported or skipped) when a later item of the run collided
/// with it: each of its completed listings is taken back and recorded "failed" with `error`.
struct CollisionVictim {
  RecordingIdentity id;
  std::string key;  ///< the key of its recording (its manifest lines' key)
  /// Every listing of the recording that completed, in order: one, or more when the source
  /// listed the recording more than once in the run (the first exported, the others skipped).
  std::vector<Completion> completions;
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
  /// other recording it collides with is marked (Complete() fails its listings still in
  /// flight); one with completed listings is handed to `on_victim` with all of them, under the
  /// lock, before this returns (once: its later listings fail through Complete()).
  std::optional<Error> Claim(RecordingIdentity const& id, std::string const& key, bool sidecar,
                             std::function<void(CollisionVictim const&)> const& on_victim);

  /// A listing of the item whose recording key is `key` completed with `status` (kExported with
  /// `bytes`, or kSkipped; `window_time` its ExportItem::window_time): `record` runs under the
  /// lock, so that the "failed" line of a later collision follows its line. When the item's
  /// keys collided meanwhile, returns the collision error instead (and `record` is not called).
  std::optional<Error> Complete(std::string const& key, ItemStatus status, std::uint64_t bytes,
                                std::optional<std::chrono::system_clock::time_point> window_time,
                                std::function<void()> const& record);

 private:
  enum class Use { kRecording, kSidecar };
  /// Who holds a key. The recording's outcomes are kept in the entry of its recording key.
  struct Entry {
    RecordingIdentity id;
    Use use = Use::kRecording;
    std::string recording_key;           // the holder's recording key (this entry's own for kRecording)
    std::vector<Completion> completions;  // its listings that completed (none yet: in flight)
    std::optional<Error> collision;      // set once another item collided with the holder
  };

  Error Collision(std::string const& key, Entry const& mine, Entry const& theirs) const;

  std::function<std::string(std::string const&)> describe_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by key, guarded by mu_
};

}  // namespace ccrec::exporter::detail
