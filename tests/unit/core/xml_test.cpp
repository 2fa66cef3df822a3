// SPDX-License-Identifier: Apache-2.0
// internal/xml.hpp: the pugixml-based XML layer — queries by local name, UTF-8 and UTF-16 (LE/BE,
// with and without BOM), entities, hostile and malformed input, the request-body writer.

#include "internal/xml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccrec {
namespace {

namespace xml = ::ccrec::detail::xml;
using ::testing::HasSubstr;
using ::testing::StartsWith;

xml::Document Parse(std::string_view body) {
  auto doc = xml::Document::Parse(body, "test body");
  EXPECT_TRUE(doc) << doc.error().message;
  if (!doc) std::abort();
  return std::move(*doc);
}

// The error message of a body that must not parse.
std::string Problem(std::string_view body) {
  auto doc = xml::Document::Parse(body, "test body");
  EXPECT_FALSE(doc) << "parsed: " << body;
  if (doc) return {};
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  EXPECT_THAT(doc.error().message, StartsWith("test body "));
  return doc.error().message;
}

// `ascii` encoded as UTF-16 (each byte one code unit: enough for the tests' ASCII and Latin-1).
std::string Utf16(std::string_view ascii, bool little_endian, bool bom) {
  std::string out;
  if (bom) out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char c : ascii) {
    if (little_endian) {
      out.push_back(c);
      out.push_back('\0');
    } else {
      out.push_back('\0');
      out.push_back(c);
    }
  }
  return out;
}

TEST(XmlDocument, RootNameAndTexts) {
  auto doc = Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>a &amp; b &lt;c&gt; &quot;d&quot; "
      "&apos;e&apos; &#252;&#x263A;</Key><UploadId>VXBsb2FkIElE</UploadId><UploadIdMarker/></InitiateMultipartUploadResult>");
  EXPECT_EQ(doc.RootName(), "InitiateMultipartUploadResult");
  EXPECT_EQ(*doc.Text("UploadId"), "VXBsb2FkIElE");
  EXPECT_EQ(*doc.Text("Key"), "a & b <c> \"d\" 'e' \xC3\xBC\xE2\x98\xBA");
  EXPECT_EQ(*doc.Text("UploadIdMarker"), "");  // self-closing
  EXPECT_FALSE(doc.Text("Upload"));            // a prefix of a name does not match
  EXPECT_FALSE(doc.Text("Missing"));
  EXPECT_FALSE(doc.Text(""));
  EXPECT_FALSE(doc.Text("InitiateMultipartUploadResult"));  // has child elements
  EXPECT_TRUE(doc.Has("Bucket"));
  EXPECT_FALSE(doc.Has("Missing"));
  EXPECT_EQ(*Parse("<a><b attr=\"1\">v</b></a>").Text("b"), "v");
  EXPECT_EQ(*Parse("<a><b><![CDATA[x<y&amp;]]></b></a>").Text("b"), "x<y&amp;");  // CDATA is not unescaped
  EXPECT_EQ(*Parse("<a><b>1 &lt; <![CDATA[<2>]]> &gt; 3</b></a>").Text("b"), "1 < <2> > 3");
  EXPECT_EQ(*Parse("<a><b> <!-- note --> x </b></a>").Text("b"), " x ");
}

TEST(XmlDocument, FirstInDocumentOrderAtAnyDepth) {
  auto doc = Parse("<r><x><deep><Code>1</Code></deep></x><Code>2</Code></r>");
  EXPECT_EQ(*doc.Text("Code"), "1");
  EXPECT_EQ(doc.Texts("Code"), (std::vector<std::string>{"1", "2"}));
}

TEST(XmlDocument, NamespacePrefixesMatchOnLocalName) {
  auto doc = Parse(
      "<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Code>NoSuchKey</s3:Code>"
      "<Message>gone</Message></s3:Error>");
  EXPECT_EQ(doc.RootName(), "Error");
  EXPECT_EQ(*doc.Text("Code"), "NoSuchKey");
  EXPECT_EQ(*doc.Text("Message"), "gone");
  EXPECT_FALSE(doc.Text("s3:Code"));  // queries take local names
  EXPECT_EQ(*Parse("<ns1:result xmlns:ns1=\"urn:face\"><ns1:code>0</ns1:code></ns1:result>").Text("code"), "0");
}

