// SPDX-License-Identifier: Apache-2.0
// internal/ascii.hpp: locale-independent ASCII case helpers.

#include "internal/ascii.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

namespace ccrec {
namespace {

using ::ccrec::detail::AppendHexByte;
using ::ccrec::detail::AsciiLower;
using ::ccrec::detail::AsciiUpper;
using ::ccrec::detail::ContainsIgnoreCase;
using ::ccrec::detail::EqualsIgnoreCase;
using ::ccrec::detail::EscapeBytes;
using ::ccrec::detail::FindIgnoreCase;
using ::ccrec::detail::PrintableAscii;
using ::ccrec::detail::StartsWithIgnoreCase;
using ::ccrec::detail::ToLowerAscii;
using ::ccrec::detail::ToUpperAscii;

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower('A'), 'a');
  EXPECT_EQ(AsciiLower('Z'), 'z');
  EXPECT_EQ(AsciiLower('a'), 'a');
  EXPECT_EQ(AsciiLower('@'), '@') << "the byte before 'A'";
  EXPECT_EQ(AsciiLower('['), '[') << "the byte after 'Z'";
  EXPECT_EQ(AsciiUpper('a'), 'A');
  EXPECT_EQ(AsciiUpper('z'), 'Z');
  EXPECT_EQ(AsciiUpper('`'), '`');
  EXPECT_EQ(AsciiUpper('{'), '{');
  for (int b = 0x80; b <= 0xff; ++b) {
    char c = static_cast<char>(b);
    EXPECT_EQ(AsciiLower(c), c) << b;
    EXPECT_EQ(AsciiUpper(c), c) << b;
  }
  EXPECT_EQ(ToLowerAscii("Content-Type: Audio/WAV; X=1"), "content-type: audio/wav; x=1");
  EXPECT_EQ(ToUpperAscii("sha256-Abc"), "SHA256-ABC");
  EXPECT_EQ(ToLowerAscii(""), "");
  EXPECT_EQ(ToLowerAscii(std::string("A\0B", 3)), std::string("a\0b", 3));
  static_assert(AsciiLower('Q') == 'q', "usable in constant expressions");
}

TEST(Ascii, EqualsStartsWithContains) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abd"));
  EXPECT_FALSE(EqualsIgnoreCase("@", "`")) << "0x40 and 0x60 differ by the case bit but are not letters";
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));

  EXPECT_TRUE(StartsWithIgnoreCase("Bytes 0-1/2", "bytes "));
  EXPECT_TRUE(StartsWithIgnoreCase("abc", ""));
  EXPECT_FALSE(StartsWithIgnoreCase("by", "bytes"));

  EXPECT_TRUE(ContainsIgnoreCase("The Password has EXPIRED", "expired"));
  EXPECT_TRUE(ContainsIgnoreCase("abc", ""));
  EXPECT_TRUE(ContainsIgnoreCase("", ""));
  EXPECT_FALSE(ContainsIgnoreCase("", "a"));
  EXPECT_FALSE(ContainsIgnoreCase("expire", "expired"));
  EXPECT_EQ(FindIgnoreCase("aXbxc", "X"), 1u);
  EXPECT_EQ(FindIgnoreCase("aXbxc", "X", 2), 3u);
  EXPECT_EQ(FindIgnoreCase("abc", "c", 3), std::string_view::npos);
  EXPECT_EQ(FindIgnoreCase("abc", "", 3), 3u);
  EXPECT_EQ(FindIgnoreCase("abc", "", 4), std::string_view::npos);
}

TEST(Ascii, HexDigitsAndByteEscapes) {
  std::string out;
  for (unsigned char c : {0x00, 0x09, 0x7f, 0xab, 0xff}) AppendHexByte(out, c);
  EXPECT_EQ(out, "00097fabff");
  out.clear();
  AppendHexByte(out, 0xab, /*upper=*/true);
  EXPECT_EQ(out, "AB");
  EXPECT_EQ(PrintableAscii(std::string("RIFF\0\t\x7f\xc3\xa9~ ", 11)), "RIFF\\x00\\x09\\x7f\\xc3\\xa9~ ");
  EXPECT_EQ(EscapeBytes("a-b", [](unsigned char c) { return c != '-'; }), "a\\x2db");
  EXPECT_EQ(PrintableAscii(""), "");
}

TEST(Ascii, IndependentOfTheCLocale) {
  // In a Latin-1 locale std::tolower folds 0xC9 (E acute) to 0xE9; protocol text must not.
  char const* set = nullptr;
  for (char const* name : {"en_US.ISO-8859-1", "en_US.iso88591", "de_DE.ISO-8859-1", "fr_FR.ISO-8859-1"}) {
    if ((set = std::setlocale(LC_ALL, name)) != nullptr) break;
  }
  if (set == nullptr) GTEST_SKIP() << "no ISO-8859-1 locale installed";
  EXPECT_EQ(ToLowerAscii("CAF\xc9"), "caf\xc9");
  EXPECT_EQ(ToUpperAscii("caf\xe9"), "CAF\xe9");
  EXPECT_FALSE(EqualsIgnoreCase("\xc9", "\xe9"));
  EXPECT_FALSE(ContainsIgnoreCase("x\xc9y", "\xe9"));
  EXPECT_TRUE(EqualsIgnoreCase("\xc9T\xc9", "\xc9t\xc9"));
  std::setlocale(LC_ALL, "C");
}

}  // namespace
}  // namespace ccrec
