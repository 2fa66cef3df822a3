// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared helpers for the ccrec::exporter unit tests: a scripted in-memory RecordingSource whose
// media openers serve bytes from memory (with dropped connections, ignored Range headers, short
// bodies and HTTP errors on demand), a Stat/Open-counting sink wrapper, and manifest readers.
// No sockets and no sleeps: the Exporter gets a ManualSleeper.

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace exporter_test {

using ccrec::CallContext;
using ccrec::Error;
using ccrec::ErrorCode;
using ccrec::HttpResponse;
using ccrec::MakeError;
using ccrec::Result;
using ccrec::exporter::ExportItem;
using ccrec::exporter::PendingItem;

/// Deterministic pseudo-random bytes (every byte value, NULs included).
inline std::string Bytes(std::size_t n, std::uint32_t seed = 1) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 12345u;
  for (auto& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>((x >> 16) & 0xff);
  }
  return out;
}

/// One scripted answer of a MediaOpener call.
struct Step {
  enum Kind {
    kServe,        ///< 206 from the offset (200 when offset == 0), correct Content-Length
    kDropAfter,    ///< like kServe, but the connection drops (kTransport) after `n` body bytes
    kIgnoreRange,  ///< 200 with the whole body whatever the offset
    kIgnoreRangeDropAfter,  ///< 200 with the whole body declared, dropped after `n` bytes
    kShortBody,    ///< Content-Length of the full rest, but the body ends cleanly after `n` bytes
    kError,        ///< returns `error`
    kResponse,     ///< returns `make(offset)` as is
  };
  Kind kind = kServe;
  std::size_t n = 0;
  Error error;
  std::function<Result<HttpResponse>(CallContext const&, std::uint64_t)> make;

  static Step Serve() { return Step{}; }
  static Step DropAfter(std::size_t n) { return Step{kDropAfter, n, {}, {}}; }
  static Step IgnoreRange() { return Step{kIgnoreRange, 0, {}, {}}; }
  static Step IgnoreRangeDropAfter(std::size_t n) { return Step{kIgnoreRangeDropAfter, n, {}, {}}; }
  static Step ShortBody(std::size_t n) { return Step{kShortBody, n, {}, {}}; }
  static Step Fail(Error e) { return Step{kError, 0, std::move(e), {}}; }
  static Step Fail(ErrorCode code, std::string message = "scripted failure") {
    return Fail(MakeError(code, std::move(message)));
  }
  static Step Response(std::function<Result<HttpResponse>(CallContext const&, std::uint64_t)> make) {
    return Step{kResponse, 0, {}, std::move(make)};
  }
};

inline HttpResponse Respond(int status, std::string body, std::uint64_t declared, std::size_t chunk,
                            std::optional<Error> fail_with = {}, ccrec::HttpHeaders extra = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(extra);
  r.headers.emplace_back("Content-Length", std::to_string(declared));
  r.body = ccrec::testing::MakeStringBodyReader(std::move(body), chunk, std::move(fail_with));
  return r;
}

inline Error Dropped() { return MakeError(ErrorCode::kTransport, "connection reset by peer"); }

/// The media of one recording: its bytes, a script of answers (the last answer of an exhausted
/// script is kServe), and a record of every call.
class Media {
 public:
  explicit Media(std::string data, std::vector<Step> script = {}, std::size_t chunk = 1000)
      : data_(std::move(data)), script_(script.begin(), script.end()), chunk_(chunk) {}

