// SPDX-License-Identifier: Apache-2.0
// One valid WAV per multi-segment FACE recording (issue 16 item 6): a first pass reads each
// segment's RIFF header, a second streams the data chunks behind one canonical header.

#include "face/concat.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

namespace ccrec::face::detail {

namespace {

void SetHeader(HttpHeaders& headers, std::string const& name, std::string value) {
  for (auto& h : headers) {
    if (h.first.size() == name.size() &&
        std::equal(name.begin(), name.end(), h.first.begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                               std::tolower(static_cast<unsigned char>(b)); })) {
      h.second = std::move(value);
      return;
    }
  }
  headers.emplace_back(name, std::move(value));
}

std::string SegmentName(Segment const& s) {
  return "segment " + s.segment_id + (s.sequence ? " (sequence " + std::to_string(*s.sequence) + ")" : std::string());
}

/// The size of the whole file: the TOTAL of `Content-Range: bytes A-B/TOTAL` (206), else the
/// Content-Length of a 200.
std::optional<std::uint64_t> FileSize(HttpResponse const& r) {
  if (r.status == 206) {
    auto range = r.Header("Content-Range");
    if (!range) return std::nullopt;
    auto slash = range->rfind('/');
    if (slash == std::string::npos || slash + 1 >= range->size()) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = slash + 1; i < range->size(); ++i) {
      char c = (*range)[i];
      if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
  }
  return r.ContentLength();
}

/// Reads the header of one opened download, at most kMaxWavHeaderBytes, never more than it needs.
/// `prefix` keeps what was read (the bytes after the header are in it too).
Result<WavParse> ReadHeader(BodyReader& body, std::optional<std::uint64_t> total, std::string& prefix) {
  char buffer[4096];
  for (;;) {
    auto parsed = ParseWavHeader(prefix, total);
    if (parsed.status != WavParse::Status::kNeedMore) return parsed;
    std::size_t want = std::min(sizeof buffer, kMaxWavHeaderBytes - prefix.size());
    auto n = body.Read(buffer, want);
    if (!n) return std::move(n).error();
    if (*n == 0) {
      WavParse ended;
      ended.problem = "the file ends after " + std::to_string(prefix.size()) + " bytes, inside its header";
      return ended;
    }
    prefix.append(buffer, *n);
  }
}

/// The header, then each segment's data chunk; a pad byte at the end when the data size is odd.
class WavConcatReader : public BodyReader {
 public:
  WavConcatReader(Client client, std::vector<Segment> segments, WavConcatPlan plan, CallContext ctx)
      : client_(std::move(client)), segments_(std::move(segments)), plan_(std::move(plan)), ctx_(std::move(ctx)) {
    pending_ = WavHeader(plan_.format, plan_.data_size);
  }

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (size == 0) return std::size_t{0};
    for (;;) {
      if (pending_pos_ < pending_.size()) {
        std::size_t n = std::min(size, pending_.size() - pending_pos_);
        std::memcpy(buffer, pending_.data() + pending_pos_, n);
        pending_pos_ += n;
        return n;
      }
      if (current_ && left_ > 0) {
        auto n = current_->Read(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(size, left_)));
        if (!n) return n;
        if (*n == 0) {
          return MakeError(ErrorCode::kIntegrity, "FACE " + SegmentName(segments_[next_ - 1]) + " ended " +
                                                      std::to_string(left_) + " bytes before the end of its data chunk");
        }
        left_ -= *n;
        return n;
      }
      current_.reset();  // the rest of the segment (chunks after data) is not needed
      if (next_ >= segments_.size()) {
        if (!padded_ && (plan_.data_size & 1U)) {
          padded_ = true;
          buffer[0] = '\0';
          return std::size_t{1};
        }
        return std::size_t{0};
      }
      if (auto opened = OpenNext(); !opened) return std::move(opened).error();
    }
  }

  /// Opens the next segment (the first one before the response is handed out, so that a FACE
  /// error of the download is the opener's error, not a broken body).
  Result<void> OpenNext() {
    Segment const& segment = segments_[next_];
    WavLayout const& expected = plan_.layouts[next_];
    ++next_;
    auto response = client_.DownloadSegment(segment, ctx_);
    if (!response) return std::move(response).error();
    std::string prefix;
    auto parsed = ReadHeader(*response->body, FileSize(*response), prefix);
    if (!parsed) return std::move(parsed).error();
    if (parsed->status != WavParse::Status::kOk || parsed->layout.data_offset != expected.data_offset ||
        parsed->layout.data_size != expected.data_size ||
        !WavFormatDifference(parsed->layout.format, expected.format).empty()) {
      return MakeError(ErrorCode::kIntegrity, "FACE " + SegmentName(segment) +
                                                  ": its WAV header changed between the first pass and the download" +
                                                  (parsed->problem.empty() ? "" : " (" + parsed->problem + ")"));
    }
    // The bytes read past the header are the start of the data chunk.
    std::uint64_t offset = expected.data_offset;
    std::uint64_t extra = prefix.size() > offset ? prefix.size() - offset : 0;
    std::uint64_t take = std::min<std::uint64_t>(extra, expected.data_size);
    pending_ = pending_.substr(pending_pos_) +
               prefix.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(take));
    pending_pos_ = 0;
    left_ = expected.data_size - take;
    current_ = std::move(response->body);
    return {};
  }

 private:
  Client client_;
  std::vector<Segment> segments_;
  WavConcatPlan plan_;
  CallContext ctx_;
  std::string pending_;
  std::size_t pending_pos_ = 0;
  std::unique_ptr<BodyReader> current_;
  std::uint64_t left_ = 0;
  std::size_t next_ = 0;
  bool padded_ = false;
};

}  // namespace

