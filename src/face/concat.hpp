// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: `concatenate_segments` as one valid WAV per recording (issue 16 item 6).
// Not installed.

#include <ccrec/face/client.hpp>

#include "face/wav.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ccrec::face::detail {

/// How a multi-segment recording becomes one WAV: the common format and each segment's layout
/// (in sequence order), from a first pass over the segments' headers.
struct WavConcatPlan {
  WavFormat format;
  std::vector<WavLayout> layouts;
  std::uint64_t data_size = 0;  ///< sum of the segments' data chunks
  /// The whole object: WavHeaderSize() + data_size + a pad byte when data_size is odd.
  std::uint64_t ObjectSize() const { return WavHeaderSize(format) + data_size + (data_size & 1U); }
};

/// The first pass's verdict: `plan` when the segments can be concatenated, else `refusal` (a
/// sentence naming the segment and the field that differs, or why a segment is not a WAV).
struct WavConcatDecision {
  std::optional<WavConcatPlan> plan;
  std::string refusal;
};

/// Reads the header of every segment (in the given order) and decides. Each segment costs one
/// download request sent with `Range: bytes=0-65535` (a server that ignores Range answers the
/// whole file: only the header is read, then the connection is dropped). Stops at the first
/// segment that refuses.
/// @return an Error only when a download fails (FACE or transport error, after retries).
Result<WavConcatDecision> PlanWavConcatenation(Client const& client, std::vector<Segment> const& segments,
                                                            CallContext const& ctx);

/// The response whose body is the WAV of `plan`: the canonical header, then each segment's data
/// chunk (downloaded again, its header checked against the plan), a pad byte when the sum is
/// odd. Content-Length is ObjectSize(); Content-Type audio/wav. Streams: holds one segment
/// download at a time and never buffers more than one header. A segment whose header changed
/// since the first pass, or that ends early, fails the read with kIntegrity.
Result<HttpResponse> OpenConcatenatedWav(Client const& client, std::vector<Segment> const& segments,
                                                      WavConcatPlan const& plan, CallContext const& ctx);

}  // namespace ccrec::face::detail
