// Jittered exponential back-off for anything that reconnects: a camera, a
// partner site. Start about 2 s, double each failure, cap at about 60 s, never
// give up (unless max_attempts is set). The jitter (±20%) keeps several
// destinations that failed together (one uplink down) from retrying in lock
// step against the same network.
#pragma once

#include <cstdint>
#include <random>

namespace yst::streaming {

struct BackoffPolicy {
  int initial_ms = 2000;
  int max_ms = 60000;
  double factor = 2.0;
  double jitter = 0.2;   // the delay is scaled by a uniform factor in [1-jitter, 1+jitter]
  int max_attempts = 0;  // 0: unlimited
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; counts one failure.
  int nextDelayMs();
  // A success: the next failure starts again from initial_ms.
  void reset();
  int failures() const { return failures_; }
  bool exhausted() const { return policy_.max_attempts > 0 && failures_ >= policy_.max_attempts; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int failures_ = 0;
};

}  // namespace yst::streaming
