// SPDX-License-Identifier: Apache-2.0
#include <ccrec/exporter/object_identity.hpp>

#include "internal/crypto.hpp"
#include "internal/url.hpp"

namespace ccrec::exporter {

namespace {

// Each part percent-encoded (RFC 3986 unreserved bytes kept), so '/' cannot appear in a part.
std::string EncodePart(std::string const& s) { return ::ccrec::detail::PercentEncode(s); }

constexpr std::size_t kMaxIdentityBytes = 1024;

}  // namespace

std::string RecordingIdentity::ToString() const {
  std::string out = source + " task " + task_id + " recording " + recording_id;
  if (!segment_id.empty()) out += " segment " + segment_id;
  return out;
}

std::string EncodeIdentity(RecordingIdentity const& id) {
  std::string out = "v1/" + EncodePart(id.source) + "/" + EncodePart(id.task_id) + "/" + EncodePart(id.recording_id) +
                    "/" + EncodePart(id.segment_id);
  if (out.size() > kMaxIdentityBytes) out = "v1-sha256/" + ::ccrec::detail::Sha256Hex(out);
  return out;
}

Result<void> CheckExistingObject(ObjectInfo const& existing, std::string const& where, RecordingIdentity const& identity,
                                 std::optional<std::uint64_t> expected_size,
                                 std::optional<PreviousExport> const& previous) {
  auto fail = [&](std::string why) {
    return MakeError(ErrorCode::kIntegrity, where + " already exists and " + why + "; it was not overwritten");
  };
  auto const sha = existing.sha256_hex.value_or("");
  auto it = existing.metadata.find(kIdentityMetadataKey);
  if (it != existing.metadata.end()) {
    if (it->second != EncodeIdentity(identity)) {
      return fail("holds another recording (" + std::string(kIdentityMetadataKey) + " \"" + it->second +
                  "\", expected \"" + EncodeIdentity(identity) +
                  "\"): a key collision; use a key template with the placeholders that identify a recording, or "
                  "another destination");
    }
    if (expected_size && existing.bytes != *expected_size) {
      return fail("holds " + std::to_string(existing.bytes) + " bytes of " + identity.ToString() +
                  " but the source now reports " + std::to_string(*expected_size) +
                  " bytes; delete the object to export the recording again");
    }
    if (previous && !previous->sha256.empty() && !sha.empty() && previous->key == existing.key &&
        previous->sha256 != sha) {
      return fail("has SHA-256 " + sha + " but the manifest recorded " + previous->sha256 + " for " +
                  identity.ToString() + " (the object was changed); delete it to export the recording again");
    }
    return {};
  }
  if (previous && previous->key == existing.key && previous->bytes == existing.bytes &&
      (!expected_size || *expected_size == existing.bytes) &&
      (previous->sha256.empty() || sha.empty() || previous->sha256 == sha)) {
    return {};  // written by an older ccrec for this very recording, as its manifest line proves
  }
  return fail("has no " + std::string(kIdentityMetadataKey) +
              " metadata (written by an older ccrec or by another tool), so it may hold another recording than " +
              identity.ToString() +
              "; delete or move it, export to another destination, or run with the manifest of the run that "
              "wrote it");
}

}  // namespace ccrec::exporter
