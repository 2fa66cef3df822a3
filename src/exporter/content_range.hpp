#pragma once
// Internal: Content-Range parsing for resumed media downloads. Not installed.

#include <ccrec/core/export.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace exporter {
namespace internal {

/// "bytes START-END/TOTAL" -> START (leading spaces allowed; at most 19 digits); nullopt when the
/// value does not start that way. Separate from exporter.cpp so the fuzz target can reach it.
CCREC_EXPORT std::optional<std::uint64_t> ContentRangeStart(std::string const& value);

}  // namespace internal
}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
