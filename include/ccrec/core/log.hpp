// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Logging through a user callback, with secrets redacted before the callback sees them.

#include <ccrec/core/export.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

/// Parses "debug", "info", "warn", "error", "off" (case-insensitive).
CCREC_EXPORT bool ParseLogLevel(std::string_view text, LogLevel& out) noexcept;
CCREC_EXPORT std::string_view ToString(LogLevel level) noexcept;

/// Receives each log line (already redacted). Must be thread-safe.
using LogCallback = std::function<void(LogLevel level, std::string_view message)>;

/// Masks secrets in free text: values of Authorization/Proxy-Authorization/Cookie/Set-Cookie/Guid/
/// X-Amz-Security-Token headers (to the end of the line); the credential after "Bearer"/"Basic";
/// query, form or `key=value` values named access_token, refresh_token, id_token, client_secret,
/// password, token, code, api_key/apiKey, session/secret access keys, X-Amz-Signature,
/// X-Amz-Credential, X-Amz-Security-Token, signature; JSON string values of the same keys (a
/// string cut off by truncation is masked to the end); and the text of <SecretAccessKey>/
/// <SessionToken>-style XML elements. Names match case-insensitively; masked values become "***".
/// camelCase names (accessToken, refreshToken, idToken, clientSecret, authToken), FACE's XML
/// <token>, `Token:` and `X-aws-ec2-metadata-token:` headers are covered too.
/// Linear time, safe on bodies of any size.
CCREC_EXPORT std::string RedactSecrets(std::string_view text);

/// Returns `text` with every control character but TAB (C0, including CR, LF and ESC, and DEL)
/// written as `\xHH`, so that server-provided text cannot move the cursor, recolour a terminal
/// or forge log lines. Logger::Log applies it to every message after RedactSecrets.
CCREC_EXPORT std::string EscapeControlCharacters(std::string_view text);

/// Returns `url` with its query string's sensitive values masked (see RedactSecrets) and any
/// userinfo replaced by "***", and secrets in a `#fragment` masked like a query string; use
/// whenever a URL is logged or put in an error message.
/// A presigned URL (X-Amz-Signature/X-Amz-Credential, CloudFront Signature, Azure sig,
/// X-Goog-Signature) keeps only scheme, host and path: "https://host/path?<presigned query redacted>".
CCREC_EXPORT std::string RedactUrl(std::string_view url);

/// A cheap-to-copy handle to a level and a callback; the default logs nothing.
///
/// @par Thread safety
/// Thread-safe if the callback is.
class CCREC_EXPORT Logger {
 public:
  Logger() = default;
  Logger(LogLevel min_level, LogCallback callback);

  bool Enabled(LogLevel level) const noexcept;
  /// Redacts `message`, escapes its control characters (EscapeControlCharacters) and hands it to
  /// the callback when `level` is enabled.
  void Log(LogLevel level, std::string_view message) const;
  void Debug(std::string_view m) const { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) const { Log(LogLevel::kInfo, m); }
  void Warn(std::string_view m) const { Log(LogLevel::kWarn, m); }
  void Error(std::string_view m) const { Log(LogLevel::kError, m); }

 private:
  LogLevel min_level_ = LogLevel::kOff;
  std::shared_ptr<LogCallback const> callback_;
};

/// A logger writing "LEVEL message" lines to stderr under a mutex.
CCREC_EXPORT Logger MakeStderrLogger(LogLevel min_level);

}  // namespace v1
}  // namespace ccrec
