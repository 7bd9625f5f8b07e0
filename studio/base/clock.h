// Monotonic time as plain integers, for watchdogs, token buckets and
// counters shared with streaming threads through atomics (std::chrono time
// points are not lock-free atomics everywhere). The one clock of the studio:
// nothing else reads std::chrono::steady_clock for these.
#pragma once

#include <chrono>
#include <cstdint>

namespace yst {

inline constexpr std::int64_t kUsPerSecond = 1000 * 1000;

inline std::int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::int64_t steadyNowUs() {
  return steadyNowNs() / 1000;
}

inline std::int64_t steadyNowMs() {
  return steadyNowNs() / 1000000;
}

}  // namespace yst
