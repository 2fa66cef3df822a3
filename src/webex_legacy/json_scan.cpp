// SPDX-License-Identifier: Apache-2.0
#include "webex_legacy/json_scan.hpp"

#include "internal/json.hpp"

namespace ccrec::webex_legacy::detail {

namespace {

std::size_t SkipString(std::string_view s, std::size_t i) {
  ++i;  // opening quote
  while (i < s.size() && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
  return i < s.size() ? i + 1 : s.size();
}

std::size_t SkipValue(std::string_view s, std::size_t i) {
  if (i >= s.size()) return s.size();
  char c = s[i];
  if (c == '"') return SkipString(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (i < s.size()) {
      char d = s[i];
      if (d == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') --depth;
      ++i;
      if (depth == 0) return i;
    }
    return s.size();
  }
  while (i < s.size() && s[i] != ',' && s[i] != ']' && s[i] != '}') ++i;
  return i;
}

}  // namespace

std::string CompactJson(std::string_view valid) {
  // ParseJson() accepts a UTF-8 byte-order mark before the value; it is not part of the value.
  if (valid.substr(0, 3) == "\xEF\xBB\xBF") valid.remove_prefix(3);
  std::string out;
  out.reserve(valid.size());
  bool in_string = false;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    char c = valid[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < valid.size()) {
        out += valid[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

std::vector<std::string_view> ArrayElements(std::string_view a) {
  std::vector<std::string_view> out;
  if (a.size() < 2 || a.front() != '[') return out;
  std::size_t i = 1;
  while (i < a.size() && a[i] != ']') {
    std::size_t end = SkipValue(a, i);
    out.push_back(a.substr(i, end - i));
    i = end;
    if (i < a.size() && a[i] == ',') ++i;
  }
  return out;
}

std::vector<std::pair<std::string_view, std::string_view>> ObjectMembers(std::string_view o) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  if (o.size() < 2 || o.front() != '{') return out;
  std::size_t i = 1;
  while (i < o.size() && o[i] == '"') {
    std::size_t key_end = SkipString(o, i);
    std::string_view key = o.substr(i, key_end - i);
    i = key_end;
    if (i < o.size() && o[i] == ':') ++i;
    std::size_t value_end = SkipValue(o, i);
    out.emplace_back(key, o.substr(i, value_end - i));
    i = value_end;
    if (i < o.size() && o[i] == ',') ++i;
  }
  return out;
}

std::string DecodeString(std::string_view token) {
  if (token.size() >= 2 && token.find('\\') == std::string_view::npos) {
    return std::string(token.substr(1, token.size() - 2));
  }
  auto doc = ::ccrec::detail::ParseJson(token, "JSON string");
  if (doc && doc->IsString()) return std::string(doc->GetString(), doc->GetStringLength());
  return std::string(token);
}

std::string_view FindMember(std::string_view o, std::string_view name) {
  for (auto const& [key, value] : ObjectMembers(o)) {
    if (key.size() == name.size() + 2 && key.substr(1, name.size()) == name) return value;
    if (key.find('\\') != std::string_view::npos && DecodeString(key) == name) return value;
  }
  return {};
}

std::optional<std::int64_t> ParseInteger(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = raw.substr(1, raw.size() - 2);
  if (raw.empty()) return std::nullopt;
  std::size_t i = raw[0] == '-' ? 1 : 0;
  if (i == raw.size() || raw.size() - i > 18) return std::nullopt;  // 18 digits never overflow int64
  std::int64_t v = 0;
  for (; i < raw.size(); ++i) {
    if (raw[i] < '0' || raw[i] > '9') return std::nullopt;
    v = v * 10 + (raw[i] - '0');
  }
  return raw[0] == '-' ? -v : v;
}

}  // namespace ccrec::webex_legacy::detail
