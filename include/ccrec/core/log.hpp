// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Logging through a user callback, with secrets redacted before the callback sees them.

#include <ccrec/core/export.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// One structured field of a log record, e.g. {"task_id", "T1"}. Keys are ccrec's own
/// (`vendor`, `source`, `task_id`, `recording_id`, `segment_id`, `request_id`, `key`).
using LogField = std::pair<std::string, std::string>;
using LogFields = std::vector<LogField>;

/// What a record callback receives for one log line. `message` and every field value are already
/// redacted (RedactSecrets) and control-escaped (EscapeControlCharacters); `fields` holds the
/// logger's context fields (Logger::With) first, then the call's. Valid during the call only.
struct LogRecord {
  std::chrono::system_clock::time_point time;  ///< when Log() was called (system clock, UTC)
  LogLevel level = LogLevel::kInfo;
  std::string_view message;
  LogFields const* fields = nullptr;  ///< never null in a callback
};
using LogRecordCallback = std::function<void(LogRecord const& record)>;

/// Line formats of FormatLogRecord and MakeStderrLogger.
enum class LogFormat {
  /// `2026-12-06T15:33:00.123Z WARN message task_id=T1 recording_id=R1`: RFC 3339 UTC time with
  /// milliseconds, upper-case level, the message, then `key=value` per field (a value with a
  /// space, `"`, `=` or nothing in it is written as a JSON string).
  kText,
  /// One JSON object per line: `{"time":"…","level":"warn","msg":"…","task_id":"T1",…}`.
  kJson,
};

/// Parses "text" or "json" (case-insensitive).
CCREC_EXPORT bool ParseLogFormat(std::string_view text, LogFormat& out) noexcept;
/// `record` as one line in `format`, without a line break.
CCREC_EXPORT std::string FormatLogRecord(LogRecord const& record, LogFormat format);

/// A cheap-to-copy handle to a level, a callback and context fields; the default logs nothing.
///
/// Two kinds of callback: a LogCallback receives the message only (fields are left out, so its
/// lines read as before), a LogRecordCallback receives the time, level, message and fields.
///
/// @par Thread safety
/// Thread-safe if the callback is.
class CCREC_EXPORT Logger {
 public:
  Logger() = default;
  Logger(LogLevel min_level, LogCallback callback);
  Logger(LogLevel min_level, LogRecordCallback callback);
  /// No callback: logs nothing.
  Logger(LogLevel min_level, std::nullptr_t) : min_level_(min_level) {}
  bool Enabled(LogLevel level) const noexcept;
  /// Redacts `message` and the field values, escapes their control characters
  /// (EscapeControlCharacters) and hands them to the callback when `level` is enabled.
  void Log(LogLevel level, std::string_view message, LogFields const& fields = {}) const;
  void Debug(std::string_view m, LogFields const& f = {}) const { Log(LogLevel::kDebug, m, f); }
  void Info(std::string_view m, LogFields const& f = {}) const { Log(LogLevel::kInfo, m, f); }
  void Warn(std::string_view m, LogFields const& f = {}) const { Log(LogLevel::kWarn, m, f); }
  void Error(std::string_view m, LogFields const& f = {}) const { Log(LogLevel::kError, m, f); }
  /// A logger with the same level and callback whose records also carry `context` (before the
  /// call's own fields), e.g. `logger.With({{"vendor", "webex"}})`.
  Logger With(LogFields context) const;

 private:
  struct Sink;
  LogLevel min_level_ = LogLevel::kOff;
  std::shared_ptr<Sink const> sink_;
  std::shared_ptr<LogFields const> context_;
};

/// A logger writing one line per record to stderr under a mutex, in `format` (default kText).
CCREC_EXPORT Logger MakeStderrLogger(LogLevel min_level, LogFormat format = LogFormat::kText);

}  // namespace v1
}  // namespace ccrec
