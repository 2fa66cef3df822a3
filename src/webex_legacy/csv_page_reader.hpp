// SPDX-License-Identifier: Apache-2.0
#pragma once
// The state behind webex_legacy::CsvPageReader (Client::OpenCsvPage()): the answer's body, the
// window filter and the bytes kept but not yet handed out.

#include <ccrec/core/log.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include "webex_legacy/csv_window.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ccrec::webex_legacy {

struct CsvPageReader::Impl {
  /// `scrub` removes secrets from error messages; `context` ("... (CSV) for [b, e)") starts them.
  Impl(std::unique_ptr<BodyReader> body, TimeWindow window, std::chrono::milliseconds overlap, std::size_t row_limit,
       std::uint64_t max_body_bytes, std::string context, std::function<Error(Error)> scrub, Logger logger);

  Result<std::size_t> Read(char* buffer, std::size_t size);

  std::unique_ptr<BodyReader> body;
  TimeWindow window;
  std::chrono::milliseconds overlap;
  std::size_t row_limit;
  detail::CsvWindowFilter filter;
  std::string context;
  std::function<Error(Error)> scrub;
  /// Called once when the body ended without a byte (no header row, no row): an error unless a
  /// JSON query confirms the window has no record (Client's ConfirmEmptyCsv()). Unset: trusted.
  std::function<Result<void>()> confirm_empty;
  Logger logger;
  std::vector<char> chunk;
  std::string kept;            // filtered bytes not handed out yet
  std::size_t kept_offset = 0;
  std::uint64_t bytes = 0;     // handed out
  bool finished = false;       // the body ended and the filter was finished
};

}  // namespace ccrec::webex_legacy
