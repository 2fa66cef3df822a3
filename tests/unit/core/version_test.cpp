// SPDX-License-Identifier: Apache-2.0
// <ccrec/version.hpp>: the macros come from project(VERSION) and agree with the run-time
// ccrec::Version() of the library the test links.
#include <ccrec/version.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Version, RuntimeVersionEqualsCompileTimeVersion) {
  ASSERT_NE(ccrec::Version(), nullptr);
  EXPECT_EQ(std::string(ccrec::Version()), CCREC_VERSION_STRING);
}

TEST(Version, MacrosMatchTheProjectVersion) {
  // CCREC_TEST_PROJECT_VERSION is ${PROJECT_VERSION} of the top-level CMakeLists.txt.
  EXPECT_EQ(std::string(CCREC_VERSION_STRING), CCREC_TEST_PROJECT_VERSION);
  std::string composed = std::to_string(CCREC_VERSION_MAJOR) + "." + std::to_string(CCREC_VERSION_MINOR) + "." +
                         std::to_string(CCREC_VERSION_PATCH);
  EXPECT_EQ(composed, CCREC_VERSION_STRING);
}

TEST(Version, MacrosAreUsableInThePreprocessor) {
#if CCREC_VERSION_MAJOR > 0 || (CCREC_VERSION_MAJOR == 0 && CCREC_VERSION_MINOR >= 1)
  SUCCEED();
#else
  FAIL() << "CCREC_VERSION_MAJOR/MINOR are not integer literals";
#endif
}

}  // namespace
