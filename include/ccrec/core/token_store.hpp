// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `TokenStore`: where OAuth2 credentials live between calls and between runs (STYLE.md §7).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {

/// An OAuth2 access token with its refresh token.
struct CCREC_EXPORT OAuthToken {
  std::string access_token;
  /// Token type for the Authorization header. Default "Bearer".
  std::string token_type = "Bearer";
  /// When the access token stops working (computed on receipt as now + expires_in).
  std::chrono::system_clock::time_point expires_at{};
  /// The refresh token; may rotate on every refresh (Webex CC reference §2.4). Empty = none.
  std::string refresh_token;
  /// When the refresh token expires, if the server said.
  std::optional<std::chrono::system_clock::time_point> refresh_token_expires_at;
};

/// Persists an OAuthToken.
///
/// @par Thread safety
/// Implementations must be thread-safe. Update() must be atomic with respect to other
/// Update() calls on the same store (and, for file stores, other processes).
class CCREC_EXPORT TokenStore {
 public:
  virtual ~TokenStore() = default;
  /// Returns the stored token, or nullopt when nothing is stored yet.
  virtual Result<std::optional<OAuthToken>> Load() = 0;
  /// Replaces the stored token. On failure the previously stored token must be left as it was;
  /// callers such as webex::OAuthClient keep the new token in memory and call Save()/Update()
  /// again later, so a store should not give up on a token for good.
  virtual Result<void> Save(OAuthToken const& token) = 0;

  /// Read-modify-write under the store's lock: `update` receives the current token and returns
  /// the token to store (returning the same token stores nothing new). Used for single-flight
  /// refresh, so two processes never spend the same rotating refresh token.
  /// The default implementation serialises calls within this process only.
  virtual Result<OAuthToken> Update(
      std::function<Result<OAuthToken>(std::optional<OAuthToken> const& current)> const& update);
};

/// An in-memory store (tests, or callers that persist tokens themselves).
CCREC_EXPORT std::shared_ptr<TokenStore> MakeMemoryTokenStore(std::optional<OAuthToken> initial = {});

/// Options of MakeJsonFileTokenStore().
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT JsonFileTokenStoreOptions {
  /// Second place for rescue files (see MakeJsonFileTokenStore()), tried when none can be
  /// written beside the token file. Default (empty): `$TMPDIR`, or `/tmp` when TMPDIR is unset.
  /// Choose a directory on another file system than the token file, readable only by you, that
  /// survives the process (not a systemd `PrivateTmp=` /tmp).
  std::string rescue_dir;
};

/// A JSON file store. File format (ccrec-export contract):
/// `{"access_token":"..","token_type":"Bearer","expires_at":EPOCH_SECONDS,"refresh_token":"..",
///   "refresh_token_expires_at":EPOCH_SECONDS}`.
/// Save() writes a temporary file in the same directory with mode 0600, fsyncs it and renames it
/// over `path` (atomic replace); on failure `path` is left as it was. Update() also holds an
/// exclusive flock on `path + ".lock"` so that concurrent processes refresh one at a time.
/// Load() of a missing file returns nullopt; a malformed file is a kParse error naming the file
/// and field.
///
/// A token that cannot be written (disk full, read-only file system, quota, file-size limit,
/// permissions) is usually a freshly rotated refresh token, the only valid one, so it is not
/// dropped: Save() and Update() write it, in the same format and with mode 0600, to a new file
/// `NAME.rescue-YYYYMMDDTHHMMSSZ-RANDOM` (NAME = the token file's name), first beside the token
/// file, else in JsonFileTokenStoreOptions::rescue_dir. The error they return (kInternal) names
/// that file and says to move it over the token file once the cause is fixed (or, when no rescue
/// file could be written either, that the token exists only in the caller's memory). The token
/// value never appears in errors. A token is rescued at most once per store object, and its
/// rescue file is deleted when a later save of the same token succeeds.
///
/// @param path the token file; its directory must exist.
CCREC_EXPORT std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path);
/// As MakeJsonFileTokenStore(path), with options.
CCREC_EXPORT std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path, JsonFileTokenStoreOptions options);

}  // namespace v1
}  // namespace ccrec
