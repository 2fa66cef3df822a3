// SPDX-License-Identifier: Apache-2.0
#include "transport/ca_bundle.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ccrec::detail {
namespace {

std::string OpenSslErrorText() {
  unsigned long const code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

}  // namespace

Result<std::shared_ptr<CaBundle const>> CaBundle::Load(std::string const& path) {
  ERR_clear_error();
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) {
    int const err = errno;
    ERR_clear_error();
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot read the CA file '" + path + "' (ca_file / --ca-file): " +
                         (err != 0 ? std::strerror(err) : std::string("open failed")));
  }
  std::shared_ptr<CaBundle> bundle(new CaBundle());
  for (;;) {
    // PEM_read_bio_X509_AUX accepts both "CERTIFICATE" and "TRUSTED CERTIFICATE" blocks.
    X509* cert = PEM_read_bio_X509_AUX(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    bundle->certs_.push_back(cert);
  }
  unsigned long const last = ERR_peek_last_error();
  bool const clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  std::string const detail = clean_end ? std::string() : OpenSslErrorText();
  ERR_clear_error();
  BIO_free(bio);
  if (!clean_end) {
    return MakeError(ErrorCode::kInvalidArgument, "the CA file '" + path +
                                                      "' (ca_file / --ca-file) holds a malformed PEM certificate: " +
                                                      detail);
  }
  if (bundle->certs_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the CA file '" + path + "' (ca_file / --ca-file) holds no PEM certificate");
  }
  return std::shared_ptr<CaBundle const>(std::move(bundle));
}

CaBundle::~CaBundle() {
  for (void* cert : certs_) X509_free(static_cast<X509*>(cert));
}

void CaBundle::AddToSslCtx(void* ssl_ctx) const {
  if (ssl_ctx == nullptr) return;
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  if (store == nullptr) return;
  for (void* cert : certs_) {
    // Returns 0 (with a queued error on older OpenSSL) when the certificate is already there,
    // e.g. when libcurl reuses a cached store; that is fine.
    (void)X509_STORE_add_cert(store, static_cast<X509*>(cert));
  }
  ERR_clear_error();
}

}  // namespace ccrec::detail
