// SPDX-License-Identifier: Apache-2.0
// ParseJsonWithSpans: ParseJson that also records where each value is in the text, so that server
// records are archived as the exact bytes received (issue 12) instead of re-serialised by ToJson.
//
// How: rapidjson's Reader runs over the text (the same flags and pre-checks as ParseJson) with a
// handler that forwards every SAX event to the Document and records the byte span of the value
// the event belongs to. The elements of an array (the members of an object) are one contiguous
// run of Values in the DOM, and their spans one contiguous block of the span table; after the
// parse one walk of the finished DOM gives each block its address, so a lookup is a binary search
// over the blocks (one per non-empty object or array), not a hash per value.

#include "internal/json.hpp"
#include "internal/json_detail.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace ccrec::detail {

namespace {

// The recorder reads the stream's position while the Reader is inside a token: that is only the
// live position when the Reader works on the stream itself, not on a local copy of it.
static_assert(rapidjson::StreamTraits<rapidjson::MemoryStream>::copyOptimization == 0,
              "the span recorder needs the Reader to advance the stream it was given");
// An object's members are stored as consecutive (name, value) Values.
static_assert(sizeof(rapidjson::Value::Member) == 2 * sizeof(rapidjson::Value), "a member is two Values");

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// SAX handler: forwards each event to the Document and records the span of its value.
/// A value starts at the first byte after the previous token that is neither JSON whitespace nor
/// the one ',' or ':' before it; a scalar ends where the Reader stands when it reports it; an
/// object or array ends after the '}' or ']' that follows its last token (only whitespace between).
/// Positions come from scanning the text rather than from the Reader's position at Start/End
/// events, which differs between rapidjson's recursive and iterative parsers.
///
/// Like the Document, it keeps the spans of the values of the open objects and arrays on a stack;
/// when one closes, the spans of its children move to the span table as one block, in the order
/// the Document stores them (name, value, ...). Blocks are made in close order (post-order).
class SpanRecorder {
 public:
  SpanRecorder(rapidjson::Document& doc, rapidjson::MemoryStream const& stream, std::string_view original,
               std::string_view input, std::vector<JsonSpan>& table, std::vector<JsonSpanBlock>& blocks)
      : doc_(doc), stream_(stream), original_(original), input_(input), table_(table), blocks_(blocks) {}

  bool Null() { return Scalar(), doc_.Null(); }
  bool Bool(bool b) { return Scalar(), doc_.Bool(b); }
  bool Int(int i) { return Number(), doc_.Int(i); }
  bool Uint(unsigned u) { return Number(), doc_.Uint(u); }
  bool Int64(std::int64_t i) { return Number(), doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return Number(), doc_.Uint64(u); }
  bool Double(double d) { return Number(), doc_.Double(d); }
  bool RawNumber(char const* s, rapidjson::SizeType n, bool copy) { return Number(), doc_.RawNumber(s, n, copy); }
  bool String(char const* s, rapidjson::SizeType n, bool copy) { return Scalar(), doc_.String(s, n, copy); }
  bool Key(char const* s, rapidjson::SizeType n, bool copy) { return Scalar(), doc_.Key(s, n, copy); }
  bool StartObject() { return Open(), doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return Close(), doc_.EndObject(members); }
  bool StartArray() { return Open(), doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return Close(), doc_.EndArray(elements); }

  /// The span of the whole document (after a successful parse).
  JsonSpan Root() const { return stack_.front(); }

