// ParseJsonWithSpans: ParseJson that also records where each value is in the text, so that server
// records are archived as the exact bytes received (issue 12) instead of re-serialised by ToJson.
//
// How: rapidjson's Reader runs over the text (the same flags and pre-checks as ParseJson) with a
// handler that forwards every SAX event to the Document and records, in document pre-order, the
// byte span of the value the event belongs to. After the parse one walk of the finished DOM gives
// each Value's address its span: the elements of an array (the members of an object) are one
// contiguous block of Values, so a lookup is a binary search over the blocks, not a hash per value.

#include "internal/json.hpp"
#include "internal/json_detail.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace ccrec {
inline namespace v1 {
namespace internal {

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
class SpanRecorder {
 public:
  SpanRecorder(rapidjson::Document& doc, rapidjson::MemoryStream const& stream, std::string_view original,
               std::string_view input, std::vector<JsonSpan>& spans)
      : doc_(doc), stream_(stream), original_(original), input_(input), spans_(spans) {}

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

 private:
  std::size_t SkipBlanks(std::size_t i) const {
    while (i < original_.size() && IsBlank(original_[i])) ++i;
    return i;
  }
  std::size_t ValueStart() const {
    std::size_t i = SkipBlanks(pos_);
    if (i < original_.size() && (original_[i] == ',' || original_[i] == ':')) i = SkipBlanks(i + 1);
    return i;
  }
  void Push(std::size_t begin, std::size_t end) {
    spans_.push_back(JsonSpan{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
  }
  void Scalar() {
    std::size_t const begin = ValueStart();
    pos_ = stream_.Tell();
    Push(begin, pos_);
  }
  void Number() {
    std::size_t const begin = ValueStart();
    std::size_t end = stream_.Tell();
    // BlankZeroExponents turned "0e50" into "0   " for the Reader; the span is the original token.
    while (end < input_.size() && input_[end] != original_[end]) ++end;
    pos_ = end;
    Push(begin, end);
  }
  void Open() {
    std::size_t const begin = ValueStart();
    open_.push_back(spans_.size());
    Push(begin, begin + 1);
    pos_ = begin + 1;
  }
  void Close() {
    pos_ = SkipBlanks(pos_) + 1;
    spans_[open_.back()].end = static_cast<std::uint32_t>(pos_);
    open_.pop_back();
  }

  rapidjson::Document& doc_;
  rapidjson::MemoryStream const& stream_;
  std::string_view original_;
  std::string_view input_;
  std::vector<JsonSpan>& spans_;
  std::vector<std::size_t> open_;  // pre-order indexes of the open objects and arrays
  std::size_t pos_ = 0;            // end of the previous token
};

std::uintptr_t Address(rapidjson::Value const& v) { return reinterpret_cast<std::uintptr_t>(&v); }

}  // namespace

Result<JsonWithSpans> ParseJsonWithSpans(std::string_view text, std::string_view what) {
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return json_detail::LimitFailure(text, what, "a text of 4 GiB or more");
  }
  if (auto bad = json_detail::CheckJsonLimits(text)) return json_detail::LimitFailure(text, what, *bad);
  JsonWithSpans out;
  out.text_.assign(text.data(), text.size());
  auto const rewritten = json_detail::BlankZeroExponents(text);
  std::string_view const input = rewritten ? std::string_view(*rewritten) : std::string_view(out.text_);
  out.doc_ = std::make_unique<rapidjson::Document>();
  std::vector<JsonSpan> spans;
  spans.reserve(text.size() / 16 + 1);
  rapidjson::MemoryStream stream(input.data(), input.size());
  SpanRecorder recorder(*out.doc_, stream, out.text_, input, spans);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document&) {
    result = reader.Parse<json_detail::kParseFlags>(stream, recorder);
    return !result.IsError();
  };
  out.doc_->Populate(generate);
  if (result.IsError()) return json_detail::ParseFailure(text, what, result.Code(), result.Offset());
  out.Index(spans);
  return out;
}

void JsonWithSpans::Index(std::vector<JsonSpan> const& pre_order) {
  root_ = pre_order.front();
  IndexValue(*doc_, pre_order, 1);
  std::sort(blocks_.begin(), blocks_.end(), [](Block const& a, Block const& b) { return a.first < b.first; });
}

// Gives the children of `value` their spans; `next` is the pre-order index of its first child.
// Returns the index after its last descendant. Recursion depth is bounded by kMaxJsonDepth.
std::size_t JsonWithSpans::IndexValue(rapidjson::Value const& value, std::vector<JsonSpan> const& pre_order,
                                      std::size_t next) {
  if (value.IsObject() && value.MemberCount() > 0) {
    Block const block{Address(value.MemberBegin()->name), value.MemberCount() * 2,
                      static_cast<std::uint32_t>(slot_spans_.size())};
    blocks_.push_back(block);
    slot_spans_.resize(slot_spans_.size() + block.slots);
    std::uint32_t slot = block.base;
    for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
      slot_spans_[slot++] = pre_order[next++];
      slot_spans_[slot++] = pre_order[next++];
      next = IndexValue(m->value, pre_order, next);
    }
  } else if (value.IsArray() && !value.Empty()) {
    Block const block{Address(*value.Begin()), value.Size(), static_cast<std::uint32_t>(slot_spans_.size())};
    blocks_.push_back(block);
    slot_spans_.resize(slot_spans_.size() + block.slots);
    std::uint32_t slot = block.base;
    for (auto const& e : value.GetArray()) {
      slot_spans_[slot++] = pre_order[next++];
      next = IndexValue(e, pre_order, next);
    }
  }
  return next;
}

std::optional<JsonSpan> JsonWithSpans::Span(rapidjson::Value const& value) const {
  if (doc_ == nullptr) return std::nullopt;
  if (&value == static_cast<rapidjson::Value const*>(doc_.get())) return root_;
  std::uintptr_t const a = Address(value);
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), a,
                             [](std::uintptr_t x, Block const& b) { return x < b.first; });
  if (it == blocks_.begin()) return std::nullopt;
  --it;
  std::uintptr_t const offset = a - it->first;
  if (offset % sizeof(rapidjson::Value) != 0 || offset / sizeof(rapidjson::Value) >= it->slots) return std::nullopt;
  return slot_spans_[it->base + offset / sizeof(rapidjson::Value)];
}

std::string_view JsonWithSpans::Raw(rapidjson::Value const& value) const {
  auto span = Span(value);
  if (!span) return {};
  return std::string_view(text_).substr(span->begin, span->end - span->begin);
}

std::string JsonWithSpans::RawWithoutMember(rapidjson::Value const& object, std::string_view name) const {
  auto const whole = Span(object);
  if (!whole || !object.IsObject() || object.MemberCount() == 0) return std::string(Raw(object));
  auto named = [&](rapidjson::Value const& n) { return std::string_view(n.GetString(), n.GetStringLength()) == name; };
  if (std::none_of(object.MemberBegin(), object.MemberEnd(), [&](auto const& m) { return named(m.name); })) {
    return std::string(Raw(object));
  }
  std::string_view const text(text_);
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

std::string JsonWithSpans::RawReplacing(rapidjson::Value const& outer, rapidjson::Value const& inner,
                                        std::string_view replacement) const {
  auto const o = Span(outer);
  auto const i = Span(inner);
  if (!o || !i || i->begin < o->begin || i->end > o->end) {
    return std::string(Raw(outer));
  }
  std::string_view const text(text_);
  std::string out(text.substr(o->begin, i->begin - o->begin));
  out += replacement;
  out += text.substr(i->end, o->end - i->end);
  return out;
}

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
