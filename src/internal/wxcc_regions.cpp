// SPDX-License-Identifier: Apache-2.0
#include "internal/ascii.hpp"
#include "internal/wxcc_regions.hpp"

#include <cctype>

namespace ccrec::detail {

std::vector<std::string> const& WxccDataCentres() {
  static std::vector<std::string> const kRegions{"us1", "eu1", "eu2", "anz1", "ca1", "jp1", "sg1"};
  return kRegions;
}

Result<std::string> WxccBaseUrl(std::string_view dc, std::string_view host_prefix, std::string_view api_clause,
                                std::string_view base_url_name) {
  std::string lower = ToLowerAscii(dc);
  for (auto const& region : WxccDataCentres()) {
    if (lower == region) return "https://" + std::string(host_prefix) + ".wxcc-" + region + ".cisco.com";
  }
  std::string valid;
  for (auto const& region : WxccDataCentres()) valid += (valid.empty() ? "" : ", ") + region;
  std::string clause = api_clause.empty() ? std::string() : " " + std::string(api_clause);
  return MakeError(ErrorCode::kInvalidArgument, "unknown Webex Contact Center region \"" + std::string(dc) + "\"" +
                                                    clause + "; valid regions: " + valid + " (or give the " +
                                                    std::string(base_url_name) + " explicitly)");
}

}  // namespace ccrec::detail