  Result<HttpResponse> Open(CallContext const& ctx, std::uint64_t offset) {
    Step step;
    {
      std::lock_guard<std::mutex> lock(mu_);
      offsets_.push_back(offset);
      if (!script_.empty()) {
        step = std::move(script_.front());
        script_.pop_front();
      }
    }
    if (offset > data_.size()) return MakeError(ErrorCode::kInvalidArgument, "offset beyond the end");
    std::string rest = data_.substr(static_cast<std::size_t>(offset));
    int const partial_status = offset == 0 ? 200 : 206;
    ccrec::HttpHeaders range;
    if (!etag_.empty()) range.emplace_back("ETag", etag_);  // the engine resumes only with a validator
    if (offset > 0) {
      range.emplace_back("Content-Range", "bytes " + std::to_string(offset) + "-" + std::to_string(data_.size() - 1) +
                                              "/" + std::to_string(data_.size()));
    }
    switch (step.kind) {
      case Step::kServe:
        return Respond(partial_status, rest, rest.size(), chunk_, {}, range);
      case Step::kDropAfter:
        return Respond(partial_status, rest.substr(0, step.n), rest.size(), chunk_, Dropped(), range);
      case Step::kIgnoreRange:
        return Respond(200, data_, data_.size(), chunk_, {}, Validator());
      case Step::kIgnoreRangeDropAfter:
        return Respond(200, data_.substr(0, step.n), data_.size(), chunk_, Dropped(), Validator());
      case Step::kShortBody:
        return Respond(partial_status, rest.substr(0, step.n), rest.size(), chunk_, {}, range);
      case Step::kError:
        return step.error;
      case Step::kResponse:
        return step.make(ctx, offset);
    }
    return MakeError(ErrorCode::kInternal, "unreachable");
  }

  /// The ETag every answer carries (default "\"etag-1\""); "" = none.
  void SetETag(std::string etag) { etag_ = std::move(etag); }
  ccrec::HttpHeaders Validator() const {
    return etag_.empty() ? ccrec::HttpHeaders{} : ccrec::HttpHeaders{{"ETag", etag_}};
  }

  std::vector<std::uint64_t> Offsets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return offsets_;
  }
  std::size_t Calls() const { return Offsets().size(); }
  std::string const& Data() const { return data_; }

 private:
  std::string data_;
  mutable std::mutex mu_;
  std::deque<Step> script_;
  std::size_t chunk_;
  std::vector<std::uint64_t> offsets_;
  std::string etag_ = "\"etag-1\"";
};

/// An ExportItem of source "fake" whose opener is `media`.
inline ExportItem MakeItem(std::string const& task_id, std::string const& recording_id, std::shared_ptr<Media> media,
                           std::string file_name = "recording.wav") {
  ExportItem item;
  item.source = "fake";
  item.task_id = task_id;
  item.recording_id = recording_id;
  item.key_fields.task_id = task_id;
  item.key_fields.recording_id = recording_id;
  item.key_fields.file_name = std::move(file_name);
  item.metadata_json = R"({"task":")" + ccrec::detail::JsonEscape(task_id) + R"(","recording":")" +
                       ccrec::detail::JsonEscape(recording_id) + R"("})";
  item.open = [media](CallContext const& ctx, std::uint64_t offset) { return media->Open(ctx, offset); };
  return item;
}

/// A RecordingSource over a fixed list of items and pending tasks, in order. Hooks let a test
/// run code before each item is handed over (e.g. cancel) and see what on_item answered.
class FakeSource : public ccrec::exporter::RecordingSource {
 public:
  std::vector<ExportItem> items;
  std::vector<PendingItem> pending;
  /// Called before item i is handed to the engine; may block or cancel.
  std::function<void(std::size_t i)> before_item;
  /// Returned by Enumerate after listing everything (an error makes the run fatal).
  std::optional<Error> final_error;
  /// Items produced by `generate(i)` for i in [0, generate_count) after `items`.
  std::function<ExportItem(std::size_t)> generate;
  std::size_t generate_count = 0;

  Result<void> Enumerate(std::function<bool(ExportItem)> const& on_item,
                         std::function<void(PendingItem)> const& on_pending, CallContext const&) override {
    ++enumerations;
    for (auto const& p : pending) on_pending(p);
    std::size_t i = 0;
    for (auto const& item : items) {
      if (before_item) before_item(i);
      ++i;
      if (!on_item(item)) {
        stopped_early = true;
        return {};
      }
      handed_over.fetch_add(1);
    }
    for (std::size_t g = 0; g < generate_count; ++g) {
      if (before_item) before_item(i);
      ++i;
      if (!on_item(generate(g))) {
        stopped_early = true;
        return {};
      }
      handed_over.fetch_add(1);
    }
    if (final_error) return *final_error;
    return {};
  }

