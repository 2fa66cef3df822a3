// SPDX-License-Identifier: Apache-2.0
// Object key templates: placeholders, dates, literal braces, parse errors, and sanitizing of
// hostile server-provided values so that a key never escapes its prefix or hides a segment.

#include <ccrec/exporter/key_template.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cstdlib>
#include <ctime>
#include <set>
#include <string>
#include <vector>

namespace {

using ccrec::ErrorCode;
using ccrec::exporter::FileExtension;
using ccrec::exporter::KeyFields;
using ccrec::exporter::KeyIdentityRule;
using ccrec::exporter::KeyTemplate;
using ccrec::exporter::SanitizeKeyComponent;

constexpr char kDefault[] = "call-detail/{task_id}/{recording_id}{ext}";

/// Syntax only: these tests are about rendering, not about which placeholders identify a recording.
KeyIdentityRule const kAnything{"test", {}};

KeyTemplate MustParse(std::string text, std::vector<std::string> const& extra = {}) {
  auto t = KeyTemplate::Parse(text, extra, kAnything);
  EXPECT_TRUE(t) << text << ": " << t.error().ToString();
  return t ? *t : *KeyTemplate::Parse(kDefault);
}

KeyFields Fields() {
  KeyFields f;
  f.task_id = "9f1c2b3a-task";
  f.recording_id = "rec-42";
  f.segment_id = "seg-3";
  f.file_name = "Recording-1.WAV";
  return f;
}

std::vector<std::string> Segments(std::string const& key) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto slash = key.find('/', pos);
    out.push_back(key.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return out;
}

TEST(KeyTemplate, DefaultTemplate) {
  auto t = MustParse(kDefault);
  EXPECT_EQ(t.Text(), kDefault);
  EXPECT_EQ(t.Render(Fields()), "call-detail/9f1c2b3a-task/rec-42.wav");
  auto f = Fields();
  f.file_name = "voice.mp3";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42.mp3");
  f.file_name = "";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42.wav") << "no file name: .wav";
}

TEST(KeyTemplate, EveryPlaceholder) {
  auto t = MustParse("{yyyy}/{mm}/{dd}/{task_id}/{recording_id}-{segment_id}/{file_name}/{ani}{ext}", {"ani"});
  auto f = Fields();
  f.time = ccrec::detail::FromEpochMs(1793577600000 + 3600000);  // 2026-11-02T01:00:00Z
  f.extra["ani"] = "+14085551234";
  EXPECT_EQ(t.Render(f), "2026/11/02/9f1c2b3a-task/rec-42-seg-3/Recording-1.WAV/_14085551234_d1c2aa443524fa0c.wav")
      << "'+' replaced, so a hash of \"+14085551234\" keeps it apart from \"_14085551234\"";
  f.extra.clear();
  EXPECT_EQ(t.Render(f), "2026/11/02/9f1c2b3a-task/rec-42-seg-3/Recording-1.WAV/__e3b0c44298fc1c14.wav")
      << "missing extra value: the empty name, hashed";
}

TEST(KeyTemplate, ExplicitExtensionWinsAndIsNormalised) {
  auto t = MustParse(kDefault);
  auto f = Fields();
  f.ext = ".MP3";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42.mp3");
  f.ext = "";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42");
  f.ext = "/../../x";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42");
  f.ext = ".a/b";
  EXPECT_EQ(t.Render(f), "call-detail/9f1c2b3a-task/rec-42");
}

TEST(KeyTemplate, DatesAreUtcWhateverTheLocalZone) {
  char const* old = std::getenv("TZ");
  std::string saved = old != nullptr ? old : "";
  ::setenv("TZ", "Pacific/Kiritimati", 1);  // UTC+14: local date differs from UTC for most hours
  ::tzset();
  auto t = MustParse("{yyyy}-{mm}-{dd}/{recording_id}");
  auto f = Fields();
  f.time = ccrec::detail::FromEpochMs(1793491200000 + 23 * 3600000 + 59 * 60000);  // 2026-11-01T23:59Z
  EXPECT_EQ(t.Render(f), "2026-11-01/rec-42");
  f.time = ccrec::detail::FromEpochMs(1835395200000);  // 2028-02-29T00:00:00Z
  EXPECT_EQ(t.Render(f), "2028-02-29/rec-42");
  f.time = ccrec::detail::FromEpochMs(-1);  // 1969-12-31T23:59:59.999Z
  EXPECT_EQ(t.Render(f), "1969-12-31/rec-42");
  f.time.reset();
  EXPECT_EQ(t.Render(f), "1970-01-01/rec-42") << "unknown time: the epoch";
  if (old != nullptr) ::setenv("TZ", saved.c_str(), 1);
  else ::unsetenv("TZ");
  ::tzset();
}

TEST(KeyTemplate, DoubledBracesAreLiteral) {
  auto t = MustParse("{{{task_id}}}/x{{y}}/{recording_id}");
  EXPECT_EQ(t.Render(Fields()), "{9f1c2b3a-task}/x{y}/rec-42");
  EXPECT_EQ(MustParse("{{}}{recording_id}").Render(Fields()), "{}rec-42");
}

TEST(KeyTemplate, EmptySegmentsCollapse) {
  EXPECT_EQ(MustParse("a//{recording_id}//").Render(Fields()), "a/rec-42");
  auto f = Fields();
  f.ext = "";
  EXPECT_EQ(MustParse("{recording_id}/x{ext}/").Render(f), "rec-42/x");
}

struct BadTemplate {
  std::string text;
  std::string message_part;
};

TEST(KeyTemplate, InvalidTemplatesAreRejectedWithAClearMessage) {
  std::vector<BadTemplate> cases = {
      {"{task_id}/{nope}", "unknown placeholder {nope}"},
      {"{task_id}/{Recording_ID}", "unknown placeholder {Recording_ID}"},
      {"{}{recording_id}", "unknown placeholder {}"},
      {"{recording_id", "unclosed '{'"},
      {"a/{recording_id}/{ext", "unclosed '{'"},
      {"a}/{recording_id}", "unmatched '}'"},
      {"/{task_id}/{recording_id}", "relative"},
      {"/", "relative"},
      {"../{recording_id}", ".."},
      {"a/../{recording_id}", ".."},
      {"{recording_id}/..", ".."},
      {"./{recording_id}", "'.'"},
      {".ccrec-meta/{task_id}/{recording_id}{ext}", "starting with '.'"},  // fuzz finding
      {"{task_id}/.hidden-{recording_id}", "starting with '.'"},
      {"{task_id}/{yyyy}{ext}", "must contain {task_id} and {recording_id}"},
      {"{file_name}", "must contain {task_id} and {recording_id}"},
      {"", "must contain"},
      {"static/name.wav", "must contain"},
      {"{recording_id}/{ext}", "{ext}"},  // would make a hidden ".wav" segment
  };
  for (auto const& c : cases) {
    auto t = KeyTemplate::Parse(c.text);  // the default rule: {task_id} and {recording_id}
    ASSERT_FALSE(t) << "accepted: " << c.text;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(t.error().message.find(c.message_part), std::string::npos) << c.text << " -> " << t.error().message;
    EXPECT_NE(t.error().message.find("key template"), std::string::npos) << t.error().message;
  }
  auto unknown = KeyTemplate::Parse("{task_id}/{nope}", {"ani"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("{recording_id}"), std::string::npos) << "lists the valid names";
  EXPECT_NE(unknown.error().message.find("{ani}"), std::string::npos) << "including extra names";
}

// Found by fuzz/key_template_fuzz.cpp: literal text with a NUL byte or a backslash parsed, and
// every key it rendered was then refused by the filesystem sink (NUL also by the S3 sink).
TEST(KeyTemplate, LiteralNulBackslashAndControlCharactersAreRejected) {
  for (std::string text : {std::string("call-\0/{recording_id}", 20), std::string("a\\b/{recording_id}"),
                           std::string("a\nb/{recording_id}"), std::string("a/{recording_id}\x7f")}) {
    auto t = KeyTemplate::Parse(text, {}, kAnything);
    ASSERT_FALSE(t) << "accepted a template with a control character or backslash";
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(t.error().message.find("position"), std::string::npos) << t.error().message;
  }
}

TEST(KeyTemplate, SyntaxEdgeCasesAreAccepted) {
  EXPECT_TRUE(KeyTemplate::Parse("{task_id}/{segment_id}{ext}", {}, kAnything));
  EXPECT_TRUE(KeyTemplate::Parse("x.{recording_id}", {}, kAnything));
  EXPECT_TRUE(KeyTemplate::Parse("a..b/{recording_id}", {}, kAnything)) << "'..' inside a name is not a '..' segment";
  EXPECT_TRUE(KeyTemplate::Parse("{task_id}.{recording_id}")) << "a '.' between placeholders is not a segment";
  // "..{recording_id}" is not a ".." segment (placeholders never render empty), but it is a hidden
  // name, which is refused like any segment starting with '.'.
  EXPECT_FALSE(KeyTemplate::Parse("{task_id}/..{recording_id}"));
  EXPECT_TRUE(KeyTemplate::Parse("{task_id}/x.{recording_id}")) << "a '.' after the start of a segment is fine";
}

// Issue 11 item 3: `wxcc/{yyyy}/{mm}/{dd}/{file_name}` was accepted although Webex file names
// repeat ("recording-1.wav"): 27 recordings became 5 objects and 22 "skipped" lines.
TEST(KeyTemplate, TemplatesThatCannotIdentifyARecordingOfTheSourceAreRejected) {
  KeyIdentityRule const webex{"webex", {{"task_id", "recording_id"}}};
  auto t = KeyTemplate::Parse("wxcc/{yyyy}/{mm}/{dd}/{file_name}", {}, webex);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(t.error().message.find("key template \"wxcc/{yyyy}/{mm}/{dd}/{file_name}\""), std::string::npos)
      << t.error().message;
  EXPECT_NE(t.error().message.find("a webex key template must contain {task_id} and {recording_id}"),
            std::string::npos)
      << t.error().message;
  EXPECT_FALSE(KeyTemplate::Parse("wxcc/{recording_id}{ext}", {}, webex)) << "the task id is missing";
  EXPECT_TRUE(KeyTemplate::Parse("wxcc/{yyyy}/{task_id}-{recording_id}-{file_name}", {}, webex));

  KeyIdentityRule const face{"face", {{"recording_id", "segment_id"}, {"task_id", "segment_id"}}};
  auto f = KeyTemplate::Parse("face/{recording_id}{ext}", {}, face);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("{recording_id} and {segment_id}, or {task_id} and {segment_id}"),
            std::string::npos)
      << f.error().message;
  EXPECT_TRUE(KeyTemplate::Parse("face/{task_id}/{segment_id}{ext}", {}, face));

  KeyIdentityRule const huawei{"huawei", {{"recording_id"}, {"file_name"}}};
  EXPECT_TRUE(KeyTemplate::Parse("h/{file_name}", {}, huawei));
  EXPECT_TRUE(KeyTemplate::Parse("h/{recording_id}{ext}", {}, huawei));
  EXPECT_FALSE(KeyTemplate::Parse("h/{call_id}{ext}", {"call_id"}, huawei));
}

std::vector<std::string> HostileValues() {
  return {"a/b",
          "../../etc/passwd",
          "..",
          ".",
          "...",
          "/abs",
          "\\..\\windows\\system32",
          "with space",
          std::string("nul\0byte", 8),
          std::string("\0", 1),
          "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9",
          "\xe2\x80\xae" "evil",
          ".hidden",
          "..%2f..%2f",
          "a\r\nb",
          "",
          std::string(1000, 'x'),
          std::string(1000, '.'),
          std::string(300, '/'),
          "con",
          "?query#frag",
          "*"};
}

bool SafeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '/';
}

