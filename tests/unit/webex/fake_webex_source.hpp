// SPDX-License-Identifier: Apache-2.0
#pragma once
// A scripted Webex CC (Tasks, Captures, presigned media) for the Webex recording source tests
// (recording_source_test.cpp), over FakeHttpTransport and ManualClock.

#include "unit/exporter/exporter_test_util.hpp"

#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex/recording_source.hpp>

#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace exporter_test {

using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;
using ccrec::testing::RecordedRequest;
using namespace std::chrono_literals;

constexpr char kApi[] = "https://api.wxcc-test.example.com";
constexpr char kMedia[] = "https://media.example.com/rec/";
constexpr std::int64_t kNowMs = 1793491200000;  // ManualClock's start, 2026-11-01T00:00:00Z
constexpr std::int64_t kFromMs = kNowMs - 3'600'000;

struct FakeRecording {
  std::string id;
  std::string file_name = "recording-1.wav";
  std::string call_type = "main";
  std::string data;
  /// The entry's `"id"` member as sent, with its trailing comma (e.g. `"id":"dup",` or `"id":7,`);
  /// "" omits it. Default: `"id":"<id>",` (`id` always names the media).
  std::optional<std::string> id_json = std::nullopt;
  /// Sends no startTime / stopTime.
  bool omit_times = false;
  /// Sends no filePath (a recording entry only).
  bool omit_file_path = false;
};

struct FakeTask {
  std::string id;
  std::optional<bool> capture_requested = true;
  std::vector<FakeRecording> recordings;
  /// Virtual-agent legs: listed (first) only when the query has includeVARecordings true.
  std::vector<FakeRecording> va = {};
  /// `transcription[]` entries (id, fileName, data; call_type unused).
  std::vector<FakeRecording> transcripts = {};
  /// `attributes.status`.
  std::string status = "completed";
};

/// Tasks + Captures + presigned media, as strict as the parts the source relies on.
class FakeWebex {
 public:
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<ManualSleeper> sleeper = std::make_shared<ManualSleeper>(clock);
  std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
  std::vector<FakeTask> tasks;
  /// Media answers: per recording id, versions of the URL that answer 403 (expired).
  std::map<std::string, std::set<int>> forbidden_versions;
  /// Per recording id: the first media request drops after this many bytes.
  std::map<std::string, std::size_t> drop_first_after;
  /// Media ignores Range headers (answers 200 with the whole body).
  bool ignore_range = false;
  /// Per recording id: the ETag media answers carry (none when absent); an If-Range that differs
  /// makes the Range ignored (200 with the whole body), as S3 does.
  std::map<std::string, std::string> etags;
  /// Per recording id: (data, ETag) the recording has after its first dropped download.
  std::map<std::string, std::pair<std::string, std::string>> replace_after_drop;
  /// Presigned URL lifetime in seconds.
  int url_expires_seconds = 1800;
  /// WebexSourceOptions::pending_max_age of Source().
  std::chrono::milliseconds pending_max_age = 72h;
  /// Applied to the options of Source() last.
  std::function<void(ccrec::webex::WebexSourceOptions&)> customize;
  /// Tasks answers only the tasks created in the query's [from, to), as the API does (false: every
  /// task, whatever the window).
  bool honor_window = true;
  /// Raw `data[]` elements the Tasks answers carry after the tasks (e.g. one without "id").
  std::vector<std::string> extra_task_elements;
  /// Per recording id: the Content-Type of its 200/206 media answers (none when absent).
  std::map<std::string, std::string> content_types;
  /// Recording ids whose media answers carry no Content-Length (a chunked body).
  std::set<std::string> chunked;
  /// Per recording id: versions of the URL whose temporary credentials expired (S3: 400
  /// ExpiredToken, "The provided token has expired.").
  std::map<std::string, std::set<int>> expired_token_versions;
  /// Task ids every Captures answer lists after the ones asked for (a server adding tasks).
  std::vector<std::string> unasked_capture_tasks;

  FakeWebex() {
    transport->Route("GET", "/v1/tasks", [this](RecordedRequest const& r) { return Tasks(r); });
    transport->Route("POST", "/v1/captures/query", [this](RecordedRequest const& r) { return Captures(r); });
    transport->Route("GET", kMedia, [this](RecordedRequest const& r) { return MediaGet(r); });
  }

  ccrec::webex::Client Client() {
    ccrec::webex::ClientOptions o;
    o.base_url = kApi;
    o.tokens = ccrec::webex::MakeStaticAccessTokenSource("static-access-token");
    o.transport = transport;
    o.clock = clock;
    o.sleeper = sleeper;
    o.retry.max_attempts = 3;
    return ccrec::webex::Client(std::move(o));
  }

