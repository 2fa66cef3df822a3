// SPDX-License-Identifier: Apache-2.0
#include "exporter/media_download.hpp"
#include "internal/ascii.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace ccrec::exporter::detail {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Digits at `pos` (at most 19, so no overflow); advances `pos`.
std::optional<std::uint64_t> Number(std::string_view s, std::size_t& pos) {
  std::uint64_t v = 0;
  std::size_t digits = 0;
  for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
    if (digits == 19) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(s[pos] - '0');
  }
  if (digits == 0) return std::nullopt;
  return v;
}

/// Content-Encoding absent or "identity": the body is the stored bytes.
/// The first Content-Encoding value other than identity (or empty), looking at every
/// Content-Encoding header: a repeated header is one list (RFC 9110 §5.3), so "identity" first
/// must not hide a "gzip" after it.
std::optional<std::string> NonIdentityEncoding(HttpHeaders const& headers) {
  for (auto const& [name, value] : headers) {
    if (!::ccrec::detail::EqualsIgnoreCase(name, "Content-Encoding")) continue;
    if (!Trim(value).empty() && !::ccrec::detail::EqualsIgnoreCase(Trim(value), "identity")) return value;
  }
  return std::nullopt;
}

bool IsRetryableDownloadError(Error const& e) {
  return IsRetryable(e) || e.code == ErrorCode::kIntegrity || e.code == ErrorCode::kDeadlineExceeded;
}

/// A MediaOpener must report HTTP errors as Error; one that hands back the error response itself
/// must not get an error page stored as the recording.
std::optional<Error> CheckStatus(HttpResponse const& response) {
  if (!response.body) return MakeError(ErrorCode::kInternal, "the media source returned a response without a body");
  int const status = response.status;
  if (status >= 200 && status <= 299) return std::nullopt;
  ErrorCode code = ErrorCode::kInternal;  // 1xx, 3xx: not a media body either
  if (status == 401) code = ErrorCode::kUnauthenticated;
  else if (status == 403) code = ErrorCode::kPermissionDenied;
  else if (status == 404) code = ErrorCode::kNotFound;
  else if (status == 408) code = ErrorCode::kDeadlineExceeded;
  else if (status == 429) code = ErrorCode::kRateLimited;
  else if (status >= 400 && status <= 499) code = ErrorCode::kInvalidArgument;
  else if (status >= 500 && status <= 599) code = ErrorCode::kUnavailable;
  Error e = MakeError(code, "media download answered HTTP " + std::to_string(status));
  e.http_status = status;
  return e;
}

/// One attempt's outcome when it did not complete the object.
struct Failure {
  Error error;
  bool retry = true;           ///< worth another attempt
  bool restart = false;        ///< the next attempt starts over from byte 0 (new writer)
  bool sink_failure = false;   ///< the sink failed: give up at once, no retry
  bool body_error = false;     ///< reading the body failed (the bytes before it are good)
  bool opener_error = false;   ///< the MediaOpener failed, or answered with an HTTP error
};

Failure OpenerFailure(Error e) {
  Failure f{std::move(e)};
  f.opener_error = true;
  return f;
}

Failure Integrity(std::string message, bool restart = false) {
  return Failure{MakeError(ErrorCode::kIntegrity, std::move(message)), true, restart, false};
}

class Download {
 public:
  Download(ExportItem const& item, DownloadEnv const& env, std::vector<char>& buffer)
      : item_(item), env_(env), buffer_(buffer) {}

  Result<ObjectInfo> Run() {
    auto opened = env_.open_writer();
    if (!opened) return std::move(opened).error();
    writer_ = std::move(*opened);
    std::optional<Error> last_error;
    bool restart = false;
    auto const start = std::chrono::steady_clock::now();
    for (int attempt = 1; attempt <= env_.attempts; ++attempt) {
      if (env_.stopping()) return Stopped();
      if (written_ > 0 && (restart || validator_.empty())) {
        if (!restart) {
          Log("cannot be resumed safely (the first response had neither a strong ETag nor Last-Modified to send "
              "in If-Range); restarting from byte 0");
        }
        if (auto reopened = Restart(); !reopened) return GiveUp(std::move(reopened).error());
      }
      restart = false;
      auto failure = Attempt();
      if (!failure) return Finish();
      if (IsSuperseded(failure->error)) return GiveUp(std::move(failure->error));  // the source replaced the item
      if (failure->opener_error && env_.source_fatal && env_.source_fatal(failure->error)) {
        return GiveUp(std::move(failure->error));  // the run stops: no further attempt
      }
      if (failure->sink_failure) return GiveUp(std::move(failure->error));
      if (failure->body_error && total_ && written_ == *total_) {
        return Finish();  // every byte arrived; the connection broke after the last one
      }
      last_error = failure->error;
      restart = failure->restart;
      if (!failure->retry || !IsRetryableDownloadError(failure->error)) break;
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      Error as_retryable = failure->error;
      if (!IsRetryable(as_retryable)) as_retryable.code = ErrorCode::kTransport;
      auto delay = env_.backoff->NextDelay(as_retryable, attempt, elapsed);
      if (!delay) break;
      Log("interrupted at " + std::to_string(written_) + " bytes (" + failure->error.ToString() + "); " +
          (restart ? "restarting from byte 0" : "resuming") + " in " + std::to_string(delay->count()) + " ms");
      if (!env_.sleeper->SleepFor(*delay, env_.ctx->cancel)) break;
    }
    if (env_.stopping()) return Stopped();
    Error e = last_error.value_or(MakeError(ErrorCode::kInternal, "download failed"));
    e.message = "download failed after " + std::to_string(written_) + " bytes: " + e.message;
    return GiveUp(std::move(e));
  }

