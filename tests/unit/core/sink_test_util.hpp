// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writes a whole object through an ObjectSink in one call, for the sink unit tests.

#include <ccrec/core/object_sink.hpp>

#include <string>
#include <utility>

namespace ccrec_test {

/// Open + one Write + Finish; the first error is returned as is.
inline ccrec::Result<ccrec::ObjectInfo> Put(ccrec::ObjectSink& sink, std::string const& key, std::string const& data,
                                            ccrec::PutOptions o = {}) {
  auto w = sink.Open(key, o);
  if (!w) return std::move(w).error();
  auto written = (*w)->Write(data.data(), data.size());
  if (!written) return std::move(written).error();
  return (*w)->Finish();
}

}  // namespace ccrec_test
