// huawei::HuaweiRecordingSource: listed recordings, or recordings announced by AgentMediaEvent_Record
// while watching (reference huawei-cc-gateway.md §5, §6, §7).

#include <ccrec/huawei/recording_source.hpp>

#include <ccrec/exporter/key_template.hpp>

#include "huawei/wire.hpp"
#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <map>

namespace ccrec {
inline namespace v1 {
namespace huawei {

namespace {

namespace util = ::ccrec::internal;

constexpr std::size_t kMaxRememberedStops = 4096;

/// The key's {recording_id}: the path without extension, each byte outside `[A-Za-z0-9._-]` replaced
/// by '_' (a leading '.' too), cut at 180 bytes, + "-" + 8 hex of SHA-256(fileName). Already safe, so
/// exporter::SanitizeKeyComponent() keeps it as it is (keys of earlier versions stay the same).
std::string KeyId(std::string const& file_name) {
  std::string ext = exporter::FileExtension(file_name, "");
  std::string stem;
  for (unsigned char c : file_name.substr(0, file_name.size() - ext.size())) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
              c == '-';
    stem += ok ? static_cast<char>(c) : '_';
    if (stem.size() >= 180) break;
  }
  if (stem.empty()) stem = "_";
  if (stem.front() == '.') stem.front() = '_';
  return stem + "-" + util::Sha256Hex(file_name).substr(0, 8);
}

std::string Quoted(std::string const& s) { return "\"" + util::JsonEscape(s) + "\""; }

std::string Sidecar(std::string const& agent_id, RecordingReference const& r, int file_type, bool stop_seen) {
  std::string out = "{\"source\":\"huawei\"";
  out += ",\"agent_id\":" + Quoted(agent_id);
  out += ",\"file_name\":" + Quoted(r.file_name);
  out += ",\"location_id\":" + (r.location_id.empty() ? std::string("null") : Quoted(r.location_id));
  out += ",\"file_type\":" + std::to_string(file_type);
  out += ",\"record_serial\":" + (r.record_serial.empty() ? std::string("null") : Quoted(r.record_serial));
  out += ",\"call_id\":" + (r.call_id.empty() ? std::string("null") : Quoted(r.call_id));
  out += ",\"caller\":" + (r.caller.empty() ? std::string("null") : Quoted(r.caller));
  out += ",\"called\":" + (r.called.empty() ? std::string("null") : Quoted(r.called));
  out += ",\"file_media_type\":" + (r.file_media_type ? std::to_string(*r.file_media_type) : std::string("null"));
  out += ",\"task_id\":" + (r.task_id.empty() ? std::string("null") : Quoted(r.task_id));
  out += ",\"event_time\":" + (r.event_time ? Quoted(util::FormatIso8601(*r.event_time, true)) : std::string("null"));
  out += ",\"stop_record_seen\":" + std::string(stop_seen ? "true" : "false");
  out += ",\"event\":" + (r.content_json.empty() ? std::string("null") : r.content_json);
  out += "}\n";
  return out;
}

}  // namespace

exporter::KeyIdentityRule HuaweiKeyIdentity() { return exporter::KeyIdentityRule{"huawei", {{"recording_id"}, {"file_name"}}}; }

exporter::ExportItem MakeHuaweiExportItem(AgentSession session, RecordingReference const& reference, int file_type,
                                          bool stop_record_seen) {
  exporter::ExportItem item;
  item.source = "huawei";
  item.task_id = reference.call_id;
  item.recording_id = reference.file_name;
  item.key_fields.task_id = reference.call_id;
  item.key_fields.recording_id = KeyId(reference.file_name);
  item.key_fields.file_name = reference.file_name;
  item.key_fields.ext = exporter::FileExtension(reference.file_name, ".bin");
  item.key_fields.time = wire::DateFromPath(reference.file_name);
  if (!item.key_fields.time) item.key_fields.time = reference.event_time;
  item.key_fields.extra["agent_id"] = session.agent_id();
  item.key_fields.extra["call_id"] = reference.call_id;
  item.key_fields.extra["location_id"] = reference.location_id;
  item.metadata_json = Sidecar(session.agent_id(), reference, file_type, stop_record_seen);
  RecordFileRequest request{reference.file_name, file_type, reference.location_id};
  item.open = [session = std::move(session), request](CallContext const& ctx, std::uint64_t) {
    // The gateway documents no Range support: every attempt downloads the whole file and the engine
    // skips what it already has.
    return session.OpenRecordFile(request, ctx);
  };
  return item;
}

HuaweiRecordingSource::HuaweiRecordingSource(AgentSession session, HuaweiSourceOptions options)
    : session_(std::move(session)), options_(std::move(options)) {}

HuaweiRecordingSource::~HuaweiRecordingSource() {
  if (poller_) poller_->Stop();
}

Result<void> HuaweiRecordingSource::Enumerate(std::function<bool(exporter::ExportItem)> const& on_item,
                                              std::function<void(exporter::PendingItem)> const& on_pending,
                                              CallContext const& ctx) {
  if (shut_down_.load()) {
    return MakeError(ErrorCode::kInvalidArgument, "Huawei source: Enumerate() after Shutdown()");
  }
  if (!session_.signed_in()) {
    auto signed_in = session_.SignIn(ctx);
    if (!signed_in) return std::move(signed_in).error();
  }
  if ((options_.keep_alive || options_.watch) && !poller_) {
    EventPollerOptions po = options_.poller;
    po.queue_events = options_.watch.has_value();
    po.logger = options_.logger;
    poller_ = std::make_unique<EventPoller>(session_, po);
    poller_->Start();
  }
  for (auto const& listed : options_.recordings) {
    if (ctx.cancel.IsCancelled()) return {};
    RecordingReference r = listed;
    r.agent_id = session_.agent_id();
    if (r.location_id.empty()) r.location_id = options_.location_id;
    if (!seen_.insert(r.file_name).second) {
      options_.logger.Info("Huawei: \"" + r.file_name + "\" is listed twice; exporting it once");
      continue;
    }
    if (!on_item(MakeHuaweiExportItem(session_, r, options_.file_type, true))) return {};
  }
  if (!options_.watch) return {};
  return Watch(on_item, on_pending, ctx);
}

Result<void> HuaweiRecordingSource::Watch(std::function<bool(exporter::ExportItem)> const& on_item,
                                          std::function<void(exporter::PendingItem)> const& on_pending,
                                          CallContext const& ctx) {
  using SteadyClock = std::chrono::steady_clock;
  auto const& log = options_.logger;
  auto const end = SteadyClock::now() + *options_.watch;
  struct Waiting {
    RecordingReference ref;
    SteadyClock::time_point since;
  };
  std::map<std::string, Waiting> waiting;  // by taskId
  std::set<std::string> stopped;           // StopRecordDone seen before its Record event
  log.Info("Huawei agent " + session_.agent_id() + ": watching record events for " +
           std::to_string(options_.watch->count()) + " ms");

  auto emit = [&](RecordingReference const& r, bool stop_seen) -> bool {
    if (!seen_.insert(r.file_name).second) {
      log.Debug("Huawei: record event for \"" + r.file_name + "\" seen again; already exported");
      return true;
    }
    log.Info("Huawei: exporting \"" + r.file_name + "\" (call " + r.call_id + ")");
    return on_item(MakeHuaweiExportItem(session_, r, options_.file_type, stop_seen));
  };

  for (;;) {
    if (ctx.cancel.IsCancelled()) return {};
    auto now = SteadyClock::now();
    if (now >= end) break;
    // Recordings whose StopRecordDone is overdue are exported anyway.
    auto wake = end;
    for (auto it = waiting.begin(); it != waiting.end();) {
      auto due = it->second.since + options_.stop_record_timeout;
      if (due <= now) {
        log.Warn("Huawei: no AgentMediaEvent_StopRecordDone for \"" + it->second.ref.file_name + "\" after " +
                 std::to_string(options_.stop_record_timeout.count()) + " ms; exporting it anyway");
        RecordingReference ref = std::move(it->second.ref);
        it = waiting.erase(it);
        if (!emit(ref, false)) return {};
        continue;
      }
      wake = std::min(wake, due);
      ++it;
    }
    auto event = poller_->Next(wake, ctx.cancel);
    if (!event) {
      if (auto fatal = poller_->fatal_error()) return *fatal;
      if (!poller_->running() && !ctx.cancel.IsCancelled()) {
        return MakeError(ErrorCode::kInternal, "Huawei: the event poll stopped during the watch");
      }
      continue;
    }
    if (event->event_type == kRecordEvent) {
      auto ref = ParseRecordEvent(*event);
      if (!ref) {
        log.Warn("Huawei: ignoring a malformed record event: " + ref.error().message);
        continue;
      }
      if (ref->location_id.empty()) ref->location_id = options_.location_id;
      bool stop_seen = !ref->task_id.empty() && stopped.erase(ref->task_id) > 0;
      if (!options_.wait_for_stop_record || ref->task_id.empty() || stop_seen) {
        if (!emit(*ref, stop_seen || !options_.wait_for_stop_record)) return {};
      } else {
        log.Debug("Huawei: \"" + ref->file_name + "\" is being recorded (task " + ref->task_id +
                  "); waiting for AgentMediaEvent_StopRecordDone");
        std::string task = ref->task_id;  // not ref->task_id below: the right side moves *ref first
        waiting[task] = Waiting{std::move(*ref), SteadyClock::now()};
      }
    } else if (event->event_type == kRecordFailEvent) {
      auto ref = ParseRecordEvent(*event);
      std::string what = ref ? "\"" + ref->file_name + "\" (call " + ref->call_id + ")" : std::string("a call");
      log.Warn("Huawei: recording failed for " + what + " (AgentMediaEvent_Record_Fail); nothing to export");
      if (ref && !ref->task_id.empty()) waiting.erase(ref->task_id);
    } else if (auto stop = ParseStopRecordDone(*event)) {
      auto it = waiting.find(stop->task_id);
      if (it != waiting.end()) {
        RecordingReference ref = std::move(it->second.ref);
        waiting.erase(it);
        if (!emit(ref, true)) return {};
      } else if (stopped.size() < kMaxRememberedStops) {
        stopped.insert(stop->task_id);
      }
    } else {
      log.Debug("Huawei: ignoring event " + event->event_type);
    }
  }
  for (auto& [task, w] : waiting) {
    log.Warn("Huawei: \"" + w.ref.file_name + "\" was still being recorded when the watch ended; not exported");
    on_pending(exporter::PendingItem{
        "huawei", w.ref.call_id,
        "recording \"" + w.ref.file_name + "\" (task " + task +
            ") was still being recorded when the watch ended (no AgentMediaEvent_StopRecordDone); export it later "
            "by listing its fileName"});
  }
  return {};
}

Result<void> HuaweiRecordingSource::Shutdown() {
  if (shut_down_.exchange(true)) return {};
  if (poller_) poller_->Stop();
  CallContext ctx;  // deliberately not the run's context: Ctrl-C must still sign out
  ctx.deadline = std::chrono::system_clock::now() + options_.sign_out_timeout;
  return session_.SignOut(ctx);
}

std::shared_ptr<HuaweiRecordingSource> MakeHuaweiSource(AgentSession session, HuaweiSourceOptions options) {
  return std::make_shared<HuaweiRecordingSource>(std::move(session), std::move(options));
}

}  // namespace huawei
}  // namespace v1
}  // namespace ccrec
