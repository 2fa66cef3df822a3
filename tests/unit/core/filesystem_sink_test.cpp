// SPDX-License-Identifier: Apache-2.0
// The filesystem ObjectSink: byte-exact, atomic, never a partial file.

#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/crypto.hpp"
#include "unit/core/sink_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ccrec_test::Put;

using ccrec_test::ListTree;
using ccrec_test::TempDir;

std::shared_ptr<ObjectSink> Sink(std::string const& root, std::uint32_t mode = 0600, bool fsync = false) {
  FilesystemSinkOptions o;
  o.root = root;
  o.fsync = fsync;
  o.file_mode = mode;
  auto sink = MakeFilesystemSink(o);
  if (!sink) ADD_FAILURE() << sink.error().ToString();
  return sink ? *sink : nullptr;
}

std::string Payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xFF);
  return s;
}

TEST(FilesystemSink, WritesByteExactWithSha256AndSize) {
  TempDir dir;
  auto sink = Sink(dir.Path(), 0600, /*fsync=*/true);
  std::string const data = Payload(300000);
  auto w = sink->Open("rec/2026/11/01/call.wav", {});
  ASSERT_TRUE(w) << w.error().ToString();
  // Write in uneven chunks, including an empty one.
  std::size_t off = 0;
  for (std::size_t chunk : {1u, 0u, 4095u, 65536u, 100000u}) {
    ASSERT_TRUE((*w)->Write(data.data() + off, chunk));
    off += chunk;
  }
  ASSERT_TRUE((*w)->Write(data.data() + off, data.size() - off));
  auto info = (*w)->Finish();
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->key, "rec/2026/11/01/call.wav");
  EXPECT_EQ(info->bytes, data.size());
  ASSERT_TRUE(info->sha256_hex);
  EXPECT_EQ(*info->sha256_hex, ::ccrec::detail::Sha256Hex(data));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "rec/2026/11/01/call.wav"), data);
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"rec/", "rec/2026/", "rec/2026/11/", "rec/2026/11/01/",
                                                             "rec/2026/11/01/call.wav"}));
}

TEST(FilesystemSink, EmptyObject) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  auto info = Put(*sink, "empty.json", "");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->bytes, 0u);
  EXPECT_EQ(*info->sha256_hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(ccrec_test::Exists(dir / "empty.json"));
}

TEST(FilesystemSink, ReplacesExistingObjectByDefault) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  ASSERT_TRUE(Put(*sink, "a.txt", "old contents that are longer"));
  ASSERT_TRUE(Put(*sink, "a.txt", "new"));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "a.txt"), "new");
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"a.txt"}));
}

TEST(FilesystemSink, ReaderNeverSeesFinalNameBeforeFinish) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  auto w = sink->Open("x/y.wav", {});
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Write("abc", 3));
  EXPECT_FALSE(ccrec_test::Exists(dir / "x/y.wav"));
  auto stat = sink->Stat("x/y.wav");
  ASSERT_TRUE(stat);
  EXPECT_FALSE(stat->has_value());
  // The in-progress data lives in a hidden temporary beside the final name.
  auto files = ccrec_test::ListFiles(dir.Path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rfind("x/.y.wav.", 0), 0u) << files[0];
  ASSERT_TRUE((*w)->Finish());
  EXPECT_EQ(ccrec_test::ListFiles(dir.Path()), (std::vector<std::string>{"x/y.wav"}));
}

TEST(FilesystemSink, AbortLeavesNothing) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  auto w = sink->Open("a/b.wav", {});
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Write("partial", 7));
  (*w)->Abort();
  (*w)->Abort();  // idempotent
  EXPECT_TRUE(ccrec_test::ListFiles(dir.Path()).empty()) << ListTree(dir.Path()).size();
  // Using an aborted writer is an error, not a crash, and creates nothing.
  EXPECT_FALSE((*w)->Write("x", 1));
  EXPECT_FALSE((*w)->Finish());
  EXPECT_TRUE(ccrec_test::ListFiles(dir.Path()).empty());
}

