// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks of the per-byte and per-item hot paths of an export.
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/json.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

// SHA-256 of recording bytes: computed once per object by every sink.
void BM_Sha256(benchmark::State& state) {
  std::string data(static_cast<std::size_t>(state.range(0)), 'a');
  ccrec::detail::Hasher h;
  for (auto _ : state) {
    h.Update(data);
    benchmark::DoNotOptimize(data.data());
  }
  benchmark::DoNotOptimize(h.FinalHex());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(256 << 10)->Arg(8 << 20);

// MD5 (Content-MD5 of every S3 part).
void BM_Md5(benchmark::State& state) {
  std::string data(static_cast<std::size_t>(state.range(0)), 'a');
  ccrec::detail::Hasher h(ccrec::detail::Hasher::Algorithm::kMd5);
  for (auto _ : state) h.Update(data);
  benchmark::DoNotOptimize(h.FinalHex());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Md5)->Arg(8 << 20);

void BM_Crc32c(benchmark::State& state) {
  std::string data(static_cast<std::size_t>(state.range(0)), 'a');
  std::uint32_t crc = 0;
  for (auto _ : state) crc = ccrec::detail::Crc32c(crc, data.data(), data.size());
  benchmark::DoNotOptimize(crc);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(8 << 20);

// The portable slicing-by-8 path that CPUs without SSE4.2 / ARMv8 CRC fall back to.
void BM_Crc32cSoftware(benchmark::State& state) {
  std::string data(static_cast<std::size_t>(state.range(0)), 'a');
  std::uint32_t crc = 0;
  for (auto _ : state) crc = ccrec::detail::Crc32cSoftware(crc, data.data(), data.size());
  benchmark::DoNotOptimize(crc);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cSoftware)->Arg(8 << 20);

// A full Tasks page (1000 tasks, about 430 KiB).
std::string TasksPage() {
  std::string page = R"({"meta":{"orgId":"o"},"data":[)";
  for (int i = 0; i < 1000; ++i) {
    if (i) page += ',';
    page += R"({"id":"6b1c3c0e-2f7e-4b8e-9a0f-)" + std::to_string(100000000000 + i) +
            R"(","attributes":{"owner":{"id":"a","name":"Agent"},"queue":{"id":"q","name":"Queue"},"channelType":"telephony","status":"completed","createdTime":1793491200000,"lastUpdatedTime":1793491300000,"captureRequested":true,"origin":"+14155550100","destination":"+18005550100","direction":"inbound"}})";
  }
  page += "]}";
  return page;
}

void BM_ParseTasksPage(benchmark::State& state) {
  std::string const page = TasksPage();
  for (auto _ : state) {
    auto doc = ccrec::detail::ParseJson(page, "tasks");
    benchmark::DoNotOptimize(doc.has_value());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
}
BENCHMARK(BM_ParseTasksPage);

// The same page through ParseJsonWithSpans, plus the raw text of each task (what ParseTasksResponse
// keeps as raw_json), against ParseJson plus ToJson of each task (what it did before issue 12).
void BM_ParseTasksPageWithSpans(benchmark::State& state) {
  std::string const page = TasksPage();
  for (auto _ : state) {
    auto doc = ccrec::detail::ParseJsonWithSpans(page, "tasks");
    std::size_t bytes = 0;
    for (auto const& task : doc->Doc()["data"].GetArray()) bytes += std::string(doc->Raw(task)).size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
}
BENCHMARK(BM_ParseTasksPageWithSpans);

void BM_ParseTasksPageToJson(benchmark::State& state) {
  std::string const page = TasksPage();
  for (auto _ : state) {
    auto doc = ccrec::detail::ParseJson(page, "tasks");
    std::size_t bytes = 0;
    for (auto const& task : (*doc)["data"].GetArray()) bytes += ccrec::detail::ToJson(task).size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
}
BENCHMARK(BM_ParseTasksPageToJson);

void BM_KeyTemplateRender(benchmark::State& state) {
  auto t = ccrec::exporter::KeyTemplate::Parse("call-detail/{yyyy}/{mm}/{dd}/{task_id}/{recording_id}{ext}").value();
  ccrec::exporter::KeyFields f;
  f.task_id = "6b1c3c0e-2f7e-4b8e-9a0f-1234567890ab";
  f.recording_id = "0f9e8d7c-6b5a-4c3d-9e2f-abcdefabcdef";
  f.file_name = "recording-1.wav";
  f.time = std::chrono::system_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(t.Render(f));
}
BENCHMARK(BM_KeyTemplateRender);

void BM_ManifestLine(benchmark::State& state) {
  ccrec::exporter::ManifestEntry e;
  e.source = "webex";
  e.task_id = "6b1c3c0e-2f7e-4b8e-9a0f-1234567890ab";
  e.recording_id = "0f9e8d7c-6b5a-4c3d-9e2f-abcdefabcdef";
  e.key = "call-detail/" + e.task_id + "/" + e.recording_id + ".wav";
  e.bytes = 262144;
  e.sha256 = std::string(64, 'a');
  e.status = ccrec::exporter::ItemStatus::kExported;
  for (auto _ : state) benchmark::DoNotOptimize(ccrec::exporter::Manifest::ToJsonLine(e));
}
BENCHMARK(BM_ManifestLine);

// MemorySink write path (per-chunk overhead of the ObjectWriter interface).
void BM_MemorySinkWrite(benchmark::State& state) {
  std::string chunk(256 << 10, 'x');
  for (auto _ : state) {
    ccrec::testing::MemorySink sink;
    auto w = sink.Open("k.wav", {}).value();
    for (int i = 0; i < 16; ++i) (void)w->Write(chunk.data(), chunk.size());
    benchmark::DoNotOptimize(w->Finish().has_value());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 16 * (256 << 10));
}
BENCHMARK(BM_MemorySinkWrite);

}  // namespace
