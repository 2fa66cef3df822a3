// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the XML reader/writer of src/internal as `xml::` inside ccrec::s3::detail, for the S3
// and STS request and response bodies. Not installed.

#include "internal/xml.hpp"

namespace ccrec::s3::detail {
namespace xml = ::ccrec::detail::xml;
}  // namespace ccrec::s3::detail
