// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the FACE integration tests share: the emulator's recording day.

namespace face_it {

/// 2026-11-01T00:00:00Z in epoch milliseconds: the day tests/emulators/face_server.py fills.
inline constexpr long long kDayStart = 1793491200000;

}  // namespace face_it
