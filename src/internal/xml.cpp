// Tiny reader for flat XML documents (S3, FACE).
#include "internal/xml.hpp"

#include <cstdint>

namespace ccrec {
inline namespace v1 {
namespace internal {
namespace xml {
namespace {

bool IsNameChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':' || u >= 0x80;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Finds the start tag `<name` followed by '>', '/', or whitespace, from `from`. Returns the
// position of '<' or npos.
std::size_t FindStartTag(std::string_view doc, std::string_view name, std::size_t from) {
  while (true) {
    auto pos = doc.find('<', from);
    if (pos == std::string_view::npos) return pos;
    if (doc.compare(pos + 1, name.size(), name) == 0) {
      auto after = pos + 1 + name.size();
      if (after < doc.size() && !IsNameChar(doc[after])) return pos;
    }
    from = pos + 1;
  }
}

// Text of the element whose start tag begins at `lt`. `next` receives where scanning may resume.
std::optional<std::string> ElementText(std::string_view doc, std::string_view name, std::size_t lt,
                                       std::size_t& next) {
  auto gt = doc.find('>', lt);
  if (gt == std::string_view::npos) {
    next = doc.size();
    return std::nullopt;
  }
  next = gt + 1;
  if (doc[gt - 1] == '/') return std::string();  // <Name/>
  std::string close = "</" + std::string(name) + ">";
  auto end = doc.find(close, gt + 1);
  if (end == std::string_view::npos) return std::nullopt;
  auto inner = doc.substr(gt + 1, end - gt - 1);
  next = end + close.size();
  // CDATA section as the whole content.
  constexpr std::string_view kCdataOpen = "<![CDATA[";
  if (inner.substr(0, kCdataOpen.size()) == kCdataOpen) {
    auto cend = inner.find("]]>");
    if (cend == std::string_view::npos || cend + 3 != inner.size()) return std::nullopt;
    return std::string(inner.substr(kCdataOpen.size(), cend - kCdataOpen.size()));
  }
  if (inner.find('<') != std::string_view::npos) return std::nullopt;  // child elements
  return Unescape(inner);
}

}  // namespace

std::optional<std::string> RootName(std::string_view doc) {
  std::size_t i = 0;
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < doc.size()) {
    char c = doc[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (c != '<') return std::nullopt;
    if (doc.compare(i, 2, "<?") == 0) {
      auto e = doc.find("?>", i + 2);
      if (e == std::string_view::npos) return std::nullopt;
      i = e + 2;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      auto e = doc.find("-->", i + 4);
      if (e == std::string_view::npos) return std::nullopt;
      i = e + 3;
      continue;
    }
    if (doc.compare(i, 2, "<!") == 0) {
      auto e = doc.find('>', i + 2);
      if (e == std::string_view::npos) return std::nullopt;
      i = e + 1;
      continue;
    }
    std::size_t j = i + 1;
    while (j < doc.size() && IsNameChar(doc[j])) ++j;
    if (j == i + 1 || j >= doc.size()) return std::nullopt;
    if (doc.find('>', j) == std::string_view::npos) return std::nullopt;
    return std::string(doc.substr(i + 1, j - i - 1));
  }
  return std::nullopt;
}

std::optional<std::string> FindText(std::string_view doc, std::string_view name) {
  if (name.empty()) return std::nullopt;
  auto lt = FindStartTag(doc, name, 0);
  if (lt == std::string_view::npos) return std::nullopt;
  std::size_t next = 0;
  return ElementText(doc, name, lt, next);
}

std::vector<std::string> FindAllTexts(std::string_view doc, std::string_view name) {
  std::vector<std::string> out;
  if (name.empty()) return out;
  std::size_t from = 0;
  while (from < doc.size()) {
    auto lt = FindStartTag(doc, name, from);
    if (lt == std::string_view::npos) break;
    std::size_t next = lt + 1;
    if (auto t = ElementText(doc, name, lt, next)) out.push_back(std::move(*t));
    from = next > lt ? next : lt + 1;
  }
  return out;
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '&') {
      out.push_back(c);
      continue;
    }
    auto semi = text.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) return std::nullopt;
    auto ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() >= 2 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      auto digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return std::nullopt;
      std::uint32_t cp = 0;
      for (char d : digits) {
        int v;
        if (d >= '0' && d <= '9') {
          v = d - '0';
        } else if (hex && d >= 'a' && d <= 'f') {
          v = d - 'a' + 10;
        } else if (hex && d >= 'A' && d <= 'F') {
          v = d - 'A' + 10;
        } else {
          return std::nullopt;
        }
        cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(v);
        if (cp > 0x10FFFF) return std::nullopt;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
      AppendUtf8(out, cp);
    } else {
      return std::nullopt;
    }
    i = semi;
  }
  return out;
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace xml
}  // namespace internal
}  // namespace v1
}  // namespace ccrec
