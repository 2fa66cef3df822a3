// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 4: the source `webex serve` runs for the tasks that capture:available announced
// (MakeWebexSource with task_ids, as `webex --task-id`): every recording of each task (not only
// the last one), pending while Captures lists none, presigned URL re-queried after a 403.
#include "unit/webex/fake_webex_source.hpp"

#include <ccrec/webex/recording_source.hpp>

#include <gtest/gtest.h>

namespace exporter_test {
namespace {

std::unique_ptr<ccrec::exporter::RecordingSource> TaskIdSource(FakeWebex& w, std::vector<std::string> ids) {
  ccrec::webex::WebexSourceOptions o;
  o.task_ids = std::move(ids);
  o.clock = w.clock;
  return ccrec::webex::MakeWebexSource(w.Client(), o);
}

TEST(WebexServeSource, EveryRecordingOfEachTaskAndPendingWithoutOne) {
  FakeWebex w;
  w.tasks.push_back({"t-1", true, {{"r-main", "main.wav", "main", "AAAA"}, {"r-consult", "consult.wav", "consult", "BB"}}});
  w.tasks.push_back({"t-2", true, {}});
  w.tasks.push_back({"t-3", true, {{"r-3", "x.wav", "main", "C"}}});
  auto source = TaskIdSource(w, {"t-1", "t-2", "t-1", "t-3", ""});
  auto c = Enumerate(*source);
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  ASSERT_EQ(c.items.size(), 3u) << "every recording, the consult leg included; duplicates asked once";
  EXPECT_EQ(c.items[0].recording_id, "r-main");
  EXPECT_EQ(c.items[1].recording_id, "r-consult");
  EXPECT_EQ(c.items[2].task_id, "t-3");
  EXPECT_EQ(c.items[1].key_fields.file_name, "consult.wav");
  EXPECT_EQ(c.items[1].metadata_json.find("filePath"), std::string::npos) << "no presigned URL in the sidecar";
  EXPECT_NE(c.items[1].metadata_json.find("\"task\":{\"id\":\"t-1\"}"), std::string::npos) << c.items[1].metadata_json;
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].task_id, "t-2");
  auto batches = w.CaptureBatches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0], (std::vector<std::string>{"t-1", "t-2", "t-3"}));
  EXPECT_EQ(source->KeyIdentity().source, "webex");
}

TEST(WebexServeSource, MediaIsReadAndAnExpiredUrlIsRequeriedOnce) {
  FakeWebex w;
  w.tasks.push_back({"t-1", true, {{"r-1", "a.wav", "main", "hello"}}});
  w.forbidden_versions["r-1"] = {1};  // the first URL is refused, the second works
  auto source = TaskIdSource(w, {"t-1"});
  auto c = Enumerate(*source);
  ASSERT_EQ(c.items.size(), 1u);
  auto media = c.items[0].open(ccrec::CallContext{}, 0);
  EXPECT_EQ(ReadAll(media), "hello");
  EXPECT_EQ(w.CaptureBatches().size(), 2u) << "Captures asked again after the 403";
}

}  // namespace
}  // namespace exporter_test
