// The one token bucket of the studio: a client's messages (the server), a
// viewer's questions and votes, a connection's hellos and transcript lists
// (the desks). Its limits are given at each call rather than kept in it: the
// audience holds thousands of buckets in maps, all under the same limits.
// One thread per bucket; the caller's steady clock (studio/base/clock.h).
#pragma once

#include <cstdint>

namespace yst {

class TokenBucket {
 public:
  struct Limits {
    double per_second = 0;  // refill; +infinity: no limit at all
    double burst = 0;       // depth
    // One token every `interval_s` (a question every 10 s); <= 0: no limit.
    static Limits every(double interval_s, double burst);
    // `per_second` tokens a second (20 messages a second); 0: the burst, then nothing.
    static Limits perSecond(double per_second, double burst);
    bool unlimited() const;
  };

  // Takes a token if there is one; otherwise false, and *wait_s says when
  // there will be (infinity if never).
  bool take(const Limits& limits, std::int64_t now_us, double* wait_s = nullptr);
  // A take() would find it full: the bucket can be forgotten.
  bool full(const Limits& limits, std::int64_t now_us) const;
  // The tokens there would be at now_us.
  double level(const Limits& limits, std::int64_t now_us) const;
  // Sets the level (a larger allowance that starts full).
  void fill(double tokens, std::int64_t now_us);

 private:
  double tokens_ = -1;  // < 0: never used, so full
  std::int64_t updated_us_ = 0;
};

}  // namespace yst
