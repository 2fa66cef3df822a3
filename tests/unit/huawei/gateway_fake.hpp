// SPDX-License-Identifier: Apache-2.0
#pragma once
// A scripted CC-Gateway for HuaweiRecordingSource / EventPoller unit tests: sign-in, logout, a queue of
// poll events (one event per poll answer), and files by exact recordId.

#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace huawei_test {

struct Gateway {
  std::shared_ptr<ccrec::testing::FakeHttpTransport> fake = std::make_shared<ccrec::testing::FakeHttpTransport>();
  std::mutex mu;
  std::deque<std::string> events;  // event objects as JSON
  std::map<std::string, std::string> files;
  std::atomic<int> logouts{0};
  std::atomic<int> polls{0};
  std::function<void(int)> on_poll;                      // called with the poll count
  std::function<void(std::string const&)> on_download;  // called with the recordId before answering
  /// Called after a poll took an event off the queue, before answering (the answer is on its way).
  /// False: the transfer was aborted, so the poll fails with kCancelled and the event is gone, as
  /// on a real gateway, which delivers each event once.
  std::function<bool(RecordedRequest const&)> deliver;
  /// Called with the poll count after on_poll; an answer it returns (an HTTP 502, a 403, a transport
  /// error, …) replaces the gateway's, and no event is taken off the queue.
  std::function<std::optional<ccrec::Result<HttpResponse>>(int)> poll_answer;

  Gateway() {
    using ccrec::Result;
    fake->Route("PUT", "onlineagent/20011", [](RecordedRequest const&) -> Result<HttpResponse> { return SignInOk("G1"); });
    fake->Route("DELETE", "/logout", [this](RecordedRequest const&) -> Result<HttpResponse> {
      ++logouts;
      return MakeResponse(200, R"({"retcode":"0","msg":"","result":null})", {{"Content-Type", "application/json"}});
    });
    fake->Route("GET", "agentevent", [this](RecordedRequest const& r) -> Result<HttpResponse> {
      int n = ++polls;
      if (on_poll) on_poll(n);
      if (poll_answer) {
        if (auto answer = poll_answer(n)) return std::move(*answer);
      }
      std::string e;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (events.empty()) return Envelope("0", R"("event":null)");
        e = events.front();
        events.pop_front();
      }
      if (deliver && !deliver(r)) return ccrec::MakeError(ccrec::ErrorCode::kCancelled, "poll answer aborted");
      return Envelope("0", "\"event\":" + e);
    });
    fake->Route("GET", "recordfile", [this](RecordedRequest const& r) -> Result<HttpResponse> {
      std::string id = QueryValue(r.url, "recordId");
      if (on_download) on_download(id);
      std::lock_guard<std::mutex> lock(mu);
      auto it = files.find(id);
      if (it == files.end()) return Envelope("104-005");
      return File(it->second);
    });
  }
  void Event(std::string const& json) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(json);
  }
  std::size_t Undelivered() {
    std::lock_guard<std::mutex> lock(mu);
    return events.size();
  }
};

inline std::string Record(std::string const& task, std::string const& file, std::string const& call) {
  return R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","eventGenTime":1793491200000,"content":{"taskId":)" +
         task + R"(,"fileName":")" + file + R"(","locationId":"256","callId":")" + call +
         R"(","caller":"70006","called":"60015","fileMediaType":"1","recordID":"R)" + call + R"("}})";
}
inline std::string Stop(std::string const& task) {
  return R"({"eventType":"AgentMediaEvent_StopRecordDone","workNo":"20011","content":{"taskId":)" + task +
         R"(,"beginTime":1,"endTime":2}})";
}
inline std::string Noise(int n) {
  return R"({"eventType":"AgentState_Busy","workNo":"20011","content":{"n":)" + std::to_string(n) + "}}";
}

/// Waits (real time, bounded) until `done` holds; the poll thread runs on real time.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto const end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline ccrec::exporter::ExporterOptions EngineOptions() {
  ccrec::exporter::ExporterOptions eo;
  eo.key_template = ccrec::huawei::kDefaultKeyTemplate;
  eo.concurrency = 2;
  eo.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  return eo;
}

/// The latest manifest line of each recording_id.
inline std::map<std::string, Line> LatestByFile(std::string const& path) {
  std::map<std::string, Line> out;
  for (auto const& l : ReadManifest(path)) out[l.recording_id] = l;
  return out;
}

/// Runs the export of source options `so` for `gw` into `sink` and `manifest`, then shuts the source down.
inline ccrec::exporter::ExportSummary RunWatch(Gateway& gw, std::shared_ptr<ccrec::exporter::Manifest> manifest,
                                               std::shared_ptr<ccrec::testing::MemorySink> const& sink,
                                               ccrec::huawei::HuaweiSourceOptions so) {
  ccrec::huawei::AgentSession session(Options(gw.fake));
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  ccrec::exporter::Exporter exporter(source, sink, std::move(manifest), EngineOptions());
  auto summary = exporter.Run();
  EXPECT_TRUE(source->Shutdown());
  return summary;
}

}  // namespace huawei_test
