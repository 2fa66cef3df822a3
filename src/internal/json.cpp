// SPDX-License-Identifier: Apache-2.0
#include "internal/json.hpp"

#include "internal/ascii.hpp"
#include "internal/json_detail.hpp"

#include <ccrec/core/log.hpp>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace ccrec::detail {

namespace json_detail {
namespace {
// Follows a left-to-right scan of JSON text through its strings: Skip(text, i) is true when byte
// i belongs to a string (its quotes included), and then steps i over an escaped byte.
class StringSkipper {
 public:
  bool Skip(std::string_view text, std::size_t& i) {
    char const c = text[i];
    if (in_string_) {
      if (c == '\\') ++i;
      else if (c == '"') in_string_ = false;
      return true;
    }
    in_string_ = c == '"';
    return in_string_;
  }

 private:
  bool in_string_ = false;
};
}  // namespace

// Rejects, before rapidjson sees the text, what it handles badly: nesting deeper than
// kMaxJsonDepth (a recursive Accept/copy/destructor of such a value overflows the stack) and
// exponents of more than 5 digits (rapidjson 1.1.0 overflows a signed int on
// "0.0000000001e-2147483639"). One pass, strings skipped.
std::optional<std::string> CheckJsonLimits(std::string_view text, std::size_t* structure) {
  std::size_t depth = 0;
  std::size_t marks = 0;
  StringSkipper strings;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (strings.Skip(text, i)) continue;
    char const c = text[i];
    switch (c) {
      case ',':
      case ':': ++marks; break;
      case '[':
      case '{':
        ++marks;
        if (++depth > kMaxJsonDepth) {
          return "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " + std::to_string(i);
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case '\0':
        // RapidJSON reads NUL as the end of input: "{}\0<anything>" would pass as "{}".
        return "a NUL byte at byte " + std::to_string(i);
      case 'e':
      case 'E': {
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        while (j < text.size() && text[j] == '0') ++j;
        std::size_t const first = j;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
        if (j - first > 5) return "a number exponent out of range at byte " + std::to_string(i);
        i = j - 1;
        break;
      }
      default: break;
    }
  }
  if (structure != nullptr) *structure = marks;
  return std::nullopt;
}
// RapidJSON 1.1.0's full-precision number path calls clz(0) (undefined) for a zero significand
// with an exponent ("0e50", "-0.000E+3"). Such a number is zero whatever the exponent, so the
// exponent is blanked out (same length: byte offsets in error messages stay right). Returns the
// rewritten text, or nullopt when there is nothing to rewrite. Strings are skipped.
std::optional<std::string> RewriteForReader(std::string_view text) {
  std::optional<std::string> out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    out.emplace(text);
    (*out)[0] = (*out)[1] = (*out)[2] = ' ';
  }
  StringSkipper strings;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (strings.Skip(text, i)) continue;
    char const c = text[i];
    bool const starts_number = (c == '-' || (c >= '0' && c <= '9')) &&
                               (i == 0 || !((text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '.' ||
                                            text[i - 1] == 'e' || text[i - 1] == 'E' || text[i - 1] == '+' ||
                                            text[i - 1] == '-' || (text[i - 1] >= 'a' && text[i - 1] <= 'z')));
    if (!starts_number) continue;
    std::size_t j = i + (c == '-' ? 1 : 0);
    bool zero = true;
    bool digits = false;
    for (; j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.'); ++j) {
      if (text[j] >= '1' && text[j] <= '9') zero = false;
      if (text[j] != '.') digits = true;
    }
    if (zero && digits && j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      std::size_t k = j + 1;
      if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
      std::size_t const exp_digits = k;
      while (k < text.size() && text[k] >= '0' && text[k] <= '9') ++k;
      if (k > exp_digits) {
        if (!out) out.emplace(text);
        for (std::size_t m = j; m < k; ++m) (*out)[m] = ' ';
      }
    }
    i = j > i ? j - 1 : i;
  }
  return out;
}

Error ParseFailure(std::string_view text, std::string_view what, rapidjson::ParseErrorCode code, std::size_t offset) {
  // The start of the body helps diagnose HTML error pages; it may also be a token response,
  // so it is redacted (a value cut off by the 80-byte limit is masked too).
  std::string snippet(text.substr(0, 80));
  for (auto& c : snippet) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  snippet = RedactSecrets(snippet);
  return MakeError(ErrorCode::kParse, std::string(what) + " is not valid JSON: " + rapidjson::GetParseError_En(code) +
                                          " at byte " + std::to_string(offset) + " of " + std::to_string(text.size()) +
                                          " (starts with \"" + snippet + "\")");
}

Error LimitFailure(std::string_view text, std::string_view what, std::string const& why) {
  return MakeError(ErrorCode::kParse,
                   std::string(what) + " is not acceptable JSON: " + why + " of " + std::to_string(text.size()));
}

}  // namespace json_detail

