// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Dynamic sharing of a job's sub-windows between instances by lease (`ccrec-export --lease`,
/// docs/scale.md): an instance lists a sub-window only while it holds its lease, renews the
/// lease until every item of the sub-window has reached a final manifest state, then marks the
/// sub-window done. The lease of an instance that dies expires and another instance takes the
/// sub-window over. The shared record lives in a SubWindowLeaseStore (Redis:
/// ccrec/redis/redis_sub_window_lease.hpp; in memory, for tests: ccrec/testing/memory_sub_window_lease.hpp).

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/sub_window.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::exporter {

/// What SubWindowLeaseStore::TryTake() found.
enum class LeaseTake {
  kTaken,        ///< the caller holds the lease now (or held it already)
  kHeldByOther,  ///< another holder's lease has not expired
  kDone,         ///< the sub-window was marked done: nothing to list
};

/// The record, shared by every instance of one job, of which sub-windows are leased (by whom,
/// until when) and which are done. One store object is one holder: it leases under a value of
/// its own (an instance-unique token), and Renew()/Release() act only on leases that still hold
/// that value, so an instance whose lease expired and was taken over cannot extend or drop the
/// new holder's lease. A sub-window is identified by its grid index and clipped bounds
/// (SubWindow::index, from, to), within a namespace the store was given for the job.
///
/// @par Thread safety
/// Implementations must be thread-safe (SubWindowLeaser calls them from the enumerating thread,
/// the engine's workers and its renewal thread).
class CCREC_EXPORT SubWindowLeaseStore {
 public:
  virtual ~SubWindowLeaseStore() = default;
  /// Takes the lease of `window` for `ttl`, unless the sub-window is done or another holder's
  /// lease is live. Errors: the store cannot be reached (kUnavailable).
  virtual Result<LeaseTake> TryTake(SubWindow const& window, std::chrono::milliseconds ttl) = 0;
  /// Extends this holder's lease to `ttl` from now. false: the lease is no longer this holder's
  /// (it expired, and maybe another holder took it). Errors: the store cannot be reached.
  virtual Result<bool> Renew(SubWindow const& window, std::chrono::milliseconds ttl) = 0;
  /// Marks the sub-window done (the store decides how long the mark is kept) and drops this
  /// holder's lease. Errors: the store cannot be reached.
  virtual Result<void> MarkDone(SubWindow const& window) = 0;
  /// Drops this holder's lease (nothing when the lease is not this holder's), so another
  /// instance can take the sub-window at once. Errors: the store cannot be reached.
  virtual Result<void> Release(SubWindow const& window) = 0;
  /// Where the record lives, for log lines (no secret), e.g. "Redis 127.0.0.1:6379/0 ccrec:lease:3fa2…".
  virtual std::string Describe() const = 0;
};

/// A new instance-unique lease value, "HOST-PID-RANDOM": this host's name, this process's id and
/// 8 hex digits from a CSPRNG (OpenSSL RAND_bytes), drawn anew by each call. The random part keeps
/// the values of instances apart when host and PID are alike (containers with a fixed hostname,
/// each process PID 1), which would otherwise all hold every lease at once. Safe as a file name
/// part (`ccrec-export --lease` puts it into `{shard}` of --manifest) when the host name is.
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT std::string NewLeaseHolder();

/// Options of SubWindowLeaser.
///
/// @par Thread safety
/// A plain value type.
struct SubWindowLeaserOptions {
  /// The shared record; required.
  std::shared_ptr<SubWindowLeaseStore> store;
  /// Lease lifetime: a dead instance's sub-window is taken over at most this long after its
  /// last renewal. Default 60 s. Values below 100 ms are raised to 100 ms.
  std::chrono::milliseconds ttl{std::chrono::seconds(60)};
  /// How often held leases are renewed. Default 0: ttl / 3.
  std::chrono::milliseconds renew_interval{0};
  /// How often sub-windows leased by other instances are looked at again once this instance
  /// has walked the grid (NextTakeover()). Default 0: ttl / 3.
  std::chrono::milliseconds poll_interval{0};
  /// Longest wait in NextTakeover() for sub-windows other instances hold without finishing
  /// them; after it NextTakeover() fails with kDeadlineExceeded. Default 6 h. Zero: no limit.
  std::chrono::milliseconds max_wait{std::chrono::hours(6)};
  /// Renew from a background thread (every renew_interval). Default true. Tests set false and
  /// call RenewNow().
  bool background_renewal = true;
  /// Default: system clock.
  std::shared_ptr<Clock> clock;
  /// Waits of NextTakeover() and of the renewal thread. Default: real sleeper (wakes on cancel).
  std::shared_ptr<Sleeper> sleeper;
  /// Takeovers, lost leases and store failures. Default: logs nothing.
  Logger logger;
  /// Called before a finished sub-window is marked done, e.g. `[m] { return m->Sync(); }` for the
  /// run's Manifest: once it is marked done every instance skips it for good, so the lines of its
  /// items must be durable first (a crash would otherwise lose its failed and pending lines). An
  /// error releases the lease instead (the sub-window is listed again) and is logged. Called
  /// from the thread that finished the sub-window's last item. Default: none.
  std::function<Result<void>()> before_done;
};

/// Counters of a SubWindowLeaser (for logs and tests).
struct SubWindowLeaseStats {
  std::uint64_t taken = 0;         ///< leases taken (first pass and takeovers)
  std::uint64_t taken_over = 0;    ///< of which taken in NextTakeover() (another instance let go or died)
  std::uint64_t already_done = 0;  ///< sub-windows skipped because they were done already
  std::uint64_t held_by_others = 0;///< first-pass sub-windows another instance held
  std::uint64_t done = 0;          ///< sub-windows this instance marked done
  std::uint64_t released = 0;      ///< leases released unfinished (the run stopped, a listing failed, an item did not finish)
  std::uint64_t left_unfinished = 0;  ///< of which released because an item or task of it ended failed or pending
  std::uint64_t lost = 0;          ///< leases that expired under this instance (a renewal found another value)
};

/// The lease life cycle of one instance's sub-windows, used by a RecordingSource that lists a
/// range sub-window by sub-window (webex::WebexSourceOptions::lease_sub_windows):
///  1. First pass, in time order: Claim(w). true: this instance holds the lease: list `w`, wrap
///     each item's ExportItem::on_done with TrackItem(w), then call Listed(w, complete).
///     false: `w` is done, or held by another instance (remembered for step 2).
///  2. Then NextTakeover() until it returns nullopt: each sub-window it returns was held by
///     another instance that has since released it or died (its lease expired): list it as in
///     step 1. It waits (poll_interval) while others hold live leases.
///  3. A held sub-window is marked done once its listing completed and every tracked item's
///     on_done ran, unless the run was stopping (the `stop` token passed to Claim() fired):
///     then its lease is released instead, so another instance (or the next run) lists it again.
///     A listing that did not complete (Listed(w, false)) releases the lease the same way, and so
///     does a sub-window of which an item or a task ended failed or pending (Unfinished()): a done
///     mark is skipped by every instance of the job for as long as the store keeps it, so only a
///     sub-window with nothing left to retry may get one. Such a sub-window is listed again by
///     each instance that was waiting for it (at most once each) and by later runs of the job.
///  4. Until then the lease is renewed every renew_interval. A renewal that finds the lease
///     gone (it expired: this instance was paused or cut off longer than ttl) is logged as a
///     warning and counted; the sub-window is still finished here, and the instance that took
///     it over lists it again: the engine skips what this one exported (Stat, conditional PUT).
///  5. The destructor stops renewing and releases every lease not done.
/// Store failures: Claim() and NextTakeover() return them (a run that cannot coordinate stops
/// rather than list blindly); a failed renewal, release or done mark is logged (the lease then
/// expires, and the sub-window is listed again by someone: spent API calls, nothing lost).
///
/// @par Thread safety
/// Claim(), Listed() and NextTakeover() are called from one thread (the enumerating one); the
/// hooks of TrackItem() from any thread; RenewNow() from any thread. All are safe concurrently.
class CCREC_EXPORT SubWindowLeaser {
 public:
  /// Without options.store every Claim() fails with kInvalidArgument.
  explicit SubWindowLeaser(SubWindowLeaserOptions options);
  ~SubWindowLeaser();
  SubWindowLeaser(SubWindowLeaser const&) = delete;
  SubWindowLeaser& operator=(SubWindowLeaser const&) = delete;

  /// First pass over `window`: true when this instance now holds its lease and must list it.
  /// `stop` is the run's token (RecordingSource::Enumerate()'s ctx.cancel): a sub-window whose
  /// last item finishes after it fired is released, not marked done.
  Result<bool> Claim(SubWindow const& window, CancellationToken const& stop);
  /// One item of held sub-window `window` handed to the engine: returns the function to call
  /// when the engine is done with it (chain it into ExportItem::on_done). Call before the item
  /// is handed over. Unknown windows get a no-op.
  std::function<void()> TrackItem(SubWindow const& window);
  /// An item or a task of held `window` ended unfinished: its manifest line is "failed" or
  /// "pending" (a task whose recordings are not available yet, an item whose export failed): the
  /// sub-window is released when it finishes, not marked done, so that it is listed again (by an
  /// instance waiting for it, or a later run). Call it before the item's on_done (chain it into
  /// ExportItem::on_outcome), or while `window` is being listed for a task reported pending. Not
  /// for a task given up for good (PendingItem::given_up). Unknown windows are ignored.
  void Unfinished(SubWindow const& window);
  /// The listing of held `window` ended: `complete` when every task of it was listed and every
  /// item handed over; false when it stopped early (error, the engine stopping).
  void Listed(SubWindow const& window, bool complete);
  /// After the first pass: the next sub-window this instance took over, waiting while other
  /// instances hold live leases; nullopt once every sub-window the first pass left to others is
  /// done. Errors: kCancelled when `stop` fires, kDeadlineExceeded after max_wait (naming the
  /// sub-windows still held), the store's errors.
  Result<std::optional<SubWindow>> NextTakeover(CancellationToken const& stop);
  /// Renews every held, unfinished lease once (the renewal thread calls it every renew_interval).
  void RenewNow();
  /// The counters so far.
  SubWindowLeaseStats Stats() const;

 private:
  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ccrec::exporter
