// SPDX-License-Identifier: Apache-2.0
// huawei::AgentSession: recording downloads: URL, download slots, answer classification and the
// byte-counting body (reference huawei-cc-gateway.md §6).

#include "huawei/agent_session_impl.hpp"

#include "internal/http_util.hpp"
#include "internal/url.hpp"

namespace ccrec::huawei {

namespace util = ::ccrec::detail;

namespace {

using detail::SlotToken;

/// A 200 answer without a byte of the file: a recording file is never 0 bytes, so storing it
/// as the recording would mark it exported with nothing in it.
Error EmptyBody(std::string const& what) {
  Error e = MakeError(ErrorCode::kIntegrity, what + ": the gateway answered 200 with an empty body; a recording "
                                                     "file is never 0 bytes, so nothing was stored");
  e.http_status = 200;
  return e;
}

/// The body handed to callers: counts bytes, enforces the hard limit, warns above the advisory
/// size, and releases the download slot when the body ends, fails or is dropped.
class DownloadReader : public BodyReader {
 public:
  DownloadReader(std::unique_ptr<BodyReader> inner, std::unique_ptr<SlotToken> slot, std::uint64_t warn_bytes,
                 std::optional<std::uint64_t> max_bytes, bool warned, Logger logger, std::string what)
      : inner_(std::move(inner)), slot_(std::move(slot)), warn_bytes_(warn_bytes), max_bytes_(max_bytes),
        warned_(warned), logger_(std::move(logger)), what_(std::move(what)) {}

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (failed_) return *failed_;
    auto n = inner_->Read(buffer, size);
    if (!n) {
      slot_.reset();
      return n;
    }
    if (*n == 0) {
      slot_.reset();
      // A body without Content-Length that ended at once: no recording file is 0 bytes.
      if (total_ == 0) failed_ = EmptyBody(what_);
      return failed_ ? Result<std::size_t>(*failed_) : n;
    }
    total_ += *n;
    if (!warned_ && warn_bytes_ > 0 && total_ > warn_bytes_) {
      warned_ = true;
      logger_.Warn(what_ + ": the file is larger than " + std::to_string(warn_bytes_) +
                   " bytes; Huawei advises against downloading files over 30 MB through the CC-Gateway");
    }
    if (max_bytes_ && total_ > *max_bytes_) {
      slot_.reset();
      failed_ = MakeError(ErrorCode::kInvalidArgument,
                          what_ + ": the file is larger than the configured limit of " + std::to_string(*max_bytes_) +
                              " bytes");
      return *failed_;
    }
    return n;
  }

 private:
  std::unique_ptr<BodyReader> inner_;
  std::unique_ptr<SlotToken> slot_;
  std::uint64_t warn_bytes_;
  std::optional<std::uint64_t> max_bytes_;
  bool warned_;
  Logger logger_;
  std::string what_;
  std::uint64_t total_ = 0;
  std::optional<Error> failed_;
};

}  // namespace

