// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks of the SigV4 signer: the per-request cost of every S3 call (PutObject,
// UploadPart, HeadObject) and of presigned URLs. Part of ccrec_micro_bench.
#include <ccrec/s3/sigv4.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

namespace {

namespace s3 = ccrec::s3;

s3::AwsCredentials Creds(bool session_token) {
  s3::AwsCredentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  if (session_token) c.session_token = std::string(400, 'T');
  return c;
}

std::chrono::system_clock::time_point SignTime() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1793491200));  // 2026-11-01
}

// An UploadPart as the S3 sink sends it: path-style key, partNumber/uploadId query,
// Content-MD5, content type, signed payload hash.
void BM_SignUploadPart(benchmark::State& state) {
  s3::SigV4Request r;
  r.method = "PUT";
  r.host = "127.0.0.1:5005";
  r.path = "/ccrec-bench/wxcc/call-detail/6b1c3c0e-2f7e-4b8e-9a0f-1234567890ab/0f9e8d7c-6b5a-4c3d.wav";
  r.query = {{"partNumber", "17"}, {"uploadId", "ZjFkOTM4ZWEtYjNhNi00ZWQ2LWE4YjQtMTUyMjQ3NzBkYjM5"}};
  r.headers = {{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="}, {"Content-Length", "8388608"}};
  r.payload_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  s3::SigV4Options o;
  o.time = SignTime();
  auto creds = Creds(state.range(0) != 0);
  for (auto _ : state) {
    auto sig = s3::SignRequest(r, creds, o);
    benchmark::DoNotOptimize(sig.has_value());
  }
}
BENCHMARK(BM_SignUploadPart)->Arg(0)->Arg(1)->ArgName("session_token");

// A key needing encoding (spaces, unicode, reserved characters).
void BM_SignPutAwkwardKey(benchmark::State& state) {
  s3::SigV4Request r;
  r.method = "PUT";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/recordings/2026/11/01/Queue: Billing (EU)/agent=Zoë Müller+1, call!//r 1.wav";
  r.headers = {{"Content-Type", "audio/wav"}, {"x-amz-meta-sha256", std::string(64, 'a')},
               {"x-amz-storage-class", "STANDARD_IA"}};
  r.payload_hash = s3::kUnsignedPayload;
  s3::SigV4Options o;
  o.time = SignTime();
  auto creds = Creds(false);
  for (auto _ : state) {
    auto sig = s3::SignRequest(r, creds, o);
    benchmark::DoNotOptimize(sig.has_value());
  }
}
BENCHMARK(BM_SignPutAwkwardKey);

void BM_PresignGet(benchmark::State& state) {
  s3::SigV4Request r;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/call-detail/6b1c3c0e-2f7e-4b8e-9a0f-1234567890ab/0f9e8d7c-6b5a-4c3d.wav";
  s3::PresignOptions o;
  o.time = SignTime();
  o.expires = std::chrono::seconds(86400);
  auto creds = Creds(false);
  for (auto _ : state) {
    auto url = s3::PresignUrl(r, creds, o);
    benchmark::DoNotOptimize(url.has_value());
  }
}
BENCHMARK(BM_PresignGet);

// The four chained HMACs of the signing key (a candidate for per-day caching).
void BM_DeriveSigningKey(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        s3::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20261101", "us-east-1", "s3"));
  }
}
BENCHMARK(BM_DeriveSigningKey);

void BM_UriEncodeKey(benchmark::State& state) {
  std::string key = "recordings/2026/11/01/Queue: Billing (EU)/agent=Zoë Müller+1, call!/r 1.wav";
  for (auto _ : state) benchmark::DoNotOptimize(s3::UriEncode(key, true));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * key.size()));
}
BENCHMARK(BM_UriEncodeKey);

}  // namespace
