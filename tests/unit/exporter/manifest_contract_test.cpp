// SPDX-License-Identifier: Apache-2.0
// The Manifest contract (exporter/manifest.hpp), one behavioural suite run against every
// implementation: the JSON Lines manifest (Manifest::Open) and, when built, the SQLite manifest
// (ccrec::manifest_sqlite). Reload, identity binding, lock, concurrency, file mode, redaction,
// and an engine run that resumes from the manifest.

#include <ccrec/exporter/manifest.hpp>
#if defined(CCREC_HAVE_MANIFEST_SQLITE)
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>
#endif

#include "unit/core/test_util.hpp"
#include "unit/exporter/exporter_test_util.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::exporter::ItemStatus;
using ccrec::exporter::ManifestEntry;
using ccrec::exporter::ManifestOptions;
using ManifestPtr = std::shared_ptr<ccrec::exporter::Manifest>;

struct Implementation {
  std::string name;
  std::string file;  // file name in the test's directory
  std::function<Result<ManifestPtr>(std::string const&, ManifestOptions const&)> open;
};

std::vector<Implementation> Implementations() {
  std::vector<Implementation> out;
  out.push_back({"jsonl", "m.jsonl", [](std::string const& path, ManifestOptions const& o) {
                   return ccrec::exporter::Manifest::Open(path, o);
                 }});
#if defined(CCREC_HAVE_MANIFEST_SQLITE)
  out.push_back({"sqlite", "m.sqlite", [](std::string const& path, ManifestOptions const& o) {
                   return ccrec::manifest_sqlite::OpenSqliteManifest(path, o);
                 }});
#endif
  return out;
}

ManifestEntry Entry(std::string task, std::string rec, ItemStatus status, std::string segment = {}) {
  ManifestEntry e;
  e.source = "fake";
  e.task_id = std::move(task);
  e.recording_id = std::move(rec);
  e.segment_id = std::move(segment);
  e.key = "k/" + e.task_id + "/" + e.recording_id + e.segment_id;
  e.uri = "mem://" + e.key;
  e.bytes = status == ItemStatus::kExported ? 42 : 0;
  e.sha256 = status == ItemStatus::kExported ? std::string(64, 'b') : "";
  e.status = status;
  return e;
}

class ManifestContract : public ::testing::TestWithParam<Implementation> {
 protected:
  ccrec_test::TempDir dir;
  std::string path = dir / GetParam().file;
  ManifestPtr Open(bool lock = true) {
    ManifestOptions o;
    o.lock = lock;
    auto m = GetParam().open(path, o);
    EXPECT_TRUE(m) << m.error().ToString();
    return m ? *m : ccrec::exporter::Manifest::Null();
  }
};

TEST_P(ManifestContract, AppendedOutcomesSurviveAReopen) {
  {
    auto m = Open();
    EXPECT_EQ(m->Path(), path);
    ASSERT_TRUE(m->Append(Entry("t2", "r1", ItemStatus::kFailed)));
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kExported)));
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kSkipped)));  // later skipped: LastExported stays
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kPending, "s2")));
    ASSERT_TRUE(m->Append(Entry("t2", "r1", ItemStatus::kExported)));  // a retry succeeded
    ASSERT_TRUE(m->Sync());
  }
  auto m = Open();
  EXPECT_EQ(m->MalformedLines(), 0u);
  auto latest = m->Latest("fake", "t1", "r1");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->status, ItemStatus::kSkipped);
  auto exported = m->LastExported("fake", "t1", "r1");
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->status, ItemStatus::kExported);
  EXPECT_EQ(exported->key, "k/t1/r1");
  EXPECT_EQ(exported->uri, "mem://k/t1/r1");
  EXPECT_EQ(exported->bytes, 42u);
  EXPECT_EQ(exported->sha256, std::string(64, 'b'));
  EXPECT_TRUE(m->IsDone("fake", "t1", "r1"));
  EXPECT_FALSE(m->IsDone("fake", "t1", "r1", "s2")) << "pending";
  EXPECT_TRUE(m->IsDone("fake", "t2", "r1"));
  EXPECT_FALSE(m->Latest("fake", "t3", "r1"));
  EXPECT_FALSE(m->LastExported("fake", "t1", "r1", "s2"));
  std::vector<std::string> order;
  for (auto const& e : m->Entries()) order.push_back(e.task_id + "/" + e.recording_id + "/" + e.segment_id);
  EXPECT_EQ(order, (std::vector<std::string>{"t1/r1/", "t1/r1/s2", "t2/r1/"})) << "one per item, by identity";
}

