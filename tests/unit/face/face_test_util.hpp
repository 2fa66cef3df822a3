// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helpers for ccrec::face: an environment of fakes (transport, clock, sleeper, captured log)
// and FakeFace, a scripted in-process FACE server over FakeHttpTransport (no sockets).

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/client.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace face_test {

using ccrec::HttpHeaders;
using ccrec::HttpResponse;
using ccrec::Result;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::MakeResponse;
using ccrec::testing::RecordedRequest;

inline constexpr char kBaseUrl[] = "https://face.example.com:8443";
inline constexpr char kEmail[] = "israpi@acmepacket.com";
inline constexpr char kPassword[] = "S3cret+Pass&word";
inline constexpr std::int64_t kDayStart = 1793491200000;  // 2026-11-01T00:00:00Z

inline HttpHeaders JsonHeaders() { return {{"Content-Type", "application/json"}}; }
inline HttpHeaders XmlHeaders() { return {{"Content-Type", "application/xml"}}; }

inline std::string Result0(std::string const& extra) {
  return R"({"result":{"code":0,"message":"ACK")" + (extra.empty() ? "" : "," + extra) + "}}";
}

/// A successful login answer (JSON) with ``token`` and ``expiration``.
/// FACE's answer to an expired or revoked token (401, code -1), as XML.
inline Result<HttpResponse> ExpiredTokenXml(RecordedRequest const&) {
  return MakeResponse(401, "<result><code>-1</code><message>Invalid or expired token</message></result>", XmlHeaders());
}

inline Result<HttpResponse> LoginOk(std::string const& token, std::string const& expiration = "3600seconds") {
  return MakeResponse(200, Result0(R"("token":")" + token + R"(","expiration":")" + expiration + "\""), JsonHeaders());
}

/// Query parameters of a recorded request (decoded like a servlet container: '+' is a space).
inline std::map<std::string, std::string> Params(std::string const& url) {
  std::map<std::string, std::string> out;
  auto q = url.find('?');
  if (q == std::string::npos) return out;
  for (auto& [k, v] : ccrec::detail::ParseQuery(url.substr(q + 1), true)) out[k] = v;
  return out;
}

inline std::string Command(std::string const& url) {
  auto p = url.find("/Face/");
  if (p == std::string::npos) return {};
  auto q = url.find('?', p);
  return url.substr(p + 6, q == std::string::npos ? std::string::npos : q - p - 6);
}

/// Fakes shared by the tests.
struct Env {
  std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<ccrec::testing::ManualClock> clock = std::make_shared<ccrec::testing::ManualClock>();
  std::shared_ptr<ccrec::testing::ManualSleeper> sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  std::shared_ptr<std::mutex> log_mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();

  ccrec::face::ClientOptions Options() const {
    ccrec::face::ClientOptions o;
    o.base_url = kBaseUrl;
    o.user_email = kEmail;
    o.password = kPassword;
    o.transport = transport;
    o.clock = clock;
    o.sleeper = sleeper;
    auto mu = log_mu;
    auto lines = log;
    o.logger = ccrec::Logger(ccrec::LogLevel::kDebug, [mu, lines](ccrec::LogLevel, std::string_view m) {
      std::lock_guard<std::mutex> lock(*mu);
      lines->emplace_back(m);
    });
    return o;
  }
  ccrec::face::Client MakeClient() const { return ccrec::face::Client(Options()); }

  std::string AllLogs() const {
    std::lock_guard<std::mutex> lock(*log_mu);
    std::string out;
    for (auto const& l : *log) out += l + "\n";
    return out;
  }

  /// Routes the login to answer tokens "t1", "t2", ... and counts the logins in `logins`.
  void RouteNumberedLogins(int& logins) const {
    transport->Route("POST", "/Face/login", [&logins](RecordedRequest const&) {
      return LoginOk("t" + std::to_string(++logins));
    });
  }
};

/// A segment of the fake server.
struct FakeSegment {
  std::string id;
  std::string filename;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;
  std::string audio;
};

/// A recording of the fake server.
struct FakeRecording {
  std::string id;
  std::int64_t start_ms = 0;
  std::string ani = "7777";
  std::string dnis = "5555";
  /// isrUcid; not sent when empty.
  std::string isr_ucid;
  std::vector<FakeSegment> segments;
  /// The JSON value of "customDataSets"; empty: one customData entry "customerId":"C-<id>".
  std::string custom_data_sets_json;
  /// The JSON value of "supplementalFiles"; empty: the member is not sent.
  std::string supplemental_files_json = {};
  /// Hostile-server cases: the details answer has no "startTime"; list entries have
  /// "recordingId":"" (a segment with an empty FakeSegment::id is sent without "segmentId").
  bool send_start_time = true;
  bool unidentified_in_lists = false;
  /// List entries carry no "start" (searches still filter on `start_ms`).
  bool start_in_lists = true;
  /// The details answer's "startTime" when it differs from `start_ms` (which lists write and
  /// searches filter on): another clock field, or another precision.
  std::optional<std::int64_t> details_start_ms = std::nullopt;
  /// The custom data values searches by a custom field match (a name not here matches nothing);
  /// empty: {"customerId": "C-<id>"}, as the default customData.
  std::map<std::string, std::string> custom_search = {};
};