Result<WavConcatDecision> PlanWavConcatenation(Client const& client, std::vector<Segment> const& segments,
                                               CallContext const& ctx) {
  WavConcatDecision decision;
  WavConcatPlan plan;
  CallContext probe = ctx;
  SetHeader(probe.extra_headers, "Range", "bytes=0-" + std::to_string(kMaxWavHeaderBytes - 1));
  SetHeader(probe.extra_headers, "Accept-Encoding", "identity");
  for (std::size_t i = 0; i < segments.size(); ++i) {
    Segment const& segment = segments[i];
    auto response = client.DownloadSegment(segment, probe);
    if (!response) return std::move(response).error();
    std::string prefix;
    auto parsed = ReadHeader(*response->body, FileSize(*response), prefix);
    if (!parsed) return std::move(parsed).error();
    if (parsed->status != WavParse::Status::kOk) {
      decision.refusal = SegmentName(segment) + " is not a WAV file ccrec can concatenate: " + parsed->problem;
      return decision;
    }
    if (i == 0) {
      plan.format = parsed->layout.format;
    } else if (auto diff = WavFormatDifference(plan.format, parsed->layout.format); !diff.empty()) {
      decision.refusal = SegmentName(segment) + " has another WAV format than " + SegmentName(segments.front()) +
                         ": " + diff;
      return decision;
    }
    plan.data_size += parsed->layout.data_size;
    plan.layouts.push_back(std::move(parsed->layout));
  }
  if (plan.data_size > MaxWavDataSize(plan.format)) {
    decision.refusal = "the segments' audio (" + std::to_string(plan.data_size) +
                       " bytes) does not fit one WAV file (at most " + std::to_string(MaxWavDataSize(plan.format)) +
                       " bytes)";
    return decision;
  }
  decision.plan = std::move(plan);
  return decision;
}

Result<HttpResponse> OpenConcatenatedWav(Client const& client, std::vector<Segment> const& segments,
                                         WavConcatPlan const& plan, CallContext const& ctx) {
  HttpResponse out;
  out.status = 200;
  out.headers.emplace_back("Content-Type", "audio/wav");
  out.headers.emplace_back("Content-Length", std::to_string(plan.ObjectSize()));
  auto reader = std::make_unique<WavConcatReader>(client, segments, plan, ctx);
  if (auto first = reader->OpenNext(); !first) return std::move(first).error();
  out.body = std::move(reader);
  return out;
}

}  // namespace ccrec::face::detail