  /// What KeyIdentity() answers; default: RecordingSource's.
  std::optional<ccrec::exporter::KeyIdentityRule> identity;
  ccrec::exporter::KeyIdentityRule KeyIdentity() const override {
    return identity ? *identity : RecordingSource::KeyIdentity();
  }

  std::atomic<int> enumerations{0};
  std::atomic<std::size_t> handed_over{0};
  std::atomic<bool> stopped_early{false};
};

/// Wraps a MemorySink, counting Stat/Open calls and optionally failing them.
class CountingSink : public ccrec::ObjectSink {
 public:
  explicit CountingSink(std::shared_ptr<ccrec::testing::MemorySink> inner) : inner_(std::move(inner)) {}

  Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& key, ccrec::PutOptions const& options,
                                                    CallContext const& ctx = {}) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      opened_.push_back(key);
      if (open_error_) return *open_error_;
    }
    return inner_->Open(key, options, ctx);
  }
  Result<std::optional<ccrec::ObjectInfo>> Stat(std::string const& key, CallContext const& ctx = {}) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      statted_.push_back(key);
      if (stat_error_) return *stat_error_;
    }
    return inner_->Stat(key, ctx);
  }
  std::string Describe(std::string const& key) const override { return inner_->Describe(key); }
  /// What EnforcesIfNoneMatch() answers. Default false (the engine Stat()s first), whatever the
  /// inner MemorySink says.
  std::atomic<bool> enforces_if_none_match{false};
  bool EnforcesIfNoneMatch() const override { return enforces_if_none_match.load(); }
  /// inner's Uri(), or `uri_base` + key when set (another destination over the same objects).
  std::string Uri(std::string const& key) const override { return uri_base.empty() ? inner_->Uri(key) : uri_base + key; }
  std::string uri_base;

  void FailOpen(Error e) {
    std::lock_guard<std::mutex> lock(mu_);
    open_error_ = std::move(e);
  }
  void FailStat(Error e) {
    std::lock_guard<std::mutex> lock(mu_);
    stat_error_ = std::move(e);
  }
  std::vector<std::string> Opened() const {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  std::vector<std::string> Statted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return statted_;
  }

 private:
  std::shared_ptr<ccrec::testing::MemorySink> inner_;
  mutable std::mutex mu_;
  std::vector<std::string> opened_;
  std::vector<std::string> statted_;
  std::optional<Error> open_error_;
  std::optional<Error> stat_error_;
};

/// One parsed manifest line.
struct Line {
  std::string source, task_id, recording_id, key, uri, sha256, status, error;
  std::optional<std::string> segment_id;
  std::uint64_t bytes = 0;
  std::string raw;
};

inline std::vector<std::string> SplitLines(std::string const& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

/// Every entry line of the manifest file (the header line is left out); a line that is not a
/// JSON object fails the test.
inline std::vector<Line> ReadManifest(std::string const& path) {
  std::vector<Line> out;
  for (auto const& raw : SplitLines(ccrec_test::ReadFile(path))) {
    auto doc = ccrec::detail::ParseJson(raw, "manifest line");
    if (!doc || !doc->IsObject()) {
      ADD_FAILURE() << "manifest line is not a JSON object: " << raw;
      continue;
    }
    if (doc->HasMember("ccrec_manifest")) continue;
    using ccrec::detail::OptString;
    Line l;
    l.raw = raw;
    l.source = OptString(*doc, "source").value_or("<missing>");
    l.task_id = OptString(*doc, "task_id").value_or("<missing>");
    l.recording_id = OptString(*doc, "recording_id").value_or("<missing>");
    l.segment_id = OptString(*doc, "segment_id");
    l.key = OptString(*doc, "key").value_or("<missing>");
    l.uri = OptString(*doc, "uri").value_or("");
    l.sha256 = OptString(*doc, "sha256").value_or("<missing>");
    l.status = OptString(*doc, "status").value_or("<missing>");
    l.error = OptString(*doc, "error").value_or("<missing>");
    l.bytes = static_cast<std::uint64_t>(ccrec::detail::OptInt64(*doc, "bytes").value_or(-1));
    out.push_back(std::move(l));
  }
  return out;
}

inline std::map<std::string, std::size_t> StatusCounts(std::vector<Line> const& lines) {
  std::map<std::string, std::size_t> out;
  for (auto const& l : lines) ++out[l.status];
  return out;
}

/// A one-shot event a test thread can wait for (bounded, so a bug fails instead of hanging).
class Latch {
 public:
  void Set() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      set_ = true;
    }
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

/// A body reader that signals `started`, then blocks until `cancel` fires (bounded by 10 s), then
/// fails with kCancelled — a transfer that is in flight when the run is cancelled.
class BlockingBodyReader : public ccrec::BodyReader {
 public:
  BlockingBodyReader(ccrec::CancellationToken cancel, std::shared_ptr<Latch> started)
      : cancel_(std::move(cancel)), started_(std::move(started)) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (first_) {
      first_ = false;
      buffer[0] = 'R';
      (void)size;
      return std::size_t{1};  // one byte is written before the stall
    }
    started_->Set();
    cancel_.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    return MakeError(ErrorCode::kCancelled, "read cancelled");
  }

 private:
  ccrec::CancellationToken cancel_;
  std::shared_ptr<Latch> started_;
  bool first_ = true;
};

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::exporter::ExportSummary;
using ccrec::exporter::Manifest;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;

