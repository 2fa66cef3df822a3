// SPDX-License-Identifier: Apache-2.0
// FailingOpener: the opener of items that are reported but cannot be fetched.
#include <ccrec/exporter/recording_source.hpp>

#include <utility>

namespace ccrec::exporter {

MediaOpener FailingOpener(Error error) {
  return [error = std::move(error)](CallContext const&, std::uint64_t) -> Result<HttpResponse> { return error; };
}

}  // namespace ccrec::exporter
