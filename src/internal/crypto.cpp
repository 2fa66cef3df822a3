// SPDX-License-Identifier: Apache-2.0
#include "internal/crypto.hpp"

#include "internal/ascii.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

// CRC-32C instructions: SSE4.2 on x86-64 (chosen at run time, so no -msse4.2 is needed) and the
// ARMv8 CRC32 extension on AArch64 when the compiler targets it. Elsewhere: slicing-by-8.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define CCREC_CRC32C_X86 1
#define CCREC_CRC32C_HW 1
#define CCREC_CRC32C_TARGET __attribute__((target("sse4.2")))
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <arm_acle.h>
#define CCREC_CRC32C_ARM 1
#define CCREC_CRC32C_HW 1
#define CCREC_CRC32C_TARGET
#endif

namespace ccrec::detail {

struct Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  EVP_MD const* md = nullptr;
  ~Impl() {
    if (ctx != nullptr) EVP_MD_CTX_free(ctx);
  }
};

namespace {
EVP_MD const* MdFor(Hasher::Algorithm a) {
  switch (a) {
    case Hasher::Algorithm::kSha256: return EVP_sha256();
    case Hasher::Algorithm::kSha1: return EVP_sha1();
    case Hasher::Algorithm::kMd5: return EVP_md5();
  }
  return EVP_sha256();
}
}  // namespace

Hasher::Hasher(Algorithm algorithm) : impl_(std::make_unique<Impl>()), algorithm_(algorithm) {
  impl_->ctx = EVP_MD_CTX_new();
  impl_->md = MdFor(algorithm);
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr) != 1) {
    throw std::bad_alloc();
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(void const* data, std::size_t size) {
  if (size > 0) EVP_DigestUpdate(impl_->ctx, data, size);
}

std::string Hasher::FinalRaw() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), &len);
  EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr);
  return std::string(reinterpret_cast<char const*>(out.data()), len);
}

std::string Hasher::FinalHex() { return HexEncode(FinalRaw()); }

std::string Sha256Raw(std::string_view data) {
  Hasher h(Hasher::Algorithm::kSha256);
  h.Update(data);
  return h.FinalRaw();
}
std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Raw(data)); }
std::string Md5Raw(std::string_view data) {
  Hasher h(Hasher::Algorithm::kMd5);
  h.Update(data);
  return h.FinalRaw();
}

