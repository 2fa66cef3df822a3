// SPDX-License-Identifier: Apache-2.0
// detail::PickRecord: the record a single-record GET asked for (reference webex-legacy-v1.md §2).

#include "webex_legacy/record_pick.hpp"

#include <ccrec/core/log.hpp>

#include "internal/ascii.hpp"
#include "webex_legacy/json_scan.hpp"

#include <array>

namespace ccrec::webex_legacy::detail {

namespace {

/// The members naming a record's id, in order of preference.
std::array<std::string_view, 2> IdMembers(RecordType type) {
  if (type == RecordType::kCsr) return {"sid", "id"};
  return {"id", "sid"};
}

}  // namespace

std::optional<std::string> RecordIdOf(RecordType type, std::string_view record) {
  for (auto name : IdMembers(type)) {
    auto raw = FindMember(record, name);
    if (raw.empty() || raw == "null") continue;
    if (raw.front() == '"') return DecodeString(raw);
    return std::string(raw);
  }
  return std::nullopt;
}

Result<std::string> PickRecord(RecordType type, std::string const& id, std::vector<std::string> records, bool listed,
                               std::string const& what) {
  std::optional<std::string> found;
  std::vector<std::string> others;
  for (auto& record : records) {
    auto record_id = RecordIdOf(type, record);
    if (!listed && !record_id) {
      // No id to check (the id members of records other than CSRs are not documented, reference
      // §5): the one addressed, unless it reads as an error answered with HTTP 200.
      if (FindMember(record, "error").empty()) return std::move(record);
      return MakeError(ErrorCode::kParse, what + ": the answer is an object with an \"error\" member and no " +
                                              std::string(IdMembers(type)[0]) + ", not a record (starts \"" +
                                              RedactSecrets(::ccrec::detail::PrintableAscii(record.substr(0, 64))) + "\")");
    }
    if (record_id != id) {
      others.push_back(record_id ? "\"" + ::ccrec::detail::PrintableAscii(record_id->substr(0, 64)) + "\""
                                 : std::string("(none)"));
      continue;
    }
    if (found && *found != record) {
      return MakeError(ErrorCode::kParse,
                       what + ": the answer lists two different records with that id; neither is returned");
    }
    if (!found) found = std::move(record);
  }
  if (found) return std::move(*found);
  std::string ids;
  for (std::size_t i = 0; i < others.size() && i < 3; ++i) ids += (i ? ", " : "") + others[i];
  if (others.size() > 3) ids += ", ...";
  std::string const held = listed ? "lists " + std::to_string(others.size()) + " record(s)" : "is one record";
  return MakeError(ErrorCode::kParse, what + ": the answer " + held + ", none with that id (" +
                                          std::string(IdMembers(type)[0]) + ": " + ids +
                                          "); the service did not return the record asked for, so none is returned");
}

}  // namespace ccrec::webex_legacy::detail
