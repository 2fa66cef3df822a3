// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// FACE response templates (`format=template`, `formatName`, `version`): the answer of a search
/// rendered by a template configured on the ISR (e.g. the default "verint" template), passed
/// through unchanged.

#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ccrec::face {

/// Which template renders an answer: `format=template&formatName=NAME[&version=VERSION]`.
/// Source: ISR API Guide, "REST API Commands" (input parameters `format` — its only value is
/// `template` —, `formatName`, `version`: "highest if omitted") and "Format Responses in the
/// Default 'verint' Template" (`details?...&format=template&formatName=verint`).
///
/// @par Thread safety
/// A plain value type.
struct TemplateFormat {
  /// `formatName`, e.g. "verint". Required (non-empty).
  std::string name;
  /// `version`; unset: the server's highest version of the template. When set: 1 to 9 ASCII digits.
  std::optional<std::string> version;
};

/// Parses the CLI form `NAME[:VERSION]` ("verint", "verint:2"). The text after the LAST ':' is the
/// version when it is 1 to 9 digits; otherwise the whole text is the name.
/// @return kInvalidArgument for an empty name (message names the input).
/// @par Thread safety
/// Pure function.
CCREC_EXPORT Result<TemplateFormat> ParseTemplateFormat(std::string_view text);

/// The commands whose answer a template can render (the retrieval commands; the guide lists the
/// parameters with the recording selection criteria, and its template example uses `details`).
enum class TemplateCommand {
  kRecordingDetails,  ///< `audioRecording/details`
  kSegmentDetails,    ///< `audioRecording/segment/details`
};

/// A templated answer exactly as the server sent it: ccrec does not parse or re-encode it.
///
/// @par Thread safety
/// A plain value type.
struct TemplatedAnswer {
  /// The HTTP status (2xx).
  int http_status = 0;
  /// The Content-Type header, "" when absent.
  std::string content_type;
  /// The body's bytes, unchanged (any encoding; at most 8 MiB, like every FACE result).
  std::string body;
};

}  // namespace ccrec::face
