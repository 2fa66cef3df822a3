// SPDX-License-Identifier: Apache-2.0
// Search criteria that may change while a recording is in progress (see volatile_filters.hpp).

#include "face/volatile_filters.hpp"

#include <utility>

namespace ccrec::face::detail {

std::string VolatileFilterNames(SearchCriteria const& filter) {
  std::string names;
  auto add = [&](std::string name) { names += (names.empty() ? "" : ", ") + std::move(name); };
  for (auto const& [name, value] : filter.custom_fields) add("custom data " + name);
  if (filter.filename) add("filename");
  if (filter.in_progress && !*filter.in_progress) add("inProgress=false");
  if (filter.end || filter.earliest_end || filter.latest_end) add("end time");
  return names;
}

SearchCriteria InProgressSearch(SearchCriteria filter) {
  filter.custom_fields.clear();
  filter.filename.reset();
  filter.end.reset();
  filter.earliest_end.reset();
  filter.latest_end.reset();
  filter.in_progress = true;
  return filter;
}

}  // namespace ccrec::face::detail