Result<std::string> AgentSession::Impl::DownloadUrl(RecordFileRequest const& request) const {
  if (config_error) return *config_error;
  if (request.record_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Huawei download: recordId (the record event's fileName) is empty");
  }
  if (request.file_type != 1 && request.file_type != 2) {
    return MakeError(ErrorCode::kInvalidArgument, "Huawei download of \"" + request.record_id + "\": filetype " +
                                                      std::to_string(request.file_type) + " is not 1 or 2");
  }
  if (!request.location_id.empty() && !detail::AllDigits(request.location_id)) {
    return MakeError(ErrorCode::kInvalidArgument, "Huawei download of \"" + request.record_id +
                                                      "\": locationId \"" + request.location_id +
                                                      "\" is not a number");
  }
  std::string url = root + "recordfile/" + util::PercentEncode(opt.agent_id) +
                    "?recordId=" + detail::EncodeRecordId(request.record_id, opt.record_id_encoding) +
                    "&filetype=" + std::to_string(request.file_type);
  if (!request.location_id.empty()) url += "&locationId=" + request.location_id;
  return url;
}

Result<std::unique_ptr<detail::SlotToken>> AgentSession::Impl::AcquireSlot(CallContext const& ctx) {
  std::unique_lock<std::mutex> lock(slots->mu);
  while (slots->used >= slots->max) {
    if (ctx.cancel.IsCancelled()) {
      return MakeError(ErrorCode::kCancelled, "Huawei " + label + ": cancelled while waiting for a download slot");
    }
    if (ctx.deadline && clock->Now() >= *ctx.deadline) {
      return MakeError(ErrorCode::kDeadlineExceeded,
                       "Huawei " + label + ": deadline passed while waiting for a download slot");
    }
    slots->cv.wait_for(lock, std::chrono::milliseconds(50));
  }
  ++slots->used;
  return std::make_unique<SlotToken>(slots);
}

Result<HttpResponse> AgentSession::Impl::ClassifyDownload(HttpResponse response, std::string const& what) {
  if (response.status < 200 || response.status > 299) {
    std::string body = util::ReadPrefix(response, detail::kMaxErrorBodyBytes);
    return MapHuaweiError(response.status, body, response.headers, what);
  }
  auto content_type = response.Header("Content-Type");
  switch (detail::ClassifyContentType(content_type)) {
    case detail::BodyKind::kFile:
      if (response.ContentLength() == std::optional<std::uint64_t>(0)) return EmptyBody(what);
      return response;
    case detail::BodyKind::kJson: {
      std::string body = util::ReadPrefix(response, detail::kMaxErrorBodyBytes);
      return MapHuaweiError(response.status, body, response.headers, what);
    }
    case detail::BodyKind::kOther: {
      std::string body = util::ReadPrefix(response, 512);
      Error e = MakeError(ErrorCode::kParse, what + ": unexpected Content-Type \"" + *content_type +
                                                 "\" (expected application/octet-stream, or JSON for an error)");
      e.http_status = response.status;
      e.message = RedactSecrets(e.message);
      return e;
    }
    case detail::BodyKind::kMissing:
      break;
  }
  // No Content-Type [U]: sniff. A JSON envelope with a retcode is an error; anything else is the file.
  std::string prefix;
  char buffer[8192];
  bool ended = false;
  auto first_significant = [&]() -> int {
    for (char c : prefix) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return static_cast<unsigned char>(c);
    }
    return -1;
  };
  while (!ended && first_significant() < 0 && prefix.size() < detail::kMaxErrorBodyBytes) {
    auto n = response.body->Read(buffer, sizeof buffer);
    if (!n) return std::move(n).error();
    if (*n == 0) ended = true;
    prefix.append(buffer, *n);
  }
  if (first_significant() == '{') {
    while (!ended && prefix.size() < detail::kMaxErrorBodyBytes) {
      auto n = response.body->Read(buffer, std::min(sizeof buffer, detail::kMaxErrorBodyBytes - prefix.size()));
      if (!n) return std::move(n).error();
      if (*n == 0) ended = true;
      prefix.append(buffer, *n);
    }
    if (ended) {
      auto doc = util::ParseJson(prefix, what);
      if (doc && doc->IsObject() && doc->HasMember("retcode")) {
        return MapHuaweiError(response.status, prefix, response.headers, what);
      }
    }
  }
  if (ended && prefix.empty()) return EmptyBody(what);
  logger.Debug(what + ": the answer has no Content-Type; treating it as the file");
  response.body = std::make_unique<util::PrefixedBodyReader>(std::move(prefix), std::move(response.body));
  return response;
}

Result<HttpResponse> AgentSession::Impl::OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx) {
  auto url = DownloadUrl(request);
  if (!url) return std::move(url).error();
  std::string const what = "Huawei download of \"" + request.record_id + "\" (" + label + ")";
  auto slot = AcquireSlot(ctx);
  if (!slot) return std::move(slot).error();
  std::uint64_t used_gen = 0;
  auto attempt = [&](int) -> Result<HttpResponse> {
    auto response = Send("GET", *url, std::nullopt, std::nullopt, ctx, true, &used_gen);
    if (!response) return std::move(response).error();
    return ClassifyDownload(std::move(*response), what);
  };
  auto run = [&] { return util::RunWithRetries(Env(), ctx, true, what, attempt); };
  auto result = run();
  if (!result && result.error().vendor_code == "104-009") {
    logger.Info(what + ": the gateway could not convert the file (104-009); retrying once");
    result = run();
  }
  if (!result && IsSessionLost(result.error())) {
    auto recovered = Recover(used_gen, result.error(), ctx);
    if (!recovered) return std::move(recovered).error();
    result = run();
  }
  if (!result) return result;
  bool warned = false;
  if (auto declared = result->ContentLength()) {
    if (opt.max_file_bytes && *declared > *opt.max_file_bytes) {
      return MakeError(ErrorCode::kInvalidArgument, what + ": the file is " + std::to_string(*declared) +
                                                        " bytes, above the configured limit of " +
                                                        std::to_string(*opt.max_file_bytes) + " bytes");
    }
    if (opt.large_file_warning_bytes > 0 && *declared > opt.large_file_warning_bytes) {
      warned = true;
      logger.Warn(what + ": the file is " + std::to_string(*declared) +
                  " bytes; Huawei advises against downloading files over 30 MB through the CC-Gateway");
    }
  }
  result->body = std::make_unique<DownloadReader>(std::move(result->body), std::move(*slot),
                                                  opt.large_file_warning_bytes, opt.max_file_bytes, warned,
                                                  logger, what);
  return result;
}

}  // namespace ccrec::huawei