  std::shared_ptr<ccrec::exporter::RecordingSource> Source(std::chrono::milliseconds margin = 2min) {
    ccrec::webex::WebexSourceOptions o;
    o.tasks.from = ccrec::detail::FromEpochMs(kFromMs);
    o.tasks.to = ccrec::detail::FromEpochMs(kNowMs);
    o.tasks.channel_types = {"telephony"};
    o.url_refresh_margin = margin;
    o.pending_max_age = pending_max_age;
    o.clock = clock;
    if (customize) customize(o);
    return ccrec::webex::MakeWebexSource(Client(), o);
  }

  /// Task ids of every captures request, in order.
  std::vector<std::vector<std::string>> CaptureBatches() const {
    std::lock_guard<std::mutex> lock(mu_);
    return capture_batches_;
  }
  std::vector<RecordedRequest> MediaRequests() const {
    std::vector<RecordedRequest> out;
    for (auto const& r : transport->Requests()) {
      if (r.url.rfind(kMedia, 0) == 0) out.push_back(r);
    }
    return out;
  }
  std::string UrlFor(std::string const& rec_id, int version) const {
    return std::string(kMedia) + rec_id + ".wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261101" +
           "&X-Amz-Date=" + ccrec::detail::FormatAmzDate(clock->Now()) +
           "&X-Amz-Expires=" + std::to_string(url_expires_seconds) + "&X-Amz-SignedHeaders=host&X-Amz-Signature=sig" +
           std::to_string(version);
  }

  FakeRecording const* Find(std::string const& rec_id) const {
    for (auto const& t : tasks) {
      for (auto const* list : {&t.recordings, &t.va, &t.transcripts}) {
        for (auto const& r : *list) {
          if (r.id == rec_id) return &r;
        }
      }
    }
    return nullptr;
  }

 private:
  static ccrec::HttpHeaders Json() { return {{"Content-Type", "application/json"}}; }

