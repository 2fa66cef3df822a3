// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The versioned namespace, declared once: `ccrec::v1` (inline) and every area namespace inside it.
///
/// Only this file (and the core headers, whose names live directly in `ccrec::v1`) spells
/// `inline namespace v1`. Every other file opens its area with a C++17 nested namespace definition,
/// `namespace ccrec::webex {`: because `webex` was declared here inside the inline namespace, the
/// definition extends `ccrec::v1::webex` ([namespace.def]: a name found in the inline namespace set
/// is extended, not redeclared), so every symbol still carries `v1` (docs/compatibility.md, "The
/// inline namespace `v1`"). Moving to `v2` changes this file and the core headers, not 250 others.
///
/// A new area is added to the list below. Opening `namespace ccrec::area {` for an area missing
/// here would create an unversioned namespace: the `style.namespaces` test rejects it (and the
/// `abi.exported_symbols` test any exported symbol outside `ccrec::v1`). Included by
/// ccrec/core/export.hpp, so every ccrec header brings it. Not part of the API.

namespace ccrec {
inline namespace v1 {
namespace detail {}
namespace exporter {}
namespace face {}
namespace huawei {}
namespace manifest_sqlite {}
namespace redis {}
namespace s3 {}
namespace testing {}
namespace webex {}
namespace webex_legacy {}
}  // namespace v1
}  // namespace ccrec
