// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Webex Contact Center data centres (regions) and their API base URLs.
///
/// Source: ccrec reference `webex-cc.md` §3; `servers` entry of
/// `wxcc-recordings-subset.openapi.json` (`https://api.wxcc-{dc}.cisco.com`). No API tells an
/// org's region: take it (or a full base URL) from configuration, never guess.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex {

/// The known data-centre names, in documentation order: us1, eu1, eu2, anz1, ca1, jp1, sg1.
///
/// @par Thread safety
/// Thread-safe (returns a reference to an immutable list).
CCREC_EXPORT std::vector<std::string> const& KnownRegions();

/// Maps a data-centre name to its API base URL: "us1" -> "https://api.wxcc-us1.cisco.com".
///
/// @param dc one of KnownRegions(); compared case-insensitively.
/// @return the base URL, without a trailing slash.
/// Errors: kInvalidArgument for any other value, listing the valid names (pass a full base URL
/// in ClientOptions::base_url for custom or test endpoints).
/// OAuth always uses `webexapis.com`, whatever the region (reference §2.1).
///
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> BaseUrlForRegion(std::string_view dc);

}  // namespace ccrec::webex