/// The engine test fixture: a FakeSource into a counting MemorySink, a manifest in a temp dir, a
/// ManualSleeper.
class ExporterTest : public ::testing::Test {
 protected:
  ccrec_test::TempDir dir;
  std::shared_ptr<MemorySink> memory = std::make_shared<MemorySink>();
  std::shared_ptr<CountingSink> sink = std::make_shared<CountingSink>(memory);
  std::shared_ptr<ManualSleeper> sleeper = std::make_shared<ManualSleeper>();
  std::shared_ptr<FakeSource> source = std::make_shared<FakeSource>();
  std::string manifest_path = dir / "manifest.jsonl";

  /// Without the lock: tests reload the manifest a run still holds (Manifest.IsLockedWhileOpen
  /// tests the lock).
  std::shared_ptr<Manifest> OpenManifest(std::string const& path) {
    ccrec::exporter::ManifestOptions options;
    options.lock = false;
    auto m = Manifest::Open(path, options);
    EXPECT_TRUE(m) << m.error().ToString();
    return m ? *m : Manifest::Null();
  }
  std::shared_ptr<Manifest> OpenManifest() { return OpenManifest(manifest_path); }

  ExporterOptions Options(int concurrency = 2) {
    ExporterOptions o;
    o.concurrency = concurrency;
    o.sleeper = sleeper;
    o.copy_buffer_bytes = 4096;
    return o;
  }

  ExportSummary Run(ExporterOptions options, std::shared_ptr<Manifest> manifest, CallContext const& ctx = {}) {
    Exporter exporter(source, sink, std::move(manifest), std::move(options));
    return exporter.Run(ctx);
  }
  ExportSummary Run(int concurrency = 2) { return Run(Options(concurrency), OpenManifest()); }

  std::shared_ptr<Media> Add(std::string const& task, std::string const& rec, std::string data,
                             std::vector<Step> script = {}, std::string file_name = "recording.wav") {
    auto media = std::make_shared<Media>(std::move(data), std::move(script));
    source->items.push_back(MakeItem(task, rec, media, std::move(file_name)));
    return media;
  }

  std::vector<Line> Lines() { return ReadManifest(manifest_path); }

  static std::string Key(std::string const& task, std::string const& rec, std::string const& ext = ".wav") {
    return "call-detail/" + task + "/" + rec + ext;
  }

  /// Stores an object directly in the memory sink (as a previous run would have), with the
  /// identity metadata of (fake, task, rec) when `task` is given.
  void Preload(std::string const& key, std::string const& data, std::string const& task = {},
               std::string const& rec = {}) {
    ccrec::PutOptions put;
    if (!task.empty()) {
      put.metadata[ccrec::exporter::kIdentityMetadataKey] =
          ccrec::exporter::EncodeIdentity(ccrec::exporter::RecordingIdentity{"fake", task, rec, ""});
    }
    auto w = memory->Open(key, put);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Write(data.data(), data.size()));
    ASSERT_TRUE((*w)->Finish());
  }
};

}  // namespace exporter_test