namespace {
std::string Hmac(EVP_MD const* md, std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  // OpenSSL 3 rejects a null key pointer even with length 0 (a default std::string_view has
  // one), so an empty key always gets a valid pointer.
  static unsigned char const kEmpty = 0;
  void const* key_data = key.empty() ? static_cast<void const*>(&kEmpty) : key.data();
  static unsigned char const kNoData = 0;
  auto const* msg = data.empty() ? &kNoData : reinterpret_cast<unsigned char const*>(data.data());
  if (HMAC(md, key_data, static_cast<int>(key.size()), msg, data.size(), out.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<char const*>(out.data()), len);
}
}  // namespace

std::string HmacSha256Raw(std::string_view key, std::string_view data) { return Hmac(EVP_sha256(), key, data); }
std::string HmacSha1Raw(std::string_view key, std::string_view data) { return Hmac(EVP_sha1(), key, data); }

// ---- CRC-32C (Castagnoli) ----
//
// All paths work on the raw (unconditioned) CRC register: Crc32c() inverts on entry and on exit,
// so that Crc32c(Crc32c(0, a), b) == Crc32c(0, a + b).

namespace {

constexpr std::uint32_t kCrc32cPoly = 0x82F63B78U;  // reflected 0x1EDC6F41

// Slicing-by-8 tables: slice[k][b] is the register after byte b followed by k zero bytes.
struct Crc32cSliceTables {
  std::uint32_t slice[8][256];
};

constexpr Crc32cSliceTables MakeCrc32cSliceTables() {
  Crc32cSliceTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? (kCrc32cPoly ^ (c >> 1)) : (c >> 1);
    t.slice[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) {
      std::uint32_t const prev = t.slice[k - 1][i];
      t.slice[k][i] = (prev >> 8) ^ t.slice[0][prev & 0xFFU];
    }
  }
  return t;
}

constexpr Crc32cSliceTables kCrc32cSlice = MakeCrc32cSliceTables();
static_assert(kCrc32cSlice.slice[0][1] == 0xF26B8303U, "CRC-32C table");
static_assert(kCrc32cSlice.slice[0][255] == 0xAD7D5351U, "CRC-32C table");

// Little-endian 32-bit load, byte by byte: endian-neutral and alignment-free (compilers merge it
// into one load on little-endian targets).
inline std::uint32_t LoadLe32(unsigned char const* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Slicing-by-8 over the raw register.
std::uint32_t Crc32cSlicing8(std::uint32_t crc, unsigned char const* p, std::size_t size) {
  auto const& t = kCrc32cSlice.slice;
  while (size >= 8) {
    std::uint32_t const lo = LoadLe32(p) ^ crc;
    std::uint32_t const hi = LoadLe32(p + 4);
    crc = t[7][lo & 0xFFU] ^ t[6][(lo >> 8) & 0xFFU] ^ t[5][(lo >> 16) & 0xFFU] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFFU] ^ t[2][(hi >> 8) & 0xFFU] ^ t[1][(hi >> 16) & 0xFFU] ^ t[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  for (; size != 0; --size) crc = t[0][(crc ^ *p++) & 0xFFU] ^ (crc >> 8);
  return crc;
}

#if defined(CCREC_CRC32C_HW)

// a * b modulo the CRC-32C polynomial, both in the reflected representation (bit 31 = x^0).
constexpr std::uint32_t Crc32cMultModP(std::uint32_t a, std::uint32_t b) {
  std::uint32_t product = 0;
  for (std::uint32_t m = 1U << 31; m != 0; m >>= 1) {
    if ((a & m) != 0) product ^= b;
    b = (b & 1U) != 0 ? (b >> 1) ^ kCrc32cPoly : b >> 1;
  }
  return product;
}

// x^(8 * bytes) modulo the polynomial: the operator that appends `bytes` zero bytes to a register.
constexpr std::uint32_t Crc32cZerosOperator(std::size_t bytes) {
  std::uint32_t result = 1U << 31;  // x^0
  std::uint32_t square = 1U << 23;  // x^8
  for (; bytes != 0; bytes >>= 1) {
    if ((bytes & 1U) != 0) result = Crc32cMultModP(square, result);
    square = Crc32cMultModP(square, square);
  }
  return result;
}

// Table form of "append N zero bytes" for a fixed N: shift[k][b] = (b << 8k) * x^(8N) mod P.
struct Crc32cShiftTable {
  std::uint32_t shift[4][256];
};

constexpr Crc32cShiftTable MakeCrc32cShiftTable(std::size_t bytes) {
  Crc32cShiftTable t{};
  std::uint32_t const op = Crc32cZerosOperator(bytes);
  for (std::size_t k = 0; k < 4; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) t.shift[k][b] = Crc32cMultModP(op, b << (8 * k));
  }
  return t;
}

// Three interleaved streams hide the crc32 instruction's latency (3 cycles, one issued per
// cycle). Long blocks for bulk data; short blocks so that mid-sized buffers benefit too.
constexpr std::size_t kCrc32cLongBlock = 8192;
constexpr std::size_t kCrc32cShortBlock = 256;
constexpr Crc32cShiftTable kCrc32cLongShift = MakeCrc32cShiftTable(kCrc32cLongBlock);
constexpr Crc32cShiftTable kCrc32cShortShift = MakeCrc32cShiftTable(kCrc32cShortBlock);

inline std::uint32_t Crc32cShift(Crc32cShiftTable const& t, std::uint32_t crc) {
  return t.shift[0][crc & 0xFFU] ^ t.shift[1][(crc >> 8) & 0xFFU] ^ t.shift[2][(crc >> 16) & 0xFFU] ^
         t.shift[3][crc >> 24];
}

inline std::uint64_t Load64(unsigned char const* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(CCREC_CRC32C_X86)
CCREC_CRC32C_TARGET inline std::uint32_t HwCrc64(std::uint32_t crc, std::uint64_t word) {
  return static_cast<std::uint32_t>(_mm_crc32_u64(crc, word));
}
CCREC_CRC32C_TARGET inline std::uint32_t HwCrc8(std::uint32_t crc, unsigned char byte) {
  return _mm_crc32_u8(crc, byte);
}
#else
inline std::uint32_t HwCrc64(std::uint32_t crc, std::uint64_t word) { return __crc32cd(crc, word); }
inline std::uint32_t HwCrc8(std::uint32_t crc, unsigned char byte) { return __crc32cb(crc, byte); }
#endif

// Consumes whole groups of three kBlock-byte blocks from p/size, one stream per block, and
// combines the three registers with the "append kBlock zero bytes" table.
template <std::size_t kBlock>
CCREC_CRC32C_TARGET inline std::uint32_t Crc32cHardwareBlocks(std::uint32_t crc, unsigned char const*& p,
                                                              std::size_t& size, Crc32cShiftTable const& shift) {
  while (size >= 3 * kBlock) {
    std::uint32_t crc1 = 0;
    std::uint32_t crc2 = 0;
    for (std::size_t i = 0; i < kBlock; i += 8) {
      crc = HwCrc64(crc, Load64(p + i));
      crc1 = HwCrc64(crc1, Load64(p + kBlock + i));
      crc2 = HwCrc64(crc2, Load64(p + 2 * kBlock + i));
    }
    crc = Crc32cShift(shift, crc) ^ crc1;
    crc = Crc32cShift(shift, crc) ^ crc2;
    p += 3 * kBlock;
    size -= 3 * kBlock;
  }
  return crc;
}

// CRC instruction path (SSE4.2 crc32 or ARMv8 CRC32CX) over the raw register.
CCREC_CRC32C_TARGET std::uint32_t Crc32cHardware(std::uint32_t crc, unsigned char const* p, std::size_t size) {
  for (; size != 0 && (reinterpret_cast<std::uintptr_t>(p) & 7U) != 0; --size) crc = HwCrc8(crc, *p++);
  crc = Crc32cHardwareBlocks<kCrc32cLongBlock>(crc, p, size, kCrc32cLongShift);
  crc = Crc32cHardwareBlocks<kCrc32cShortBlock>(crc, p, size, kCrc32cShortShift);
  for (; size >= 8; size -= 8, p += 8) crc = HwCrc64(crc, Load64(p));
  for (; size != 0; --size) crc = HwCrc8(crc, *p++);
  return crc;
}

#endif  // CCREC_CRC32C_HW

using Crc32cFunction = std::uint32_t (*)(std::uint32_t, unsigned char const*, std::size_t);

Crc32cFunction SelectCrc32c() {
#if defined(CCREC_CRC32C_X86) && defined(__SSE4_2__)
  return &Crc32cHardware;
#elif defined(CCREC_CRC32C_X86)
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") ? &Crc32cHardware : &Crc32cSlicing8;
#elif defined(CCREC_CRC32C_ARM)
  return &Crc32cHardware;
#else
  return &Crc32cSlicing8;
#endif
}

}  // namespace

std::uint32_t Crc32c(std::uint32_t crc, void const* data, std::size_t size) {
  static Crc32cFunction const impl = SelectCrc32c();
  return ~impl(~crc, static_cast<unsigned char const*>(data), size);
}

std::uint32_t Crc32cSoftware(std::uint32_t crc, void const* data, std::size_t size) {
  return ~Crc32cSlicing8(~crc, static_cast<unsigned char const*>(data), size);
}

std::string HexEncode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) AppendHexByte(out, c);
  return out;
}

std::string Base64Encode(std::string_view raw) {
  if (raw.empty()) return {};
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<unsigned char const*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

namespace {
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

// Strict RFC 4648 decoding (EVP_DecodeBlock accepts '=' in the middle, "====" and surrounding
// whitespace, and cannot tell padding from encoded zero bytes).
bool Base64Decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  std::string buf;
  buf.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool const last = i + 4 == text.size();
    std::uint32_t n = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      int v = 0;
      if (c == '=') {
        if (!last || k < 2) return false;  // padding only in the last quantum's last two places
        ++pad;
      } else {
        if (pad > 0) return false;  // data after padding
        v = Base64Value(c);
        if (v < 0) return false;
      }
      n = (n << 6) | static_cast<std::uint32_t>(v);
    }
    buf += static_cast<char>((n >> 16) & 0xFFU);
    if (pad < 2) buf += static_cast<char>((n >> 8) & 0xFFU);
    if (pad < 1) buf += static_cast<char>(n & 0xFFU);
  }
  out = std::move(buf);
  return true;
}

std::string RandomBytes(std::size_t count) {
  std::string out(count, '\0');
  if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0FU) | 0x40U);
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3FU) | 0x80U);
  std::string h = HexEncode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace ccrec::detail
