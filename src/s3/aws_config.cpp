// SPDX-License-Identifier: Apache-2.0
// The AWS shared config and credentials files (aws_config.hpp).
#include "s3/aws_config.hpp"

#include "internal/ascii.hpp"
#include "internal/file_util.hpp"

#include <cctype>
#include <cstdlib>
#include <string_view>

namespace ccrec::s3::detail {
namespace {

std::string Trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string HomePath(char const* rel) {
  auto home = Env("HOME");
  if (home.empty()) return {};
  return home + rel;
}

std::string ExpandHome(std::string path) {
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    auto home = Env("HOME");
    if (!home.empty()) return home + path.substr(1);
  }
  return path;
}

}  // namespace

std::string Env(char const* name) {
  char const* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

IniFile ParseIni(std::string const& text) {
  IniFile out;
  std::string section;
  bool have_section = false;
  bool in_nested = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    std::string raw = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() + 1 : nl + 1;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    bool const indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    auto line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      auto close = line.find(']');
      if (close == std::string::npos) continue;  // malformed header: ignore the line
      section = Trim(line.substr(1, close - 1));
      have_section = true;
      in_nested = false;
      out[section];
      continue;
    }
    if (!have_section) continue;
    if (indented && in_nested) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto key = ::ccrec::detail::ToLowerAscii(Trim(line.substr(0, eq)));
    auto value = line.substr(eq + 1);
    for (std::size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = value.substr(0, i);
        break;
      }
    }
    value = Trim(value);
    in_nested = value.empty();
    out[section][key] = value;
  }
  return out;
}

std::string ProfileName(std::string const& explicit_name) {
  if (!explicit_name.empty()) return explicit_name;
  auto p = Env("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

Result<AwsConfigFiles> ReadAwsConfigFiles(std::string const& credentials_file, std::string const& config_file,
                                          std::string const& what) {
  auto creds_path = ExpandHome(!credentials_file.empty()                      ? credentials_file
                               : !Env("AWS_SHARED_CREDENTIALS_FILE").empty() ? Env("AWS_SHARED_CREDENTIALS_FILE")
                                                                              : HomePath("/.aws/credentials"));
  auto config_path = ExpandHome(!config_file.empty()              ? config_file
                                : !Env("AWS_CONFIG_FILE").empty() ? Env("AWS_CONFIG_FILE")
                                                                  : HomePath("/.aws/config"));
  AwsConfigFiles files;
  // Reads `path` into `ini` (a missing file is noted and left empty; an unreadable one fails).
  auto read_ini = [&](std::string const& path, IniFile& ini) -> Result<void> {
    if (path.empty()) return {};
    auto text = ::ccrec::detail::ReadSmallFile(path, 1u << 20);
    std::string note = path;
    if (text) {
      ini = ParseIni(*text);
    } else if (text.error().code != ErrorCode::kNotFound) {
      return MakeError(ErrorCode::kUnauthenticated, what + ": cannot read " + path + ": " + text.error().message);
    } else {
      note += " (missing)";
    }
    files.where += (files.where.empty() ? "" : ", ") + note;
    return {};
  };
  if (auto r = read_ini(creds_path, files.credentials); !r) return std::move(r).error();
  if (auto r = read_ini(config_path, files.config); !r) return std::move(r).error();
  if (files.where.empty()) files.where = "(no HOME)";
  return files;
}

std::optional<IniSection> ConfigSection(AwsConfigFiles const& files, std::string const& name) {
  auto it = files.config.find("profile " + name);
  if (it == files.config.end() && name == "default") it = files.config.find("default");
  if (it == files.config.end()) return std::nullopt;
  return it->second;
}

std::optional<IniSection> CredentialsSection(AwsConfigFiles const& files, std::string const& name) {
  auto it = files.credentials.find(name);
  if (it == files.credentials.end()) return std::nullopt;
  return it->second;
}

std::optional<IniSection> MergedProfile(AwsConfigFiles const& files, std::string const& name) {
  auto config = ConfigSection(files, name);
  auto creds = CredentialsSection(files, name);
  if (!config && !creds) return std::nullopt;
  IniSection merged = config.value_or(IniSection{});
  if (creds) {
    for (auto const& [k, v] : *creds) merged[k] = v;
  }
  return merged;
}

std::string Value(IniSection const& section, char const* key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

}  // namespace ccrec::s3::detail
