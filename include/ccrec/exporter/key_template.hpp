#pragma once
/// @file
/// Object key templates: `call-detail/{task_id}/{recording_id}{ext}` and friends.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace exporter {

/// Makes a server-provided name safe as one key/path component: every byte outside ASCII
/// `[A-Za-z0-9._-]` (whatever the C locale) (so '/', '\\', spaces, control characters, '%', '+', non-ASCII) becomes '_';
/// a leading '.' becomes '_' (no hidden files, never "." or ".."); the result is at most
/// `max_bytes` bytes (default 200) and never empty ("_" for an empty input). Keys made only of
/// these characters need no percent-encoding anywhere (S3, file systems, URLs).
CCREC_EXPORT std::string SanitizeKeyComponent(std::string_view name, std::size_t max_bytes = 200);

/// The extension of `file_name` including the dot, lower-cased (".wav"); `fallback` when none
/// or when it is not 1–8 alphanumeric characters.
CCREC_EXPORT std::string FileExtension(std::string_view file_name, std::string_view fallback = ".wav");

/// Values substituted into a key template. Every value is sanitized before substitution.
struct KeyFields {
  std::string task_id;
  std::string recording_id;
  std::string segment_id;
  std::string file_name;
  /// Extension with its dot; default derived from file_name.
  std::optional<std::string> ext;
  /// Date for {yyyy} {mm} {dd} (UTC); default: the Unix epoch (1970/01/01) when unknown.
  std::optional<std::chrono::system_clock::time_point> time;
  /// Extra placeholders a source provides (e.g. {ani}); also sanitized.
  std::map<std::string, std::string> extra;
};

/// A parsed key template. Placeholders: {task_id} {recording_id} {segment_id} {file_name} {ext}
/// {yyyy} {mm} {dd}, plus any name listed in `extra_names` at Parse(). Literal text may contain
/// '/' to make prefixes. `{{` and `}}` are literal braces.
///
/// @par Thread safety
/// Immutable after Parse(); safe to share.
class CCREC_EXPORT KeyTemplate {
 public:
  /// @return kInvalidArgument naming an unknown placeholder, an unclosed brace, a template that
  /// renders absolute ("/..."), one whose literal text has "." or ".." segments, one without
  /// {recording_id}, {segment_id} or {file_name}, or one with {ext} at the start of a path segment
  /// (a hidden ".wav" name).
  static Result<KeyTemplate> Parse(std::string text, std::vector<std::string> const& extra_names = {});
  /// Renders the key. Empty path segments are collapsed.
  std::string Render(KeyFields const& fields) const;
  std::string const& text() const { return text_; }

 private:
  struct Part {
    bool placeholder;
    std::string text;
  };
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
