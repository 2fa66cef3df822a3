// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Base URLs of the Webex Contact Center legacy v1 API.
///
/// Source: ccrec reference `webex-legacy-v1.md` §2. Only the us1 host
/// (`https://rest.wxcc-us1.cisco.com`) appears in Cisco's material; the other data centres are
/// assumed to follow the same `rest.wxcc-{dc}.cisco.com` pattern (unconfirmed). Prefer a full
/// base URL from configuration for anything but us1.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex_legacy {

/// The data-centre names accepted by BaseUrlForRegion(): us1, eu1, eu2, anz1, ca1, jp1, sg1.
///
/// @par Thread safety
/// Thread-safe (returns a reference to an immutable list).
CCREC_EXPORT std::vector<std::string> const& KnownRegions();

/// Maps a data-centre name to the v1 base URL: "us1" -> "https://rest.wxcc-us1.cisco.com".
///
/// @param dc one of KnownRegions(), compared case-insensitively.
/// @return the base URL without a trailing slash. Only us1 is confirmed by Cisco's material; the
///         others follow the same pattern by assumption (reference §2).
/// Errors: kInvalidArgument for any other value, listing the valid names.
///
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> BaseUrlForRegion(std::string_view dc);

}  // namespace ccrec::webex_legacy