TEST(XmlDocument, TextsAndChildTexts) {
  auto doc = Parse(
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>b</ETag><ChecksumCRC32C>c</ChecksumCRC32C></Part>"
      "<Part><PartNumber>3</PartNumber><ETag>&bogus;</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(doc.Texts("PartNumber"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(doc.Texts("ETag"), (std::vector<std::string>{"\"a\"", "b"}));  // the bad entity is left out
  EXPECT_TRUE(doc.Texts("").empty());
  auto parts = doc.ChildTexts("Part");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], (std::map<std::string, std::string>{{"PartNumber", "1"}, {"ETag", "\"a\""}}));
  EXPECT_EQ(parts[1].at("ChecksumCRC32C"), "c");
  EXPECT_EQ(parts[2], (std::map<std::string, std::string>{{"PartNumber", "3"}}));
  EXPECT_TRUE(doc.ChildTexts("Missing").empty());
}

TEST(XmlDocument, Utf16WithAndWithoutBom) {
  // FACE's guide serves `<?xml version="1.0" encoding="UTF-16"?>` documents (reference §5.3).
  std::string const text =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>0</code><message>caf\xE9</message></result>";
  for (bool le : {true, false}) {
    for (bool bom : {true, false}) {
      SCOPED_TRACE(std::string(le ? "LE" : "BE") + (bom ? " with BOM" : " without BOM"));
      auto body = Utf16(text, le, bom);
      EXPECT_TRUE(xml::LooksLikeXml(body));
      auto doc = Parse(body);
      EXPECT_EQ(doc.RootName(), "result");
      EXPECT_EQ(*doc.Text("code"), "0");
      EXPECT_EQ(*doc.Text("message"), "caf\xC3\xA9");  // U+00E9 comes out as UTF-8
      // Leading blanks before the declaration, and no declaration at all.
      EXPECT_EQ(*Parse(Utf16("\r\n  <a><b>x</b></a>", le, bom)).Text("b"), "x");
    }
  }
  // A surrogate pair (U+1F600) in UTF-16LE.
  std::string emoji = Utf16("<a>", true, true) + std::string("\x3D\xD8\x00\xDE", 4) + Utf16("</a>", true, false);
  EXPECT_EQ(*Parse(emoji).Text("a"), "\xF0\x9F\x98\x80");
}

TEST(XmlDocument, Utf8WithBomAndDeclarationThatLies) {
  EXPECT_EQ(Parse("\xEF\xBB\xBF<a>x</a>").RootName(), "a");
  // The bytes decide: UTF-8 bytes declaring UTF-16 (what FACE's guide shows and the emulator sends).
  auto doc = Parse("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>0</code><message>\xC3\xBC</message></result>");
  EXPECT_EQ(*doc.Text("message"), "\xC3\xBC");
  EXPECT_EQ(*Parse("\n\n  <?xml version=\"1.0\"?><a>x</a>").Text("a"), "x");
}

TEST(XmlDocument, EntitiesAreStrict) {
  auto doc = Parse(
      "<r><a>a &bogus; b</a><b>a &amp b</b><c>&#xD800;</c><d>&#1114112;</d><e>&#0;</e><f>&#x;</f><g>&#12a;</g>"
      "<h>&#65;&#x42;</h></r>");
  for (char const* name : {"a", "b", "c", "d", "e", "f", "g"}) EXPECT_FALSE(doc.Text(name)) << name;
  EXPECT_EQ(*doc.Text("h"), "AB");
}

TEST(XmlDocument, DoctypeIsRejectedSoNoEntityIsEverExpanded) {
  // Billion laughs: refused before any entity could be declared, let alone expanded.
  std::string lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    lol += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) lol += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    lol += "\">";
  }
  lol += "]><lolz>&lol9;</lolz>";
  EXPECT_THAT(Problem(lol), HasSubstr("DOCTYPE"));
  // External entities (XXE) likewise.
  EXPECT_THAT(Problem("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>"), HasSubstr("DOCTYPE"));
  EXPECT_THAT(Problem("<!DOCTYPE Error SYSTEM \"http://example.invalid/e.dtd\"><Error/>"), HasSubstr("DOCTYPE"));
}

