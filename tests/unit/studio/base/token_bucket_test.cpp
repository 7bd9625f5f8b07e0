// The one token bucket, in both of its uses: a budget of one token every so
// many seconds (questions, votes, hellos) and a rate (a client's messages).
#include "studio/base/token_bucket.h"

#include <gtest/gtest.h>

#include <cmath>

namespace yst {
namespace {

constexpr std::int64_t kSecond = 1000000;

TEST(TokenBucket, StartsFullThenRefillsOneTokenPerInterval) {
  const auto limits = TokenBucket::Limits::every(10, 2);  // a question every 10 s, 2 at once
  TokenBucket bucket;
  const std::int64_t t0 = 1000 * kSecond;
  EXPECT_TRUE(bucket.full(limits, t0));
  EXPECT_TRUE(bucket.take(limits, t0));
  EXPECT_TRUE(bucket.take(limits, t0));
  double wait_s = 0;
  EXPECT_FALSE(bucket.take(limits, t0, &wait_s));
  EXPECT_DOUBLE_EQ(wait_s, 10.0);
  EXPECT_FALSE(bucket.take(limits, t0 + 4 * kSecond, &wait_s));
  EXPECT_NEAR(wait_s, 6.0, 1e-9) << "a refusal costs nothing: the wait is counted from t0";
  EXPECT_TRUE(bucket.take(limits, t0 + 10 * kSecond));
  EXPECT_FALSE(bucket.full(limits, t0 + 10 * kSecond));
  EXPECT_TRUE(bucket.full(limits, t0 + 30 * kSecond));
  EXPECT_DOUBLE_EQ(bucket.level(limits, t0 + 1000 * kSecond), 2.0) << "never above the burst";
}

TEST(TokenBucket, AnIntervalOfZeroIsNoLimit) {
  const auto limits = TokenBucket::Limits::every(0, 3);
  EXPECT_TRUE(limits.unlimited());
  TokenBucket bucket;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.take(limits, 5 * kSecond));
  EXPECT_TRUE(bucket.full(limits, 5 * kSecond));
  EXPECT_FALSE(std::isnan(bucket.level(limits, 5 * kSecond)));
}

TEST(TokenBucket, ARateRefillsContinuouslyAndZeroMeansTheBurstThenNothing) {
  const auto limits = TokenBucket::Limits::perSecond(20, 40);  // a client's messages
  TokenBucket bucket;
  const std::int64_t t0 = 7 * kSecond;
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(bucket.take(limits, t0)) << i;
  EXPECT_FALSE(bucket.take(limits, t0));
  EXPECT_TRUE(bucket.take(limits, t0 + kSecond / 20));
  const auto once = TokenBucket::Limits::perSecond(0, 2);
  TokenBucket closed;
  EXPECT_TRUE(closed.take(once, t0));
  EXPECT_TRUE(closed.take(once, t0));
  double wait_s = 0;
  EXPECT_FALSE(closed.take(once, t0 + 3600 * kSecond, &wait_s));
  EXPECT_TRUE(std::isinf(wait_s));
}

TEST(TokenBucket, FillGivesALargerAllowanceAtOnce) {
  // An anonymous connection used its 40; signed in as a producer it gets 200 at once.
  TokenBucket bucket;
  const std::int64_t t0 = 9 * kSecond;
  const auto anonymous = TokenBucket::Limits::perSecond(20, 40);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(bucket.take(anonymous, t0));
  const auto producer = TokenBucket::Limits::perSecond(100, 200);
  bucket.fill(producer.burst, t0);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(bucket.take(producer, t0)) << i;
  EXPECT_FALSE(bucket.take(producer, t0));
}

}  // namespace
}  // namespace yst