/// Exports the day [kDayStart, kDayStart + 24 h) of `env`'s FACE server through the engine (concurrency 2,
/// the default key template of the mode, `env`'s clock and sleeper, also as FaceSourceOptions::clock)
/// into `sink`. `tweak` may change the source's options; `ctx` is the run's.
inline ccrec::exporter::ExportSummary RunFaceExport(
    Env const& env, std::shared_ptr<ccrec::ObjectSink> sink, std::shared_ptr<ccrec::exporter::Manifest> manifest,
    bool concatenate = false, int max_list_length = 1000,
    std::function<void(ccrec::face::FaceSourceOptions&)> const& tweak = {}, ccrec::CallContext const& ctx = {}) {
  ccrec::face::FaceSourceOptions so;
  so.from = ccrec::detail::FromEpochMs(kDayStart);
  so.to = ccrec::detail::FromEpochMs(kDayStart + 86'400'000);
  so.concatenate_segments = concatenate;
  so.max_list_length = max_list_length;
  so.clock = env.clock;
  if (tweak) tweak(so);
  std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::face::MakeFaceSource(env.MakeClient(), so);
  ccrec::exporter::ExporterOptions eo;
  eo.concurrency = 2;
  eo.key_template = concatenate ? ccrec::face::kDefaultConcatenatedKeyTemplate : ccrec::face::kDefaultKeyTemplate;
  eo.sleeper = env.sleeper;
  eo.clock = env.clock;
  ccrec::exporter::Exporter exporter(source, std::move(sink), std::move(manifest), eo);
  return exporter.Run(ctx);
}

inline std::string SqlTime(std::int64_t ms) { return ccrec::detail::FormatSqlTime(ccrec::detail::FromEpochMs(ms), true); }

/// A scripted FACE server: login, details (time window, recordingId, ani; unordered lists,
/// maxListLength and a lower server cap), segment/download and audioRecording/download.
class FakeFace {
 public:
  explicit FakeFace(std::shared_ptr<FakeHttpTransport> transport) : transport_(std::move(transport)) {
    transport_->Route("POST", "/Face/login", [this](RecordedRequest const&) {
      std::lock_guard<std::mutex> lock(mu_);
      ++logins_;
      current_token_ = "tok-" + std::to_string(logins_);
      return Result<HttpResponse>(MakeResponse(
          200, Result0(R"("token":")" + current_token_ + R"(","expiration":")" + std::to_string(ttl_) + R"(seconds")"),
          JsonHeaders()));
    });
    transport_->Route("GET", "/Face/", [this](RecordedRequest const& r) { return Handle(r); });
  }

