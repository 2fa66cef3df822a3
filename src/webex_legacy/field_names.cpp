// SPDX-License-Identifier: Apache-2.0
// The v1 field names ccrec knows (reference webex-legacy-v1.md §4, §5).

#include "webex_legacy/field_names.hpp"

namespace ccrec::webex_legacy::detail {

namespace {

constexpr std::string_view kV1FieldNames[] = {
    "sid",        "id",          "session",    "state",         "cstts",          "cetts",
    "ani",        "dnis",        "channelType", "direction",    "entrypointId",   "entrypointName",
    "queueId",    "queueName",   "agentId",    "agentName",     "agentLogin",     "teamId",
    "teamName",   "siteId",      "siteName",   "terminationType", "isRecorded",   "isActive",
    "idleCodeName", "wrapupCode", "callAssociatedData", "csat", "notes",          "duration"};

}  // namespace

bool IsV1FieldName(std::string_view name) noexcept {
  for (auto known : kV1FieldNames) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace ccrec::webex_legacy::detail
