// SPDX-License-Identifier: Apache-2.0
// Webex CC data centres (reference webex-cc.md §3).

#include <ccrec/webex/regions.hpp>

#include "internal/wxcc_regions.hpp"

namespace ccrec::webex {

std::vector<std::string> const& KnownRegions() { return ::ccrec::detail::WxccDataCentres(); }

Result<std::string> BaseUrlForRegion(std::string_view dc) {
  return ::ccrec::detail::WxccBaseUrl(dc, "api", "", "API base URL");
}

}  // namespace ccrec::webex
