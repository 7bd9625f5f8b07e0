#include "streaming/backoff.h"

#include <gtest/gtest.h>

namespace yst::streaming {
namespace {

TEST(Backoff, StartsNearTwoSecondsAndDoublesToTheCap) {
  Backoff b(BackoffPolicy{}, 42);
  const int expected[] = {2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (int base : expected) {
    const int d = b.nextDelayMs();
    EXPECT_GE(d, base * 0.8 - 1) << "failure " << b.failures();
    EXPECT_LE(d, base * 1.2 + 1) << "failure " << b.failures();
  }
}

TEST(Backoff, JitterSpreadsRetriesOfDestinationsThatFailedTogether) {
  Backoff a(BackoffPolicy{}, 1);
  Backoff b(BackoffPolicy{}, 2);
  int same = 0;
  for (int i = 0; i < 10; ++i) same += a.nextDelayMs() == b.nextDelayMs();
  EXPECT_LT(same, 3);
}

TEST(Backoff, ResetStartsOver) {
  Backoff b(BackoffPolicy{}, 7);
  for (int i = 0; i < 5; ++i) b.nextDelayMs();
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_LE(b.nextDelayMs(), 2400);
}

TEST(Backoff, UnlimitedByDefaultLimitedWhenAsked) {
  Backoff unlimited(BackoffPolicy{}, 3);
  for (int i = 0; i < 1000; ++i) unlimited.nextDelayMs();
  EXPECT_FALSE(unlimited.exhausted());

  BackoffPolicy p;
  p.max_attempts = 3;
  Backoff limited(p, 3);
  limited.nextDelayMs();
  limited.nextDelayMs();
  EXPECT_FALSE(limited.exhausted());
  limited.nextDelayMs();
  EXPECT_TRUE(limited.exhausted());
}

}  // namespace
}  // namespace yst::streaming