 private:
  void Log(std::string const& what) const {
    env_.logger->Info("download of task " + item_.task_id + " recording " + item_.recording_id + " " + what);
  }

  Result<ObjectInfo> GiveUp(Error e) {
    if (writer_) writer_->Abort();
    env_.take_back_bytes(written_);
    written_ = 0;
    return e;
  }
  Result<ObjectInfo> Stopped() { return GiveUp(MakeError(ErrorCode::kCancelled, "export stopped")); }

  Result<ObjectInfo> Finish() {
    auto info = writer_->Finish();
    if (!info) {
      env_.on_sink_error(info.error());
      return GiveUp(std::move(info).error());
    }
    return info;
  }

  /// Drops what was written and opens a new writer: the next bytes are byte 0 of the object.
  Result<void> Restart() {
    writer_->Abort();
    writer_.reset();
    env_.take_back_bytes(written_);
    written_ = 0;
    validator_ = {};
    total_.reset();
    auto opened = env_.open_writer();
    if (!opened) return std::move(opened).error();
    writer_ = std::move(*opened);
    return {};
  }

  /// One request and its body. nullopt when the object is complete.
  std::optional<Failure> Attempt() {
    std::uint64_t const offset = written_;
    auto response = item_.open(MediaRequestContext(*env_.ctx, offset, validator_), offset);
    if (!response) return OpenerFailure(std::move(response).error());
    if (auto bad = CheckStatus(*response)) return OpenerFailure(std::move(*bad));
    if (auto encoding = NonIdentityEncoding(response->headers)) {
      // Decoding (or storing the encoded bytes) would not give the recording as stored; resuming
      // would splice encoded offsets. The request asked for identity: a server that ignores that
      // will do it again, so this is not retried.
      return Failure{MakeError(ErrorCode::kIntegrity,
                               "the media server answered with \"Content-Encoding: " + *encoding +
                                   "\" although the request asked for identity; the recording was not stored "
                                   "because its bytes would not be the original ones"),
                     false};
    }
    MediaValidator const got = ValidatorOf(response->headers);
    std::optional<std::uint64_t> const declared = response->ContentLength();
    std::optional<std::uint64_t> expect = declared;  // body bytes this response must deliver
    std::optional<ContentRange> range;
    std::uint64_t skip = 0;
    if (response->status == 206) {
      if (auto header = response->Header("Content-Range")) {
        range = ParseContentRange(*header);
        if (!range) return Integrity("the partial response has a malformed \"Content-Range: " + *header + "\"");
        if (range->start != offset) {
          return Integrity("media download asked for bytes from " + std::to_string(offset) +
                           " but the partial response is \"Content-Range: " + *header + "\"");
        }
        if (total_ && range->total != *total_) {
          return Integrity("the recording changed size since the download began (" + std::to_string(*total_) +
                               " bytes, now \"Content-Range: " + *header + "\")",
                           true);
        }
        expect = range->end - range->start + 1;
        if (declared && *declared != *expect) {
          return Integrity("the partial response's Content-Length " + std::to_string(*declared) +
                           " disagrees with \"Content-Range: " + *header + "\"");
        }
      } else if (offset > 0) {
        // RFC 9110 §15.3.7: a single-part 206 carries Content-Range. Without it nothing says the
        // body starts at `offset` (it may be the object from byte 0): start over instead.
        return Integrity("media download asked for bytes from " + std::to_string(offset) +
                             " but the partial response (HTTP 206) has no Content-Range; downloading it again from "
                             "byte 0",
                         true);
      }
      if (offset > 0 && ValidatorChanged(validator_, got)) {
        return Integrity("the recording changed since the download began (validator " + validator_.IfRange() +
                             ", now " + got.IfRange() + ")",
                         true);
      }
    } else if (offset > 0) {
      // Any other 2xx carries the whole representation from byte 0: the server ignored Range, or
      // If-Range did not match because the recording changed. Skip what we have only when it is
      // provably the same recording; otherwise start over with this body.
      bool const same_size = !total_ || !declared || *declared == *total_;
      if (ValidatorMatches(validator_, got) && same_size) {
        skip = offset;
      } else {
        Log("got the whole recording again (HTTP " + std::to_string(response->status) +
            ") and cannot prove it is the one already partly written; restarting from byte 0");
        if (auto reopened = Restart(); !reopened) return Failure{std::move(reopened).error(), false, false, true};
      }
    }
    if (written_ == 0) {
      validator_ = got;
      total_ = range ? std::optional<std::uint64_t>(range->total) : declared;
    }
    return ReadBody(*response, expect, skip, range);
  }

