// SPDX-License-Identifier: Apache-2.0
// Sub-windows on an epoch-aligned grid and static shards of them.
#include <ccrec/exporter/sub_window.hpp>

#include <algorithm>
#include <cctype>

namespace ccrec::exporter {

namespace {

// floor(a / b) for b > 0.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

bool ParseCount(std::string const& digits, std::uint64_t& out) {
  if (digits.empty() || digits.size() > 9) return false;
  out = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

SubWindow SubWindowAt(std::chrono::system_clock::time_point t, std::chrono::milliseconds length,
                      std::chrono::system_clock::time_point range_from, std::chrono::system_clock::time_point range_to) {
  using std::chrono::milliseconds;
  std::int64_t const len = std::max<std::int64_t>(length.count(), 1);
  std::int64_t const at = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  SubWindow w;
  w.index = FloorDiv(at, len);
  auto cell_from = std::chrono::system_clock::time_point(milliseconds(w.index * len));
  auto cell_to = std::chrono::system_clock::time_point(milliseconds((w.index + 1) * len));
  w.from = std::max(cell_from, range_from);
  w.to = std::min(cell_to, range_to);
  return w;
}

Result<ShardSpec> ParseShardSpec(std::string const& text, char const* env_index) {
  auto bad = [&](std::string const& why) {
    return MakeError(ErrorCode::kInvalidArgument, "shard \"" + text + "\": " + why);
  };
  auto slash = text.find('/');
  if (slash == std::string::npos) return bad("expected I/N, e.g. 0/4");
  std::string index_text = text.substr(0, slash);
  if (index_text == "index") {
    if (env_index == nullptr || *env_index == '\0') {
      return bad("\"index\" takes the index from $JOB_COMPLETION_INDEX, which is not set");
    }
    index_text = env_index;
  }
  std::uint64_t index = 0;
  std::uint64_t count = 0;
  if (!ParseCount(index_text, index)) return bad("the index \"" + index_text + "\" is not a number");
  if (!ParseCount(text.substr(slash + 1), count)) return bad("the count is not a number");
  if (count < 1 || count > 100000) return bad("the count must be between 1 and 100000");
  if (index >= count) return bad("the index must be below the count (0-based: 0 to " + std::to_string(count - 1) + ")");
  return ShardSpec{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(count)};
}

SubWindowClaim MakeShardClaim(ShardSpec spec) {
  std::int64_t const count = std::max<std::int64_t>(spec.count, 1);
  std::int64_t const index = spec.index;
  return [count, index](SubWindow const& w) {
    std::int64_t r = w.index % count;
    if (r < 0) r += count;
    return r == index;
  };
}

bool SameShardCoverage(ShardLayout const& written, ShardLayout const& now) {
  if (written.count != now.count) return false;
  return written.count <= 1 || written.sub_window == now.sub_window;
}

}  // namespace ccrec::exporter
