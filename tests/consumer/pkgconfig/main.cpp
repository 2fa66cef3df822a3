// SPDX-License-Identifier: Apache-2.0
// Built with nothing but `c++ main.cpp $(pkg-config --cflags --libs ccrec-core)` against the
// unpacked Debian packages (run_packages.cmake).
#include <ccrec/core/url.hpp>
#include <ccrec/version.hpp>

#include <cstdio>
#include <cstring>

int main() {
  if (std::strcmp(ccrec::Version(), CCREC_VERSION_STRING) != 0) {
    std::fprintf(stderr, "ccrec::Version() %s != CCREC_VERSION_STRING %s\n", ccrec::Version(), CCREC_VERSION_STRING);
    return 1;
  }
  auto url = ccrec::ParseHttpUrl("https://example.com:8443/a");
  if (!url || url->port != 8443) return 2;
  std::printf("pkgconfig consumer: ok (ccrec %s)\n", ccrec::Version());
  return 0;
}