TEST(FilesystemSink, DestroyingUnfinishedWriterLeavesNothing) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  {
    auto w = sink->Open("a.wav", {});
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Write("partial", 7));
  }
  EXPECT_TRUE(ListTree(dir.Path()).empty());
}

TEST(FilesystemSink, SizeMismatchFailsFinishAndLeavesNothing) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  for (std::uint64_t expected : {5u, 100u}) {
    PutOptions o;
    o.expected_size = expected;
    auto w = sink->Open("short.wav", o);
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Write("0123456789", 10));
    auto info = (*w)->Finish();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, ErrorCode::kIntegrity);
    EXPECT_NE(info.error().message.find("short.wav"), std::string::npos) << info.error().message;
    EXPECT_TRUE(ListTree(dir.Path()).empty());
    (*w)->Abort();  // harmless after a failed Finish
  }
  PutOptions exact;
  exact.expected_size = 10;
  ASSERT_TRUE(Put(*sink, "short.wav", "0123456789", exact));
}

TEST(FilesystemSink, SizeMismatchDoesNotTouchExistingObject) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  ASSERT_TRUE(Put(*sink, "a.wav", "original"));
  PutOptions o;
  o.expected_size = 99;
  EXPECT_FALSE(Put(*sink, "a.wav", "replacement", o));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "a.wav"), "original");
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"a.wav"}));
}

TEST(FilesystemSink, FailedWriteLeavesNothing) {
  // A write failing part-way (EFBIG here; ENOSPC in real life) discards the temporary file.
  TempDir dir;
  auto sink = Sink(dir.Path());
  ASSERT_TRUE(Put(*sink, "keep.wav", "original"));
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto w = sink->Open("keep.wav", {});
  Result<void> written;
  if (w) {
    std::string big = Payload(64 * 1024);
    written = (*w)->Write(big.data(), big.size());
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_TRUE(w);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("keep.wav"), std::string::npos) << written.error().message;
  EXPECT_FALSE((*w)->Finish());
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"keep.wav"}));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "keep.wav"), "original");
}

TEST(FilesystemSink, IfNoneMatchRefusesToOverwrite) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  PutOptions o;
  o.if_none_match = true;
  ASSERT_TRUE(Put(*sink, "once.wav", "first", o));
  auto second = Put(*sink, "once.wav", "second", o);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(second.error().vendor_code, "PreconditionFailed");
  EXPECT_EQ(ccrec_test::ReadFile(dir / "once.wav"), "first");
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"once.wav"}));
}

TEST(FilesystemSink, IfNoneMatchRaceOnlyOneWins) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  PutOptions o;
  o.if_none_match = true;
  auto a = sink->Open("k.wav", o);
  auto b = sink->Open("k.wav", o);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->Write("A", 1));
  ASSERT_TRUE((*b)->Write("B", 1));
  EXPECT_TRUE((*b)->Finish());
  auto lost = (*a)->Finish();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().vendor_code, "PreconditionFailed");
  EXPECT_EQ(ccrec_test::ReadFile(dir / "k.wav"), "B");
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"k.wav"}));
}

TEST(FilesystemSink, HostileKeysRejected) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  std::vector<std::string> const bad = {"",         "/etc/passwd", "..",       "../x",       "a/../../x", "a/..",
                                        "a//b",     "a/./b",       "./a",      "a/.",        ".",         "a/",
                                        "a\\b",     "..\\x",       std::string("a\0b", 3), std::string(1, '\0')};
  for (auto const& key : bad) {
    auto w = sink->Open(key, {});
    ASSERT_FALSE(w) << "accepted key \"" << key << "\"";
    EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument) << key;
    auto st = sink->Stat(key);
    ASSERT_FALSE(st) << key;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << key;
  }
  EXPECT_TRUE(ListTree(dir.Path()).empty());
}

