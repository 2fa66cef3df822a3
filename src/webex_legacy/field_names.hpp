// SPDX-License-Identifier: Apache-2.0
#pragma once
// The v1 field names ccrec knows (reference webex-legacy-v1.md §4, §5): what tells a v1 record, or a
// CSV header, from an error text or an error object answered with status 200. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <string_view>

namespace ccrec::webex_legacy::detail {

/// Whether `name` is one of the v1 record fields ccrec's models read and the emulator serves
/// (`sid`, `id`, `session`, `cstts`, `agentId`, …), matched exactly (case-sensitive).
/// @par Thread safety
/// Pure function.
bool IsV1FieldName(std::string_view name) noexcept;

}  // namespace ccrec::webex_legacy::detail
