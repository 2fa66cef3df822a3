// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: hashing, HMAC, base64 and hex over OpenSSL, and CRC-32C. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec::detail {

/// Incremental hash (SHA-256, SHA-1 or MD5) over OpenSSL EVP.
class Hasher {
 public:
  enum class Algorithm { kSha256, kSha1, kMd5 };
  explicit Hasher(Algorithm algorithm = Algorithm::kSha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(Hasher const&) = delete;
  Hasher& operator=(Hasher const&) = delete;

  void Update(void const* data, std::size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  /// Raw digest bytes; the hasher is reset afterwards.
  std::string FinalRaw();
  /// Lower-case hex digest; the hasher is reset afterwards.
  std::string FinalHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Algorithm algorithm_;
};

std::string Sha256Raw(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Md5Raw(std::string_view data);
std::string HmacSha256Raw(std::string_view key, std::string_view data);
std::string HmacSha1Raw(std::string_view key, std::string_view data);
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF):
/// the checksum of iSCSI (RFC 3720) and of S3's x-amz-checksum-crc32c. Crc32c(0, "123456789", 9)
/// is 0xE3069283.
///
/// Incremental: `crc` is the finished CRC of the data before `data` (0 to start), and the result is
/// the finished CRC of everything so far, so Crc32c(Crc32c(0, a, n), b, m) equals the CRC of a
/// followed by b. `data` may be null when `size` is 0, and needs no particular alignment.
///
/// The implementation is chosen once, at the first call: the SSE4.2 crc32 instruction on x86-64
/// CPUs that have it (three interleaved streams, no -msse4.2 needed at build time), the ARMv8 CRC32
/// instructions on AArch64 when the compiler targets them, and portable slicing-by-8 otherwise.
/// All give the same result.
///
/// @par Thread safety
/// Safe to call concurrently from any number of threads; it keeps no state between calls.
std::uint32_t Crc32c(std::uint32_t crc, void const* data, std::size_t size);
/// Crc32c() forced onto the portable slicing-by-8 path, whatever the CPU; for tests and benchmarks.
std::uint32_t Crc32cSoftware(std::uint32_t crc, void const* data, std::size_t size);

std::string HexEncode(std::string_view raw);
std::string Base64Encode(std::string_view raw);
/// Standard alphabet with padding; returns false on malformed input.
bool Base64Decode(std::string_view text, std::string& out);
/// Whether `a` and `b` are equal, in time that depends on their length only (OpenSSL's
/// CRYPTO_memcmp): for comparing a secret-derived value, such as an HMAC, with one an attacker sent.
/// Different lengths compare unequal at once (the length is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
/// Cryptographically random bytes.
std::string RandomBytes(std::size_t count);
/// Random RFC 4122 version-4 UUID, lower case.
std::string NewUuid();

}  // namespace ccrec::detail
