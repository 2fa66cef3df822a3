// SPDX-License-Identifier: Apache-2.0
// The JSON Lines manifest: line format, reload, torn and garbage lines, escaping, concurrency.

#include <ccrec/exporter/manifest.hpp>

#include "internal/json.hpp"
#include "unit/core/test_util.hpp"
#include "unit/exporter/manifest_test_util.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using ccrec::ErrorCode;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;
using ccrec_test::ReadFile;
using ccrec_test::TempDir;
using ccrec_test::WriteFile;

ManifestEntry Entry(std::string task, std::string rec, ItemStatus status, std::string error = "") {
  ManifestEntry e;
  e.source = "webex";
  e.task_id = std::move(task);
  e.recording_id = std::move(rec);
  e.key = "call-detail/" + e.task_id + "/" + e.recording_id + ".wav";
  e.bytes = status == ItemStatus::kExported ? 1234 : 0;
  e.sha256 = status == ItemStatus::kExported ? std::string(64, 'a') : "";
  e.status = status;
  e.error = std::move(error);
  return e;
}

using exporter_test::OpenUnlocked;

std::vector<std::string> Lines(std::string const& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

TEST(ItemStatus, Names) {
  EXPECT_EQ(ToString(ItemStatus::kExported), "exported");
  EXPECT_EQ(ToString(ItemStatus::kSkipped), "skipped");
  EXPECT_EQ(ToString(ItemStatus::kFailed), "failed");
  EXPECT_EQ(ToString(ItemStatus::kPending), "pending");
}

TEST(Manifest, JsonLineFormat) {
  auto line = Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kExported));
  std::string const prefix =
      R"({"source":"webex","task_id":"t1","recording_id":"r1","key":"call-detail/t1/r1.wav","bytes":1234,"sha256":")" +
      std::string(64, 'a') + R"(","status":"exported","error":"")";
  EXPECT_EQ(line.substr(0, prefix.size()), prefix) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto doc = ccrec::detail::ParseJson(line, "line");
  ASSERT_TRUE(doc);
  ASSERT_TRUE(doc->IsObject());
  EXPECT_FALSE(doc->HasMember("segment_id")) << "segment_id only when set";
  EXPECT_TRUE((*doc)["bytes"].IsUint64());
  auto time = ccrec::detail::OptString(*doc, "time");
  ASSERT_TRUE(time);
  EXPECT_EQ(time->back(), 'Z') << *time;

  auto e = Entry("t1", "r1", ItemStatus::kSkipped);
  e.segment_id = "s1";
  auto with_segment = Manifest::ToJsonLine(e);
  EXPECT_NE(with_segment.find(R"("recording_id":"r1","segment_id":"s1","key":)"), std::string::npos) << with_segment;

  ManifestEntry pending;
  pending.source = "webex";
  pending.task_id = "t9";
  pending.status = ItemStatus::kPending;
  pending.error = "capture requested but not available yet";
  auto p = Manifest::ToJsonLine(pending);
  std::string const pending_prefix =
      R"({"source":"webex","task_id":"t9","recording_id":"","key":"","bytes":0,"sha256":"","status":"pending","error":"capture requested but not available yet","time":")";
  EXPECT_EQ(p.substr(0, pending_prefix.size()), pending_prefix);
}

TEST(Manifest, EscapesQuotesNewlinesAndControlCharacters) {
  std::string nasty = "HTTP 400: \"bad\" \\ path\nsecond line\r\tand \x01 \x1f end \xc3\xa9";
  auto e = Entry("t\"1", "r\n1", ItemStatus::kFailed, nasty);
  auto line = Manifest::ToJsonLine(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  auto doc = ccrec::detail::ParseJson(line, "line");
  ASSERT_TRUE(doc) << line;
  EXPECT_EQ(ccrec::detail::OptString(*doc, "error"), nasty);
  EXPECT_EQ(ccrec::detail::OptString(*doc, "task_id"), "t\"1");
  EXPECT_EQ(ccrec::detail::OptString(*doc, "recording_id"), "r\n1");

  TempDir dir;
  auto m = OpenUnlocked(dir / "m.jsonl");
  ASSERT_TRUE(m->Append(e));
  auto reloaded = OpenUnlocked(dir / "m.jsonl");
  EXPECT_EQ(reloaded->MalformedLines(), 0u);
  auto latest = reloaded->Latest("webex", "t\"1", "r\n1");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->error, nasty);
}

