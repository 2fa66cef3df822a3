// SPDX-License-Identifier: Apache-2.0
#pragma once
// Subcommand registration for ccrec-export. Each Register* adds a subcommand to `app` and sets
// `action` (run after parsing when that subcommand was selected). Usage errors are thrown as
// UsageError (exit 2); the action returns the exit status.

#include "cli_common.hpp"

#include <functional>

namespace ccrec_cli {

void RegisterWebex(CLI::App& app, std::function<int()>& action);
void RegisterHuawei(CLI::App& app, std::function<int()>& action);
void RegisterFace(CLI::App& app, std::function<int()>& action);
void RegisterWebexLegacy(CLI::App& app, std::function<int()>& action);
void RegisterS3Presign(CLI::App& app, std::function<int()>& action);
void RegisterManifest(CLI::App& app, std::function<int()>& action);

}  // namespace ccrec_cli
