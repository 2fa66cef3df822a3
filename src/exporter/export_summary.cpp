// SPDX-License-Identifier: Apache-2.0
// ExportSummary::LastLine() and Superseded() (exporter.hpp, recording_source.hpp).
#include <ccrec/exporter/exporter.hpp>

#include <string>
#include <utility>

namespace ccrec::exporter {

std::string ExportSummary::LastLine() const {
  return Line() + " bytes=" + std::to_string(bytes);
}

Error Superseded(std::string reason) {
  Error e = MakeError(ErrorCode::kInternal, std::move(reason));
  e.vendor_code = kSupersededVendorCode;
  return e;
}

bool IsSuperseded(Error const& error) noexcept { return error.vendor_code == kSupersededVendorCode; }

}  // namespace ccrec::exporter
