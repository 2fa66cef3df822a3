// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 4: FACE response templates — `format=template&formatName=..&version=..` on the
// details commands, the answer passed through unchanged (Client::SearchTemplated) and into the
// export's sidecars.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "internal/crypto.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;
using ccrec::face::ParseTemplateFormat;
using ccrec::face::TemplateCommand;
using ccrec::face::TemplateFormat;

constexpr char kVerint[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recordings><recording><recording_id>100</recording_id>"
    "<audio_url>http://10.10.249.103:8080/Recordings//a.wav</audio_url><note>r\xc3\xa9sum\xc3\xa9 \"q\"</note>"
    "</recording></recordings>\n";

TEST(FaceTemplates, ParsesNameAndVersion) {
  auto v = ParseTemplateFormat("verint");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->name, "verint");
  EXPECT_FALSE(v->version);
  auto v2 = ParseTemplateFormat("verint:2");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->name, "verint");
  EXPECT_EQ(v2->version, "2");
  auto colon = ParseTemplateFormat("my:template");
  ASSERT_TRUE(colon);
  EXPECT_EQ(colon->name, "my:template") << "a non-numeric suffix belongs to the name";
  EXPECT_FALSE(colon->version);
  auto long_version = ParseTemplateFormat("t:1234567890");
  ASSERT_TRUE(long_version);
  EXPECT_EQ(long_version->name, "t:1234567890");
  for (char const* bad : {"", ":3"}) {
    auto e = ParseTemplateFormat(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, ccrec::ErrorCode::kInvalidArgument);
    EXPECT_NE(e.error().message.find("template name is empty"), std::string::npos);
  }
}

struct TemplateEnv {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::string answer = kVerint;
  std::string content_type = "application/xml; charset=UTF-8";
  int template_calls = 0;

  TemplateEnv() {
    env.transport->Route("GET", "format=template", [this](RecordedRequest const&) {
      ++template_calls;
      return Result<HttpResponse>(MakeResponse(200, answer, {{"Content-Type", content_type}}));
    });
    fake = std::make_unique<FakeFace>(env.transport);
    FakeRecording r;
    r.id = "100";
    r.start_ms = kDayStart + 1000;
    r.segments = {{"1001", "a.wav", kDayStart + 1000, kDayStart + 2000, "AUDIO"}};
    fake->Add(r);
  }
};

TEST(FaceTemplates, AnswerIsPassedThroughUnchanged) {
  TemplateEnv t;
  auto client = t.env.MakeClient();
  ccrec::face::SearchCriteria c;
  c.recording_id = "100";
  auto a = client.SearchTemplated(TemplateCommand::kRecordingDetails, c, TemplateFormat{"verint", std::string("2")});
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->body, kVerint);
  EXPECT_EQ(a->content_type, "application/xml; charset=UTF-8");
  EXPECT_EQ(a->http_status, 200);
  auto requests = t.env.transport->Requests();
  auto const& url = requests.back().url;
  EXPECT_EQ(Command(url), "audioRecording/details");
  EXPECT_NE(url.find("&recordingId=100&format=template&formatName=verint&version=2"), std::string::npos) << url;
  // Segment details, no version (the server's highest), a name needing percent-encoding.
  auto s = client.SearchTemplated(TemplateCommand::kSegmentDetails, c, TemplateFormat{"my tpl&x", std::nullopt});
  ASSERT_TRUE(s);
  auto url2 = t.env.transport->Requests().back().url;
  EXPECT_EQ(Command(url2), "audioRecording/segment/details");
  EXPECT_NE(url2.find("&format=template&formatName=my%20tpl%26x"), std::string::npos) << url2;
  EXPECT_EQ(url2.find("version="), std::string::npos);
}

