// SPDX-License-Identifier: Apache-2.0
#pragma once
// The sections of `ccrec-export SUBCOMMAND --help`: Source, Window, Destination, S3, Output,
// Tuning (docs/cli.md).

#include <CLI/CLI.hpp>

namespace ccrec_cli {

/// Puts every flag of `app`'s subcommands (nested ones included) into its help section. A flag
/// the table of cli_help_groups.cpp does not name is a vendor flag: section "Source". Flags that
/// already have a section other than CLI11's default keep it.
void GroupHelpSections(CLI::App& app);

}  // namespace ccrec_cli