TEST(KeyTemplate, HostileValuesNeverEscapeOrHide) {
  auto t = MustParse("{task_id}/{recording_id}/{segment_id}/{file_name}/{ani}{ext}", {"ani"});
  auto def = MustParse(kDefault);
  auto values = HostileValues();
  for (auto const& v : values) {
    KeyFields f;
    f.task_id = v;
    f.recording_id = v;
    f.segment_id = v;
    f.file_name = v;
    f.extra["ani"] = v;
    for (auto const* tpl : {&t, &def}) {
      std::string key = tpl->Render(f);
      SCOPED_TRACE("value [" + v + "] key [" + key + "]");
      ASSERT_FALSE(key.empty());
      EXPECT_NE(key.front(), '/');
      EXPECT_NE(key.back(), '/');
      for (char c : key) EXPECT_TRUE(SafeChar(c)) << "byte " << static_cast<int>(static_cast<unsigned char>(c));
      auto segments = Segments(key);
      EXPECT_EQ(segments.size(), tpl == &t ? 5u : 3u) << "a value added or removed a segment";
      for (auto const& s : segments) {
        EXPECT_FALSE(s.empty());
        EXPECT_NE(s.front(), '.') << "hidden, '.' or '..' segment";
        EXPECT_LE(s.size(), 200u + 9u);
      }
    }
  }
}

