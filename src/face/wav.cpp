// SPDX-License-Identifier: Apache-2.0
// RIFF/WAVE header reading and writing for concatenated FACE recordings (issue 16 item 6).
// Layout: "RIFF" u32 size "WAVE", then chunks (4-byte id, u32 little-endian size, body, a pad
// byte when the size is odd). Microsoft "Multimedia Programming Interface and Data
// Specifications 1.0" (RIFF), WAVEFORMATEX.

#include "face/wav.hpp"

#include "internal/ascii.hpp"

#include <cstring>

namespace ccrec::face::detail {

namespace {

constexpr std::size_t kMaxFmtBytes = 1024;

std::uint16_t U16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8));
}

std::uint32_t U32(std::string_view s, std::size_t at) {
  return static_cast<std::uint32_t>(U16(s, at)) | (static_cast<std::uint32_t>(U16(s, at + 2)) << 16);
}

void PutU16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}

void PutU32(std::string& out, std::uint32_t v) {
  PutU16(out, static_cast<std::uint16_t>(v & 0xFFFF));
  PutU16(out, static_cast<std::uint16_t>(v >> 16));
}

WavParse Invalid(std::string problem) {
  WavParse p;
  p.status = WavParse::Status::kInvalid;
  p.problem = std::move(problem);
  return p;
}

WavParse NeedMore() {
  WavParse p;
  p.status = WavParse::Status::kNeedMore;
  return p;
}

/// A chunk id for messages: printable ASCII as is, other bytes as \xHH.
std::string ChunkName(std::string_view id) { return ::ccrec::detail::PrintableAscii(id); }

std::optional<WavFormat> ReadFmt(std::string_view body, std::string& problem) {
  WavFormat f;
  f.audio_format = U16(body, 0);
  f.channels = U16(body, 2);
  f.sample_rate = U32(body, 4);
  f.byte_rate = U32(body, 8);
  f.block_align = U16(body, 12);
  f.bits_per_sample = U16(body, 14);
  f.chunk = std::string(body);
  if (f.channels == 0) problem = "the fmt chunk has 0 channels";
  else if (f.sample_rate == 0) problem = "the fmt chunk has a sample rate of 0";
  else if (f.block_align == 0) problem = "the fmt chunk has a blockAlign of 0";
  else if (f.bits_per_sample == 0) problem = "the fmt chunk has 0 bits per sample";
  if (!problem.empty()) return std::nullopt;
  return f;
}

std::uint64_t Padded(std::uint64_t n) { return n + (n & 1U); }

}  // namespace

