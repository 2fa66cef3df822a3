// SPDX-License-Identifier: Apache-2.0
// A custom ObjectSink plugged into the export engine, with per-item events (on_item_done).
//
// `ArchiveSink` keeps objects in memory and prints an index at the end; a real one would write
// to a database, a WORM store, another cloud. What the engine needs from any sink:
// - Open() + Write()... + Finish() makes the object visible only at Finish() (and durable, if
//   the manifest is to be trusted after a crash); Abort() and a failed Finish() leave nothing.
// - PutOptions::if_none_match: Finish() fails with vendor_code "PreconditionFailed" when the key
//   exists already (the engine then checks whose object it is: nothing is overwritten).
// - EnforcesIfNoneMatch(): true only when that refusal is guaranteed (here: checked and stored
//   under one lock). With a manifest, the engine then writes a new recording without a Stat()
//   first (one round trip less); the default, false, keeps the Stat().
// - Stat() returns the PutOptions::metadata the object was written with (the engine stores the
//   recording's identity there, "ccrec-id", and skips an existing object only when it matches).
// - Uri("") names the destination stably across runs (the manifest is bound to it).
// - Thread safety: Open()/Stat() are called from many workers at once.
//
// The recordings come from a small in-memory RecordingSource, so this program needs no network:
//   custom_sink        exports 3 recordings twice; the second run skips them all (exit 0)
#include "example_util.hpp"

#include <ccrec/core/object_sink.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/recording_source.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

class ArchiveSink : public ccrec::ObjectSink {
 public:
  struct Object {
    std::string data;
    std::map<std::string, std::string> metadata;
  };

  ccrec::Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& key, ccrec::PutOptions const& options,
                                                           ccrec::CallContext const&) override {
    if (key.empty() || key.find("..") != std::string::npos) {
      return ccrec::MakeError(ccrec::ErrorCode::kInvalidArgument, "archive: bad key " + key);
    }
    return std::unique_ptr<ccrec::ObjectWriter>(new Writer(*this, key, options));
  }

  ccrec::Result<std::optional<ccrec::ObjectInfo>> Stat(std::string const& key, ccrec::CallContext const&) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::optional<ccrec::ObjectInfo>();
    ccrec::ObjectInfo info;
    info.key = key;
    info.bytes = it->second.data.size();
    info.metadata = it->second.metadata;
    return std::optional<ccrec::ObjectInfo>(std::move(info));
  }

  std::string Describe(std::string const& key) const override { return "archive:" + key; }
  std::string Uri(std::string const& key) const override { return "archive://demo/" + key; }
  bool EnforcesIfNoneMatch() const override { return true; }  // Finish() checks under the lock

  void PrintIndex() const {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto const& [key, object] : objects_) std::cout << "  " << key << " " << object.data.size() << " bytes\n";
  }

 private:
  class Writer : public ccrec::ObjectWriter {
   public:
    Writer(ArchiveSink& sink, std::string key, ccrec::PutOptions options)
        : sink_(sink), key_(std::move(key)), options_(std::move(options)) {}
    ccrec::Result<void> Write(char const* data, std::size_t size) override {
      data_.append(data, size);
      return {};
    }
    ccrec::Result<ccrec::ObjectInfo> Finish() override {
      std::lock_guard<std::mutex> lock(sink_.mu_);
      if (options_.if_none_match && sink_.objects_.count(key_)) {
        ccrec::Error e = ccrec::MakeError(ccrec::ErrorCode::kInvalidArgument, "archive: " + key_ + " exists");
        e.vendor_code = "PreconditionFailed";
        return e;
      }
      ccrec::ObjectInfo info;
      info.key = key_;
      info.bytes = data_.size();
      sink_.objects_[key_] = Object{std::move(data_), options_.metadata};
      return info;
    }
    void Abort() noexcept override { data_.clear(); }

   private:
    ArchiveSink& sink_;
    std::string key_;
    ccrec::PutOptions options_;
    std::string data_;
  };

  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;
};

/// Three recordings held in memory.
class DemoSource : public ccrec::exporter::RecordingSource {
 public:
  ccrec::Result<void> Enumerate(std::function<bool(ccrec::exporter::ExportItem)> const& on_item,
                                std::function<void(ccrec::exporter::PendingItem)> const&,
                                ccrec::CallContext const&) override {
    for (int i = 1; i <= 3; ++i) {
      ccrec::exporter::ExportItem item;
      item.source = "demo";
      item.task_id = "task-" + std::to_string(i);
      item.recording_id = "rec-" + std::to_string(i);
      item.key_fields.task_id = item.task_id;
      item.key_fields.recording_id = item.recording_id;
      item.key_fields.file_name = "call.wav";
      item.metadata_json = "{\"task\":\"" + item.task_id + "\"}";
      std::string audio(1000 * static_cast<std::size_t>(i), static_cast<char>('a' + i));
      item.expected_size = audio.size();
      item.open = [audio](ccrec::CallContext const&, std::uint64_t offset) -> ccrec::Result<ccrec::HttpResponse> {
        ccrec::HttpResponse response;
        response.status = offset == 0 ? 200 : 206;
        response.headers.push_back({"Content-Length", std::to_string(audio.size() - offset)});
        response.body = std::make_unique<example_util::StringBody>(audio.substr(static_cast<std::size_t>(offset)));
        return response;
      };
      if (!on_item(std::move(item))) break;
    }
    return {};
  }
};

}  // namespace

int main() {
  auto sink = std::make_shared<ArchiveSink>();
  auto source = std::make_shared<DemoSource>();
  std::mutex out_mu;
  ccrec::exporter::ExporterOptions options;
  options.concurrency = 2;
  // Per-item events, from the worker threads: the hook for a service's own bookkeeping.
  options.on_item_done = [&out_mu](ccrec::exporter::ExportItem const& item,
                                   ccrec::exporter::ManifestEntry const& outcome) {
    std::lock_guard<std::mutex> lock(out_mu);
    std::cout << "item " << item.task_id << "/" << item.recording_id << ": " << ccrec::exporter::ToString(outcome.status)
              << " " << outcome.uri << (outcome.error.empty() ? "" : " (" + outcome.error + ")") << "\n";
  };
  int exit_code = 0;
  for (int run = 1; run <= 2; ++run) {
    // No manifest: the second run finds the objects through Stat() and their identity metadata.
    ccrec::exporter::Exporter exporter(source, sink, ccrec::exporter::Manifest::Null(), options);
    auto summary = exporter.Run();
    std::cout << "run " << run << ": " << summary.LastLine() << "\n";
    if (summary.fatal) {
      std::cerr << summary.fatal->ToString() << "\n";
      return 1;
    }
    if (summary.failed > 0) exit_code = 3;
  }
  std::cout << "archive:\n";
  sink->PrintIndex();
  return exit_code;
}