Result<rapidjson::Document> ParseJson(std::string_view text, std::string_view what) {
  if (auto bad = json_detail::CheckJsonLimits(text)) return json_detail::LimitFailure(text, what, *bad);
  auto const rewritten = json_detail::RewriteForReader(text);
  std::string_view const input = rewritten ? std::string_view(*rewritten) : text;
  rapidjson::Document doc;
  // A plain MemoryStream, as ParseJsonWithSpans reads: Document::Parse(text, length) wraps it in an
  // EncodedInputStream that drops each of the bytes EF, BB and BF at the start on its own, so
  // "\xBB{}" passed as "{}" (a fuzz finding). Iterative parsing: the recursive parser can overflow
  // the stack on deeply nested input.
  rapidjson::MemoryStream stream(input.data(), input.size());
  doc.ParseStream<json_detail::kParseFlags, rapidjson::UTF8<>>(stream);
  if (doc.HasParseError()) return json_detail::ParseFailure(text, what, doc.GetParseError(), doc.GetErrorOffset());
  return doc;
}

std::optional<rapidjson::Document> ParseJsonObject(std::string_view body, std::string_view what) {
  if (body.empty()) return std::nullopt;
  auto doc = ParseJson(body, what);
  if (!doc || !doc->IsObject()) return std::nullopt;
  return std::move(*doc);
}

namespace {
rapidjson::Value const* Member(rapidjson::Value const& obj, char const* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

// "-?[0-9]+" exactly (no spaces, '+', or trailing bytes), without overflow.
std::optional<std::int64_t> ParseInt64Strict(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!negative) {
    if (n > kMax) return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (n > kMax + 1) return std::nullopt;
  if (n == kMax + 1) return std::numeric_limits<std::int64_t>::min();
  return -static_cast<std::int64_t>(n);
}

// A JSON-style number "-?digits[.digits][(e|E)[+-]digits]" that is finite as a double.
std::optional<double> ParseDoubleStrict(std::string const& s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  double d = std::strtod(s.c_str(), nullptr);
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

// The member `key` of `obj` (absent or null: nullopt) as `native` reads its own JSON type, else,
// when it is a string, as `from_text` reads that text; any other type is nullopt.
template <class T, class Native, class FromText>
std::optional<T> ReadLenient(rapidjson::Value const& obj, char const* key, Native native, FromText from_text) {
  auto const* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (std::optional<T> value = native(*v)) return value;
  if (v->IsString()) return from_text(std::string_view(v->GetString(), v->GetStringLength()));
  return std::nullopt;
}
}  // namespace

std::optional<std::string> OptString(rapidjson::Value const& obj, char const* key) {
  return ReadLenient<std::string>(
      obj, key,
      [](rapidjson::Value const& v) -> std::optional<std::string> {
        if (v.IsInt64()) return std::to_string(v.GetInt64());
        if (v.IsUint64()) return std::to_string(v.GetUint64());
        return std::nullopt;
      },
      [](std::string_view text) { return std::optional<std::string>(text); });
}

std::optional<std::int64_t> OptInt64(rapidjson::Value const& obj, char const* key) {
  return ReadLenient<std::int64_t>(
      obj, key,
      [](rapidjson::Value const& v) -> std::optional<std::int64_t> {
        if (v.IsInt64()) return v.GetInt64();
        if (!v.IsDouble()) return std::nullopt;
        double d = v.GetDouble();
        if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
          return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
      },
      ParseInt64Strict);
}

std::optional<double> OptDouble(rapidjson::Value const& obj, char const* key) {
  return ReadLenient<double>(
      obj, key,
      [](rapidjson::Value const& v) { return v.IsNumber() ? std::optional<double>(v.GetDouble()) : std::nullopt; },
      [](std::string_view text) { return ParseDoubleStrict(std::string(text)); });
}

std::optional<bool> OptBool(rapidjson::Value const& obj, char const* key) {
  return ReadLenient<bool>(
      obj, key, [](rapidjson::Value const& v) { return v.IsBool() ? std::optional<bool>(v.GetBool()) : std::nullopt; },
      [](std::string_view text) -> std::optional<bool> {
        if (text == "true") return true;
        if (text == "false") return false;
        return std::nullopt;
      });
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

bool JsonEqualInOrder(rapidjson::Value const& a, rapidjson::Value const& b) {
  if (a.GetType() != b.GetType()) return false;
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y) {
      if (!(x->name == y->name) || !JsonEqualInOrder(x->value, y->value)) return false;
    }
    return true;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!JsonEqualInOrder(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

std::string ToJson(rapidjson::Value const& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string JsonEscape(std::string_view text, bool escape_delete) {
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
        if (c < 0x20 || (escape_delete && c == 0x7f)) {
          out += "\\u00";
          AppendHexByte(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace ccrec::detail
