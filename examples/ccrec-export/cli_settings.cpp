// SPDX-License-Identifier: Apache-2.0
// ccrec-export settings from the environment and config files (cli_settings.hpp).
#include "cli_settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ccrec_cli {

std::string EnvironmentName(std::string const& long_name) {
  std::string env = "CCREC_";
  for (char c : long_name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

namespace {

bool OnCommandLine(std::vector<std::string> const& args, std::string const& flag) {
  return std::any_of(args.begin(), args.end(),
                     [&](std::string const& a) { return a == flag || a.rfind(flag + "=", 0) == 0; });
}

bool Truthy(std::string const& v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

}  // namespace

std::vector<std::string> WithEnvironment(CLI::App& app, std::vector<std::string> args,
                                         std::vector<std::string> const& secret_names) {
  std::vector<CLI::App*> scopes{&app};
  for (auto const& a : args) {
    if (a.empty() || a[0] == '-') continue;
    for (auto* sub : app.get_subcommands([&](CLI::App* s) { return s->get_name() == a; })) scopes.push_back(sub);
    break;  // the first word is the subcommand (or a value of a global flag: then none)
  }
  std::vector<std::string> added;
  for (auto* scope : scopes) {
    for (auto const* option : scope->get_options()) {
      for (auto const& name : option->get_lnames()) {
        if (name == "help" || name == "version" || name == "config") continue;
        if (std::find(secret_names.begin(), secret_names.end(), name) != secret_names.end()) continue;
        std::string const flag = "--" + name;
        if (OnCommandLine(args, flag) || OnCommandLine(added, flag)) continue;
        char const* value = std::getenv(EnvironmentName(name).c_str());
        if (value == nullptr || *value == '\0') continue;
        if (option->get_expected_min() == 0) {  // a flag without a value
          if (Truthy(value)) added.push_back(flag);
        } else {
          added.push_back(flag);
          added.push_back(value);
        }
      }
    }
  }
  args.insert(args.end(), added.begin(), added.end());
  return args;
}

std::string DefaultConfigFile() {
  std::vector<std::string> candidates;
  if (char const* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    candidates.push_back(std::string(xdg) + "/ccrec/ccrec-export.toml");
  } else if (char const* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    candidates.push_back(std::string(home) + "/.config/ccrec/ccrec-export.toml");
  }
  candidates.push_back("/etc/ccrec/ccrec-export.toml");
  for (auto const& path : candidates) {
    if (::access(path.c_str(), R_OK) == 0) return path;
  }
  return {};
}

}  // namespace ccrec_cli