 private:
  std::size_t SkipBlanks(std::size_t i) const {
    while (i < input_.size() && IsBlank(input_[i])) ++i;  // input_: a byte order mark is blanked there
    return i;
  }
  std::size_t ValueStart() const {
    std::size_t i = SkipBlanks(pos_);
    if (i < input_.size() && (input_[i] == ',' || input_[i] == ':')) i = SkipBlanks(i + 1);
    return i;
  }
  void Push(std::size_t begin, std::size_t end) {
    stack_.push_back(JsonSpan{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
  }
  void Scalar() {
    std::size_t const begin = ValueStart();
    pos_ = stream_.Tell();
    Push(begin, pos_);
  }
  void Number() {
    std::size_t const begin = ValueStart();
    std::size_t end = stream_.Tell();
    // RewriteForReader turned "0e50" into "0   " for the Reader; the span is the original token.
    while (end < input_.size() && input_[end] != original_[end]) ++end;
    pos_ = end;
    Push(begin, end);
  }
  void Open() {
    std::size_t const begin = ValueStart();
    open_.push_back(stack_.size());
    Push(begin, begin + 1);
    pos_ = begin + 1;
  }
  void Close() {
    pos_ = SkipBlanks(pos_) + 1;
    std::size_t const self = open_.back();
    open_.pop_back();
    stack_[self].end = static_cast<std::uint32_t>(pos_);
    std::size_t const children = stack_.size() - self - 1;
    if (children > 0) {
      blocks_.push_back(JsonSpanBlock{0, static_cast<std::uint32_t>(children), static_cast<std::uint32_t>(table_.size())});
      table_.insert(table_.end(), stack_.begin() + static_cast<std::ptrdiff_t>(self + 1), stack_.end());
      stack_.resize(self + 1);
    }
  }

  rapidjson::Document& doc_;
  rapidjson::MemoryStream const& stream_;
  std::string_view original_;
  std::string_view input_;
  std::vector<JsonSpan>& table_;
  std::vector<JsonSpanBlock>& blocks_;
  std::vector<JsonSpan> stack_;    // spans of the values of the open objects and arrays
  std::vector<std::size_t> open_;  // where each open object's / array's own span is on stack_
  std::size_t pos_ = 0;            // end of the previous token
};

std::uintptr_t Address(rapidjson::Value const& v) { return reinterpret_cast<std::uintptr_t>(&v); }

// Gives the blocks, made in close order, the addresses of their Values: a post-order walk of the
// finished DOM meets the non-empty objects and arrays in that same order. Recursion depth is
// bounded by kMaxJsonDepth.
void AddressBlocks(rapidjson::Value const& value, std::vector<JsonSpanBlock>& blocks, std::size_t& next) {
  if (value.IsObject()) {
    if (value.MemberCount() == 0) return;
    for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) AddressBlocks(m->value, blocks, next);
    blocks[next++].first = Address(value.MemberBegin()->name);
  } else if (value.IsArray()) {
    if (value.Empty()) return;
    for (auto const& e : value.GetArray()) AddressBlocks(e, blocks, next);
    blocks[next++].first = Address(*value.Begin());
  }
}

}  // namespace

Result<JsonWithSpans> ParseJsonWithSpans(std::string_view text, std::string_view what) {
  JsonWithSpans out;
  out.text_ = text;
  if (auto error = out.Parse(what)) return std::move(*error);
  return out;
}

Result<JsonWithSpans> ParseJsonWithSpans(std::string&& text, std::string_view what) {
  JsonWithSpans out;
  out.owned_text_ = std::move(text);
  out.owns_text_ = true;
  if (auto error = out.Parse(what)) return std::move(*error);
  return out;
}

std::optional<Error> JsonWithSpans::Parse(std::string_view what) {
  std::string_view const text = Text();
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return json_detail::LimitFailure(text, what, "a text of 4 GiB or more");
  }
  std::size_t structure = 0;
  if (auto bad = json_detail::CheckJsonLimits(text, &structure)) return json_detail::LimitFailure(text, what, *bad);
  slot_spans_.reserve(structure);  // enough for every value but the root: the table never moves
  auto const rewritten = json_detail::RewriteForReader(text);
  std::string_view const input = rewritten ? std::string_view(*rewritten) : text;
  doc_ = std::make_unique<rapidjson::Document>();
  rapidjson::MemoryStream stream(input.data(), input.size());
  SpanRecorder recorder(*doc_, stream, text, input, slot_spans_, blocks_);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document&) {
    result = reader.Parse<json_detail::kParseFlags>(stream, recorder);
    return !result.IsError();
  };
  doc_->Populate(generate);
  if (result.IsError()) return json_detail::ParseFailure(text, what, result.Code(), result.Offset());
  root_ = recorder.Root();
  std::size_t next = 0;
  AddressBlocks(*doc_, blocks_, next);
  std::sort(blocks_.begin(), blocks_.end(),
            [](JsonSpanBlock const& a, JsonSpanBlock const& b) { return a.first < b.first; });
  return std::nullopt;
}

