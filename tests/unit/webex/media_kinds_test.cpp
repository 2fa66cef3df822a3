// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 5: the rest of a task's media through the Webex source — virtual-agent legs
// (include_va_recordings), transcripts as items of their own ({kind}, manifest lines, sidecars
// without the presigned URL) and task ids given without listing (task_ids).

#include "unit/webex/fake_webex_source.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/webex/recording_source.hpp>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace exporter_test {
namespace {

bool CapturesBodyHas(FakeWebex const& w, std::string const& needle) {
  for (auto const& r : w.transport->Requests()) {
    if (r.url.find("/v1/captures/query") != std::string::npos && r.body.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::size_t TaskListings(FakeWebex const& w) {
  std::size_t n = 0;
  for (auto const& r : w.transport->Requests()) n += r.url.find("/v1/tasks") != std::string::npos ? 1 : 0;
  return n;
}

TEST(WebexMediaKinds, VirtualAgentLegsOnlyWithIncludeVa) {
  FakeWebex w;
  FakeTask t{"t1", true, {{"r-main", "recording-1.wav", "main", "MAIN"}}};
  t.va = {{"r-va", "va-recording-1.wav", "va-main", "VA"}};
  w.tasks.push_back(t);
  auto plain = Enumerate(*w.Source());
  ASSERT_EQ(plain.items.size(), 1u);
  EXPECT_EQ(plain.items[0].recording_id, "r-main");
  EXPECT_TRUE(CapturesBodyHas(w, "\"includeVARecordings\":false"));

  FakeWebex v;
  v.tasks.push_back(t);
  v.customize = [](ccrec::webex::WebexSourceOptions& o) { o.include_va_recordings = true; };
  auto with_va = Enumerate(*v.Source());
  ASSERT_EQ(with_va.items.size(), 2u);
  EXPECT_EQ(with_va.items[0].recording_id, "r-va");
  EXPECT_EQ(with_va.items[0].key_fields.extra.at("kind"), "recording");
  EXPECT_NE(with_va.items[0].metadata_json.find("\"callType\":\"va-main\""), std::string::npos);
  EXPECT_TRUE(CapturesBodyHas(v, "\"includeVARecordings\":true"));
  auto va = with_va.items[0].open(CallContext{}, 0);
  EXPECT_EQ(ReadAll(va), "VA");
}

TEST(WebexMediaKinds, TranscriptsAreItemsOfTheirOwnWithKindAndSidecar) {
  FakeWebex w;
  FakeTask call{"t-call", true, {{"r1", "recording-1.wav", "main", "AUDIO"}}};
  call.transcripts = {{"CSR1", "voiceTranscript.json", "", "{\"text\":\"hi\"}"}};
  FakeTask chat{"t-chat", true, {}};  // a digital task: a transcript and no recording
  chat.transcripts = {{"CSR2", "chatTranscript", "", "{}"}};
  w.tasks = {call, chat};
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result);
  EXPECT_TRUE(c.pending.empty()) << "a task whose capture is a transcript is exported, not pending";
  ASSERT_EQ(c.items.size(), 3u);
  EXPECT_EQ(c.items[0].recording_id, "r1");
  auto const& tr = c.items[1];
  EXPECT_EQ(tr.task_id, "t-call");
  EXPECT_EQ(tr.recording_id, "transcript-CSR1");
  EXPECT_EQ(tr.key_fields.recording_id, "transcript-CSR1");
  EXPECT_EQ(tr.key_fields.file_name, "voiceTranscript.json");
  EXPECT_EQ(tr.key_fields.extra.at("kind"), "transcript");
  EXPECT_EQ(tr.key_fields.ext, ".json");
  EXPECT_EQ(c.items[2].key_fields.ext, ".json") << "a transcript file name without extension";
  auto doc = ccrec::detail::ParseJson(tr.metadata_json, "sidecar");
  ASSERT_TRUE(doc) << tr.metadata_json;
  EXPECT_EQ(ccrec::detail::OptString(*doc, "kind"), "transcript");
  EXPECT_EQ(ccrec::detail::OptString(*doc, "recording_id"), "transcript-CSR1");
  auto const* entry = ccrec::detail::OptObject(*doc, "transcription");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(ccrec::detail::OptString(*entry, "Source"), "chat");
  EXPECT_EQ(ccrec::detail::OptString(*entry, "fileName"), "voiceTranscript.json");
  EXPECT_EQ(tr.metadata_json.find("filePath"), std::string::npos) << tr.metadata_json;
  EXPECT_EQ(tr.metadata_json.find("X-Amz-Signature"), std::string::npos);
  auto body = c.items[1].open(CallContext{}, 0);
  EXPECT_EQ(ReadAll(body), "{\"text\":\"hi\"}");

  // Under the default template and a {kind} template every item has its own key.
  for (auto const* text : {"call-detail/{task_id}/{recording_id}{ext}", "wx/{kind}/{task_id}/{recording_id}{ext}"}) {
    auto tmpl = ccrec::exporter::KeyTemplate::Parse(text, ccrec::webex::WebexExtraKeyNames(),
                                                    ccrec::webex::WebexKeyIdentity());
    ASSERT_TRUE(tmpl) << tmpl.error().ToString();
    std::set<std::string> keys;
    for (auto const& item : c.items) EXPECT_TRUE(keys.insert(tmpl->Render(item.key_fields)).second);
  }
  auto kinded = ccrec::exporter::KeyTemplate::Parse("wx/{kind}/{task_id}/{recording_id}{ext}",
                                                   ccrec::webex::WebexExtraKeyNames());
  ASSERT_TRUE(kinded);
  EXPECT_EQ(kinded->Render(tr.key_fields), "wx/transcript/t-call/transcript-CSR1.json");
}

TEST(WebexMediaKinds, NoTranscriptsLeavesTranscriptOnlyTasksPending) {
  FakeWebex w;
  FakeTask chat{"t-chat", true, {}};
  chat.transcripts = {{"CSR2", "chatTranscript.json", "", "{}"}};
  w.tasks = {chat};
  w.customize = [](ccrec::webex::WebexSourceOptions& o) { o.include_transcripts = false; };
  auto c = Enumerate(*w.Source());
  EXPECT_TRUE(c.items.empty());
  ASSERT_EQ(c.pending.size(), 1u);
}

TEST(WebexMediaKinds, TranscriptIdsStayUniqueWithinATask) {
  std::vector<ccrec::webex::Transcription> list(4);
  list[0].id = "cfg";
  list[1].id = "cfg";
  list[2].id = "";
  list[3].id = "other";
  EXPECT_EQ(ccrec::webex::TranscriptItemId(list, 0), "transcript-cfg-1");
  EXPECT_EQ(ccrec::webex::TranscriptItemId(list, 1), "transcript-cfg-2");
  EXPECT_EQ(ccrec::webex::TranscriptItemId(list, 2), "transcript-3");
  EXPECT_EQ(ccrec::webex::TranscriptItemId(list, 3), "transcript-other");
}

TEST(WebexMediaKinds, ExpiredTranscriptUrlIsRequeriedOnce) {
  FakeWebex w;
  FakeTask chat{"t-chat", true, {}};
  chat.transcripts = {{"CSR9", "chatTranscript.json", "", "{\"a\":1}"}};
  w.tasks = {chat};
  w.forbidden_versions["CSR9"] = {1};
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 1u);
  auto r = c.items[0].open(CallContext{}, 0);
  EXPECT_EQ(ReadAll(r), "{\"a\":1}");
  EXPECT_EQ(w.CaptureBatches().size(), 2u) << "one re-query for the fresh transcript URL";
}

TEST(WebexMediaKinds, DurationBoundsExportTranscriptsOnlyWithAMatchingRecording) {
  FakeWebex w;  // the fake's recordings last 60 s
  FakeTask call{"t-call", true, {{"r1", "recording-1.wav", "main", "A"}}};
  call.transcripts = {{"CSR1", "voiceTranscript.json", "", "{}"}};
  FakeTask chat{"t-chat", true, {}};
  chat.transcripts = {{"CSR2", "chatTranscript.json", "", "{}"}};
  w.tasks = {call, chat};
  w.customize = [](ccrec::webex::WebexSourceOptions& o) { o.filter.min_duration = std::chrono::seconds(30); };
  auto c = Enumerate(*w.Source());
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].recording_id, "r1");
  EXPECT_EQ(c.items[1].recording_id, "transcript-CSR1");
  w.customize = [](ccrec::webex::WebexSourceOptions& o) { o.filter.min_duration = std::chrono::seconds(90); };
  EXPECT_TRUE(Enumerate(*w.Source()).items.empty());
}

