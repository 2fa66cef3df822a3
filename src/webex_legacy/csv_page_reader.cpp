// SPDX-License-Identifier: Apache-2.0
// webex_legacy::CsvPageReader: a v1 CSV answer streamed through the window filter.

#include "webex_legacy/csv_page_reader.hpp"

#include "internal/error_util.hpp"
#include "internal/time_util.hpp"

#include <algorithm>
#include <cstring>

namespace ccrec::webex_legacy {

namespace util = ::ccrec::detail;

CsvPageReader::Impl::Impl(std::unique_ptr<BodyReader> body_in, TimeWindow window_in,
                          std::chrono::milliseconds overlap_in, std::size_t row_limit_in,
                          std::uint64_t max_body_bytes, std::string context_in, std::function<Error(Error)> scrub_in,
                          Logger logger_in)
    : body(std::move(body_in)),
      window(window_in),
      overlap(overlap_in),
      row_limit(row_limit_in),
      filter(util::ToEpochMs(window_in.begin), util::ToEpochMs(window_in.end),
             util::ToEpochMs(window_in.begin) - overlap_in.count(), CsvOptions{}, max_body_bytes),
      context(std::move(context_in)),
      scrub(std::move(scrub_in)),
      logger(std::move(logger_in)),
      chunk(64 * 1024) {}

Result<std::size_t> CsvPageReader::Impl::Read(char* buffer, std::size_t size) {
  for (;;) {
    if (kept_offset < kept.size()) {
      std::size_t const n = std::min(size, kept.size() - kept_offset);
      std::memcpy(buffer, kept.data() + kept_offset, n);
      kept_offset += n;
      if (kept_offset == kept.size()) {
        kept.clear();
        kept_offset = 0;
      }
      bytes += n;
      return n;
    }
    if (finished || size == 0) return std::size_t{0};
    if (!body) return MakeError(ErrorCode::kInternal, context + ": the response has no body");
    auto n = body->Read(chunk.data(), chunk.size());
    if (!n) return util::WithContext(scrub(std::move(n).error()), context + ": reading the response");
    auto parsed = *n == 0 ? filter.Finish(kept) : filter.Feed(std::string_view(chunk.data(), *n), kept);
    if (!parsed) return util::WithContext(scrub(std::move(parsed).error()), context);  // it may quote the body
    if (*n == 0 && bytes == 0 && kept.empty() && confirm_empty) {
      // An answer without a byte: the service's empty window, or a body lost on the way.
      if (auto confirmed = confirm_empty(); !confirmed) return util::WithContext(std::move(confirmed).error(), context);
    }
    if (*n == 0) {
      finished = true;
      if (filter.Dropped() > 0) {
        logger.Debug(context + ": " + std::to_string(filter.Dropped()) +
                     " row(s) with a cstts outside the window (the query starts " + std::to_string(overlap.count()) +
                     " ms earlier); a neighbouring window keeps them");
      }
      filter.Strays().Report(logger, context);
    }
  }
}

CsvPageReader::CsvPageReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvPageReader::~CsvPageReader() = default;

Result<std::size_t> CsvPageReader::Read(char* buffer, std::size_t size) { return impl_->Read(buffer, size); }
TimeWindow const& CsvPageReader::Window() const noexcept { return impl_->window; }
bool CsvPageReader::Finished() const noexcept { return impl_->finished && impl_->kept.empty(); }
std::vector<std::string> const& CsvPageReader::Header() const noexcept { return impl_->filter.Parser().Header(); }
std::uint64_t CsvPageReader::Rows() const noexcept { return impl_->filter.Rows(); }
std::uint64_t CsvPageReader::DroppedOutsideWindow() const noexcept { return impl_->filter.Dropped(); }
std::uint64_t CsvPageReader::Bytes() const noexcept { return impl_->bytes; }
std::size_t CsvPageReader::RowLimit() const noexcept { return impl_->row_limit; }
bool CsvPageReader::PossiblyTruncated() const noexcept { return impl_->filter.Rows() >= impl_->row_limit; }
bool CsvPageReader::BeginIncluded() const noexcept { return impl_->filter.BeginIncluded(); }

}  // namespace ccrec::webex_legacy
