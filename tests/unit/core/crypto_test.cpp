// SPDX-License-Identifier: Apache-2.0
// internal/crypto.hpp against published test vectors.

#include "internal/crypto.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::HexEncode;

std::string Bytes(int value, std::size_t count) { return std::string(count, static_cast<char>(value)); }

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(::ccrec::detail::Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(::ccrec::detail::Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(::ccrec::detail::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(::ccrec::detail::Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(::ccrec::detail::Sha256Raw("abc").size(), 32u);
  EXPECT_EQ(HexEncode(::ccrec::detail::Sha256Raw("abc")), ::ccrec::detail::Sha256Hex("abc"));
}

TEST(Hasher, IncrementalEqualsOneShotAndResets) {
  std::string data(100000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ::ccrec::detail::Hasher h;
  for (std::size_t off = 0; off < data.size(); off += 999) h.Update(std::string_view(data).substr(off, 999));
  h.Update(nullptr, 0);
  EXPECT_EQ(h.FinalHex(), ::ccrec::detail::Sha256Hex(data));
  EXPECT_EQ(h.FinalHex(), ::ccrec::detail::Sha256Hex("")) << "FinalHex resets the hasher";
  h.Update("abc");
  EXPECT_EQ(h.FinalHex(), ::ccrec::detail::Sha256Hex("abc"));
}

TEST(Hasher, Sha1AndMd5) {
  ::ccrec::detail::Hasher sha1(::ccrec::detail::Hasher::Algorithm::kSha1);
  sha1.Update("abc");
  EXPECT_EQ(sha1.FinalHex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  ::ccrec::detail::Hasher md5(::ccrec::detail::Hasher::Algorithm::kMd5);
  md5.Update("The quick brown fox jumps over the lazy dog");
  EXPECT_EQ(md5.FinalHex(), "9e107d9d372bb6826bd81d3542a419d6");
  ::ccrec::detail::Hasher moved = std::move(md5);
  moved.Update("abc");
  EXPECT_EQ(moved.FinalHex(), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Md5, KnownVectors) {
  EXPECT_EQ(HexEncode(::ccrec::detail::Md5Raw("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(::ccrec::detail::Md5Raw("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(HexEncode(::ccrec::detail::Md5Raw("The quick brown fox jumps over the lazy dog")),
            "9e107d9d372bb6826bd81d3542a419d6");
  // S3 Content-MD5 is the base64 of the raw digest.
  EXPECT_EQ(::ccrec::detail::Base64Encode(::ccrec::detail::Md5Raw("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST(HmacSha256, Rfc4231) {
  using ::ccrec::detail::HmacSha256Raw;
  EXPECT_EQ(HexEncode(HmacSha256Raw(Bytes(0x0b, 20), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256Raw("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexEncode(HmacSha256Raw(Bytes(0xaa, 20), Bytes(0xdd, 50))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  EXPECT_EQ(HexEncode(HmacSha256Raw(key4, Bytes(0xcd, 50))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(HexEncode(HmacSha256Raw(Bytes(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HexEncode(HmacSha256Raw(Bytes(0xaa, 131),
                                    "This is a test using a larger than block-size key and a larger than block-size "
                                    "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, EmptyKeyAndData) {
  EXPECT_EQ(HexEncode(::ccrec::detail::HmacSha256Raw("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(HexEncode(::ccrec::detail::HmacSha256Raw(std::string_view(), std::string_view())),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha1, Rfc2202) {
  using ::ccrec::detail::HmacSha1Raw;
  EXPECT_EQ(HexEncode(HmacSha1Raw(Bytes(0x0b, 20), "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HexEncode(HmacSha1Raw("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HexEncode(HmacSha1Raw(Bytes(0xaa, 20), Bytes(0xdd, 50))), "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  EXPECT_EQ(HexEncode(HmacSha1Raw(Bytes(0xaa, 80), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Crc32c, KnownVectors) {
  std::string const check = "123456789";
  EXPECT_EQ(::ccrec::detail::Crc32c(0, check.data(), check.size()), 0xE3069283U);
  EXPECT_EQ(::ccrec::detail::Crc32c(0, nullptr, 0), 0U);
  std::string zeros(32, '\0');
  EXPECT_EQ(::ccrec::detail::Crc32c(0, zeros.data(), zeros.size()), 0x8A9136AAU);  // RFC 3720 B.4
  std::string ones(32, '\xff');
  EXPECT_EQ(::ccrec::detail::Crc32c(0, ones.data(), ones.size()), 0x62A8AB43U);
}

TEST(Crc32c, Incremental) {
  std::string const check = "123456789";
  std::uint32_t crc = 0;
  for (char c : check) crc = ::ccrec::detail::Crc32c(crc, &c, 1);
  EXPECT_EQ(crc, 0xE3069283U);
  crc = ::ccrec::detail::Crc32c(::ccrec::detail::Crc32c(0, check.data(), 4), check.data() + 4, 5);
  EXPECT_EQ(crc, 0xE3069283U);
}

// Bit-at-a-time CRC-32C, straight from the definition, as the reference for every implementation.
std::uint32_t ReferenceCrc32c(std::uint32_t crc, unsigned char const* p, std::size_t size) {
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1U) != 0 ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
  }
  return ~crc;
}

std::vector<unsigned char> PseudoRandomBytes(std::size_t size, std::uint64_t seed) {
  std::vector<unsigned char> out(size);
  std::uint64_t x = seed;
  for (auto& b : out) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // 64-bit LCG, high byte
    b = static_cast<unsigned char>(x >> 56);
  }
  return out;
}

using Crc32cFunction = std::uint32_t (*)(std::uint32_t, void const*, std::size_t);

struct Crc32cImpl {
  char const* name;
  Crc32cFunction fn;
};

// The dispatched function (SSE4.2 / ARMv8 CRC where available) and the forced software path.
std::vector<Crc32cImpl> Crc32cImpls() {
  return {{"Crc32c", &::ccrec::detail::Crc32c}, {"Crc32cSoftware", &::ccrec::detail::Crc32cSoftware}};
}

TEST(Crc32c, Rfc3720AndCheckVectorsOnEveryPath) {
  std::vector<unsigned char> const zeros(32, 0x00);
  std::vector<unsigned char> const ones(32, 0xFF);
  std::vector<unsigned char> ascending(32);
  std::vector<unsigned char> descending(32);
  for (std::size_t i = 0; i < 32; ++i) {
    ascending[i] = static_cast<unsigned char>(i);
    descending[i] = static_cast<unsigned char>(31 - i);
  }
  std::string const check = "123456789";
  for (auto const& impl : Crc32cImpls()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(0, zeros.data(), zeros.size()), 0x8A9136AAU);  // RFC 3720 B.4
    EXPECT_EQ(impl.fn(0, ones.data(), ones.size()), 0x62A8AB43U);
    EXPECT_EQ(impl.fn(0, ascending.data(), ascending.size()), 0x46DD794EU);
    EXPECT_EQ(impl.fn(0, descending.data(), descending.size()), 0x113FDB5CU);
    EXPECT_EQ(impl.fn(0, check.data(), check.size()), 0xE3069283U);
    EXPECT_EQ(impl.fn(0, nullptr, 0), 0U);
    EXPECT_EQ(impl.fn(0x12345678U, nullptr, 0), 0x12345678U);
  }
  EXPECT_EQ(ReferenceCrc32c(0, zeros.data(), zeros.size()), 0x8A9136AAU);
  EXPECT_EQ(ReferenceCrc32c(0, ascending.data(), ascending.size()), 0x46DD794EU);
}

// Every length 0..300 at every start offset 0..15 (unaligned heads and tails), each copied into its
// own allocation that ends where the data ends, so that AddressSanitizer catches any over-read.
TEST(Crc32c, EveryLengthAndOffsetMatchesReference) {
  auto const source = PseudoRandomBytes(300, 1);
  for (std::size_t len = 0; len <= 300; ++len) {
    std::uint32_t const expected = ReferenceCrc32c(0, source.data(), len);
    std::uint32_t const expected_chained = ReferenceCrc32c(0xDEADBEEFU, source.data(), len);
    for (std::size_t offset = 0; offset < 16; ++offset) {
      std::vector<unsigned char> buf(offset + len);
      std::copy(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(len),
                buf.begin() + static_cast<std::ptrdiff_t>(offset));
      unsigned char const* p = buf.data() + offset;
      for (auto const& impl : Crc32cImpls()) {
        ASSERT_EQ(impl.fn(0, p, len), expected) << impl.name << " offset " << offset << " length " << len;
        ASSERT_EQ(impl.fn(0xDEADBEEFU, p, len), expected_chained)
            << impl.name << " offset " << offset << " length " << len;
      }
    }
  }
}

// Lengths around the hardware path's block sizes: three interleaved 256-byte and 8 KiB blocks.
TEST(Crc32c, BlockBoundaryLengthsMatchReference) {
  auto const source = PseudoRandomBytes(3 * 3 * 8192 + 3 * 256 + 64, 2);
  std::vector<std::size_t> lengths;
  for (std::size_t base : {std::size_t{3 * 256}, std::size_t{2 * 3 * 256}, std::size_t{3 * 8192},
                           std::size_t{3 * 8192 + 3 * 256}, std::size_t{2 * 3 * 8192},
                           std::size_t{3 * 3 * 8192 + 3 * 256}}) {
    for (std::size_t delta = 0; delta < 17; ++delta) lengths.push_back(base + delta - 8);
  }
  for (std::size_t len : lengths) {
    std::uint32_t const expected = ReferenceCrc32c(0, source.data(), len);
    for (std::size_t offset = 0; offset < 8; ++offset) {
      std::vector<unsigned char> buf(offset + len);
      std::copy(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(len),
                buf.begin() + static_cast<std::ptrdiff_t>(offset));
      unsigned char const* p = buf.data() + offset;
      for (auto const& impl : Crc32cImpls()) {
        ASSERT_EQ(impl.fn(0, p, len), expected) << impl.name << " offset " << offset << " length " << len;
      }
    }
  }
}

TEST(Crc32c, ChainingEqualsOneShot) {
  auto const data = PseudoRandomBytes(100000, 3);
  std::uint32_t const whole = ReferenceCrc32c(0, data.data(), data.size());
  for (auto const& impl : Crc32cImpls()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(0, data.data(), data.size()), whole);
    std::size_t const splits[] = {0, 1, 3, 7, 8, 9, 255, 256, 767, 768, 769, 4096, 24575, 24576, 24577, 50001, 99999,
                                  100000};
    for (std::size_t split : splits) {
      std::uint32_t const a = impl.fn(0, data.data(), split);
      EXPECT_EQ(impl.fn(a, data.data() + split, data.size() - split), whole) << "split at " << split;
    }
    // Uneven pieces, as an upload stream would feed them.
    std::uint32_t crc = 0;
    std::size_t pos = 0;
    for (std::size_t piece = 1; pos < data.size(); piece = piece * 3 + 1) {
      std::size_t const n = std::min(piece % 30011, data.size() - pos);
      crc = impl.fn(crc, data.data() + pos, n);
      pos += n;
    }
    EXPECT_EQ(crc, whole);
  }
}

TEST(Crc32c, SeveralMebibytesOfPseudoRandomData) {
  auto const data = PseudoRandomBytes((3 << 20) + 12345, 4);
  std::uint32_t const expected = ReferenceCrc32c(0, data.data(), data.size());
  for (auto const& impl : Crc32cImpls()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(0, data.data(), data.size()), expected);
    EXPECT_EQ(impl.fn(0, data.data() + 5, data.size() - 5), ReferenceCrc32c(0, data.data() + 5, data.size() - 5));
  }
}

TEST(HexEncode, LowerCase) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

TEST(Base64, Rfc4648Vectors) {
  using ::ccrec::detail::Base64Encode;
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\xfd", 3)), "//79");
}

TEST(Base64, DecodeVectors) {
  std::string out = "junk";
  for (auto [text, plain] : std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                                            {"Zg==", "f"},
                                                                            {"Zm8=", "fo"},
                                                                            {"Zm9v", "foo"},
                                                                            {"Zm9vYg==", "foob"},
                                                                            {"Zm9vYmE=", "fooba"},
                                                                            {"Zm9vYmFy", "foobar"},
                                                                            {"//79", "\xff\xfe\xfd"},
                                                                            {"AA==", std::string(1, '\0')},
                                                                            {"AAAA", std::string(3, '\0')}}) {
    ASSERT_TRUE(::ccrec::detail::Base64Decode(text, out)) << text;
    EXPECT_EQ(out, plain) << text;
  }
}

TEST(Base64, RoundTripAllLengths) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    std::string decoded;
    ASSERT_TRUE(::ccrec::detail::Base64Decode(::ccrec::detail::Base64Encode(data), decoded)) << i;
    EXPECT_EQ(decoded, data) << i;
    data += static_cast<char>(i * 37);
  }
}

TEST(Base64, MalformedRejected) {
  for (std::string bad : std::vector<std::string>{"Z", "Zg", "Zg=", "Zm9vY", "====", "Z===", "=Zg=", "Zg==Zg==", "Zm9v====", "Zm=v",
                          "Zm9v!A==", "Zm9-", "Zm9_", " Zm9v", "Zm9v ", "Zm9v\n", "Zm 9v", std::string("Zg\0=", 4),
                          "Zm9vYg=a"}) {
    std::string out = "unchanged?";
    EXPECT_FALSE(::ccrec::detail::Base64Decode(bad, out)) << "accepted \"" << bad << "\" as \"" << out << "\"";
  }
}

TEST(RandomBytes, SizeAndVariety) {
  EXPECT_EQ(::ccrec::detail::RandomBytes(0).size(), 0u);
  auto a = ::ccrec::detail::RandomBytes(32);
  auto b = ::ccrec::detail::RandomBytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(NewUuid, Version4Format) {
  std::regex const re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = ::ccrec::detail::NewUuid();
    ASSERT_EQ(id.size(), 36u);
    ASSERT_TRUE(std::regex_match(id, re)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace ccrec

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  using ::ccrec::detail::ConstantTimeEquals;
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}