TEST(WebexMediaKinds, TaskIdsSkipListingAndBatchCapturesByTen) {
  FakeWebex w;
  std::vector<std::string> ids;
  for (int i = 0; i < 11; ++i) {
    std::string n = std::to_string(i);
    w.tasks.push_back({"t" + n, true, {{"r" + n, "recording-1.wav", "main", "d" + n}}});
    ids.push_back("t" + n);
  }
  ids.push_back("t3");          // a duplicate: asked once
  ids.push_back("t-unknown");   // no capture: a pending line, never dropped
  w.customize = [ids](ccrec::webex::WebexSourceOptions& o) { o.task_ids = ids; };
  auto c = Enumerate(*w.Source());
  ASSERT_TRUE(c.result) << c.result.error().ToString();
  EXPECT_EQ(TaskListings(w), 0u) << "no GET /v1/tasks";
  auto batches = w.CaptureBatches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].size(), 10u);
  EXPECT_EQ(batches[1], (std::vector<std::string>{"t10", "t-unknown"}));
  ASSERT_EQ(c.items.size(), 11u);
  EXPECT_EQ(c.items[0].task_id, "t0");
  EXPECT_NE(c.items[0].metadata_json.find("\"task\":{\"id\":\"t0\"}"), std::string::npos) << c.items[0].metadata_json;
  ASSERT_EQ(c.pending.size(), 1u);
  EXPECT_EQ(c.pending[0].task_id, "t-unknown");
  EXPECT_FALSE(c.pending[0].given_up) << "no createdTime: never given up";
  EXPECT_NE(c.pending[0].reason.find("lists nothing for this task id"), std::string::npos) << c.pending[0].reason;
}

