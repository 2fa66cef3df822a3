// SPDX-License-Identifier: Apache-2.0
// v1 base URLs (reference webex-legacy-v1.md §2).

#include <ccrec/webex_legacy/regions.hpp>

#include "internal/wxcc_regions.hpp"

namespace ccrec::webex_legacy {

std::vector<std::string> const& KnownRegions() { return ::ccrec::detail::WxccDataCentres(); }

Result<std::string> BaseUrlForRegion(std::string_view dc) {
  return ::ccrec::detail::WxccBaseUrl(dc, "rest", "for the legacy v1 API", "v1 base URL");
}

}  // namespace ccrec::webex_legacy
