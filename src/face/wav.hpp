// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: a bounded, defensive reader of RIFF/WAVE headers and the writer of the
// header of a concatenated recording (issue 16 item 6). Not installed.

#include <ccrec/core/namespaces.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::face::detail {

/// The most header bytes ParseWavHeader() looks at: a data chunk that does not start within them
/// makes the file "not a WAV ccrec can concatenate".
inline constexpr std::size_t kMaxWavHeaderBytes = 64 * 1024;

/// The `fmt ` chunk of a WAV file: the decoded common fields plus the chunk's body bytes as
/// stored (16 bytes for PCM; 18 or 40 with a cbSize extension), which two files must share byte
/// for byte to be concatenated.
struct WavFormat {
  std::uint16_t audio_format = 0;  ///< wFormatTag: 1 PCM, 6 A-law, 7 µ-law, 0xFFFE extensible ...
  std::uint16_t channels = 0;
  std::uint32_t sample_rate = 0;
  std::uint32_t byte_rate = 0;
  std::uint16_t block_align = 0;
  std::uint16_t bits_per_sample = 0;
  std::string chunk;  ///< the fmt chunk's body, as stored
};

/// Where the samples of one WAV file are.
struct WavLayout {
  WavFormat format;
  std::uint64_t data_offset = 0;  ///< first byte of the data chunk's body
  std::uint32_t data_size = 0;    ///< bytes of the data chunk's body
};

/// The result of ParseWavHeader().
struct WavParse {
  enum class Status {
    kOk,        ///< `layout` is set
    kNeedMore,  ///< the prefix ends before the data chunk's header: call again with more bytes
    kInvalid,   ///< not a WAV file ccrec can concatenate; `problem` says why
  };
  Status status = Status::kInvalid;
  WavLayout layout;
  std::string problem;
};

/// Reads the RIFF/WAVE header at the start of `prefix` (the first bytes of a file): the `RIFF`
/// and `WAVE` magic, then chunk after chunk (unknown ones such as `LIST`, `fact` or `bext` are
/// skipped, odd sizes padded as RIFF requires) up to the `data` chunk's header. Bounded: never
/// looks past kMaxWavHeaderBytes. `total_size`, when known (Content-Length), bounds the data chunk.
///
/// Invalid: wrong magic, a second or missing `fmt ` before `data`, a `fmt ` shorter than 16 or
/// longer than 1024 bytes, zero channels, sample rate, block align or bits per sample, a data
/// size of 0xFFFFFFFF (a streaming placeholder), a data chunk longer than the file, a data size
/// that is not a whole number of blocks, no data chunk within kMaxWavHeaderBytes.
/// @par Thread safety
/// Pure function.
WavParse ParseWavHeader(std::string_view prefix, std::optional<std::uint64_t> total_size = std::nullopt);

/// Empty when `a` and `b` can be concatenated (same fmt chunk, byte for byte); otherwise the first
/// differing field, e.g. `sampleRate 8000 vs 16000` (fields named as in the WAVEFORMATEX spec:
/// formatTag, channels, sampleRate, byteRate, blockAlign, bitsPerSample, then "fmt extension").
/// @par Thread safety
/// Pure function.
std::string WavFormatDifference(WavFormat const& a, WavFormat const& b);

/// Size of the header WavHeader() writes: 12 (RIFF, WAVE) + 8 + the fmt chunk (padded) + 8; 44 for PCM.
std::uint64_t WavHeaderSize(WavFormat const& format);

/// The largest data size a WAV can declare with `format` (the RIFF size field is 32 bits).
std::uint64_t MaxWavDataSize(WavFormat const& format);

/// A canonical header: `RIFF` size `WAVE`, the `fmt ` chunk of `format` as stored, `data`
/// `data_size`. Requires data_size <= MaxWavDataSize(format).
/// @par Thread safety
/// Pure function.
std::string WavHeader(WavFormat const& format, std::uint64_t data_size);

}  // namespace ccrec::face::detail
