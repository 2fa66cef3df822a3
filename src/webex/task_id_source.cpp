// SPDX-License-Identifier: Apache-2.0
// MakeWebexTaskIdSource (webex/task_id_source.hpp): Captures for explicit task ids.
#include <ccrec/webex/task_id_source.hpp>

#include <ccrec/webex/recording_source.hpp>

#include "internal/json.hpp"

#include <mutex>
#include <set>

namespace ccrec {
inline namespace v1 {
namespace webex {

namespace {

using exporter::ExportItem;
using exporter::PendingItem;

/// The recording's current presigned URL, re-queried near expiry and once after a 403.
struct UrlState {
  explicit UrlState(Client c) : client(std::move(c)) {}
  Client client;
  CaptureQuery query;  // task_ids = {task}
  std::string task_id, recording_id;
  std::chrono::milliseconds margin{};
  std::shared_ptr<Clock> clock;
  std::mutex mu;
  std::string url;

  Result<std::string> Refresh(CallContext const& media_ctx) {
    CallContext ctx = media_ctx;
    RemoveHeader(ctx.extra_headers, "If-Range");
    RemoveHeader(ctx.extra_headers, "Accept-Encoding");
    auto captures = client.QueryCaptures(query, ctx);
    if (!captures) return std::move(captures).error();
    for (auto const& tc : *captures) {
      for (auto const& r : tc.recordings) {
        if (r.id == recording_id && r.attributes.file_path) {
          std::lock_guard<std::mutex> lock(mu);
          url = *r.attributes.file_path;
          return url;
        }
      }
    }
    return MakeError(ErrorCode::kNotFound, "recording " + recording_id + " of task " + task_id +
                                               " is no longer listed by the Captures API");
  }

  Result<HttpResponse> Open(CallContext const& ctx, std::uint64_t offset) {
    std::string current;
    {
      std::lock_guard<std::mutex> lock(mu);
      current = url;
    }
    auto expiry = Client::PresignedUrlExpiry(current);
    bool refreshed = false;
    if (current.empty() || (expiry && *expiry - clock->Now() < margin)) {
      auto fresh = Refresh(ctx);
      if (!fresh) return std::move(fresh).error();
      current = *fresh;
      refreshed = true;
    }
    auto response = client.OpenRecording(current, ctx, offset);
    if (!response && response.error().http_status == 403 && !refreshed) {
      auto fresh = Refresh(ctx);
      if (!fresh) return std::move(fresh).error();
      response = client.OpenRecording(*fresh, ctx, offset);
    }
    // Client::OpenRecording skips the first `offset` bytes itself when the server ignores Range:
    // the body starts at `offset`, which the MediaOpener contract spells 206 (as MakeWebexSource).
    if (response && offset > 0 && response->status == 200) {
      response->status = 206;
      if (auto rest = response->ContentLength(); rest && *rest > 0 && !response->Header("Content-Range")) {
        SetHeader(response->headers, "Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                          std::to_string(offset + *rest - 1) + "/" +
                                                          std::to_string(offset + *rest));
      }
    }
    return response;
  }
};

/// Sidecar: ids and the capture entry minus every attributes.filePath (the presigned URL).
std::string Sidecar(std::string const& task_id, Recording const& recording) {
  std::string recording_json = "{\"id\":\"" + ::ccrec::detail::JsonEscape(recording.id) + "\"}";
  if (auto doc = ::ccrec::detail::ParseJsonWithSpans(recording.raw_json, "recording"); doc && doc->Doc().IsObject()) {
    std::vector<::ccrec::detail::JsonWithSpans::Replacement> cuts;
    for (auto const& m : doc->Doc().GetObject()) {
      if (m.name == "attributes" && m.value.IsObject()) cuts.push_back({&m.value, doc->RawWithoutMember(m.value, "filePath")});
    }
    recording_json = doc->RawReplacing(doc->Doc(), cuts);
  }
  auto const id = ::ccrec::detail::JsonEscape(task_id);
  return "{\"source\":\"webex\",\"task_id\":\"" + id + "\",\"recording_id\":\"" +
         ::ccrec::detail::JsonEscape(recording.id) + "\",\"task\":{\"id\":\"" + id + "\"},\"recording\":" +
         recording_json + "}\n";
}

class TaskIdSource : public exporter::RecordingSource {
 public:
  TaskIdSource(Client client, WebexTaskIdSourceOptions options) : client_(std::move(client)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = MakeSystemClock();
  }

  exporter::KeyIdentityRule KeyIdentity() const override { return WebexKeyIdentity(); }

  Result<void> Enumerate(std::function<bool(ExportItem)> const& on_item, std::function<void(PendingItem)> const& on_pending,
                         CallContext const& ctx) override {
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (auto const& id : options_.task_ids) {
      if (!id.empty() && seen.insert(id).second) ids.push_back(id);
    }
    if (ids.empty()) return {};
    CaptureQuery query;
    query.url_expiration = options_.url_expiration;
    query.include_segments = options_.include_segments;
    query.org_id = options_.org_id;
    auto captures = client_.QueryCapturesBatched(ids, query, ctx);
    if (!captures) return std::move(captures).error();
    for (auto const& id : ids) {
      TaskCaptures const* found = nullptr;
      for (auto const& tc : *captures) {
        if (tc.task_id == id) found = &tc;
      }
      if (found == nullptr || found->recordings.empty()) {
        on_pending(PendingItem{"webex", id, "announced by capture:available, but Captures lists no recording yet"});
        continue;
      }
      for (auto const& recording : found->recordings) {
        if (!on_item(MakeItem(id, recording, query))) return {};
        if (ctx.cancel.IsCancelled()) return {};
      }
    }
    return {};
  }

 private:
  ExportItem MakeItem(std::string const& task_id, Recording const& recording, CaptureQuery query) const {
    ExportItem item;
    item.source = "webex";
    item.task_id = task_id;
    item.recording_id = recording.id;
    item.key_fields.task_id = task_id;
    item.key_fields.recording_id = recording.id;
    item.key_fields.file_name = recording.attributes.file_name.value_or("");
    item.key_fields.time = recording.attributes.start_time;
    item.metadata_json = Sidecar(task_id, recording);
    query.task_ids = {task_id};
    auto state = std::make_shared<UrlState>(client_);
    state->query = std::move(query);
    state->task_id = task_id;
    state->recording_id = recording.id;
    state->margin = options_.url_refresh_margin;
    state->clock = options_.clock;
    state->url = recording.attributes.file_path.value_or("");
    item.open = [state](CallContext const& ctx, std::uint64_t offset) { return state->Open(ctx, offset); };
    return item;
  }

  Client client_;
  WebexTaskIdSourceOptions options_;
};

}  // namespace

std::unique_ptr<exporter::RecordingSource> MakeWebexTaskIdSource(Client client, WebexTaskIdSourceOptions options) {
  return std::make_unique<TaskIdSource>(std::move(client), std::move(options));
}

}  // namespace webex
}  // namespace v1
}  // namespace ccrec
