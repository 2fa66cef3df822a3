// SPDX-License-Identifier: Apache-2.0
// FACE selection criteria and dates on the wire (reference oracle-face.md §3, §4).

#include <ccrec/face/criteria.hpp>

#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace ccrec::face {

namespace util = ::ccrec::detail;
using SysTime = std::chrono::system_clock::time_point;

namespace {

/// Every parameter name FACE documents (a custom field must not shadow one).
constexpr std::string_view kDocumentedNames[] = {
    "token", "isrUcid", "ingressCallId", "egressCallId", "thirdpartyId", "ani", "from", "dnis", "to", "filename",
    "start", "earliestStart", "latestStart", "end", "earliestEnd", "latestEnd", "aor", "inProgress",
    "channelNumber", "rssId", "recordingId", "tmpRecordingId", "audioOnly", "mustHaveVideo", "format",
    "formatName", "version", "maxListLength", "fillWithSilence", "codecProfile", "segmentId", "supplementalFileId",
    "type", "userEmail", "userId", "password", "expirationSeconds", "agentId", "agentTerminal", "sensitive",
    "setNeverExpire", "event", "command"};

enum class Rounding { kDown, kUp, kTruncate };

std::int64_t MsPart(SysTime t) {
  auto ms = util::ToEpochMs(t) % 1000;
  return ms < 0 ? ms + 1000 : ms;
}

std::string FormatBound(SysTime t, TimeFormat const& format, Rounding rounding) {
  if (!format.milliseconds && rounding == Rounding::kUp) {
    auto ms = MsPart(t);
    if (ms != 0) t += std::chrono::milliseconds(1000 - ms);
  }
  return FormatFaceTime(t, format);
}

class Encoder {
 public:
  explicit Encoder(TimeFormat const& format) : format_(format) {}

  void Text(char const* name, std::optional<std::string> const& value) {
    if (!value || error_) return;
    if (value->empty()) {
      error_ = MakeError(ErrorCode::kInvalidArgument, std::string("FACE criteria: ") + name +
                                                          " is set but empty (FACE rejects empty parameters)");
      return;
    }
    params_.emplace_back(name, *value);
  }
  void Time(char const* name, std::optional<SysTime> const& value, Rounding rounding) {
    if (value && !error_) params_.emplace_back(name, FormatBound(*value, format_, rounding));
  }
  void Bool(char const* name, std::optional<bool> const& value) {
    if (value && !error_) params_.emplace_back(name, *value ? "true" : "false");
  }
  void Int(char const* name, std::optional<std::int64_t> const& value) {
    if (value && !error_) params_.emplace_back(name, std::to_string(*value));
  }
  void Fail(std::string message) {
    if (!error_) error_ = MakeError(ErrorCode::kInvalidArgument, "FACE criteria: " + std::move(message));
  }
  void Custom(std::vector<std::pair<std::string, std::string>> const& fields) {
    for (auto const& [name, value] : fields) {
      if (error_) return;
      if (name.empty()) return Fail("a custom field name is empty");
      bool ok = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
      });
      if (!ok) return Fail("custom field name \"" + name + "\" has characters outside [A-Za-z0-9_.-]");
      if (std::find(std::begin(kDocumentedNames), std::end(kDocumentedNames), name) != std::end(kDocumentedNames)) {
        return Fail("custom field name \"" + name + "\" is a FACE parameter name; set the typed field instead");
      }
      if (value.empty()) return Fail("custom field \"" + name + "\" has an empty value (FACE rejects empty parameters)");
      params_.emplace_back(name, value);
    }
  }

  Result<std::string> Finish() {
    if (error_) return *error_;
    return util::BuildQuery(params_);
  }

 private:
  TimeFormat format_;
  util::QueryParams params_;
  std::optional<Error> error_;
};

std::string Range(char const* what, SysTime a, SysTime b) {
  return std::string(what) + ": earliest " + util::FormatIso8601(a, true) + " is after latest " +
         util::FormatIso8601(b, true);
}

}  // namespace

std::string FormatFaceTime(SysTime time, TimeFormat const& format) {
  SysTime shifted = time + format.server_utc_offset;
  return util::FormatSqlTime(shifted, format.milliseconds && MsPart(shifted) != 0);
}

std::optional<SysTime> ParseFaceTime(std::string const& text, TimeFormat const& format) {
  // yyyy-MM-dd HH:mm:ss[.f{1,3}]: the ISO-8601 parser accepts ' ' as the separator; the zone is
  // the server's (configured), written here as Z and corrected below.
  if (text.size() < 19 || text.size() > 23 || text[10] != ' ') return std::nullopt;
  auto t = util::ParseTimeArg(text + "Z");
  if (!t) return std::nullopt;
  return *t - format.server_utc_offset;
}

Result<std::string> EncodeCriteria(SearchCriteria const& c, CriteriaUse use, TimeFormat const& format) {
  bool segment_use = use == CriteriaUse::kSegmentSearch || use == CriteriaUse::kSegmentSelection;
  bool search_use = use == CriteriaUse::kRecordingSearch || use == CriteriaUse::kSegmentSearch;
  if (c.segment_id && !segment_use) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "FACE criteria: segment_id applies only to segment commands (segment/details, segment/download)");
  }
  if (c.max_list_length && !search_use) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE criteria: max_list_length applies only to searches (details)");
  }
  if (c.max_list_length && (*c.max_list_length < 1 || *c.max_list_length > 1000)) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE criteria: max_list_length " +
                                                      std::to_string(*c.max_list_length) + " is outside 1..1000");
  }
  if (c.earliest_start && c.latest_start && *c.earliest_start > *c.latest_start) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE criteria: " + Range("start range", *c.earliest_start, *c.latest_start));
  }
  if (c.earliest_end && c.latest_end && *c.earliest_end > *c.latest_end) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE criteria: " + Range("end range", *c.earliest_end, *c.latest_end));
  }
  Encoder e(format);
  e.Text("recordingId", c.recording_id);
  e.Text("tmpRecordingId", c.tmp_recording_id);
  e.Text("segmentId", c.segment_id);
  e.Text("isrUcid", c.isr_ucid);
  e.Text("ingressCallId", c.ingress_call_id);
  e.Text("egressCallId", c.egress_call_id);
  e.Text("thirdpartyId", c.thirdparty_id);
  e.Text("ani", c.ani);
  e.Text("dnis", c.dnis);
  e.Text("filename", c.filename);
  e.Text("aor", c.aor);
  e.Time("start", c.start, Rounding::kTruncate);
  e.Time("earliestStart", c.earliest_start, Rounding::kDown);
  e.Time("latestStart", c.latest_start, Rounding::kUp);
  e.Time("end", c.end, Rounding::kTruncate);
  e.Time("earliestEnd", c.earliest_end, Rounding::kDown);
  e.Time("latestEnd", c.latest_end, Rounding::kUp);
  e.Bool("inProgress", c.in_progress);
  e.Int("channelNumber", c.channel_number);
  e.Int("rssId", c.rss_id);
  e.Bool("audioOnly", c.audio_only);
  e.Bool("mustHaveVideo", c.must_have_video);
  e.Custom(c.custom_fields);
  if (c.max_list_length) e.Int("maxListLength", *c.max_list_length);
  return e.Finish();
}

}  // namespace ccrec::face
