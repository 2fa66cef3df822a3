#include "internal/json.hpp"

#include <rapidjson/error/en.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace ccrec {
inline namespace v1 {
namespace internal {

Result<rapidjson::Document> ParseJson(std::string_view text, std::string_view what) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    std::string snippet(text.substr(0, 80));
    for (auto& c : snippet) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return MakeError(ErrorCode::kParse, std::string(what) + " is not valid JSON: " +
                                            rapidjson::GetParseError_En(doc.GetParseError()) + " at byte " +
                                            std::to_string(doc.GetErrorOffset()) + " of " +
                                            std::to_string(text.size()) + " (starts with \"" + snippet + "\")");
  }
  return doc;
}

namespace {
rapidjson::Value const* Member(rapidjson::Value const& obj, char const* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}
}  // namespace

std::optional<std::string> OptString(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return std::nullopt;
}

std::optional<std::int64_t> OptInt64(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsDouble()) {
    double d = v->GetDouble();
    if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
      return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
  }
  if (v->IsString()) {
    std::string s(v->GetString(), v->GetStringLength());
    if (s.empty() || s.size() > 20) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  return std::nullopt;
}

std::optional<double> OptDouble(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) {
    std::string s(v->GetString(), v->GetStringLength());
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || end == nullptr || *end != '\0') return std::nullopt;
    return d;
  }
  return std::nullopt;
}

std::optional<bool> OptBool(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) {
    std::string s(v->GetString(), v->GetStringLength());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return std::nullopt;
}

rapidjson::Value const* OptObject(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  return (v != nullptr && v->IsObject()) ? v : nullptr;
}

rapidjson::Value const* OptArray(rapidjson::Value const& obj, char const* key) {
  auto const* v = Member(obj, key);
  return (v != nullptr && v->IsArray()) ? v : nullptr;
}

std::vector<std::string> StringArray(rapidjson::Value const* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->IsArray()) return out;
  for (auto const& e : array->GetArray()) {
    if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
    else if (e.IsInt64()) out.push_back(std::to_string(e.GetInt64()));
  }
  return out;
}

std::string ToJson(rapidjson::Value const& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string JsonEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