TEST(FaceTemplates, BadInputIsRefusedLocallyAndFaceErrorsAreMapped) {
  TemplateEnv t;
  auto client = t.env.MakeClient();
  ccrec::face::SearchCriteria c;
  c.recording_id = "100";
  auto before = t.env.transport->RequestCount();
  auto empty = client.SearchTemplated(TemplateCommand::kRecordingDetails, c, TemplateFormat{"", std::nullopt});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ccrec::ErrorCode::kInvalidArgument);
  auto version = client.SearchTemplated(TemplateCommand::kRecordingDetails, c, TemplateFormat{"v", std::string("2a")});
  ASSERT_FALSE(version);
  EXPECT_NE(version.error().message.find("\"2a\" is not 1 to 9 digits"), std::string::npos);
  EXPECT_EQ(t.env.transport->RequestCount(), before) << "nothing sent";

  t.answer = R"({"result":{"code":19,"message":"No recording found with supplied criteria"}})";
  t.content_type = "application/json";
  auto none = client.SearchTemplated(TemplateCommand::kRecordingDetails, c, TemplateFormat{"verint", std::nullopt});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ccrec::ErrorCode::kNotFound);
  t.answer = "<?xml version=\"1.0\"?><result><code>-1</code><message>Template not found</message></result>";
  t.content_type = "application/xml";
  auto unknown = client.SearchTemplated(TemplateCommand::kRecordingDetails, c, TemplateFormat{"nope", std::nullopt});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ccrec::ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("Template not found"), std::string::npos) << unknown.error().message;
  EXPECT_EQ(unknown.error().vendor_code, "-1");
}

struct TemplateExport : TemplateEnv {
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec::exporter::ExportSummary Run(std::optional<TemplateFormat> format) {
    ccrec::face::FaceSourceOptions so;
    so.from = FromEpochMs(kDayStart);
    so.to = FromEpochMs(kDayStart + 86'400'000);
    so.format_template = std::move(format);
    ccrec::exporter::ExporterOptions eo;
    eo.key_template = ccrec::face::kDefaultKeyTemplate;
    eo.sleeper = env.sleeper;
    eo.clock = env.clock;
    ccrec::exporter::Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink, nullptr, eo);
    return exporter.Run();
  }
};

TEST(FaceTemplates, ExportPutsTheAnswerInTheSidecar) {
  TemplateExport t;
  auto summary = t.Run(TemplateFormat{"verint", std::string("2")});
  ASSERT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(t.template_calls, 1);
  auto sidecar = t.sink->Get("face/100/1001.wav.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc) << *sidecar;
  EXPECT_STREQ((*doc)["recordingId"].GetString(), "100") << "the usual members stay";
  auto const& tpl = (*doc)["template"];
  EXPECT_STREQ(tpl["formatName"].GetString(), "verint");
  EXPECT_STREQ(tpl["version"].GetString(), "2");
  EXPECT_STREQ(tpl["contentType"].GetString(), "application/xml; charset=UTF-8");
  EXPECT_EQ(std::string(tpl["text"].GetString(), tpl["text"].GetStringLength()), kVerint);
  EXPECT_EQ(sidecar->back(), '\n');

  TemplateExport none;
  ASSERT_FALSE(none.Run(std::nullopt).fatal);
  EXPECT_EQ(none.template_calls, 0);
  EXPECT_EQ(none.sink->Get("face/100/1001.wav.json")->find("\"template\""), std::string::npos);
}

TEST(FaceTemplates, NonUtf8AnswerIsStoredAsBase64) {
  TemplateExport t;
  t.answer = std::string("\xff\xfe<\0r\0>\0", 8);  // UTF-16LE with a BOM
  ASSERT_FALSE(t.Run(TemplateFormat{"utf16", std::nullopt}).fatal);
  auto sidecar = t.sink->Get("face/100/1001.wav.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc);
  EXPECT_FALSE((*doc)["template"].HasMember("text"));
  EXPECT_FALSE((*doc)["template"].HasMember("version"));
  std::string decoded;
  ASSERT_TRUE(ccrec::detail::Base64Decode((*doc)["template"]["base64"].GetString(), decoded));
  EXPECT_EQ(decoded, t.answer);
}

TEST(FaceTemplates, FailedTemplateFailsTheRecordingNotTheRun) {
  TemplateExport t;
  t.answer = "<result><code>-1</code><message>Template not found</message></result>";
  auto summary = t.Run(TemplateFormat{"nope", std::nullopt});
  ASSERT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_FALSE(t.sink->Get("face/100/1001.wav"));
}

}  // namespace
}  // namespace face_test
