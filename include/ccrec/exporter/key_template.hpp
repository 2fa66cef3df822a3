// SPDX-License-Identifier: Apache-2.0
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

namespace ccrec::exporter {

/// Makes a server-provided name safe as one key/path component, without ever mapping two names
/// to one result.
///
/// A name that is already safe is returned unchanged: 1 to `max_bytes` bytes, each in ASCII
/// `[A-Za-z0-9._-]` (whatever the C locale), not starting with '.', and not itself looking like
/// a sanitized name (see below). Any other name is rewritten: every byte outside that set (so
/// '/', '\\', spaces, control characters, '%', '+', non-ASCII) becomes '_', a leading '.' becomes
/// '_' (no hidden files, never "." or ".."), the stem is cut so that the whole fits `max_bytes`,
/// and `_` + 16 lower-case hex digits of the SHA-256 of the original name are added before the
/// extension (the last ".xyz" of 1-8 ASCII letters or digits, kept so content types still
/// follow the key): "a/b.wav" -> "a_b_0c1d...e9.wav". Names that merely look like such output
/// (a stem ending in '_' + 16 lower-case hex digits) are rewritten too, so distinct names give
/// distinct results (up to a 64-bit hash collision).
///
/// @param max_bytes longest result in bytes; default 200; values below 32 are taken as 32.
/// @return never empty.
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

/// Which key-template placeholders identify one recording of a source: a template must contain
/// every placeholder of at least one set, or two recordings could render the same key.
/// Each source declares its rule (webex: webex::WebexKeyIdentity(), face: face::FaceKeyIdentity(),
/// huawei: huawei::HuaweiKeyIdentity(); RecordingSource::KeyIdentity() returns it).
struct KeyIdentityRule {
  /// Source name used in error messages ("webex").
  std::string source;
  /// Alternatives; each is a list of placeholder names without braces, all required. Empty: no
  /// requirement (only for sources whose keys are made unique otherwise; the exporter still
  /// fails every item of a key two recordings render, and never skips an object of another
  /// recording).
  std::vector<std::vector<std::string>> any_of;
};

/// The rule of a source that declares none: {task_id} and {recording_id}. A source whose
/// recordings need {segment_id} too, or whose recording ids are unique on their own, declares its
/// own rule.
CCREC_EXPORT KeyIdentityRule DefaultKeyIdentityRule();

/// A parsed key template. Placeholders: {task_id} {recording_id} {segment_id} {file_name} {ext}
/// {yyyy} {mm} {dd}, plus any name listed in `extra_names` at Parse(). Literal text may contain
/// '/' to make prefixes. `{{` and `}}` are literal braces.
///
/// @par Thread safety
/// Immutable after Parse(); safe to share.
class CCREC_EXPORT KeyTemplate {
 public:
  /// @param identity which placeholders identify a recording of the source the template is for.
  /// @return kInvalidArgument (message starting `key template "<text>"`) naming an unknown
  /// placeholder, an unclosed brace, a template that renders absolute ("/..."), one whose literal
  /// text has "." or ".." segments, one with {ext} at the start of a path segment (a hidden
  /// ".wav" name), or one that lacks every placeholder set of `identity` (the message names the
  /// source and the placeholders to add): e.g. `wxcc/{yyyy}/{mm}/{dd}/{file_name}` is rejected for
  /// Webex, whose file names repeat ("recording-1.wav").
  static Result<KeyTemplate> Parse(std::string text, std::vector<std::string> const& extra_names = {},
                                   KeyIdentityRule const& identity = DefaultKeyIdentityRule());
  /// Renders the key. Values are sanitized with SanitizeKeyComponent(), so distinct values give
  /// distinct keys. Empty path segments are collapsed.
  std::string Render(KeyFields const& fields) const;
  std::string const& Text() const { return text_; }

 private:
  struct Part {
    bool placeholder;
    std::string text;
  };
  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace ccrec::exporter
