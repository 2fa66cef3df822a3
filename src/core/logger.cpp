// SPDX-License-Identifier: Apache-2.0
// Logger: levels, context fields, text and record callbacks, and the two line formats.
#include <ccrec/core/log.hpp>

#include "internal/ascii.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <utility>

namespace ccrec {
inline namespace v1 {

struct Logger::Sink {
  LogCallback text;
  LogRecordCallback record;
};

Logger::Logger(LogLevel min_level, LogCallback callback) : min_level_(min_level) {
  if (callback) sink_ = std::make_shared<Sink const>(Sink{std::move(callback), nullptr});
}

Logger::Logger(LogLevel min_level, LogRecordCallback callback) : min_level_(min_level) {
  if (callback) sink_ = std::make_shared<Sink const>(Sink{nullptr, std::move(callback)});
}

bool Logger::Enabled(LogLevel level) const noexcept {
  return sink_ != nullptr && level != LogLevel::kOff && level >= min_level_;
}

Logger Logger::With(LogFields context) const {
  Logger out = *this;
  LogFields all = context_ ? *context_ : LogFields{};
  for (auto& f : context) all.push_back(std::move(f));
  out.context_ = std::make_shared<LogFields const>(std::move(all));
  return out;
}

void Logger::Log(LogLevel level, std::string_view message, LogFields const& fields) const {
  if (!Enabled(level)) return;
  std::string const text = EscapeControlCharacters(RedactSecrets(message));
  if (sink_->text) {
    sink_->text(level, text);
    return;
  }
  LogFields all;
  all.reserve((context_ ? context_->size() : 0) + fields.size());
  auto add = [&all](LogField const& f) {
    if (!f.first.empty()) all.emplace_back(f.first, EscapeControlCharacters(RedactSecrets(f.second)));
  };
  if (context_) {
    for (auto const& f : *context_) add(f);
  }
  for (auto const& f : fields) add(f);
  LogRecord record;
  record.time = std::chrono::system_clock::now();
  record.level = level;
  record.message = text;
  record.fields = &all;
  sink_->record(record);
}

bool ParseLogFormat(std::string_view text, LogFormat& out) noexcept {
  std::string t = detail::ToLowerAscii(text);
  if (t == "text") out = LogFormat::kText;
  else if (t == "json") out = LogFormat::kJson;
  else return false;
  return true;
}

namespace {

/// RFC 3339 UTC with milliseconds, always 24 characters: 2026-12-06T08:33:00.000Z.
std::string LogTime(std::chrono::system_clock::time_point t) {
  std::string out = detail::FormatIso8601(t, /*with_ms=*/false);  // ...:SSZ
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
  out.insert(out.size() - 1, buf);
  return out;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\t' || c == '\\') return true;
  }
  return false;
}

}  // namespace

std::string FormatLogRecord(LogRecord const& record, LogFormat format) {
  static LogFields const kNone;
  LogFields const& fields = record.fields ? *record.fields : kNone;
  std::string const time = LogTime(record.time);
  std::string out;
  if (format == LogFormat::kJson) {
    out = "{\"time\":\"" + time + "\",\"level\":\"" + std::string(ToString(record.level)) + "\",\"msg\":\"" +
          detail::JsonEscape(record.message) + "\"";
    for (auto const& [key, value] : fields) {
      if (key == "time" || key == "level" || key == "msg") continue;  // never shadow the record's own
      out += ",\"" + detail::JsonEscape(key) + "\":\"" + detail::JsonEscape(value) + "\"";
    }
    return out + "}";
  }
  out = time + " " + detail::ToUpperAscii(ToString(record.level)) + " ";
  out += record.message;
  for (auto const& [key, value] : fields) {
    out += " " + key + "=";
    out += NeedsQuotes(value) ? "\"" + detail::JsonEscape(value) + "\"" : value;
  }
  return out;
}

Logger MakeStderrLogger(LogLevel min_level, LogFormat format) {
  auto mu = std::make_shared<std::mutex>();
  return Logger(min_level, LogRecordCallback([mu, format](LogRecord const& record) {
                  std::string line = FormatLogRecord(record, format);
                  line += '\n';
                  std::lock_guard<std::mutex> lock(*mu);
                  std::cerr << line;
                }));
}

}  // namespace v1
}  // namespace ccrec