  std::optional<Failure> ReadBody(HttpResponse& response, std::optional<std::uint64_t> expect, std::uint64_t skip,
                                  std::optional<ContentRange> const& range) {
    std::uint64_t received = 0;
    std::uint64_t to_skip = skip;
    for (;;) {
      if (env_.stopping()) return Failure{MakeError(ErrorCode::kCancelled, "export stopped"), false};
      auto n = response.body->Read(buffer_.data(), buffer_.size());
      if (!n) {
        Failure f{std::move(n).error()};
        f.body_error = true;
        return f;
      }
      if (*n == 0) break;
      received += *n;
      char const* data = buffer_.data();
      std::size_t size = *n;
      if (to_skip > 0) {
        auto const dropped = static_cast<std::size_t>(std::min<std::uint64_t>(to_skip, size));
        data += dropped;
        size -= dropped;
        to_skip -= dropped;
      }
      if (size == 0) continue;
      if (expect && received > *expect) break;  // more than announced: checked below, nothing appended
      auto w = writer_->Write(data, size);
      if (!w) {
        env_.on_sink_error(w.error());
        return Failure{std::move(w).error(), false, false, true};
      }
      written_ += size;
      env_.add_bytes(size);
    }
    if (expect && received != *expect) {
      return Integrity("media body " + std::string(received > *expect ? "exceeded " : "ended after ") +
                       std::to_string(received) + " of " + std::to_string(*expect) + " bytes");
    }
    if (to_skip > 0) {
      return Integrity("the resent media body ended " + std::to_string(to_skip) + " bytes before the " +
                       std::to_string(written_) + " bytes already written");
    }
    if (range && range->end + 1 < range->total) {
      return Integrity("the partial response covered bytes " + std::to_string(range->start) + "-" +
                       std::to_string(range->end) + " of " + std::to_string(range->total) + " only");
    }
    if (total_ && written_ != *total_) {
      return Integrity(std::to_string(written_) + " bytes received, but the recording has " +
                           std::to_string(*total_) + " bytes",
                       written_ > *total_);
    }
    return std::nullopt;
  }

  ExportItem const& item_;
  DownloadEnv const& env_;
  std::vector<char>& buffer_;
  std::unique_ptr<ObjectWriter> writer_;
  std::uint64_t written_ = 0;
  MediaValidator validator_;             // of the representation being written
  std::optional<std::uint64_t> total_;  // its size, when a response said
};

}  // namespace

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  value = Trim(value);
  if (value.size() < 6 || !::ccrec::detail::EqualsIgnoreCase(value.substr(0, 6), "bytes ")) return std::nullopt;
  std::size_t pos = 6;
  while (pos < value.size() && value[pos] == ' ') ++pos;
  ContentRange r;
  auto start = Number(value, pos);
  if (!start || pos >= value.size() || value[pos] != '-') return std::nullopt;
  ++pos;
  auto end = Number(value, pos);
  if (!end || pos >= value.size() || value[pos] != '/') return std::nullopt;
  ++pos;
  auto total = Number(value, pos);
  if (!total || pos != value.size()) return std::nullopt;
  if (*start > *end || *end >= *total) return std::nullopt;
  r.start = *start;
  r.end = *end;
  r.total = *total;
  return r;
}

MediaValidator ValidatorOf(HttpHeaders const& headers) {
  MediaValidator v;
  if (auto etag = FindHeader(headers, "ETag")) {
    auto t = Trim(*etag);
    if (!t.empty() && t.substr(0, 2) != "W/") v.etag = std::string(t);
  }
  if (auto lm = FindHeader(headers, "Last-Modified")) v.last_modified = std::string(Trim(*lm));
  return v;
}

bool ValidatorChanged(MediaValidator const& first, MediaValidator const& later) {
  if (!first.etag.empty() && !later.etag.empty()) return first.etag != later.etag;
  if (!first.last_modified.empty() && !later.last_modified.empty()) return first.last_modified != later.last_modified;
  return false;
}

bool ValidatorMatches(MediaValidator const& first, MediaValidator const& later) {
  if (!first.etag.empty()) return later.etag == first.etag;
  if (!first.last_modified.empty()) return later.last_modified == first.last_modified;
  return false;
}

CallContext MediaRequestContext(CallContext const& ctx, std::uint64_t offset, MediaValidator const& validator) {
  CallContext out = ctx;
  SetHeader(out.extra_headers, "Accept-Encoding", "identity");
  if (offset > 0 && !validator.empty()) {
    SetHeader(out.extra_headers, "If-Range", validator.IfRange());
  } else {
    RemoveHeader(out.extra_headers, "If-Range");
  }
  return out;
}

Result<ObjectInfo> DownloadMedia(ExportItem const& item, DownloadEnv const& env, std::vector<char>& buffer) {
  return Download(item, env, buffer).Run();
}

}  // namespace ccrec::exporter::detail