WavParse ParseWavHeader(std::string_view prefix, std::optional<std::uint64_t> total_size) {
  if (prefix.size() > kMaxWavHeaderBytes) prefix = prefix.substr(0, kMaxWavHeaderBytes);
  bool const capped = prefix.size() == kMaxWavHeaderBytes;
  auto need_more = [&](char const* what) {
    if (capped) return Invalid(std::string("no data chunk within the first ") + std::to_string(kMaxWavHeaderBytes) +
                               " bytes (" + what + ")");
    if (total_size && prefix.size() >= *total_size) {
      return Invalid(std::string("the file ends after ") + std::to_string(*total_size) + " bytes, before " + what);
    }
    return NeedMore();
  };
  if (prefix.size() < 12) {
    // Decide early on a wrong magic, so a non-WAV body is refused without reading more of it.
    std::size_t n = std::min<std::size_t>(prefix.size(), 4);
    if (std::memcmp(prefix.data(), "RIFF", n) != 0) return Invalid("it does not start with \"RIFF\"");
    return need_more("the RIFF header");
  }
  if (prefix.substr(0, 4) != "RIFF") return Invalid("it does not start with \"RIFF\"");
  if (prefix.substr(8, 4) != "WAVE") {
    return Invalid("the RIFF form type is \"" + ChunkName(prefix.substr(8, 4)) + "\", not \"WAVE\"");
  }
  std::optional<WavFormat> format;
  std::uint64_t at = 12;
  for (;;) {
    if (at + 8 > prefix.size()) return need_more("the data chunk");
    std::string_view id = prefix.substr(static_cast<std::size_t>(at), 4);
    std::uint32_t size = U32(prefix, static_cast<std::size_t>(at + 4));
    std::uint64_t body = at + 8;
    if (id == "data") {
      if (!format) return Invalid("the data chunk comes before any fmt chunk");
      if (size == 0xFFFFFFFFU) return Invalid("the data chunk's size is 0xFFFFFFFF (a streaming placeholder)");
      if (total_size && body + size > *total_size) {
        return Invalid("the data chunk declares " + std::to_string(size) + " bytes at offset " + std::to_string(body) +
                       " but the file has " + std::to_string(*total_size) + " bytes");
      }
      if (size % format->block_align != 0) {
        return Invalid("the data chunk's " + std::to_string(size) + " bytes are not a whole number of " +
                       std::to_string(format->block_align) + "-byte blocks");
      }
      WavParse ok;
      ok.status = WavParse::Status::kOk;
      ok.layout.format = std::move(*format);
      ok.layout.data_offset = body;
      ok.layout.data_size = size;
      return ok;
    }
    if (id == "fmt ") {
      if (format) return Invalid("it has a second fmt chunk");
      if (size < 16 || size > kMaxFmtBytes) {
        return Invalid("its fmt chunk has " + std::to_string(size) + " bytes (16.." + std::to_string(kMaxFmtBytes) +
                       " expected)");
      }
      if (body + size > prefix.size()) return need_more("the end of the fmt chunk");
      std::string problem;
      format = ReadFmt(prefix.substr(static_cast<std::size_t>(body), size), problem);
      if (!format) return Invalid(problem);
    }
    // Any other chunk (LIST, fact, bext, junk ...) is skipped; its size may point past the
    // bound, which need_more() then reports.
    at = body + Padded(size);
    if (total_size && at > *total_size) {
      return Invalid("the \"" + ChunkName(id) + "\" chunk declares " + std::to_string(size) +
                     " bytes, past the end of the file (" + std::to_string(*total_size) + " bytes)");
    }
    if (at >= kMaxWavHeaderBytes) {
      return Invalid("no data chunk within the first " + std::to_string(kMaxWavHeaderBytes) + " bytes (the \"" +
                     ChunkName(id) + "\" chunk declares " + std::to_string(size) + " bytes)");
    }
  }
}

std::string WavFormatDifference(WavFormat const& a, WavFormat const& b) {
  auto differs = [](char const* name, std::uint64_t x, std::uint64_t y) {
    return std::string(name) + " " + std::to_string(x) + " vs " + std::to_string(y);
  };
  if (a.audio_format != b.audio_format) return differs("formatTag", a.audio_format, b.audio_format);
  if (a.channels != b.channels) return differs("channels", a.channels, b.channels);
  if (a.sample_rate != b.sample_rate) return differs("sampleRate", a.sample_rate, b.sample_rate);
  if (a.byte_rate != b.byte_rate) return differs("byteRate", a.byte_rate, b.byte_rate);
  if (a.block_align != b.block_align) return differs("blockAlign", a.block_align, b.block_align);
  if (a.bits_per_sample != b.bits_per_sample) return differs("bitsPerSample", a.bits_per_sample, b.bits_per_sample);
  if (a.chunk != b.chunk) {
    return "fmt extension (" + std::to_string(a.chunk.size()) + " vs " + std::to_string(b.chunk.size()) +
           " bytes, or different contents)";
  }
  return {};
}

std::uint64_t WavHeaderSize(WavFormat const& format) { return 12 + 8 + Padded(format.chunk.size()) + 8; }

std::uint64_t MaxWavDataSize(WavFormat const& format) {
  // RIFF size = 4 ("WAVE") + fmt chunk + 8 + data + pad, at most 0xFFFFFFFF.
  return 0xFFFFFFFFULL - (WavHeaderSize(format) - 8) - 1;
}

std::string WavHeader(WavFormat const& format, std::uint64_t data_size) {
  std::string out;
  out.reserve(static_cast<std::size_t>(WavHeaderSize(format)));
  out += "RIFF";
  PutU32(out, static_cast<std::uint32_t>(WavHeaderSize(format) - 8 + Padded(data_size)));
  out += "WAVE";
  out += "fmt ";
  PutU32(out, static_cast<std::uint32_t>(format.chunk.size()));
  out += format.chunk;
  if (format.chunk.size() & 1U) out += '\0';
  out += "data";
  PutU32(out, static_cast<std::uint32_t>(data_size));
  return out;
}

}  // namespace ccrec::face::detail