TEST(Manifest, ErrorFieldIsRedacted) {
  // Errors quote server text: an echoed token endpoint answer or an S3 error with headers.
  auto e = Entry("t1", "r1", ItemStatus::kFailed,
                 R"(token endpoint said {"access_token":"AT-SECRET","refreshToken":"RT-SECRET"}; )"
                 "Authorization: Bearer BEARER-SECRET");
  auto line = Manifest::ToJsonLine(e);
  for (auto const* secret : {"AT-SECRET", "RT-SECRET", "BEARER-SECRET"}) {
    EXPECT_EQ(line.find(secret), std::string::npos) << secret << " leaked into " << line;
  }
  EXPECT_NE(line.find("token endpoint said"), std::string::npos) << "the message itself survives";
}

// Issue 14 item 4: two runs never append to one manifest at once; the second is refused at once.
TEST(Manifest, IsLockedWhileOpen) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  {
    auto first = ccrec::exporter::Manifest::Open(path);
    ASSERT_TRUE(first);
    auto second = ccrec::exporter::Manifest::Open(path);
    ASSERT_FALSE(second) << "a second Manifest on the same file";
    EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(second.error().vendor_code, ccrec::exporter::kManifestInUse);
    EXPECT_NE(second.error().message.find("in use by another run"), std::string::npos) << second.error().message;
    ASSERT_TRUE((*first)->Append(Entry("t1", "r1", ItemStatus::kExported)));
  }
  auto again = ccrec::exporter::Manifest::Open(path);
  ASSERT_TRUE(again) << "the lock goes with the Manifest";
  EXPECT_TRUE((*again)->IsDone("webex", "t1", "r1"));
}

TEST(Manifest, AppendAndReload) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  {
    ccrec_test::ScopedUmask umask(022);
    auto m = OpenUnlocked(path);
    EXPECT_EQ(m->Path(), path);
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kFailed, "timeout")));
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kExported)));
    ASSERT_TRUE(m->Append(Entry("t2", "r2", ItemStatus::kExported)));
    ASSERT_TRUE(m->Append(Entry("t2", "r2", ItemStatus::kFailed, "later failure")));
    ASSERT_TRUE(m->Append(Entry("t3", "r3", ItemStatus::kSkipped)));
    auto seg = Entry("t4", "r4", ItemStatus::kExported);
    seg.segment_id = "s1";
    ASSERT_TRUE(m->Append(seg));
    ManifestEntry pending;
    pending.source = "webex";
    pending.task_id = "t5";
    pending.status = ItemStatus::kPending;
    ASSERT_TRUE(m->Append(pending));
    EXPECT_TRUE(m->IsDone("webex", "t1", "r1")) << "in memory right after Append";
    ASSERT_TRUE(m->Sync());
  }
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u) << "ManifestMode.*";
  EXPECT_EQ(Lines(ReadFile(path)).size(), 7u);

  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 0u);
  auto r1 = m->Latest("webex", "t1", "r1");
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, ItemStatus::kExported) << "the last line wins";
  EXPECT_EQ(r1->bytes, 1234u);
  EXPECT_EQ(r1->sha256, std::string(64, 'a'));
  EXPECT_EQ(r1->key, "call-detail/t1/r1.wav");
  EXPECT_TRUE(m->IsDone("webex", "t1", "r1"));
  EXPECT_FALSE(m->IsDone("webex", "t2", "r2")) << "last entry failed";
  EXPECT_EQ(m->Latest("webex", "t2", "r2")->error, "later failure");
  EXPECT_TRUE(m->IsDone("webex", "t3", "r3")) << "skipped counts as done";
  EXPECT_TRUE(m->IsDone("webex", "t4", "r4", "s1"));
  EXPECT_FALSE(m->IsDone("webex", "t4", "r4")) << "the segment is part of the identity";
  EXPECT_FALSE(m->IsDone("webex", "t5", ""));
  EXPECT_EQ(m->Latest("webex", "t5", "")->status, ItemStatus::kPending);
  EXPECT_FALSE(m->Latest("webex", "nope", "r1"));
  EXPECT_FALSE(m->Latest("face", "t1", "r1")) << "the source is part of the identity";

  // Appending after a reload keeps the old lines.
  ASSERT_TRUE(m->Append(Entry("t2", "r2", ItemStatus::kExported)));
  EXPECT_EQ(Lines(ReadFile(path)).size(), 8u);
  EXPECT_TRUE(OpenUnlocked(path)->IsDone("webex", "t2", "r2"));
}

