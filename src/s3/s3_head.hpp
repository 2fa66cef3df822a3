// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: turns a HeadObject response into ObjectInfo (size, ETag, sha256 and user metadata,
// the server-confirmed checksum). Not installed.

#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include "s3/s3_request.hpp"

#include <string>

namespace ccrec::s3::detail {

/// ObjectInfo of a 200 HeadObject response for `key` (`where` names the object in errors).
/// `checksum_header` ("x-amz-checksum-crc32c", empty for none) and `checksum_prefix` ("crc32c:")
/// select the checksum to report. Every `x-amz-meta-NAME` header lands in metadata["name"]
/// (lower-cased); a 64-hex `x-amz-meta-sha256` also sets sha256_hex.
/// @return kParse when Content-Length is missing or malformed.
Result<ObjectInfo> ObjectInfoFromHead(S3Response const& r, std::string const& key, std::string const& where,
                                      std::string const& checksum_header, std::string const& checksum_prefix);

}  // namespace ccrec::s3::detail
