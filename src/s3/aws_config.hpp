// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the AWS shared config and credentials files (INI dialect), profile selection and
// environment lookups shared by the credential providers and ResolveAwsEnvironment(). Not installed.
//
// Source: AWS SDKs and Tools Reference Guide, "Shared config and credentials files"
// (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html).

#include <ccrec/core/result.hpp>

#include <map>
#include <optional>
#include <string>

namespace ccrec::s3::detail {

/// The value of environment variable `name`, "" when unset.
std::string Env(char const* name);

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

/// Parses the AWS INI dialect: [section], key = value, '#'/';' comment lines and inline comments
/// after whitespace; indented lines under a key with an empty value are a nested block (ignored).
/// Keys are lower-cased. Never fails: malformed lines are ignored.
IniFile ParseIni(std::string const& text);

/// `explicit_name`, else `AWS_PROFILE`, else "default".
std::string ProfileName(std::string const& explicit_name);

/// Both shared files, read once.
struct AwsConfigFiles {
  IniFile credentials;  // ~/.aws/credentials: sections are "[name]"
  IniFile config;       // ~/.aws/config: sections are "[profile name]" (or "[default]")
  std::string where;    // "path, path (missing)" for messages
};

/// Reads the credentials file (`credentials_file`, else `AWS_SHARED_CREDENTIALS_FILE`, else
/// ~/.aws/credentials) and the config file (`config_file`, else `AWS_CONFIG_FILE`, else
/// ~/.aws/config), each at most 1 MiB. A missing file is empty; an unreadable one is
/// kUnauthenticated naming it. `what` prefixes messages ("AWS profile dev").
Result<AwsConfigFiles> ReadAwsConfigFiles(std::string const& credentials_file, std::string const& config_file,
                                          std::string const& what);

/// The `[profile NAME]` (or `[default]` for "default") section of the config file.
std::optional<IniSection> ConfigSection(AwsConfigFiles const& files, std::string const& name);
/// The `[NAME]` section of the credentials file.
std::optional<IniSection> CredentialsSection(AwsConfigFiles const& files, std::string const& name);
/// The config section overlaid with the credentials section (the credentials file wins), or
/// nullopt when the profile is in neither file.
std::optional<IniSection> MergedProfile(AwsConfigFiles const& files, std::string const& name);

/// `section[key]` or "".
std::string Value(IniSection const& section, char const* key);

}  // namespace ccrec::s3::detail
