// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: search criteria that may change while a recording is in progress. Not
// installed.

#include <ccrec/face/criteria.hpp>

#include <string>

namespace ccrec::face::detail {

/// The criteria of `filter` a recording in progress may not match yet although it will once it
/// has ended, named for people (e.g. "custom data customerId, filename"); empty when none is set:
/// - custom data fields: the CTI may set them in the stop request's body (reference §4);
/// - `filename`: a segment is `.rpdd` while it records, and the stop request may rename it;
/// - `inProgress=false`, and the end times (`end`, `earliestEnd`, `latestEnd`): a recording in
///   progress never matches them.
/// The other criteria (call ids, parties, address of record, third-party id, audioOnly,
/// mustHaveVideo, inProgress=true) are taken as stable.
std::string VolatileFilterNames(SearchCriteria const& filter);

/// `filter` without the criteria VolatileFilterNames() names, and with `inProgress=true`: the
/// search for the recordings in progress that `filter` may leave out until they have ended.
SearchCriteria InProgressSearch(SearchCriteria filter);

}  // namespace ccrec::face::detail