// A file named like the sink's temporary files (`.<name>.ccrec-tmp-…`) would be removed by the
// stale-temporary sweep of a later sink once it is a day old: such keys are refused, not stored.
TEST(FilesystemSink, KeysNamedLikeItsTemporaryFilesAreRefused) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  for (std::string key : {"d/.x.ccrec-tmp-0123abcd", ".a.wav.ccrec-tmp-00c0ffee-123-0123456789ab",
                          ".tmpdir.ccrec-tmp-1/a.wav"}) {
    auto w = sink->Open(key, {});
    ASSERT_FALSE(w) << "accepted key \"" << key << "\"";
    EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument) << key;
    EXPECT_NE(w.error().message.find("temporary files"), std::string::npos) << w.error().message;
  }
  EXPECT_TRUE(ListTree(dir.Path()).empty());
  // Without the leading dot, or with the marker alone, it is no temporary file's name.
  for (std::string key : {"d/x.ccrec-tmp-0123abcd", ".ccrec-tmp-0123abcd"}) {
    auto info = Put(*sink, key, "x");
    ASSERT_TRUE(info) << key << ": " << info.error().ToString();
  }
}

TEST(FilesystemSink, UnusualButSafeKeysAccepted) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  for (std::string key : {".hidden", "a/.b", "a..b", "...", "sp ace/ü.wav", "a/b-c_d~e+f=g@h.wav"}) {
    auto info = Put(*sink, key, "x");
    ASSERT_TRUE(info) << key << ": " << info.error().ToString();
    EXPECT_EQ(ccrec_test::ReadFile(dir / key), "x") << key;
  }
}

TEST(FilesystemSink, LongFileNameWorks) {
  // The hidden temporary name must not exceed NAME_MAX when the final name is close to it.
  TempDir dir;
  auto sink = Sink(dir.Path());
  std::string name(250, 'n');
  name += ".wav";
  auto info = Put(*sink, "d/" + name, "data");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(ccrec_test::ReadFile(dir / ("d/" + name)), "data");
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"d/", "d/" + name}));
}

TEST(FilesystemSink, StatExistingAndMissing) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  ASSERT_TRUE(Put(*sink, "a/b.wav", Payload(1234)));
  auto st = sink->Stat("a/b.wav");
  ASSERT_TRUE(st) << st.error().ToString();
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->key, "a/b.wav");
  EXPECT_EQ((*st)->bytes, 1234u);
  for (std::string missing : {"a/c.wav", "zz/b.wav", "a/b.wav/c"}) {
    auto m = sink->Stat(missing);
    ASSERT_TRUE(m) << missing << ": " << m.error().ToString();
    EXPECT_FALSE(m->has_value()) << missing;
  }
  auto d = sink->Stat("a");  // a directory is not an object
  EXPECT_FALSE(d && d->has_value());
}

TEST(FilesystemSink, CreatesNestedDirectoriesAndRoot) {
  TempDir dir;
  auto sink = Sink(dir / "new/root/");
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(Put(*sink, "1/2/3/4/5.json", "{}"));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "new/root/1/2/3/4/5.json"), "{}");
  EXPECT_EQ(sink->Describe("1/2/3/4/5.json"), dir / "new/root/1/2/3/4/5.json");
}

TEST(FilesystemSink, KeyThroughAFileFails) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  ASSERT_TRUE(Put(*sink, "file", "x"));
  auto w = sink->Open("file/child", {});
  ASSERT_FALSE(w);
  EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{"file"}));
}

// Permission bits: filesystem_sink_mode_test.cpp.

TEST(FilesystemSink, BadRoots) {
  TempDir dir;
  FilesystemSinkOptions empty;
  auto r = MakeFilesystemSink(empty);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  ccrec_test::WriteFile(dir / "file", "x");
  FilesystemSinkOptions on_file;
  on_file.root = dir / "file";
  auto f = MakeFilesystemSink(on_file);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
}

