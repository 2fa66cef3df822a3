// SPDX-License-Identifier: Apache-2.0
// Manifest::Open over arbitrary file contents (a manifest written by another version, torn by a
// crash, or edited by hand). Generic on purpose: the manifest format is still changing.
//
// Properties: Open() succeeds on any content (malformed lines are counted, not fatal); after an
// Append() the entry is the Latest() for its item, also after re-opening the file.

#include "fuzz_util.hpp"

#include <ccrec/exporter/manifest.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace ex = ccrec::exporter;

namespace {

std::string const& Dir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/ccrec-fuzz-manifest-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) ccrec_fuzz::Fail("mkdtemp failed");
    static std::string made = tmpl;
    std::atexit([] { ::rmdir(made.c_str()); });  // empty again: each run removes its file
    return std::string(tmpl);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string_view const content = in.Rest();
  std::string const path = Dir() + "/manifest.jsonl";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  {
    auto m = ex::Manifest::Open(path);
    CCREC_FUZZ_CHECK(m.has_value(), m ? "" : m.error().message);
    (void)(*m)->Latest("webex", "t1", "r1");
    (void)(*m)->IsDone("webex", "t1", "r1");
    ex::ManifestEntry e;
    e.source = "fuzz";
    e.task_id = "task-1";
    e.recording_id = "rec-1";
    e.key = "k/rec-1.wav";
    e.status = ex::ItemStatus::kFailed;
    e.error = "fuzz";
    CCREC_FUZZ_CHECK((*m)->Append(e).has_value(), "Append failed");
    auto latest = (*m)->Latest("fuzz", "task-1", "rec-1");
    CCREC_FUZZ_CHECK(latest && latest->key == e.key, "appended entry is not the latest");
  }
  {
    auto m = ex::Manifest::Open(path);
    CCREC_FUZZ_CHECK(m.has_value(), "re-open failed");
    auto latest = (*m)->Latest("fuzz", "task-1", "rec-1");
    CCREC_FUZZ_CHECK(latest && latest->key == "k/rec-1.wav", "appended entry lost after re-open");
  }
  std::remove(path.c_str());
  return 0;
}
