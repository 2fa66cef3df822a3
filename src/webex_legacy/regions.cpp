// v1 base URLs (reference webex-legacy-v1.md §2).

#include <ccrec/webex_legacy/regions.hpp>

#include <cctype>

namespace ccrec {
inline namespace v1 {
namespace webex_legacy {

std::vector<std::string> const& KnownRegions() {
  static std::vector<std::string> const kRegions{"us1", "eu1", "eu2", "anz1", "ca1", "jp1", "sg1"};
  return kRegions;
}

Result<std::string> BaseUrlForRegion(std::string_view dc) {
  std::string lower;
  for (char c : dc) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto const& region : KnownRegions()) {
    if (lower == region) return "https://rest.wxcc-" + region + ".cisco.com";
  }
  std::string valid;
  for (auto const& region : KnownRegions()) valid += (valid.empty() ? "" : ", ") + region;
  return MakeError(ErrorCode::kInvalidArgument, "unknown Webex Contact Center region \"" + std::string(dc) +
                                                    "\" for the legacy v1 API; valid regions: " + valid +
                                                    " (or give the v1 base URL explicitly)");
}

}  // namespace webex_legacy
}  // namespace v1
}  // namespace ccrec
