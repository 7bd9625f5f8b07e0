#include "streaming/backoff.h"

#include <algorithm>
#include <cmath>

namespace yst::streaming {

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

int Backoff::nextDelayMs() {
  const double base =
      std::min<double>(policy_.max_ms, policy_.initial_ms * std::pow(policy_.factor, failures_));
  ++failures_;
  std::uniform_real_distribution<double> spread(1.0 - policy_.jitter, 1.0 + policy_.jitter);
  return static_cast<int>(std::lround(base * spread(rng_)));
}

void Backoff::reset() {
  failures_ = 0;
}

}  // namespace yst::streaming
