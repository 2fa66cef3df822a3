// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: a test seam for the JSON token file store. Not installed.

#include <ccrec/core/result.hpp>
#include <ccrec/core/token_store.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

namespace ccrec::detail {

/// Writes `data` to `path` atomically with `mode`; WriteFileAtomic by default.
using TokenFileWriter = std::function<Result<void>(std::string const& path, std::string const& data, mode_t mode)>;

/// MakeJsonFileTokenStore() whose token-file writes go through `writer` (rescue files are still
/// written directly), so that tests can make the token file fail with ENOSPC, EROFS, ... even
/// when they run as root.
std::shared_ptr<TokenStore> MakeJsonFileTokenStoreWithWriter(std::string path,
                                                                           JsonFileTokenStoreOptions options,
                                                                           TokenFileWriter writer);

}  // namespace ccrec::detail