TEST(SanitizeKeyComponent, Examples) {
  EXPECT_EQ(SanitizeKeyComponent("Abc-09_x.wav"), "Abc-09_x.wav") << "safe names are kept as they are";
  EXPECT_EQ(SanitizeKeyComponent("recording-1.wav"), "recording-1.wav");
  EXPECT_EQ(SanitizeKeyComponent("a/b\\c d"), "a_b_c_d_d43012b604461091");
  EXPECT_EQ(SanitizeKeyComponent(".."), "_._5ec1f7e700f37c3d");
  EXPECT_EQ(SanitizeKeyComponent(".bashrc"), "_bashrc_b7cf3e96e1f74fc1");
  EXPECT_EQ(SanitizeKeyComponent(""), "__e3b0c44298fc1c14");
  EXPECT_EQ(SanitizeKeyComponent("100%+1"), "100__1_f6a1771c86ff89fe");
  EXPECT_EQ(SanitizeKeyComponent("my call.WAV"), "my_call_" + ccrec::detail::Sha256Hex("my call.WAV").substr(0, 16) +
                                                      ".WAV")
      << "the hash goes before the extension, so content types still follow the key";
  auto long_name = SanitizeKeyComponent(std::string(1000, 'x'));
  EXPECT_EQ(long_name.size(), 200u);
  EXPECT_EQ(long_name.substr(0, 183), std::string(183, 'x'));
  EXPECT_EQ(SanitizeKeyComponent(std::string(1000, 'x'), 16).size(), 32u) << "max_bytes below 32 is taken as 32";
  EXPECT_EQ(SanitizeKeyComponent(std::string(300, 'x') + ".mp3").substr(200 - 21), "_" +
            ccrec::detail::Sha256Hex(std::string(300, 'x') + ".mp3").substr(0, 16) + ".mp3");
}

