// SPDX-License-Identifier: Apache-2.0
// The XML reading layer and the request-body writer, on pugixml (see xml.hpp).
#include "internal/xml.hpp"

#include <ccrec/core/error.hpp>

#include <pugixml.hpp>

#include <cstdint>
#include <utility>

namespace ccrec::detail::xml {
namespace {

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

enum class Utf { k8, k16Le, k16Be };

struct Encoding {
  Utf utf = Utf::k8;
  std::size_t bom = 0;  // bytes of byte order mark
};

// The bytes decide: a BOM, else a zero byte in the first code unit means UTF-16 ("<" is 3C 00 or
// 00 3C; so is a blank), else UTF-8. A declaration's encoding="UTF-16" over UTF-8 bytes is ignored.
Encoding Detect(std::string_view b) {
  if (b.substr(0, 3) == "\xEF\xBB\xBF") return {Utf::k8, 3};
  if (b.size() < 2) return {};
  auto const b0 = static_cast<unsigned char>(b[0]);
  auto const b1 = static_cast<unsigned char>(b[1]);
  if (b0 == 0xFF && b1 == 0xFE) return {Utf::k16Le, 2};
  if (b0 == 0xFE && b1 == 0xFF) return {Utf::k16Be, 2};
  if (b0 == 0 && b1 != 0) return {Utf::k16Be, 0};
  if (b0 != 0 && b1 == 0) return {Utf::k16Le, 0};
  return {};
}

// Code unit `i` of `b` (after the BOM) in the detected encoding.
std::uint32_t Unit(std::string_view b, Encoding const& enc, std::size_t i) {
  if (enc.utf == Utf::k8) return static_cast<unsigned char>(b[enc.bom + i]);
  auto const lo = static_cast<unsigned char>(b[enc.bom + 2 * i + (enc.utf == Utf::k16Le ? 0 : 1)]);
  auto const hi = static_cast<unsigned char>(b[enc.bom + 2 * i + (enc.utf == Utf::k16Le ? 1 : 0)]);
  return lo | (std::uint32_t{hi} << 8);
}

std::size_t Units(std::string_view b, Encoding const& enc) {
  return enc.utf == Utf::k8 ? b.size() - enc.bom : (b.size() - enc.bom) / 2;
}

// Index of the first code unit that is not an XML blank; Units() when there is none.
std::size_t FirstNonBlank(std::string_view b, Encoding const& enc) {
  std::size_t const units = Units(b, enc);
  std::size_t i = 0;
  for (; i < units; ++i) {
    auto const u = Unit(b, enc, i);
    if (u != ' ' && u != '\t' && u != '\r' && u != '\n') break;
  }
  return i;
}

std::string_view LocalName(char const* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// Calls `visit` on every element below `top` in document order until it returns false. Iterative:
// a deeply nested hostile document cannot exhaust the stack.
template <typename Visit>
void ForEachElement(pugi::xml_node top, Visit&& visit) {
  pugi::xml_node n = top.first_child();
  while (n) {
    if (n.type() == pugi::node_element && !visit(n)) return;
    if (auto child = n.first_child()) {
      n = child;
      continue;
    }
    while (n != top && !n.next_sibling()) n = n.parent();
    if (n == top) return;
    n = n.next_sibling();
  }
}

std::optional<std::string> ElementText(pugi::xml_node element) {
  std::string out;
  for (auto c : element.children()) {
    switch (c.type()) {
      case pugi::node_element: return std::nullopt;
      case pugi::node_pcdata: {
        // Entities are expanded here, not by pugixml, which keeps unknown ones as text and writes
        // out-of-range character references as invalid UTF-8.
        auto text = Unescape(c.value());
        if (!text) return std::nullopt;
        out += *text;
        break;
      }
      case pugi::node_cdata: out += c.value(); break;
      default: break;
    }
  }
  return out;
}

// The pugixml node behind an Element or a Writer::Node.
pugi::xml_node NodeOf(void* node) { return pugi::xml_node(static_cast<pugi::xml_node_struct*>(node)); }

// Appends what pugixml writes to a string.
struct StringOutput : pugi::xml_writer {
  std::string out;
  void write(void const* data, std::size_t size) override { out.append(static_cast<char const*>(data), size); }
};

Error ParseError(std::string_view what, std::string const& problem) {
  return MakeError(ErrorCode::kParse, std::string(what) + " " + problem);
}

}  // namespace

struct Document::Impl {
  pugi::xml_document doc;
};

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Result<Document> Document::Parse(std::string_view body, std::string_view what) {
  auto const enc = Detect(body);
  auto const units = Units(body, enc);
  if (enc.utf != Utf::k8 && (body.size() - enc.bom) % 2 != 0) {
    return ParseError(what, "is UTF-16 with an odd number of bytes (truncated)");
  }
  std::size_t const first = FirstNonBlank(body, enc);
  if (first == units) return ParseError(what, "is empty (no XML document)");
  for (std::size_t i = first; i < units; ++i) {
    if (Unit(body, enc, i) == 0) return ParseError(what, "is not XML: it contains a NUL character at offset " + std::to_string(i));
  }
  auto impl = std::make_unique<Impl>();
  // parse_fragment keeps text outside the root, so that it can be refused below.
  unsigned const options = (pugi::parse_default & ~pugi::parse_escapes) | pugi::parse_doctype | pugi::parse_fragment;
  auto const pugi_encoding = enc.utf == Utf::k8      ? pugi::encoding_utf8
                             : enc.utf == Utf::k16Le ? pugi::encoding_utf16_le
                                                     : pugi::encoding_utf16_be;
  auto const r = impl->doc.load_buffer(body.data() + enc.bom, body.size() - enc.bom, options, pugi_encoding);
  if (!r) {
    return ParseError(what, std::string("is not well-formed XML: ") + r.description() + " at offset " +
                                std::to_string(r.offset) + (enc.utf == Utf::k8 ? "" : " of the decoded text"));
  }
  int roots = 0;
  for (auto n : impl->doc.children()) {
    switch (n.type()) {
      case pugi::node_doctype: return ParseError(what, "has a DOCTYPE: DTDs and entity declarations are not accepted");
      case pugi::node_element: ++roots; break;
      case pugi::node_pcdata:
      case pugi::node_cdata: return ParseError(what, "is not well-formed XML: text outside the root element");
      default: break;
    }
  }
  if (roots != 1) return ParseError(what, "is not well-formed XML: " + std::to_string(roots) + " root elements");
  return Document(std::move(impl));
}

std::string Element::Name() const {
  return std::string(LocalName(NodeOf(node_).name()));
}

std::optional<std::string> Element::Text() const {
  return ElementText(NodeOf(node_));
}

std::vector<Element> Element::Children() const {
  std::vector<Element> out;
  for (auto child : NodeOf(node_).children()) {
    if (child.type() == pugi::node_element) out.push_back(Element(child.internal_object()));
  }
  return out;
}

Element Document::Root() const { return Element(impl_->doc.document_element().internal_object()); }

std::string Document::RootName() const { return std::string(LocalName(impl_->doc.document_element().name())); }

bool Document::Has(std::string_view name) const {
  bool found = false;
  ForEachElement(impl_->doc, [&](pugi::xml_node e) { return !(found = LocalName(e.name()) == name); });
  return found;
}

std::optional<std::string> Document::Text(std::string_view name) const {
  std::optional<std::string> out;
  ForEachElement(impl_->doc, [&](pugi::xml_node e) {
    if (LocalName(e.name()) != name) return true;
    out = ElementText(e);
    return false;
  });
  return out;
}

std::vector<std::string> Document::Texts(std::string_view name) const {
  std::vector<std::string> out;
  ForEachElement(impl_->doc, [&](pugi::xml_node e) {
    if (LocalName(e.name()) == name) {
      if (auto text = ElementText(e)) out.push_back(std::move(*text));
    }
    return true;
  });
  return out;
}

std::vector<std::map<std::string, std::string>> Document::ChildTexts(std::string_view name) const {
  std::vector<std::map<std::string, std::string>> out;
  ForEachElement(impl_->doc, [&](pugi::xml_node e) {
    if (LocalName(e.name()) != name) return true;
    auto& fields = out.emplace_back();
    for (auto child : e.children()) {
      if (child.type() != pugi::node_element) continue;
      if (auto text = ElementText(child)) fields.emplace(std::string(LocalName(child.name())), std::move(*text));
    }
    return true;
  });
  return out;
}

bool LooksLikeXml(std::string_view body) {
  auto const enc = Detect(body);
  auto const first = FirstNonBlank(body, enc);
  return first < Units(body, enc) && Unit(body, enc, first) == '<';
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

struct Writer::Impl {
  pugi::xml_document doc;
};

Writer::Writer(std::string_view root, std::string_view xmlns) : impl_(std::make_unique<Impl>()) {
  auto node = impl_->doc.append_child(std::string(root).c_str());
  if (!xmlns.empty()) node.append_attribute("xmlns").set_value(std::string(xmlns).c_str());
}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;
Writer::~Writer() = default;

Writer::Node Writer::Root() { return Node(impl_->doc.document_element().internal_object()); }

Writer::Node Writer::Node::Child(std::string_view name) {
  return Node(NodeOf(node_).append_child(std::string(name).c_str()).internal_object());
}

void Writer::Node::Child(std::string_view name, std::string_view text) {
  NodeOf(node_).append_child(std::string(name).c_str()).text().set(std::string(text).c_str());
}

std::string Writer::ToString() const {
  StringOutput output;
  impl_->doc.save(output, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return std::move(output.out);
}

}  // namespace ccrec::detail::xml
