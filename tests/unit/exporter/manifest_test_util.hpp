// SPDX-License-Identifier: Apache-2.0
#pragma once
// Opening a manifest the way the manifest tests reload one.

#include <ccrec/exporter/manifest.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace exporter_test {

/// Opens without the lock: these tests reload what a live Manifest wrote (IsLockedWhileOpen
/// tests the lock). A failure fails the test and yields Manifest::Null().
inline std::shared_ptr<ccrec::exporter::Manifest> OpenUnlocked(std::string const& path) {
  ccrec::exporter::ManifestOptions options;
  options.lock = false;
  auto m = ccrec::exporter::Manifest::Open(path, options);
  EXPECT_TRUE(m) << m.error().ToString();
  return m ? *m : ccrec::exporter::Manifest::Null();
}

}  // namespace exporter_test
