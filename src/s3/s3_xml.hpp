// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the XML reader/writer of src/internal as `xml::` inside ccrec::s3::detail, for the S3
// and STS request and response bodies. Not installed.

#include "internal/xml.hpp"

namespace ccrec {
inline namespace v1 {
namespace s3 {
namespace detail {
namespace xml = ::ccrec::detail::xml;
}  // namespace detail
}  // namespace s3
}  // namespace v1
}  // namespace ccrec
