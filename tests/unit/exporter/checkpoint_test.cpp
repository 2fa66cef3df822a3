// SPDX-License-Identifier: Apache-2.0
// The incremental-export checkpoint file (include/ccrec/exporter/checkpoint.hpp).
#include <ccrec/exporter/checkpoint.hpp>

#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(Checkpoint, MissingFileIsTheFirstRunNotAnError) {
  ccrec_test::TempDir dir;
  auto read = ccrec::exporter::ReadCheckpoint(dir / "none.checkpoint.json");
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_FALSE(read->has_value());
}

TEST(Checkpoint, WriteThenReadRoundTripsToTheMillisecond) {
  ccrec_test::TempDir dir;
  std::string path = dir / "m.checkpoint.json";
  auto next = system_clock::time_point(milliseconds(1793491200250)) + std::chrono::microseconds(999);
  mode_t const old_umask = ::umask(022);
  auto written = ccrec::exporter::WriteCheckpoint(path, {"webex", next});
  ::umask(old_umask);
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_EQ(ccrec_test::ReadFile(path),
            "{\"source\":\"webex\",\"next_from_ms\":1793491200250,\"next_from\":\"2026-11-01T00:00:00.250Z\"}\n");
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u) << "default 0600";
  auto read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->source, "webex");
  EXPECT_EQ((*read)->next_from, system_clock::time_point(milliseconds(1793491200250)));
  // Replacing it, with another mode, leaves no temporary file behind; the umask applies.
  mode_t const saved = ::umask(022);
  written = ccrec::exporter::WriteCheckpoint(path, {"webex", next + std::chrono::hours(1)}, 0664);
  ::umask(077);
  auto narrowed = ccrec::exporter::WriteCheckpoint(dir / "narrow.json", {"webex", next}, 0644);
  ::umask(saved);
  ASSERT_TRUE(written && narrowed);
  EXPECT_EQ(ccrec_test::FileMode(path), 0644u) << "0664 & ~022";
  EXPECT_EQ(ccrec_test::FileMode(dir / "narrow.json"), 0600u) << "0644 & ~077";
  EXPECT_EQ(ccrec_test::ListTree(dir.Path()), (std::vector<std::string>{"m.checkpoint.json", "narrow.json"}));
}

TEST(Checkpoint, SourceIsJsonEscapedAndOptionalOnRead) {
  ccrec_test::TempDir dir;
  std::string path = dir / "c.json";
  ASSERT_TRUE(ccrec::exporter::WriteCheckpoint(path, {"we\"b\nex", system_clock::time_point{}}));
  auto read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value()) << ccrec_test::ReadFile(path);
  EXPECT_EQ((*read)->source, "we\"b\nex");
  ccrec_test::WriteFile(path, R"({"next_from_ms":"1793491200000"})");
  read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->source, "");
  EXPECT_EQ((*read)->next_from, system_clock::time_point(milliseconds(1793491200000)));
}

TEST(Checkpoint, BadFilesAreRefusedNamingTheFile) {
  ccrec_test::TempDir dir;
  std::string path = dir / "bad.json";
  for (std::string text : {"", "{", "not json", "[1,2]", "{}", R"({"next_from_ms":"soon"})",
                           R"({"next_from_ms":1.5})", R"({"next_from":"2026-11-01T00:00:00Z"})"}) {
    ccrec_test::WriteFile(path, text);
    auto read = ccrec::exporter::ReadCheckpoint(path);
    ASSERT_FALSE(read) << text;
    EXPECT_EQ(read.error().code, ccrec::ErrorCode::kParse) << text;
    EXPECT_NE(read.error().message.find(path), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("delete it to start over"), std::string::npos) << read.error().message;
  }
  ccrec_test::WriteFile(path, "{\"next_from_ms\":1," + std::string(70000, ' ') + "}");
  auto big = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ccrec::ErrorCode::kInvalidArgument);
  auto directory = ccrec::exporter::ReadCheckpoint(dir.Path());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message.find("cannot read checkpoint"), std::string::npos) << directory.error().message;
}

TEST(Checkpoint, WriteIntoAMissingDirectoryFailsAndCreatesNothing) {
  ccrec_test::TempDir dir;
  auto written = ccrec::exporter::WriteCheckpoint(dir / "missing/c.json", {"webex", system_clock::time_point{}});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ccrec::ErrorCode::kInternal);
  EXPECT_TRUE(ccrec_test::ListTree(dir.Path()).empty());
}

// The shard layout a checkpoint was written under (--shard N, --sub-window) is stored with it, so
// that a run under another layout can tell; files written before it existed read without one.
TEST(Checkpoint, LayoutRoundTripsAndIsAbsentFromOlderFiles) {
  ccrec_test::TempDir dir;
  std::string path = dir / "s.checkpoint.json";
  ccrec::exporter::Checkpoint sharded{"webex", system_clock::time_point(milliseconds(1793491200000)),
                                      ccrec::exporter::ShardLayout{4, milliseconds(86400000)}};
  ASSERT_TRUE(ccrec::exporter::WriteCheckpoint(path, sharded));
  EXPECT_EQ(ccrec_test::ReadFile(path),
            "{\"source\":\"webex\",\"next_from_ms\":1793491200000,\"next_from\":\"2026-11-01T00:00:00Z\","
            "\"shard_count\":4,\"sub_window_ms\":86400000}\n");
  auto read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value());
  ASSERT_TRUE((*read)->layout.has_value());
  EXPECT_EQ((*read)->layout->count, 4u);
  EXPECT_EQ((*read)->layout->sub_window, milliseconds(86400000));

  ccrec_test::WriteFile(path, R"({"source":"webex","next_from_ms":1793491200000})");
  read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_FALSE((*read)->layout.has_value()) << "an older file: layout unknown";
  ccrec_test::WriteFile(path, R"({"next_from_ms":1,"shard_count":1})");
  read = ccrec::exporter::ReadCheckpoint(path);
  ASSERT_TRUE(read && read->has_value() && (*read)->layout.has_value());
  EXPECT_EQ((*read)->layout->count, 1u);
  EXPECT_EQ((*read)->layout->sub_window, milliseconds(0));

  for (std::string text : {R"({"next_from_ms":1,"shard_count":0,"sub_window_ms":1000})",
                           R"({"next_from_ms":1,"shard_count":100001,"sub_window_ms":1000})",
                           R"({"next_from_ms":1,"shard_count":"four","sub_window_ms":1000})",
                           R"({"next_from_ms":1,"shard_count":2,"sub_window_ms":-1})",
                           R"({"next_from_ms":1,"sub_window_ms":1000})"}) {
    ccrec_test::WriteFile(path, text);
    auto bad = ccrec::exporter::ReadCheckpoint(path);
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().code, ccrec::ErrorCode::kParse) << text;
    EXPECT_NE(bad.error().message.find("delete it to start over"), std::string::npos) << bad.error().message;
  }
}

}  // namespace
