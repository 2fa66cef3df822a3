// SPDX-License-Identifier: Apache-2.0
// Corpus replay driver: a main() for fuzz targets built without libFuzzer (gcc, the CI builds).
// Runs LLVMFuzzerTestOneInput once per file of every directory (recursively) or file given on the
// command line, so the seed corpora and every minimised crash input stay regression tests.
// A finding aborts (assert/sanitizer) exactly as under libFuzzer.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace {

int RunFile(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.string().c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A fresh heap copy of exactly `size` bytes, so ASan sees reads past the end as under libFuzzer.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  std::uint8_t* copy = new std::uint8_t[data.size() + (data.empty() ? 1 : 0)];
  std::copy(data.begin(), data.end(), copy);
  LLVMFuzzerTestOneInput(copy, data.size());
  delete[] copy;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::size_t runs = 0;
  int failures = 0;
  LLVMFuzzerTestOneInput(nullptr, 0);  // the empty input, always
  ++runs;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (auto const& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (auto const& f : files) {
        failures += RunFile(f);
        ++runs;
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      failures += RunFile(arg);
      ++runs;
    } else {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      ++failures;
    }
  }
  std::printf("replay: %zu inputs, %d unreadable\n", runs, failures);
  return failures == 0 ? 0 : 1;
}