std::optional<JsonSpan> JsonWithSpans::Span(rapidjson::Value const& value) const {
  if (doc_ == nullptr) return std::nullopt;
  if (&value == static_cast<rapidjson::Value const*>(doc_.get())) return root_;
  std::uintptr_t const a = Address(value);
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), a,
                             [](std::uintptr_t x, JsonSpanBlock const& b) { return x < b.first; });
  if (it == blocks_.begin()) return std::nullopt;
  --it;
  std::uintptr_t const offset = a - it->first;
  if (offset % sizeof(rapidjson::Value) != 0 || offset / sizeof(rapidjson::Value) >= it->slots) return std::nullopt;
  return slot_spans_[it->base + offset / sizeof(rapidjson::Value)];
}

std::string_view JsonWithSpans::Raw(rapidjson::Value const& value) const {
  auto span = Span(value);
  if (!span) return {};
  return Text().substr(span->begin, span->end - span->begin);
}

std::string JsonWithSpans::RawWithoutMember(rapidjson::Value const& object, std::string_view name) const {
  auto const whole = Span(object);
  if (!whole || !object.IsObject() || object.MemberCount() == 0) return std::string(Raw(object));
  auto named = [&](rapidjson::Value const& n) { return std::string_view(n.GetString(), n.GetStringLength()) == name; };
  if (std::none_of(object.MemberBegin(), object.MemberEnd(), [&](auto const& m) { return named(m.name); })) {
    return std::string(Raw(object));
  }
  std::string_view const text = Text();
  auto slice = [&](std::uint32_t from, std::uint32_t to) { return text.substr(from, to - from); };
  // Kept members keep their own text and the separator that followed them; the text after the
  // last member ("\n}") closes the object.
  std::string out(slice(whole->begin, Span(object.MemberBegin()->name)->begin));
  std::string_view separator;
  bool kept_one = false;
  for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
    if (named(m->name)) continue;
    std::uint32_t const value_end = Span(m->value)->end;
    if (kept_one) out += separator;
    out += slice(Span(m->name)->begin, value_end);
    kept_one = true;
    separator = (m + 1 != object.MemberEnd()) ? slice(value_end, Span((m + 1)->name)->begin) : std::string_view();
  }
  out += slice(Span((object.MemberEnd() - 1)->value)->end, whole->end);
  return out;
}

std::string JsonWithSpans::RawReplacing(rapidjson::Value const& outer,
                                        std::vector<Replacement> const& replacements) const {
  auto const o = Span(outer);
  if (!o) return {};
  std::vector<std::pair<JsonSpan, std::string_view>> cuts;
  for (auto const& r : replacements) {
    auto const i = r.value != nullptr ? Span(*r.value) : std::nullopt;
    if (i && i->begin >= o->begin && i->end <= o->end) cuts.emplace_back(*i, r.text);
  }
  std::stable_sort(cuts.begin(), cuts.end(), [](auto const& a, auto const& b) { return a.first.begin < b.first.begin; });
  std::string_view const text = Text();
  std::string out;
  std::uint32_t at = o->begin;
  for (auto const& [span, replacement] : cuts) {
    if (span.begin < at) continue;  // inside one already replaced
    out += text.substr(at, span.begin - at);
    out += replacement;
    at = span.end;
  }
  out += text.substr(at, o->end - at);
  return out;
}

}  // namespace ccrec::detail
