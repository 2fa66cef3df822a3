// SPDX-License-Identifier: Apache-2.0
#pragma once
// Client::GetRecordJson()'s choice of the record asked for among those an answer holds. Not installed.

#include <ccrec/core/result.hpp>
#include <ccrec/webex_legacy/models.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex_legacy::detail {

/// The id of a compact, valid record object: for a CSR its `sid`, else its `id`; for another
/// record its `id`, else its `sid` (as ParseAsr()). A string member decoded, a number as written;
/// nullopt when neither is present (or both are null).
std::optional<std::string> RecordIdOf(RecordType type, std::string_view record);

/// The record whose id (RecordIdOf()) is `id` among `records`, the compact records of one answer
/// to `GET /aws/api/{type}/{id}`: the object answered (`listed` false; one without an id is taken
/// as the one addressed unless it has an `error` member) or the elements of a non-empty list
/// answer (`listed` true; an element without an id is not it). Identical duplicates are one record.
/// Errors: kParse, prefixed with `what`, when no record has that id (naming at most three ids
/// that came back), two different records have it, or the object has no id and an `error` member.
Result<std::string> PickRecord(RecordType type, std::string const& id, std::vector<std::string> records, bool listed,
                               std::string const& what);

}  // namespace ccrec::webex_legacy::detail
