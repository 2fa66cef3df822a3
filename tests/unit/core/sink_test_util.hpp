// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writes a whole object through an ObjectSink in one call, and makes filesystem sinks, for the
// sink unit tests.

#include <ccrec/core/object_sink.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>

#include <gtest/gtest.h>

#include <memory>
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

/// A filesystem sink on `root` with the given fsync setting; null (and a test failure) when it
/// cannot be made.
inline std::shared_ptr<ccrec::ObjectSink> FilesystemSinkAt(std::string const& root, bool fsync = true) {
  ccrec::FilesystemSinkOptions o;
  o.root = root;
  o.fsync = fsync;
  auto sink = ccrec::MakeFilesystemSink(o);
  if (!sink) ADD_FAILURE() << sink.error().ToString();
  return sink ? *sink : nullptr;
}

}  // namespace ccrec_test
