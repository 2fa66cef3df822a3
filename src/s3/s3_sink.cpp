// SPDX-License-Identifier: Apache-2.0
// S3 sink: options check, key and metadata validation, Open (an S3Writer: single PUT or multipart
// upload with a part pool, see s3_writer.hpp) and Stat (HeadObject).
#include <ccrec/s3/s3_sink.hpp>

#include <ccrec/s3/sigv4.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/ascii.hpp"
#include "internal/retry_loop.hpp"
#include "internal/url.hpp"
#include "s3/s3_head.hpp"
#include "s3/s3_request.hpp"
#include "s3/s3_writer.hpp"
#include "s3/upload_util.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace ccrec::s3 {
namespace {

using detail::ChecksumHeader;
using detail::ChecksumPrefix;
using detail::IsHex;
using detail::S3Call;
using detail::S3Writer;
using detail::SinkState;

constexpr std::size_t kMaxKeyBytes = 1024;

class S3Sink final : public ObjectSink {
 public:
  S3Sink(std::shared_ptr<SinkState const> state, bool enforces_if_none_match)
      : state_(std::move(state)), enforces_if_none_match_(enforces_if_none_match) {}

  Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                             CallContext const& ctx) override {
    if (auto e = ValidateKey(key)) return *e;
    if (auto e = ::ccrec::detail::CheckContext(ctx, state_->options.clock->Now())) return *e;
    auto full_key = state_->options.prefix + key;
    if (full_key.size() > kMaxKeyBytes) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 key " + Describe(key) + " is longer than 1024 bytes");
    }
    std::map<std::string, std::string> metadata;
    std::optional<std::string> expected_sha256;
    for (auto const& [k, v] : options.metadata) {
      auto lk = ::ccrec::detail::ToLowerAscii(k);
      bool ok = !lk.empty() && std::all_of(lk.begin(), lk.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      });
      if (!ok) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 metadata key \"" + k + "\" for " + Describe(key) +
                             " must be non-empty lower-case ASCII letters, digits, '-', '_' or '.'");
      }
      if (v.find_first_of("\r\n") != std::string::npos || v.find('\0') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 metadata value of \"" + k + "\" for " + Describe(key) + " contains a line break");
      }
      if (lk == "sha256") {
        if (!IsHex(v, 64)) {
          return MakeError(ErrorCode::kInvalidArgument, "S3 metadata sha256 for " + Describe(key) +
                                                            " must be 64 hex digits (it is checked on Finish)");
        }
        expected_sha256 = v;
        continue;
      }
      metadata[lk] = v;
    }
    if (options.expected_size && *options.expected_size > kMaxPartSize * kMaxParts) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 object " + Describe(key) + " of " +
                                                        std::to_string(*options.expected_size) +
                                                        " bytes exceeds 10,000 parts of 5 GiB");
    }
    return std::unique_ptr<ObjectWriter>(std::make_unique<S3Writer>(state_, key, std::move(full_key), options,
                                                                    std::move(metadata), std::move(expected_sha256),
                                                                    ctx));
  }

  Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const& ctx) override {
    if (auto e = ValidateKey(key)) return *e;
    S3Call call;
    call.operation = "HeadObject";
    call.method = "HEAD";
    call.key = state_->options.prefix + key;
    call.payload_hash = kEmptyPayloadSha256;
    call.not_found_ok = true;
    if (state_->options.checksum != ChecksumAlgorithm::kNone) call.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
    auto r = state_->client->Execute(call, ctx);
    if (!r) return r.error();
    if (r->status == 404) return std::optional<ObjectInfo>();
    auto const alg = state_->options.checksum;
    auto info = detail::ObjectInfoFromHead(*r, key, Describe(key), ChecksumHeader(alg), ChecksumPrefix(alg));
    if (!info) return info.error();
    return std::optional<ObjectInfo>(std::move(*info));
  }

  std::string Describe(std::string const& key) const override {
    return "s3://" + state_->options.bucket + "/" + state_->options.prefix + key;
  }

  bool EnforcesIfNoneMatch() const override { return enforces_if_none_match_; }

 private:
  std::optional<Error> ValidateKey(std::string const& key) const {
    if (key.empty()) return MakeError(ErrorCode::kInvalidArgument, "S3 key must not be empty");
    if (key.find('\0') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 key " + Describe(key) + " contains a NUL byte");
    }
    std::size_t start = 0;
    while (start <= key.size()) {
      auto pos = key.find('/', start);
      auto seg = key.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
      if (seg == "." || seg == "..") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 key " + Describe(key) + " contains a '.' or '..' segment; use a sanitized key");
      }
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    return std::nullopt;
  }

  std::shared_ptr<SinkState const> state_;
  bool enforces_if_none_match_;
};

