// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: an extra PEM CA bundle added to OpenSSL's trust store next to the system CAs.
// Not installed.

#include <ccrec/core/result.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ccrec::detail {

/// The certificates of one PEM file, parsed once and added to the `X509_STORE` of every TLS
/// context libcurl creates (through CURLOPT_SSL_CTX_FUNCTION). libcurl has already loaded its
/// default CA bundle into that store when the callback runs, so the system CAs stay trusted.
///
/// @par Thread safety
/// Immutable after Load(); AddTo() may run concurrently on distinct stores.
class CaBundle {
 public:
  /// Reads every `CERTIFICATE` / `TRUSTED CERTIFICATE` PEM block of `path`.
  /// @return kInvalidArgument when the file cannot be read, is malformed, or holds no
  ///         certificate.
  static Result<std::shared_ptr<CaBundle const>> Load(std::string const& path);

  ~CaBundle();
  CaBundle(CaBundle const&) = delete;
  CaBundle& operator=(CaBundle const&) = delete;

  /// Adds every certificate to the certificate store of `ssl_ctx` (an OpenSSL `SSL_CTX*`, as
  /// passed to CURLOPT_SSL_CTX_FUNCTION). Certificates already present are skipped. Clears the
  /// OpenSSL error queue it may have filled.
  void AddToSslCtx(void* ssl_ctx) const;

  std::size_t size() const noexcept { return certs_.size(); }

 private:
  CaBundle() = default;
  std::vector<void*> certs_;  // X509*, owned
};

}  // namespace ccrec::detail