TEST(XmlDocument, MalformedInputNamesTheProblem) {
  EXPECT_THAT(Problem(""), HasSubstr("empty"));
  EXPECT_THAT(Problem(" \r\n\t"), HasSubstr("empty"));
  EXPECT_THAT(Problem("\xEF\xBB\xBF"), HasSubstr("empty"));
  EXPECT_THAT(Problem("<Error><Code>SlowDown"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<Error><Code>SlowDown</Cod"), HasSubstr("at offset"));
  EXPECT_THAT(Problem("<Error><Code"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<?xml version=\"1.0\""), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<!-- never closed"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("< Error>"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("{\"json\":true}"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<b><![CDATA[x</b>"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Problem("<a/><b/>"), HasSubstr("2 root elements"));
  EXPECT_THAT(Problem("<a/>junk"), HasSubstr("text outside the root element"));
  EXPECT_THAT(Problem(std::string("<a>x\0y</a>", 10)), HasSubstr("NUL character at offset 4"));
  EXPECT_THAT(Problem(std::string("<a>x</a>\0<<", 11)), HasSubstr("NUL"));
  EXPECT_THAT(Problem(Utf16("<a>x</a>", true, true) + std::string("\0\0", 2)), HasSubstr("NUL"));
  EXPECT_THAT(Problem(Utf16("<a>x</a>", false, true) + "<"), HasSubstr("odd number of bytes"));
  EXPECT_THAT(Problem(Utf16("<a>x</b>", false, false)), HasSubstr("of the decoded text"));
}

TEST(XmlDocument, HostileSizesDoNotCrash) {
  EXPECT_THAT(Problem(std::string(1 << 20, '<')), HasSubstr("not well-formed XML"));
  // Deep nesting: pugixml parses without recursion and the queries walk iteratively.
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  deep += "<Code>x</Code>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  auto doc = Parse(deep);
  EXPECT_EQ(*doc.Text("Code"), "x");
  EXPECT_FALSE(doc.Has("Missing"));
  EXPECT_THAT(Problem(deep.substr(0, deep.size() - 4)), HasSubstr("not well-formed XML"));
}

TEST(XmlDocument, ElementsWalkTheTree) {
  for (bool le : {true, false}) {
    auto doc = Parse(Utf16("<f:result xmlns:f=\"u\"><code>0</code><!-- c --><list a=\"1\"><item>x &amp; y</item>"
                           "<item/></list>text<m><n>1</n></m></f:result>",
                           le, true));
    auto root = doc.Root();
    EXPECT_EQ(root.Name(), "result");
    EXPECT_FALSE(root.Text()) << "an element with children has no text";
    auto children = root.Children();
    ASSERT_EQ(children.size(), 3u) << "comments and text are not elements";
    EXPECT_EQ(children[0].Name(), "code");
    EXPECT_EQ(children[0].Text(), "0");
    EXPECT_TRUE(children[0].Children().empty());
    auto items = children[1].Children();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].Text(), "x & y");
    EXPECT_EQ(items[1].Text(), "");
    EXPECT_EQ(children[2].Children()[0].Name(), "n");
  }
}

TEST(XmlLooksLikeXml, Sniffs) {
  EXPECT_TRUE(xml::LooksLikeXml("  <a/>"));
  EXPECT_TRUE(xml::LooksLikeXml("\xEF\xBB\xBF<a/>"));
  EXPECT_TRUE(xml::LooksLikeXml(Utf16(" <", true, true)));
  EXPECT_TRUE(xml::LooksLikeXml(Utf16("\n<", false, false)));
  EXPECT_TRUE(xml::LooksLikeXml(Utf16("<a", true, false) + "x"));  // a cut prefix of odd length
  EXPECT_FALSE(xml::LooksLikeXml(""));
  EXPECT_FALSE(xml::LooksLikeXml("{\"a\":1}"));
  EXPECT_FALSE(xml::LooksLikeXml("RIFF\x24\x08\x00\x00WAVE"));
  EXPECT_FALSE(xml::LooksLikeXml("\xFF\xFB\x90\x00"));  // an MP3 frame header
  EXPECT_FALSE(xml::LooksLikeXml(Utf16("{", true, true)));
}

TEST(XmlWriter, WritesNestedElementsWithoutDeclaration) {
  xml::Writer doc("CompleteMultipartUpload", "http://s3.amazonaws.com/doc/2006-03-01/");
  auto part = doc.Root().Child("Part");
  part.Child("PartNumber", "1");
  part.Child("ETag", "\"e-1\"");
  doc.Root().Child("Empty", "");
  EXPECT_EQ(doc.ToString(),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
            "<ETag>\"e-1\"</ETag></Part><Empty></Empty></CompleteMultipartUpload>");
}

TEST(XmlWriter, EscapedTextsReadBackUnchanged) {
  std::string const text = "\"etag\" & <x> 'y' ]]> &amp; \xE2\x98\xBA";
  xml::Writer doc("a");
  doc.Root().Child("b", text);
  auto const written = doc.ToString();
  EXPECT_THAT(written, HasSubstr("&amp; &lt;x&gt;"));
  EXPECT_EQ(*Parse(written).Text("b"), text);
  EXPECT_EQ(*xml::Unescape("&quot;etag&quot; &amp; &lt;x&gt; &apos;y&apos;"), "\"etag\" & <x> 'y'");
}

}  // namespace
}  // namespace ccrec