TEST(WebexMediaKinds, TranscriptsGetManifestLinesEndToEnd) {
  FakeWebex w;
  FakeTask call{"t1", true, {{"r1", "recording-1.wav", "main", Bytes(3000, 1)}}};
  call.transcripts = {{"CSR1", "voiceTranscript.json", "", "{\"t\":1}"}};
  w.tasks = {call};
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions o;
  o.key_template = "wx/{kind}/{task_id}/{recording_id}{ext}";
  o.sleeper = std::make_shared<ManualSleeper>();
  auto summary = ccrec::exporter::Exporter(w.Source(), memory, *manifest, o).Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=3007");
  auto objects = memory->Objects();
  EXPECT_TRUE(objects.at("wx/recording/t1/r1.wav").data == Bytes(3000, 1));
  EXPECT_EQ(objects.at("wx/transcript/t1/transcript-CSR1.json").data, "{\"t\":1}");
  EXPECT_EQ(objects.at("wx/transcript/t1/transcript-CSR1.json.json").data.find("filePath"), std::string::npos);
  auto lines = ReadManifest(dir / "m.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  std::set<std::string> ids;
  for (auto const& l : lines) ids.insert(l.recording_id);
  EXPECT_EQ(ids, (std::set<std::string>{"r1", "transcript-CSR1"}));
}

}  // namespace
}  // namespace exporter_test