TEST_P(ManifestContract, IsBoundToOneDestinationAndKeyTemplate) {
  {
    auto m = Open();
    EXPECT_FALSE(m->Destination());
    ASSERT_TRUE(m->CheckDestination("s3://a/", "{task_id}")) << "not bound yet: anything goes";
    ASSERT_TRUE(m->Bind("s3://a/", "{task_id}"));
    ASSERT_TRUE(m->Bind("s3://a/", "{task_id}")) << "idempotent";
    EXPECT_EQ(m->Destination(), std::optional<std::string>("s3://a/"));
    auto other = m->CheckDestination("s3://b/", "{task_id}");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(other.error().message.find("s3://a/"), std::string::npos) << other.error().message;
    EXPECT_NE(other.error().message.find("s3://b/"), std::string::npos) << other.error().message;
    EXPECT_NE(other.error().message.find("new --manifest"), std::string::npos) << other.error().message;
  }
  auto m = Open();
  EXPECT_EQ(m->Destination(), std::optional<std::string>("s3://a/"));
  EXPECT_TRUE(m->CheckDestination("s3://a/", "{task_id}"));
  auto template_changed = m->Bind("s3://a/", "{recording_id}");
  ASSERT_FALSE(template_changed);
  EXPECT_EQ(template_changed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(template_changed.error().message.find("{recording_id}"), std::string::npos);
}

TEST_P(ManifestContract, OneWriterAtATime) {
  {
    auto first = Open();
    ManifestOptions o;
    auto second = GetParam().open(path, o);
    ASSERT_FALSE(second) << "a second run on the same manifest";
    EXPECT_EQ(second.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(second.error().vendor_code, ccrec::exporter::kManifestInUse);
    EXPECT_NE(second.error().message.find("in use by another run"), std::string::npos) << second.error().message;
    EXPECT_TRUE(Open(/*lock=*/false)) << "a reader without the lock";
    ASSERT_TRUE(first->Append(Entry("t1", "r1", ItemStatus::kExported)));
  }
  auto again = Open();
  EXPECT_TRUE(again->IsDone("fake", "t1", "r1")) << "the lock goes with the manifest";
}

TEST_P(ManifestContract, ConcurrentAppendsAndReadsFromManyThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  {
    auto m = Open();
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop) {
        auto entries = m->Entries();
        for (auto const& e : entries) ASSERT_EQ(e.key, "k/" + e.task_id + "/" + e.recording_id);
        (void)m->Latest("fake", "t0", "r0");
      }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          EXPECT_TRUE(m->Append(Entry("t" + std::to_string(t), "r" + std::to_string(i), ItemStatus::kExported)));
        }
      });
    }
    for (auto& w : writers) w.join();
    stop = true;
    reader.join();
    ASSERT_TRUE(m->Sync());
  }
  auto m = Open();
  EXPECT_EQ(m->MalformedLines(), 0u);
  EXPECT_EQ(m->Entries().size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(m->IsDone("fake", "t" + std::to_string(t), "r99"));
}

TEST_P(ManifestContract, NewFileIsPrivateAndBadModesAreRefused) {
  {
    ccrec_test::ScopedUmask umask(022);
    auto m = Open();
    ASSERT_TRUE(m->Append(Entry("t1", "r1", ItemStatus::kExported)));
  }
  EXPECT_EQ(ccrec_test::FileMode(path), 0600u);
  ManifestOptions o;
  o.file_mode = 04600;
  auto bad = GetParam().open(dir / ("bad-" + GetParam().file), o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("04600"), std::string::npos) << bad.error().message;
}

TEST_P(ManifestContract, ErrorsAreStoredRedacted) {
  auto e = Entry("t1", "r1", ItemStatus::kFailed);
  e.error = "HTTP 401; Authorization: Bearer SECRET-BEARER; \"quoted\"\nsecond line";
  { ASSERT_TRUE(Open()->Append(e)); }
  auto stored = ccrec_test::ReadFile(path);
  if (::access((path + "-wal").c_str(), F_OK) == 0) stored += ccrec_test::ReadFile(path + "-wal");
  EXPECT_EQ(stored.find("SECRET-BEARER"), std::string::npos) << "the secret never reaches the file";
  auto latest = Open()->Latest("fake", "t1", "r1");
  ASSERT_TRUE(latest);
  EXPECT_NE(latest->error.find("HTTP 401"), std::string::npos) << latest->error;
  EXPECT_NE(latest->error.find("second line"), std::string::npos) << latest->error;
  EXPECT_EQ(latest->error.find("SECRET-BEARER"), std::string::npos) << latest->error;
}

class ManifestContractRun : public ExporterTest, public ::testing::WithParamInterface<Implementation> {};

TEST_P(ManifestContractRun, ASecondRunResumesFromTheManifest) {
  Add("t1", "r1", Bytes(300, 1));
  Add("t2", "r2", Bytes(200, 2));
  std::string const path = dir / GetParam().file;
  ManifestOptions o;
  {
    auto m = GetParam().open(path, o);
    ASSERT_TRUE(m) << m.error().ToString();
    EXPECT_EQ(Run(Options(2), *m).LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=500");
  }
  auto opens = sink->Opened().size();
  auto m = GetParam().open(path, o);
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(Run(Options(2), *m).LastLine(), "exported=0 skipped=2 failed=0 pending=0 bytes=0");
  EXPECT_EQ(sink->Opened().size(), opens) << "nothing written again";
  auto wrong = Options(2);
  wrong.key_template = "other/{task_id}/{recording_id}{ext}";
  auto refused = Run(wrong, *m);
  ASSERT_TRUE(refused.fatal);
  EXPECT_EQ(refused.fatal->code, ErrorCode::kInvalidArgument);
}

std::string Name(::testing::TestParamInfo<Implementation> const& info) { return info.param.name; }
INSTANTIATE_TEST_SUITE_P(Every, ManifestContract, ::testing::ValuesIn(Implementations()), Name);
INSTANTIATE_TEST_SUITE_P(Every, ManifestContractRun, ::testing::ValuesIn(Implementations()), Name);

}  // namespace
}  // namespace exporter_test
