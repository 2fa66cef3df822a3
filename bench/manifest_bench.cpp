// SPDX-License-Identifier: Apache-2.0
// Manifest start-up benchmark (issue 14, item 6), used by bench/manifest_bench.sh: opens a JSON
// Lines manifest the way ccrec-export does at start (Manifest::Open, then Bind to its
// destination), looks up a few items, and prints the open time and the process's peak RSS.
//
// Usage: manifest_bench MANIFEST DESTINATION_URI KEY_TEMPLATE ITEMS [LOOKUPS]
//        manifest_bench --compact MANIFEST   (CompactManifest, as `ccrec-export manifest compact`)
// (ITEMS: how many distinct items the generator wrote; lookups pick among them)
// Prints one line: open_ms=N bind_ms=N lookup_us=N peak_rss_kib=N malformed=N
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/manifest_compact.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
long PeakRssKib() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<long>(ru.ru_maxrss);
}

int Compact(char const* path) {
  auto const t0 = std::chrono::steady_clock::now();
  auto done = ccrec::exporter::CompactManifest(path, ccrec::exporter::ManifestCompactOptions{false});
  if (!done) {
    std::fprintf(stderr, "compact: %s\n", done.error().message.c_str());
    return 1;
  }
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("compact_ms=%lld lines_before=%zu lines_after=%zu items=%zu bytes_before=%llu bytes_after=%llu "
              "peak_rss_kib=%ld\n",
              static_cast<long long>(ms.count()), done->lines_before, done->lines_after, done->items,
              static_cast<unsigned long long>(done->bytes_before), static_cast<unsigned long long>(done->bytes_after),
              PeakRssKib());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--compact") return Compact(argv[2]);
  if (argc < 5) {
    std::fprintf(stderr, "usage: manifest_bench MANIFEST DESTINATION_URI KEY_TEMPLATE ITEMS [LOOKUPS]\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  long const items = std::atol(argv[4]);
  long const lookups = argc > 5 ? std::atol(argv[5]) : 1000;
  if (items <= 0) return 2;
  auto const t0 = Clock::now();
  auto m = ccrec::exporter::Manifest::Open(argv[1]);
  if (!m) {
    std::fprintf(stderr, "open: %s\n", m.error().message.c_str());
    return 1;
  }
  auto const t1 = Clock::now();
  if (auto bound = (*m)->CheckDestination(argv[2], argv[3]); !bound) {
    std::fprintf(stderr, "bind: %s\n", bound.error().message.c_str());
    return 1;
  }
  auto const t2 = Clock::now();
  // The generator names item N task "t%035d" / recording "r%035d" (bench/manifest_bench.sh).
  long found = 0;
  for (long i = 0; i < lookups; ++i) {
    char task[64];
    char rec[64];
    long const n = (i * 7919) % items;
    std::snprintf(task, sizeof task, "t%035ld", n);
    std::snprintf(rec, sizeof rec, "r%035ld", n);
    if ((*m)->IsDone("webex", task, rec)) ++found;
  }
  auto const t3 = Clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf("open_ms=%lld bind_ms=%lld lookup_us_each=%.1f found=%ld peak_rss_kib=%ld malformed=%zu\n",
              static_cast<long long>(ms(t1 - t0)), static_cast<long long>(ms(t2 - t1)),
              lookups > 0 ? std::chrono::duration<double, std::micro>(t3 - t2).count() / static_cast<double>(lookups)
                          : 0.0,
              found, PeakRssKib(), (*m)->MalformedLines());
  return 0;
}