TEST(Manifest, TornLastLineIsIgnoredAndTheNextAppendStartsANewLine) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  std::string good = Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kExported));
  std::string torn = Manifest::ToJsonLine(Entry("t2", "r2", ItemStatus::kExported));
  torn.resize(torn.size() / 2);
  WriteFile(path, good + "\n" + torn);

  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 1u);
  EXPECT_TRUE(m->IsDone("webex", "t1", "r1"));
  EXPECT_FALSE(m->Latest("webex", "t2", "r2"));
  ASSERT_TRUE(m->Append(Entry("t3", "r3", ItemStatus::kExported)));

  auto lines = Lines(ReadFile(path));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], torn) << "the torn line stays as it was, on its own line";
  EXPECT_TRUE(ccrec::detail::ParseJson(lines[2], "line")) << lines[2];
  auto reloaded = OpenUnlocked(path);
  EXPECT_EQ(reloaded->MalformedLines(), 1u);
  EXPECT_TRUE(reloaded->IsDone("webex", "t3", "r3"));
  EXPECT_FALSE(reloaded->Latest("webex", "t2", "r2"));
}

TEST(Manifest, CompleteLastLineWithoutNewlineIsAccepted) {
  // JSON Lines allows the final newline to be missing (hand-edited files, other tools).
  TempDir dir;
  std::string path = dir / "m.jsonl";
  WriteFile(path, Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kExported)) + "\n" +
                      Manifest::ToJsonLine(Entry("t2", "r2", ItemStatus::kExported)));
  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 0u);
  EXPECT_TRUE(m->IsDone("webex", "t2", "r2"));
  ASSERT_TRUE(m->Append(Entry("t3", "r3", ItemStatus::kExported)));
  auto lines = Lines(ReadFile(path));
  ASSERT_EQ(lines.size(), 3u);
  for (auto const& l : lines) EXPECT_TRUE(ccrec::detail::ParseJson(l, "line")) << l;
}

TEST(Manifest, GarbageLinesAreCountedAndIgnored) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  std::string good1 = Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kExported));
  std::string good2 = Manifest::ToJsonLine(Entry("t2", "r2", ItemStatus::kSkipped));
  WriteFile(path, "not json at all\n" + good1 + "\n\n[1,2,3]\n\"string\"\n" +
                      R"({"source":"webex","task_id":"t9","recording_id":"r9","status":"exploded"})" + "\n" +
                      R"({"source":"webex","task_id":"t8","recording_id":"r8"})" + "\n{\n" + std::string(5000, 'x') +
                      "\n" + good2 + "\n");
  auto m = OpenUnlocked(path);
  EXPECT_EQ(m->MalformedLines(), 7u) << "blank lines are not malformed";
  EXPECT_TRUE(m->IsDone("webex", "t1", "r1"));
  EXPECT_TRUE(m->IsDone("webex", "t2", "r2"));
  EXPECT_FALSE(m->Latest("webex", "t9", "r9"));
  EXPECT_FALSE(m->Latest("webex", "t8", "r8"));
}

TEST(Manifest, WrongTypedFieldsDoNotCrash) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  WriteFile(path,
            R"({"source":"webex","task_id":7,"recording_id":null,"key":[],"bytes":"12","sha256":{},"status":"exported","error":5})"
            "\n"
            R"({"source":"webex","task_id":"t1","recording_id":"r1","bytes":-5,"status":"exported"})"
            "\n");
  auto m = OpenUnlocked(path);
  auto e = m->Latest("webex", "t1", "r1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, ItemStatus::kExported);
}

