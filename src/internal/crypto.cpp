#include "internal/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace ccrec {
inline namespace v1 {
namespace internal {

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

namespace {
std::array<std::uint32_t, 256> MakeCrc32cTable() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? (0x82F63B78U ^ (c >> 1)) : (c >> 1);
    t[i] = c;
  }
  return t;
}
}  // namespace

std::uint32_t Crc32c(std::uint32_t crc, void const* data, std::size_t size) {
  static const auto table = MakeCrc32cTable();
  auto const* p = static_cast<unsigned char const*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

std::string HexEncode(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
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

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0FU) | 0x40U);
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3FU) | 0x80U);
  std::string h = HexEncode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
