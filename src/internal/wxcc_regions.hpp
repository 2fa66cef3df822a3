// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the Webex Contact Center data centres, shared by ccrec::webex and ccrec::webex_legacy.
// Not installed.

#include <ccrec/core/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ccrec::detail {

/// The data-centre names, in documentation order: us1, eu1, eu2, anz1, ca1, jp1, sg1
/// (reference webex-cc.md §3). Thread-safe (a constant).
std::vector<std::string> const& WxccDataCentres();

/// "https://<host_prefix>.wxcc-<dc>.cisco.com" for a data centre of WxccDataCentres(), compared
/// case-insensitively ("api" for the current API, "rest" for legacy v1).
/// Errors: kInvalidArgument for any other name: `unknown Webex Contact Center region "<dc>"
/// <api_clause>; valid regions: us1, ... (or give the <base_url_name> explicitly)`.
Result<std::string> WxccBaseUrl(std::string_view dc, std::string_view host_prefix,
                                             std::string_view api_clause, std::string_view base_url_name);

}  // namespace ccrec::detail