  Result<HttpResponse> Tasks(RecordedRequest const& r) {
    std::string body = R"({"meta":{"orgId":"org-1"},"data":[)";
    std::int64_t created = kFromMs + 1000;
    std::int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (honor_window) {
      for (auto const& [k, v] : ccrec::detail::ParseQuery(r.url.substr(r.url.find('?') + 1))) {
        if (k == "from") lo = std::stoll(v);
        if (k == "to") hi = std::stoll(v);
      }
    }
    bool first = true;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      auto const& t = tasks[i];
      std::int64_t const at = created + 1000 * static_cast<std::int64_t>(i);
      if (at < lo || at >= hi) continue;
      if (!first) body += ',';
      first = false;
      body += R"({"id":")" + t.id + R"(","attributes":{"channelType":"telephony","status":")" + t.status + R"(",)" +
              R"("origin":"+14085550100","direction":"inbound","createdTime":)" + std::to_string(created + 1000 * static_cast<std::int64_t>(i)) +
              R"(,"owner":{"id":"agent-1","name":"Ada"},"captureRequested":)" +
              (t.capture_requested ? (*t.capture_requested ? "true" : "false") : "null") + "}}";
    }
    for (auto const& element : extra_task_elements) {
      if (!first) body += ',';
      first = false;
      body += element;
    }
    body += "]}";
    return ccrec::testing::MakeResponse(200, body, Json());
  }

  Result<HttpResponse> Captures(RecordedRequest const& r) {
    auto doc = ccrec::detail::ParseJson(r.body, "captures request");
    if (!doc) return ccrec::testing::MakeResponse(400, "{}", Json());
    std::vector<std::string> ids;
    for (auto const& id : (*doc)["query"]["taskIds"].GetArray()) ids.push_back(id.GetString());
    bool const va = (*doc)["query"].HasMember("includeVARecordings") && (*doc)["query"]["includeVARecordings"].GetBool();
    int version = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      capture_batches_.push_back(ids);
      version = ++url_version_;
    }
    if (ids.size() > 10) return ccrec::testing::MakeResponse(400, R"({"error":"more than 10"})", Json());
    std::string body = R"({"meta":{"orgId":"org-1","urlExpiration":30},"data":[)";
    ids.insert(ids.end(), unasked_capture_tasks.begin(), unasked_capture_tasks.end());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i != 0) body += ',';
      body += R"({"taskId":")" + ids[i] + R"(","recording":[)";
      FakeTask const* task = nullptr;
      for (auto const& t : tasks) {
        if (t.id != ids[i]) continue;
        task = &t;
        std::vector<FakeRecording> listed = va ? t.va : std::vector<FakeRecording>{};
        listed.insert(listed.end(), t.recordings.begin(), t.recordings.end());
        for (std::size_t k = 0; k < listed.size(); ++k) {
          auto const& rec = listed[k];
          if (k != 0) body += ',';
          body += "{" + rec.id_json.value_or(R"("id":")" + rec.id + R"(",)") + R"("segment":false,"attributes":{"fileName":")" +
                  rec.file_name + (rec.omit_file_path ? std::string() : R"(","filePath":")" + UrlFor(rec.id, version)) +
                  R"(","callType":")" + rec.call_type +
                  (rec.omit_times ? std::string(R"(",)") : R"(","startTime":1793487600000,"stopTime":1793487660000,)") +
                  R"("participants":["agent-1","+1408****100"],"channel1":"Caller","channel2":"Agent"}})";
        }
      }
      body += R"(],"transcription":[)";
      for (std::size_t k = 0; task != nullptr && k < task->transcripts.size(); ++k) {
        auto const& tr = task->transcripts[k];
        if (k != 0) body += ',';
        body += R"({"Source":"chat","Provider":"CISCO","id":")" + tr.id + R"(","fileName":")" + tr.file_name +
                R"(","filePath":")" + UrlFor(tr.id, version) +
                R"(","startTime":"1793487600000","languageCode":"en-US","createTime":"1793487700000"})";
      }
      body += "]}";
    }
    body += "]}";
    return ccrec::testing::MakeResponse(200, body, Json());
  }

  Result<HttpResponse> MediaGet(RecordedRequest const& r) {
    if (r.Header("Authorization")) {
      return ccrec::testing::MakeResponse(
          400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
    }
    auto path_end = r.url.find('?');
    std::string name = r.url.substr(std::strlen(kMedia), path_end - std::strlen(kMedia));
    std::string rec_id = name.substr(0, name.size() - 4);
    int version = std::stoi(r.url.substr(r.url.find("X-Amz-Signature=sig") + 19));
    auto const* rec = Find(rec_id);
    if (rec == nullptr) return ccrec::testing::MakeResponse(404, "<Error><Code>NoSuchKey</Code></Error>");
    auto expiry = ccrec::webex::Client::PresignedUrlExpiry(r.url);
    auto forbidden = forbidden_versions.find(rec_id);
    bool refused = forbidden != forbidden_versions.end() && forbidden->second.count(version) != 0;
    if (refused || (expiry && clock->Now() > *expiry)) {
      return ccrec::testing::MakeResponse(
          403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
          {{"Content-Type", "application/xml"}});
    }
    if (auto expired = expired_token_versions.find(rec_id);
        expired != expired_token_versions.end() && expired->second.count(version) != 0) {
      return ccrec::testing::MakeResponse(
          400, "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>",
          {{"Content-Type", "application/xml"}});
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::string data = rec->data;
    ccrec::HttpHeaders headers;
    if (auto type = content_types.find(rec_id); type != content_types.end()) {
      headers.emplace_back("Content-Type", type->second);
    }
    if (auto tag = etags.find(rec_id); tag != etags.end()) {
      if (auto if_range = r.Header("If-Range"); if_range && *if_range != tag->second) offset_ignored_ = true;
      headers.emplace_back("ETag", tag->second);
      if (auto replaced = replaced_.find(rec_id); replaced != replaced_.end()) data = replaced->second;
    }
    std::uint64_t offset = 0;
    if (auto range = r.Header("Range"); range && !ignore_range && !std::exchange(offset_ignored_, false)) {
      offset = std::stoull(range->substr(6));
    }
    std::string rest = data.substr(static_cast<std::size_t>(offset));
    int status = offset > 0 ? 206 : 200;
    if (status == 206) {  // RFC 9110 §15.3.7: the engine refuses a 206 without it
      headers.emplace_back("Content-Range", "bytes " + std::to_string(offset) + "-" + std::to_string(data.size() - 1) +
                                                "/" + std::to_string(data.size()));
    }
    if (auto drop = drop_first_after.find(rec_id); drop != drop_first_after.end()) {
      std::size_t n = drop->second;
      drop_first_after.erase(drop);
      if (auto change = replace_after_drop.find(rec_id); change != replace_after_drop.end()) {
        replaced_[rec_id] = change->second.first;
        etags[rec_id] = change->second.second;
      }
      return Respond(status, rest.substr(0, n), rest.size(), 1000, Dropped(), headers);
    }
    auto response = Respond(status, rest, rest.size(), 1000, {}, headers);
    if (chunked.count(rec_id) != 0) ccrec::RemoveHeader(response.headers, "Content-Length");
    return response;
  }

  mutable std::mutex mu_;
  std::vector<std::vector<std::string>> capture_batches_;
  int url_version_ = 0;
  std::map<std::string, std::string> replaced_;  // recording id -> data after replace_after_drop
  bool offset_ignored_ = false;
};

struct Collected {
  std::vector<ExportItem> items;
  std::vector<PendingItem> pending;
  Result<void> result;
};

inline Collected Enumerate(ccrec::exporter::RecordingSource& source, std::size_t stop_after = SIZE_MAX) {
  Collected c;
  c.result = source.Enumerate(
      [&](ExportItem item) {
        c.items.push_back(std::move(item));
        return c.items.size() < stop_after;
      },
      [&](PendingItem p) { c.pending.push_back(std::move(p)); }, CallContext{});
  return c;
}

inline std::string ReadAll(Result<HttpResponse>& r) {
  if (!r) return "<error " + r.error().ToString() + ">";
  auto all = r->ReadAll();
  return all ? *all : "<read error " + all.error().ToString() + ">";
}

}  // namespace exporter_test