TEST(Manifest, ConcurrentAppendsWriteWholeLines) {
  TempDir dir;
  std::string path = dir / "m.jsonl";
  auto m = OpenUnlocked(path);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto e = Entry("t" + std::to_string(t), "r" + std::to_string(i), ItemStatus::kFailed,
                       std::string(static_cast<std::size_t>(100 + (t * 977 + i * 131) % 5000), static_cast<char>('a' + t)));
        EXPECT_TRUE(m->Append(e));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto lines = Lines(ReadFile(path));
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<std::string> seen;
  for (auto const& l : lines) {
    auto doc = ccrec::detail::ParseJson(l, "line");
    ASSERT_TRUE(doc) << l.substr(0, 200);
    auto task = ccrec::detail::OptString(*doc, "task_id").value_or("");
    auto error = ccrec::detail::OptString(*doc, "error").value_or("");
    ASSERT_FALSE(error.empty());
    EXPECT_EQ(error.find_first_not_of(error[0]), std::string::npos) << "interleaved line";
    EXPECT_EQ(error[0], static_cast<char>('a' + (task[1] - '0')));
    seen.insert(task + "/" + ccrec::detail::OptString(*doc, "recording_id").value_or(""));
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(OpenUnlocked(path)->MalformedLines(), 0u);
}

TEST(Manifest, NullRecordsNothing) {
  auto m = Manifest::Null();
  EXPECT_TRUE(m->Path().empty());
  EXPECT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kExported)));
  EXPECT_FALSE(m->Latest("webex", "t1", "r1")) << "documented: Latest() always returns nullopt";
  EXPECT_FALSE(m->IsDone("webex", "t1", "r1"));
  EXPECT_TRUE(m->Sync());
  EXPECT_EQ(m->MalformedLines(), 0u);
}

TEST(Manifest, OpenErrors) {
  TempDir dir;
  auto missing_dir = Manifest::Open(dir / "no/such/dir/m.jsonl");
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing_dir.error().message.find("no/such/dir/m.jsonl"), std::string::npos) << missing_dir.error().message;

  auto a_directory = Manifest::Open(dir.Path());
  ASSERT_FALSE(a_directory);
  EXPECT_EQ(a_directory.error().code, ErrorCode::kInvalidArgument);

  auto fresh = Manifest::Open(dir / "new.jsonl");
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(ccrec_test::Exists(dir / "new.jsonl")) << "created at open";
  EXPECT_EQ((*fresh)->MalformedLines(), 0u);
}

// Issue 12 item 7: the manifest names recordings (personal data): created file_mode & ~umask,
// default 0600; an existing manifest keeps its mode.
TEST(ManifestMode, NewManifestIsPrivateWhateverTheUmask) {
  TempDir dir;
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{0}}) {
    auto path = dir / ("m" + std::to_string(mask) + ".jsonl");
    {
      ccrec_test::ScopedUmask umask(mask);
      ASSERT_TRUE(Manifest::Open(path));
    }
    EXPECT_EQ(ccrec_test::FileMode(path), 0600u) << "umask 0" << std::oct << mask;
  }
}

TEST(ManifestMode, ExplicitFileModeIsNarrowedByTheUmask) {
  TempDir dir;
  ccrec::exporter::ManifestOptions group_readable;
  group_readable.file_mode = 0640;
  ccrec::exporter::ManifestOptions wide;
  wide.file_mode = 0666;
  {
    ccrec_test::ScopedUmask umask(027);
    ASSERT_TRUE(Manifest::Open(dir / "a.jsonl", group_readable));
    ASSERT_TRUE(Manifest::Open(dir / "b.jsonl", wide));
  }
  EXPECT_EQ(ccrec_test::FileMode(dir / "a.jsonl"), 0640u);
  EXPECT_EQ(ccrec_test::FileMode(dir / "b.jsonl"), 0640u) << "the umask is applied, never overridden";
}

TEST(ManifestMode, AnExistingManifestKeepsItsModeAndBadModesAreRefused) {
  TempDir dir;
  WriteFile(dir / "m.jsonl", "");
  ASSERT_EQ(::chmod((dir / "m.jsonl").c_str(), 0644), 0);
  {
    ccrec_test::ScopedUmask umask(077);
    auto m = Manifest::Open(dir / "m.jsonl");
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->Append(Entry("t1", "r1", ItemStatus::kExported)));
  }
  EXPECT_EQ(ccrec_test::FileMode(dir / "m.jsonl"), 0644u) << "the user's file is not chmod-ed";

  ccrec::exporter::ManifestOptions setuid;
  setuid.file_mode = 04600;
  auto bad = Manifest::Open(dir / "bad.jsonl", setuid);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("file_mode 04600"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ccrec_test::Exists(dir / "bad.jsonl"));
}

}  // namespace

