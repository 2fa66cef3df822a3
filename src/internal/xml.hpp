// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the one XML reading layer of ccrec, built on pugixml. Every XML answer a server sends
// (S3 Error documents and multipart answers, FACE result documents, the S3-style error bodies of
// Webex presigned downloads) is parsed once into a DOM here and read with the small queries below.
// Also the writer of XML request bodies (S3 CompleteMultipartUpload), so that pugixml, not ccrec,
// escapes their texts. Not installed; pugixml stays in xml.cpp.
//
// What it accepts (docs/security.md):
// - UTF-8 (optional BOM) and UTF-16 LE/BE (with a BOM, or without one when the bytes show it:
//   FACE serves `<?xml version="1.0" encoding="UTF-16"?>`). The bytes decide, not the declaration
//   (a UTF-8 document declaring UTF-16 is read as UTF-8). Texts come out as UTF-8.
// - Names are matched by local name: `<s3:Code>` answers "Code".
// - Only the five predefined entities and character references are expanded. A DOCTYPE fails the
//   parse (no DTD is read, no entity is ever declared, so no billion laughs and no external fetch).
// - Malformed documents (unclosed tags, a NUL character, several roots, text after the root) fail
//   with kParse naming what was wrong and where. Size limits are the callers' (bodies are capped).

#include <ccrec/core/result.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::detail::xml {

/// A read-only view of one element of a Document, for readers that walk the tree (FACE's answers
/// into their JSON form). Valid while its Document lives; cheap to copy.
///
/// @par Thread safety
/// Const queries may run concurrently.
class Element {
 public:
  /// Local name (without a namespace prefix).
  std::string Name() const;
  /// The element's text, with the rules of Document (nullopt when it has child elements).
  std::optional<std::string> Text() const;
  /// The child elements, in document order (attributes, comments and text are not elements).
  std::vector<Element> Children() const;

 private:
  friend class Document;
  explicit Element(void* node) : node_(node) {}
  void* node_ = nullptr;  // pugi::xml_node_struct, kept opaque so pugixml stays in xml.cpp
};

/// A parsed XML document. Queries take an element's local name (without a namespace prefix) and
/// search the whole tree in document order.
///
/// An element's text is the concatenation of its character data and CDATA sections with entities
/// expanded; an element with child elements, or whose character data holds an unknown entity or a
/// character reference outside Unicode, has no text. `<Name/>` has the text "". Text consisting only
/// of blanks reads as "".
///
/// @par Thread safety
/// Const queries may run concurrently; the object is move-only.
class Document {
 public:
  /// Parses `body` (UTF-8 or UTF-16, see the file comment). Errors: kParse with a message that
  /// starts with `what` and names the problem ("... is not well-formed XML: Start-end tags mismatch
  /// at offset 40", "... has a DOCTYPE ...", "... is empty").
  static Result<Document> Parse(std::string_view body, std::string_view what);

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  /// Local name of the root element.
  std::string RootName() const;
  /// The root element.
  Element Root() const;
  /// True when an element called `name` exists.
  bool Has(std::string_view name) const;
  /// Text of the first element called `name`; nullopt when there is none or it has no text.
  std::optional<std::string> Text(std::string_view name) const;
  /// Texts of every element called `name` that has one, in document order.
  std::vector<std::string> Texts(std::string_view name) const;
  /// For every element called `name`, in document order: its child elements' local names mapped to
  /// their texts (children without a text are left out; of repeated names the first is kept).
  std::vector<std::map<std::string, std::string>> ChildTexts(std::string_view name) const;

 private:
  struct Impl;
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// True when the first non-blank character of `body` is '<', in UTF-8 (optional BOM) or UTF-16
/// LE/BE (optional BOM). A cheap sniff for bodies that come without a Content-Type.
bool LooksLikeXml(std::string_view body);

/// Replaces &amp; &lt; &gt; &quot; &apos; &#NN; &#xNN;. nullopt on an unknown or unterminated
/// entity, or a character reference to NUL, a surrogate or a code point beyond U+10FFFF.
std::optional<std::string> Unescape(std::string_view text);

/// Writes a small XML document with pugixml, which escapes the texts: request bodies such as S3's
/// CompleteMultipartUpload. ToString() has no XML declaration and no indentation.
///
/// @par Thread safety
/// None: one thread builds a Writer; it is move-only.
class Writer {
 public:
  /// An element being written; valid while its Writer lives; cheap to copy.
  class Node {
   public:
    /// Appends the empty child element `name` and returns it.
    Node Child(std::string_view name);
    /// Appends the child element `<name>text</name>`.
    void Child(std::string_view name, std::string_view text);

   private:
    friend class Writer;
    explicit Node(void* node) : node_(node) {}
    void* node_ = nullptr;  // pugi::xml_node_struct, as in Element
  };

  /// A document whose root element is `root`, with the attribute `xmlns` unless it is empty.
  explicit Writer(std::string_view root, std::string_view xmlns = {});
  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  ~Writer();

  /// The root element.
  Node Root();
  /// The document as UTF-8, e.g. `<a xmlns="urn:x"><b>1 &amp; 2</b></a>`.
  std::string ToString() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccrec::detail::xml
