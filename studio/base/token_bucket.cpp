#include "studio/base/token_bucket.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace yst {

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
}

TokenBucket::Limits TokenBucket::Limits::every(double interval_s, double burst) {
  return {interval_s <= 0 ? kInfinity : 1.0 / interval_s, burst};
}

TokenBucket::Limits TokenBucket::Limits::perSecond(double per_second, double burst) {
  return {std::max(0.0, per_second), burst};
}

bool TokenBucket::Limits::unlimited() const {
  return std::isinf(per_second);
}

double TokenBucket::level(const Limits& limits, std::int64_t now_us) const {
  if (tokens_ < 0 || limits.unlimited()) return limits.burst;
  const double elapsed_s = static_cast<double>(now_us - updated_us_) / 1e6;
  return std::min(limits.burst, tokens_ + elapsed_s * limits.per_second);
}

bool TokenBucket::take(const Limits& limits, std::int64_t now_us, double* wait_s) {
  if (limits.unlimited()) return true;
  tokens_ = level(limits, now_us);
  updated_us_ = now_us;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  if (wait_s) *wait_s = limits.per_second > 0 ? (1.0 - tokens_) / limits.per_second : kInfinity;
  return false;
}

bool TokenBucket::full(const Limits& limits, std::int64_t now_us) const {
  return limits.unlimited() || level(limits, now_us) >= limits.burst;
}

void TokenBucket::fill(double tokens, std::int64_t now_us) {
  tokens_ = std::max(0.0, tokens);
  updated_us_ = now_us;
}

}  // namespace yst