  void Add(FakeRecording r) {
    std::lock_guard<std::mutex> lock(mu_);
    recordings_.push_back(std::move(r));
  }
  /// Changes recording `id` (e.g. it ends, its custom data is set).
  void Update(std::string const& id, std::function<void(FakeRecording&)> const& change) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& r : recordings_) {
      if (r.id == id) change(r);
    }
  }
  /// Called with the parameters of each `details` request before it is answered (may call Update()).
  void OnDetails(std::function<void(std::map<std::string, std::string> const&)> hook) { on_details_ = std::move(hook); }
  /// Adds `n` single-segment recordings starting at `start_ms`, `step_ms` apart.
  void AddMany(int n, std::int64_t start_ms, std::int64_t step_ms) {
    for (int i = 0; i < n; ++i) {
      FakeRecording r;
      r.id = std::to_string(1000 + Count());
      r.start_ms = start_ms + step_ms * i;
      r.segments.push_back(FakeSegment{"s" + r.id, "f" + r.id + ".wav", r.start_ms, r.start_ms + 5000, "AUDIO-" + r.id});
      Add(std::move(r));
    }
  }
  std::size_t Count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return recordings_.size();
  }
  void SetCap(int cap) { cap_ = cap; }
  void SetTruncationMessage(bool on) { truncation_message_ = on; }
  void SetTtl(int seconds) { ttl_ = seconds; }
  /// Lists (code -1) write start times to the second ("yyyy-MM-dd HH:mm:ss", as in the
  /// reference's §5.2 examples) while filtering on the exact millisecond.
  void SetSecondsInLists(bool on) { seconds_in_lists_ = on; }
  /// Date parameters are read to the second, their fraction ignored ("...:27.999" as ":27"): a
  /// server reading only `yyyy-MM-dd HH:mm:ss` (the date format is undocumented, reference §4 [U]).
  void SetDateFractionsIgnored(bool on) { date_fractions_ignored_ = on; }
  int Logins() const {
    std::lock_guard<std::mutex> lock(mu_);
    return logins_;
  }
  int DetailsCalls() const { return details_calls_.load(); }

 private:
  Result<HttpResponse> Handle(RecordedRequest const& r) {
    auto params = Params(r.url);
    std::string command = Command(r.url);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (params["token"] != current_token_) {
        return MakeResponse(401, R"({"result":{"code":-1,"message":"Invalid or expired token"}})", JsonHeaders());
      }
    }
    if (command == "audioRecording/details") return Details(params);
    if (command == "audioRecording/segment/download" || command == "audioRecording/download") {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto const& rec : recordings_) {
        for (auto const& s : rec.segments) {
          bool match = command == "audioRecording/download" ? params["recordingId"] == rec.id : params["segmentId"] == s.id;
          if (match) {
            if (command == "audioRecording/download" && rec.segments.size() > 1) {
              return MakeResponse(200, R"({"result":{"code":-1,"message":"use segment/download"}})", JsonHeaders());
            }
            return MakeResponse(200, s.audio, {{"Content-Type", "audio/wav"}});
          }
        }
      }
      return MakeResponse(200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})",
                          JsonHeaders());
    }
    return MakeResponse(200, R"({"result":{"code":5,"message":"Invalid Command"}})", JsonHeaders());
  }

  static std::string UcidMember(FakeRecording const& r) {
    return r.isr_ucid.empty() ? std::string() : R"(,"isrUcid":")" + ccrec::detail::JsonEscape(r.isr_ucid) + R"(")";
  }

  static std::string RecordingJson(FakeRecording const& r) {
    std::string segs;
    int seq = 1;
    for (auto const& s : r.segments) {
      if (!segs.empty()) segs += ",";
      segs += std::string(R"({"segment":{)") + (s.id.empty() ? "" : R"("segmentId":")" + s.id + R"(",)") +
              R"("recordingId":)" + r.id + R"(,"sequence":)" +
              std::to_string(seq++) + R"(,"filename":")" + ccrec::detail::JsonEscape(s.filename) + R"(","start":")" +
              SqlTime(s.start_ms) + R"(","end":")" + (s.end_ms ? SqlTime(*s.end_ms) : "") + R"("}})";
    }
    return R"({"recordingId":)" + r.id + UcidMember(r) + R"(,"ani":")" + r.ani + R"(","dnis":")" + r.dnis +
           R"(","account":"1")" + (r.send_start_time ? R"(,"startTime":")" + SqlTime(r.details_start_ms.value_or(r.start_ms)) + "\"" : "") +
           R"(,"agentId":"","customDataSets":)" +
           (r.custom_data_sets_json.empty()
                ? R"([{"customData":{"customDataId":7,"name":"customerId","value":"C-)" + r.id + R"("}}])"
                : r.custom_data_sets_json) +
           (r.supplemental_files_json.empty() ? std::string() : R"(,"supplementalFiles":)" + r.supplemental_files_json) +
           R"(,"segments":[)" + (segs.empty() ? segs : segs + ",") + R"({"segment":{}}]})";
  }

  static bool FakeInProgress(FakeRecording const& r) {
    if (r.segments.empty()) return true;
    return std::any_of(r.segments.begin(), r.segments.end(), [](FakeSegment const& s) {
      return !s.end_ms || (s.filename.size() >= 5 && s.filename.substr(s.filename.size() - 5) == ".rpdd");
    });
  }

  /// The search parameters inProgress, filename and custom data fields (any name the fake does not
  /// know otherwise): true when `r` matches them all.
  static bool MatchesFilters(FakeRecording const& r, std::map<std::string, std::string> const& p) {
    static std::set<std::string> const kOther{"token", "earliestStart", "latestStart", "maxListLength", "recordingId",
                                              "ani", "dnis", "format", "formatName", "version", "isrUcid",
                                              "ingressCallId", "egressCallId", "thirdpartyId", "aor"};
    for (auto const& [name, value] : p) {
      if (kOther.count(name)) continue;
      if (name == "inProgress") {
        if ((value == "true") != FakeInProgress(r)) return false;
      } else if (name == "filename") {
        if (std::none_of(r.segments.begin(), r.segments.end(), [&](FakeSegment const& s) { return s.filename == value; })) {
          return false;
        }
      } else {
        auto custom = r.custom_search.empty() ? std::map<std::string, std::string>{{"customerId", "C-" + r.id}}
                                              : r.custom_search;
        if (!custom.count(name) || custom.at(name) != value) return false;
      }
    }
    return true;
  }

  Result<HttpResponse> Details(std::map<std::string, std::string>& p) {
    ++details_calls_;
    if (on_details_) on_details_(p);
    std::vector<FakeRecording> found;
    auto bound = [&](char const* name) -> std::optional<std::chrono::system_clock::time_point> {
      if (!p.count(name)) return std::nullopt;
      return ccrec::face::ParseFaceTime(date_fractions_ignored_ ? p[name].substr(0, 19) : p[name]);
    };
    auto lo = bound("earliestStart");
    auto hi = bound("latestStart");
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto const& r : recordings_) {
        auto t = ccrec::detail::FromEpochMs(r.start_ms);
        if (lo && t < *lo) continue;
        if (hi && t > *hi) continue;
        if (p.count("recordingId") && p["recordingId"] != r.id) continue;
        if (p.count("ani") && p["ani"] != r.ani) continue;
        if (!MatchesFilters(r, p)) continue;
        found.push_back(r);
      }
    }
    if (found.empty()) {
      return MakeResponse(200, R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})",
                          JsonHeaders());
    }
    if (found.size() == 1) return MakeResponse(200, Result0(R"("recording":)" + RecordingJson(found[0])), JsonHeaders());
    std::reverse(found.begin(), found.end());  // not ordered by start time
    std::size_t limit = static_cast<std::size_t>(
        std::min(cap_, p.count("maxListLength") ? std::stoi(p["maxListLength"]) : 1000));
    bool truncated = found.size() > limit;
    if (truncated) found.resize(limit);
    std::string message = truncated && truncation_message_
                              ? "Selection criteria insufficient to determine recording. There were more matches than "
                                "maxListLength, please refine your search if the entry you require is not in this list."
                              : "Selection criteria insufficient to determine recording. Returning all matches.";
    std::string matches;
    for (auto const& r : found) {
      if (!matches.empty()) matches += ",";
      matches += R"({"match":{"recordingId":)" + (r.unidentified_in_lists ? "\"\"" : r.id) + UcidMember(r) +
                 R"(,"from":")" + r.ani + R"(","to":")" + r.dnis + R"(")" +
                 (r.start_in_lists ? R"(,"start":")" + ListTime(r.start_ms) + R"(")" : std::string()) + "}}";
    }
    return MakeResponse(200, R"({"result":{"code":-1,"message":")" + message + R"(","matches":[)" + matches + "]}}",
                        JsonHeaders());
  }

  std::string ListTime(std::int64_t ms) const {
    if (!seconds_in_lists_) return SqlTime(ms);
    return ccrec::detail::FormatSqlTime(ccrec::detail::FromEpochMs(ms), false);
  }

  std::shared_ptr<FakeHttpTransport> transport_;
  mutable std::mutex mu_;
  std::vector<FakeRecording> recordings_;
  std::string current_token_;
  int logins_ = 0;
  int ttl_ = 3600;
  int cap_ = 1000;
  bool truncation_message_ = true;
  bool seconds_in_lists_ = false;
  bool date_fractions_ignored_ = false;
  std::atomic<int> details_calls_{0};
  std::function<void(std::map<std::string, std::string> const&)> on_details_;
};

/// Adds the two recordings the run tests export: "100" (one segment "1001", audio "ONE") and
/// "200" (segments "2001" and "2002", audio "TWO-A" and "TWO-B"), one second and five seconds
/// into the day; `isr_ucid_of_100` is the first one's isrUcid (none when empty).
inline void AddOneAndTwoSegmentRecordings(FakeFace& fake, std::string const& isr_ucid_of_100 = {}) {
  FakeRecording one;
  one.id = "100";
  one.start_ms = kDayStart + 1000;
  one.isr_ucid = isr_ucid_of_100;
  one.segments = {{"1001", "one.wav", kDayStart + 1000, kDayStart + 2000, "ONE"}};
  fake.Add(one);
  FakeRecording two;
  two.id = "200";
  two.start_ms = kDayStart + 5000;
  two.segments = {{"2001", "two.seg0.wav", kDayStart + 5000, kDayStart + 6000, "TWO-A"},
                  {"2002", "two.seg1.wav", kDayStart + 6000, kDayStart + 7000, "TWO-B"}};
  fake.Add(two);
}

}  // namespace face_test