bool EndsWith(std::string const& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// ConditionalWrites::kAuto: AWS S3 itself enforces If-None-Match (since August 2024).
bool ResolveConditionalWrites(ConditionalWrites setting, std::string const& endpoint) {
  if (setting != ConditionalWrites::kAuto) return setting == ConditionalWrites::kOn;
  auto u = ::ccrec::detail::ParseUrl(endpoint);
  if (!u) return false;
  auto const host = ::ccrec::detail::ToLowerAscii(u->host);
  return EndsWith(host, ".amazonaws.com") || EndsWith(host, ".amazonaws.com.cn");
}

}  // namespace

bool EndpointImpliesPathStyle(std::string_view endpoint) {
  auto u = ::ccrec::detail::ParseUrl(endpoint);
  return u && ::ccrec::detail::IsIpOrLocalhost(u->host);
}

Result<std::shared_ptr<ObjectSink>> MakeS3Sink(S3SinkOptions options) {
  auto bad = [](std::string m) { return MakeError(ErrorCode::kInvalidArgument, "S3 sink: " + std::move(m)); };
  if (options.bucket.empty()) return bad("the bucket name is required");
  if (options.bucket.find('/') != std::string::npos) return bad("the bucket name must not contain '/'");
  if (options.region.empty()) options.region = "us-east-1";
  bool const endpoint_follows_region = options.endpoint.empty();
  if (options.endpoint.empty()) options.endpoint = "https://s3." + options.region + ".amazonaws.com";
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return bad("part_size must be between 5 MiB and 5 GiB, got " + std::to_string(options.part_size));
  }
  if (options.multipart_threshold < 1 || options.multipart_threshold > kMaxPartSize) {
    return bad("multipart_threshold must be between 1 byte and 5 GiB, got " +
               std::to_string(options.multipart_threshold));
  }
  if (options.max_in_flight_parts < 1 || options.max_in_flight_parts > 64) {
    return bad("max_in_flight_parts must be between 1 and 64, got " + std::to_string(options.max_in_flight_parts));
  }
  auto const& sse = options.server_side_encryption;
  if (!sse.empty() && sse != "AES256" && sse != "aws:kms" && sse != "aws:kms:dsse") {
    return bad("server_side_encryption must be empty, AES256, aws:kms or aws:kms:dsse, got \"" + sse + "\"");
  }
  if (!options.sse_kms_key_id.empty() && sse.rfind("aws:kms", 0) != 0) {
    return bad("sse_kms_key_id needs server_side_encryption = aws:kms");
  }
  for (auto const& [k, v] : options.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) return bad("tag keys must be 1..128 and values 0..256 characters");
  }
  if (options.tags.size() > 10) return bad("at most 10 tags per object");
  if (!options.transport) options.transport = MakeCurlTransport();
  if (!options.clock) options.clock = MakeSystemClock();
  if (!options.credentials) {
    DefaultCredentialsChainOptions chain;
    chain.endpoints.transport = options.transport;
    chain.endpoints.clock = options.clock;
    chain.endpoints.logger = options.logger;
    options.credentials = MakeDefaultCredentialsChain(chain);
  }
  if (!options.sleeper) options.sleeper = MakeRealSleeper();

  auto client = detail::S3Client::Make(detail::S3ClientOptions{options.bucket, options.region,
      options.endpoint, options.path_style, options.transport, options.credentials, options.retry, options.retry_seed,
      options.clock, options.sleeper, options.logger, options.request_timeout, options.complete_multipart_timeout,
      endpoint_follows_region});
  if (!client) return client.error();
  if (options.payload_signing == PayloadSigning::kUnsigned && !(*client)->IsHttps()) {
    return bad("UNSIGNED-PAYLOAD is only allowed for https endpoints (the body would be unprotected); "
               "endpoint is " + options.endpoint);
  }
  bool const conditional = ResolveConditionalWrites(options.conditional_writes, options.endpoint);
  auto state = std::make_shared<SinkState>();
  state->options = std::move(options);
  state->client = std::move(*client);
  return std::shared_ptr<ObjectSink>(std::make_shared<S3Sink>(std::move(state), conditional));
}

}  // namespace ccrec::s3