namespace {

// Issue 11 items 4 and 12: a manifest is tied to its destination; every line has a uri.
TEST(ManifestDestination, BindWritesOneHeaderAndRefusesAnotherDestinationOrTemplate) {
  TempDir dir;
  auto path = dir / "m.jsonl";
  auto m = OpenUnlocked(path);
  EXPECT_FALSE(m->Destination());
  ASSERT_TRUE(m->Bind("s3://bucket/prefix/", "call-detail/{task_id}/{recording_id}{ext}"));
  ASSERT_TRUE(m->Bind("s3://bucket/prefix/", "call-detail/{task_id}/{recording_id}{ext}")) << "idempotent";
  auto e = Entry("t1", "r1", ItemStatus::kExported);
  e.uri = "s3://bucket/prefix/" + e.key;
  ASSERT_TRUE(m->Append(e));
  auto lines = Lines(ReadFile(path));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind(R"({"ccrec_manifest":1,"destination":"s3://bucket/prefix/","key_template":"call-detail/{task_id}/{recording_id}{ext}","time":")", 0), 0u) << lines[0];
  EXPECT_NE(lines[1].find(R"("key":"call-detail/t1/r1.wav","uri":"s3://bucket/prefix/call-detail/t1/r1.wav","bytes":1234)"),
            std::string::npos)
      << lines[1];

  auto reopened = OpenUnlocked(path);
  EXPECT_EQ(reopened->MalformedLines(), 0u) << "the header is not an entry";
  EXPECT_EQ(reopened->Destination(), std::optional<std::string>("s3://bucket/prefix/"));
  EXPECT_EQ(reopened->Latest("webex", "t1", "r1")->uri, "s3://bucket/prefix/call-detail/t1/r1.wav");
  auto other_dest = reopened->CheckDestination("file:///data/out/", "call-detail/{task_id}/{recording_id}{ext}");
  ASSERT_FALSE(other_dest);
  EXPECT_EQ(other_dest.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(other_dest.error().message.find("belongs to destination s3://bucket/prefix/"), std::string::npos);
  EXPECT_NE(other_dest.error().message.find("this run writes to file:///data/out/"), std::string::npos);
  EXPECT_NE(other_dest.error().message.find("new --manifest"), std::string::npos);
  EXPECT_FALSE(reopened->Bind("s3://bucket/prefix/", "{task_id}/{recording_id}")) << "another template";
  EXPECT_FALSE(reopened->Bind("s3://bucket/other/", "call-detail/{task_id}/{recording_id}{ext}"));
  EXPECT_EQ(Lines(ReadFile(path)).size(), 2u) << "a refused Bind writes nothing";
}

TEST(ManifestDestination, OldManifestWithoutHeaderLoadsAndIsBoundAfterItsLines) {
  TempDir dir;
  auto path = dir / "old.jsonl";
  WriteFile(path, Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kExported)) + "\n" +
                      Manifest::ToJsonLine(Entry("t1", "r1", ItemStatus::kSkipped)) + "\n");
  auto m = OpenUnlocked(path);
  EXPECT_FALSE(m->Destination());
  EXPECT_TRUE(m->CheckDestination("memory://", "x")) << "no header: nothing to contradict";
  EXPECT_EQ(m->Latest("webex", "t1", "r1")->uri, "") << "old lines have no uri (not trusted for skips)";
  EXPECT_EQ(m->Latest("webex", "t1", "r1")->status, ItemStatus::kSkipped);
  ASSERT_TRUE(m->LastExported("webex", "t1", "r1"));
  EXPECT_EQ(m->LastExported("webex", "t1", "r1")->bytes, 1234u) << "a later skipped line does not hide it";
  EXPECT_FALSE(m->LastExported("webex", "t9", "r9"));
  ASSERT_TRUE(m->Bind("memory://", "x"));
  auto lines = Lines(ReadFile(path));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[2].find("\"ccrec_manifest\":1"), std::string::npos);
  EXPECT_FALSE(OpenUnlocked(path)->Bind("memory://other/", "x"));
}

TEST(ManifestDestination, ConflictingHeadersAreRefused) {
  TempDir dir;
  auto path = dir / "two.jsonl";
  WriteFile(path, "{\"ccrec_manifest\":1,\"destination\":\"memory://\",\"key_template\":\"x\"}\n"
                  "{\"ccrec_manifest\":1,\"destination\":\"s3://b/\",\"key_template\":\"x\"}\n");
  auto m = OpenUnlocked(path);
  auto r = m->Bind("memory://", "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("several destinations"), std::string::npos);
}

TEST(ManifestDestination, NullManifestBindsToAnything) {
  auto m = Manifest::Null();
  EXPECT_TRUE(m->Bind("memory://", "x"));
  EXPECT_TRUE(m->Bind("s3://b/", "y"));
}

}  // namespace