// Issue 11 item 3: sanitizing mapped many ids to one ("a/b", "a b", "a_b" -> "a_b") and cut long
// ids at 200 bytes, so distinct recordings could share a key.
TEST(SanitizeKeyComponent, DistinctNamesGiveDistinctResults) {
  std::vector<std::string> names = {"a/b", "a b", "a_b", "a\\b", "a+b", "a%b", "a\xc3\xa9" "b", ".a_b", "_a_b", "",
                                    "_", ".", "..", "_.", std::string(250, 'y') + "1", std::string(250, 'y') + "2",
                                    std::string(199, 'y'), std::string(200, 'y'), std::string(201, 'y')};
  // A name that looks like sanitizer output is rewritten too, so it cannot meet the output of another name.
  names.push_back(SanitizeKeyComponent("a/b"));
  names.push_back(SanitizeKeyComponent("a b.wav"));
  names.push_back("a b.wav");
  std::set<std::string> seen;
  for (auto const& n : names) {
    auto out = SanitizeKeyComponent(n);
    EXPECT_TRUE(seen.insert(out).second) << "[" << n << "] -> [" << out << "] collides";
    EXPECT_LE(out.size(), 200u);
    EXPECT_NE(out.front(), '.');
  }
  EXPECT_NE(SanitizeKeyComponent(SanitizeKeyComponent("a/b")), SanitizeKeyComponent("a/b"));
}

TEST(SanitizeKeyComponent, IndependentOfTheCLocale) {
  // Latin-1 letters are alphanumeric in some locales; keys must not depend on that.
  char const* set = nullptr;
  for (char const* name : {"en_US.ISO-8859-1", "en_US.iso88591", "de_DE.ISO-8859-1", "fr_FR.ISO-8859-1"}) {
    if ((set = std::setlocale(LC_ALL, name)) != nullptr) break;
  }
  if (set == nullptr) GTEST_SKIP() << "no ISO-8859-1 locale installed";
  EXPECT_EQ(SanitizeKeyComponent("caf\xe9"), "caf_");
  EXPECT_EQ(FileExtension("a.w\xe4v"), ".wav");
  std::setlocale(LC_ALL, "C");
}

TEST(FileExtension, EdgeCases) {
  EXPECT_EQ(FileExtension("a.WAV"), ".wav");
  EXPECT_EQ(FileExtension("a.mp3"), ".mp3");
  EXPECT_EQ(FileExtension("archive.tar.gz"), ".gz");
  EXPECT_EQ(FileExtension("noext"), ".wav");
  EXPECT_EQ(FileExtension(""), ".wav");
  EXPECT_EQ(FileExtension(".bashrc"), ".wav") << "a leading dot is not an extension";
  EXPECT_EQ(FileExtension("a."), ".wav");
  EXPECT_EQ(FileExtension("a.12345678"), ".12345678");
  EXPECT_EQ(FileExtension("a.123456789"), ".wav") << "longer than 8";
  EXPECT_EQ(FileExtension("a.w-v"), ".wav");
  EXPECT_EQ(FileExtension("a.w v"), ".wav");
  EXPECT_EQ(FileExtension("a.\xc3\xa9"), ".wav");
  EXPECT_EQ(FileExtension("dir.d/file"), ".wav") << "the dot is in a directory name";
  EXPECT_EQ(FileExtension("dir.d\\file"), ".wav");
  EXPECT_EQ(FileExtension("dir\\file.Mp3"), ".mp3");
  EXPECT_EQ(FileExtension("x/.wav"), ".wav");
  EXPECT_EQ(FileExtension("a.b/.."), ".wav");
  EXPECT_EQ(FileExtension("noext", ""), "");
  EXPECT_EQ(FileExtension("noext", ".bin"), ".bin");
  EXPECT_EQ(FileExtension(std::string("a.w\0v", 5)), ".wav");
}

}  // namespace
