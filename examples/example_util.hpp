// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the small example programs share (not part of ccrec's API): the FROM/TO arguments, a
// directory destination with its JSON Lines manifest, the closing report and exit status, and an
// in-memory response body. Each example keeps what shows its own API.

#include <ccrec/core/http.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/time.hpp>
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace example_util {

/// A [FROM, TO) time window.
struct Window {
  std::chrono::system_clock::time_point from;
  std::chrono::system_clock::time_point to;
};

/// FROM and TO arguments (ISO-8601 with a zone, a date, or epoch milliseconds); on a bad value
/// prints "FROM/TO: <why>" to stderr and returns nullopt (exit status 2).
inline std::optional<Window> ParseWindow(char const* from_arg, char const* to_arg) {
  auto from = ccrec::ParseTimestamp(from_arg);
  auto to = ccrec::ParseTimestamp(to_arg);
  if (!from || !to) {
    std::cerr << "FROM/TO: " << (!from ? from.error() : to.error()).message << "\n";
    return std::nullopt;
  }
  return Window{*from, *to};
}

/// Where an example exports to: a directory and its manifest.
struct Destination {
  std::shared_ptr<ccrec::ObjectSink> sink;
  std::shared_ptr<ccrec::exporter::Manifest> manifest;
};

/// A filesystem sink rooted at `dir` and the manifest `dir`/manifest.jsonl; on failure prints the
/// error to stderr and returns nullopt (exit status 2).
inline std::optional<Destination> OpenDestination(std::string const& dir) {
  ccrec::FilesystemSinkOptions fo;
  fo.root = dir;
  auto sink = ccrec::MakeFilesystemSink(fo);
  if (!sink) {
    std::cerr << sink.error().ToString() << "\n";
    return std::nullopt;
  }
  auto manifest = ccrec::exporter::Manifest::Open(dir + "/manifest.jsonl");
  if (!manifest) {
    std::cerr << manifest.error().ToString() << "\n";
    return std::nullopt;
  }
  return Destination{*sink, *manifest};
}

/// Prints the run's last line (with `suffix`) and any fatal error; returns the exit status:
/// 0 done, 1 fatal, 3 some items failed.
inline int Report(ccrec::exporter::ExportSummary const& summary, std::string const& suffix = "") {
  std::cout << summary.LastLine() << suffix << "\n";
  if (summary.fatal) {
    std::cerr << summary.fatal->ToString() << "\n";
    return 1;
  }
  return summary.failed > 0 ? 3 : 0;
}

/// A response body read from a string.
class StringBody : public ccrec::BodyReader {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  ccrec::Result<std::size_t> Read(char* buffer, std::size_t size) override {
    std::size_t n = std::min(size, data_.size() - pos_);
    data_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

}  // namespace example_util
