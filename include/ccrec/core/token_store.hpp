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
  /// Replaces the stored token.
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

/// A JSON file store. File format (ccrec-export contract):
/// `{"access_token":"..","token_type":"Bearer","expires_at":EPOCH_SECONDS,"refresh_token":"..",
///   "refresh_token_expires_at":EPOCH_SECONDS}`.
/// Save() writes a temporary file in the same directory with mode 0600, fsyncs it and renames it
/// over `path` (atomic replace). Update() also holds an exclusive flock on `path + ".lock"`
/// so that concurrent processes refresh one at a time. Load() of a missing file returns nullopt;
/// a malformed file is a kParse error naming the file and field.
CCREC_EXPORT std::shared_ptr<TokenStore> MakeJsonFileTokenStore(std::string path);

}  // namespace v1
}  // namespace ccrec
