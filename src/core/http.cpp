// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/http.hpp>

#include "internal/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace ccrec {
inline namespace v1 {

bool HeaderNameEquals(std::string_view a, std::string_view b) noexcept { return detail::EqualsIgnoreCase(a, b); }

std::optional<std::string> FindHeader(HttpHeaders const& headers, std::string_view name) {
  for (auto const& [k, v] : headers) {
    if (HeaderNameEquals(k, name)) return v;
  }
  return std::nullopt;
}

void RemoveHeader(HttpHeaders& headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](auto const& h) { return HeaderNameEquals(h.first, name); }),
                headers.end());
}

void SetHeader(HttpHeaders& headers, std::string name, std::string value) {
  RemoveHeader(headers, name);
  headers.emplace_back(std::move(name), std::move(value));
}

namespace {

class SpanBody : public BodySource {
 public:
  SpanBody(char const* data, std::size_t size) : data_(data), size_(size) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    std::size_t n = std::min(size, size_ - pos_);
    if (n > 0) std::memcpy(buffer, data_ + pos_, n);
    pos_ += n;
    return n;
  }
  Result<void> Rewind() override {
    pos_ = 0;
    return {};
  }
  std::optional<std::uint64_t> Size() const override { return size_; }

 private:
  char const* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

class StringBody : public BodySource {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)), span_(data_.data(), data_.size()) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override { return span_.Read(buffer, size); }
  Result<void> Rewind() override { return span_.Rewind(); }
  std::optional<std::uint64_t> Size() const override { return span_.Size(); }

 private:
  std::string data_;
  SpanBody span_;
};

}  // namespace

std::shared_ptr<BodySource> MakeStringBody(std::string data) { return std::make_shared<StringBody>(std::move(data)); }

std::shared_ptr<BodySource> MakeSpanBody(char const* data, std::size_t size) {
  return std::make_shared<SpanBody>(data, size);
}

std::optional<std::uint64_t> HttpResponse::ContentLength() const {
  auto v = Header("Content-Length");
  if (!v) return std::nullopt;
  std::string_view text(*v);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;  // overflow
    n = n * 10 + digit;
  }
  return n;
}

namespace {
/// "16777216 bytes (16 MiB)", or "N bytes" for a limit that is not whole MiB.
std::string LimitText(std::size_t bytes) {
  std::string out = std::to_string(bytes) + " bytes";
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) {
    out += " (" + std::to_string(bytes >> 20) + " MiB)";
  }
  return out;
}
}  // namespace

Result<std::string> HttpResponse::ReadAll(std::size_t max_bytes) {
  auto too_large = [&](std::string const& declared) {
    return MakeError(ErrorCode::kParse, "the response body (HTTP " + std::to_string(status) + ")" + declared +
                                            " exceeds the limit of " + LimitText(max_bytes) +
                                            " for this response; none of it is used");
  };
  std::string out;
  if (!body) return out;
  // A declared length over the limit fails before a byte is read.
  if (auto declared = ContentLength(); declared && *declared > max_bytes) {
    return too_large(" of " + std::to_string(*declared) + " bytes (Content-Length)");
  }
  char buffer[16384];
  for (;;) {
    auto n = body->Read(buffer, sizeof buffer);
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    if (out.size() + *n > max_bytes) return too_large("");
    out.append(buffer, *n);
  }
  return out;
}

}  // namespace v1
}  // namespace ccrec