TEST(FilesystemSink, ManyConcurrentWritersToDistinctKeys) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  std::vector<std::unique_ptr<ObjectWriter>> writers;
  for (int i = 0; i < 20; ++i) {
    auto w = sink->Open("k" + std::to_string(i % 5) + "/" + std::to_string(i), {});
    ASSERT_TRUE(w);
    writers.push_back(std::move(*w));
  }
  for (std::size_t i = 0; i < writers.size(); ++i) {
    ASSERT_TRUE(writers[i]->Write("abc", 3));
    if (i % 2 == 0) {
      ASSERT_TRUE(writers[i]->Finish());
    }
  }
  writers.clear();  // odd ones are destroyed unfinished
  EXPECT_EQ(ccrec_test::ListFiles(dir.Path()).size(), 10u);
  for (auto const& f : ccrec_test::ListFiles(dir.Path())) {
    EXPECT_EQ(f.find("ccrec-tmp"), std::string::npos) << f;
  }
}

}  // namespace
// Issue 11 item 3: the exporter checks an existing object's identity before skipping it, so
// the filesystem sink must return the user metadata it was given (without extended attributes).
TEST(FilesystemSink, UserMetadataRoundTripsThroughStat) {
  TempDir dir;
  auto sink = Sink(dir.Path());
  PutOptions o;
  o.metadata["ccrec-id"] = "v1/webex/t1/r1/";
  o.metadata["ccrec-source"] = "webex";
  std::string const data = Payload(1000);
  ASSERT_TRUE(Put(*sink, "a/b.wav", data, o));
  auto st = sink->Stat("a/b.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_EQ((*st)->metadata, o.metadata);
  EXPECT_EQ((*st)->sha256_hex, std::optional<std::string>(::ccrec::detail::Sha256Hex(data)));
  EXPECT_FALSE(ccrec_test::ReadFile(dir / ".ccrec-meta/a/b.wav").empty());

  // Replaced without metadata: the old metadata no longer describes the file.
  ASSERT_TRUE(Put(*sink, "a/b.wav", "new", {}));
  st = sink->Stat("a/b.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());
  EXPECT_FALSE((*st)->sha256_hex);

  // Replaced by another tool (another size): stale metadata is ignored.
  ASSERT_TRUE(Put(*sink, "c.wav", data, o));
  ccrec_test::WriteFile(dir / "c.wav", "changed");
  st = sink->Stat("c.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());

  // A refused If-None-Match write leaves the existing metadata alone.
  PutOptions other = o;
  other.metadata["ccrec-id"] = "v1/webex/t2/r2/";
  other.if_none_match = true;
  ASSERT_TRUE(Put(*sink, "d.wav", data, o));
  EXPECT_FALSE(Put(*sink, "d.wav", "x", other));
  EXPECT_EQ((*sink->Stat("d.wav"))->metadata.at("ccrec-id"), "v1/webex/t1/r1/");

  auto bad = sink->Open(".ccrec-meta/x.wav", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(FilesystemSink, UriIsAnAbsolutePercentEncodedFileUri) {
  TempDir dir;
  auto root = dir / "my out";
  auto sink = Sink(root);
  char resolved[4096];
  ASSERT_NE(::realpath(root.c_str(), resolved), nullptr);
  std::string abs = resolved;
  std::string encoded;
  for (char c : abs) encoded += c == ' ' ? std::string("%20") : std::string(1, c);
  EXPECT_EQ(sink->Uri("a/b.wav"), "file://" + encoded + "/a/b.wav");
  EXPECT_EQ(sink->Uri(""), "file://" + encoded + "/");
  EXPECT_EQ(sink->Describe("a/b.wav"), root + "/a/b.wav") << "Describe() is unchanged";
}

}  // namespace ccrec
