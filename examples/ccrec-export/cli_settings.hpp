// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where ccrec-export's flags come from besides the command line: a CCREC_* environment variable
// per flag and a TOML/INI config file. Precedence: flag > environment > file > default.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ccrec_cli {

/// The environment variable of a flag: "CCREC_" + the long name upper-cased, '-' as '_'
/// ("--s3-endpoint" -> "CCREC_S3_ENDPOINT").
std::string EnvironmentName(std::string const& long_name);

/// `args` (argv without the program name) plus, for every flag of the program and of the
/// subcommand `args` names that is not on the command line, `--name value` from its environment
/// variable when that is set and not empty. Flags without a value are added when the variable is
/// "1", "true", "yes" or "on". Secrets (`secret_names`), --help, --version and --config are not
/// read from CCREC_* variables (secrets have their own, see ResolveSecret()). Appended after the
/// command line, so a flag given there wins; and added to the command line, so they win over the
/// config file.
std::vector<std::string> WithEnvironment(CLI::App& app, std::vector<std::string> args,
                                         std::vector<std::string> const& secret_names);

/// The config file read when --config is not given: $XDG_CONFIG_HOME/ccrec/ccrec-export.toml (or
/// ~/.config/ccrec/ccrec-export.toml), else /etc/ccrec/ccrec-export.toml; "" when neither exists.
std::string DefaultConfigFile();

}  // namespace ccrec_cli
