// The audience's budgets with their own clock: a question is paid from the
// connection, the viewer and the address at once or not at all; an address
// gets as much as its allowed connections together; a vote is paid only when
// it counts; idle budgets are forgotten.
#include "studio/desks/audience_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "studio/base/clock.h"

namespace yst::desks {
namespace {

class AudienceLimitsTest : public ::testing::Test {
 protected:
  AudienceLimitsTest() {
    config_.question_interval_s = 10;
    config_.question_burst = 3;
    config_.vote_interval_s = 3;
    config_.vote_burst = 10;
    config_.max_connections_per_address = 2;
  }
  bool ask(TokenBucket& connection, const std::string& viewer, const std::string& address) {
    wait_s_ = 0;
    return limits_.takeQuestion(&connection, viewer, address, now_us_, &wait_s_);
  }

  config::AudienceConfig config_;
  AudienceLimits limits_{config_};
  std::int64_t now_us_ = 1000 * kUsPerSecond;
  double wait_s_ = 0;
};

TEST_F(AudienceLimitsTest, AConnectionAsksItsBurstThenWaitsForTheInterval) {
  TokenBucket connection;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ask(connection, "v1", "203.0.113.1")) << i;
  EXPECT_FALSE(ask(connection, "v1", "203.0.113.1"));
  EXPECT_NEAR(wait_s_, 10, 0.01);
  now_us_ += 10 * kUsPerSecond;
  EXPECT_TRUE(ask(connection, "v1", "203.0.113.1"));
}

TEST_F(AudienceLimitsTest, ANewConnectionDoesNotRefillTheViewerOrTheAddress) {
  TokenBucket first;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ask(first, "v1", "203.0.113.1"));
  TokenBucket second;  // the same viewer on a new connection
  EXPECT_FALSE(ask(second, "v1", "203.0.113.1"));
  // Other viewers behind the same address share its budget: two
  // connections' worth (6), of which 3 are spent.
  for (int i = 0; i < 3; ++i) {
    TokenBucket fresh;
    EXPECT_TRUE(ask(fresh, "v" + std::to_string(i + 2), "203.0.113.1")) << i;
  }
  TokenBucket fresh;
  EXPECT_FALSE(ask(fresh, "v9", "203.0.113.1"));
  EXPECT_TRUE(ask(fresh, "v9", "198.51.100.7"));  // another address is not touched
}

TEST_F(AudienceLimitsTest, ARefusedQuestionCostsNothing) {
  TokenBucket connection;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ask(connection, "v1", "203.0.113.1"));
  TokenBucket other;
  ASSERT_FALSE(ask(other, "v1", "203.0.113.1"));  // the viewer's budget is spent
  // The refusal took nothing from the new connection or from the address.
  EXPECT_TRUE(ask(other, "v2", "203.0.113.1"));
  EXPECT_TRUE(ask(other, "v3", "203.0.113.1"));
  EXPECT_TRUE(ask(other, "v4", "203.0.113.1"));
}

// A question from the public edge: the edge budgets its connection and its
// address; the studio still budgets the viewer, whichever edge they use.
TEST_F(AudienceLimitsTest, AQuestionFromTheEdgeIsBudgetedPerViewerOnly) {
  double wait_s = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits_.takeQuestion(nullptr, "v1", "", now_us_, &wait_s)) << i;
  }
  EXPECT_FALSE(limits_.takeQuestion(nullptr, "v1", "", now_us_, &wait_s));
  EXPECT_NEAR(wait_s, 10, 0.01);
  // The same viewer on the studio's own listener: the same budget.
  TokenBucket connection;
  EXPECT_FALSE(ask(connection, "v1", "203.0.113.1"));
  // Other viewers from the edge are not held back by one address's budget
  // (two connections' worth, 6): the edge keeps that one.
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(limits_.takeQuestion(nullptr, "w" + std::to_string(i), "", now_us_, &wait_s)) << i;
  }
  EXPECT_TRUE(ask(connection, "v2", "203.0.113.1")) << "nothing was taken from the address";
}

TEST_F(AudienceLimitsTest, AVoteIsPaidOnlyWhenItCounts) {
  for (int i = 0; i < 20; ++i) {
    double wait_s = 0;
    ASSERT_TRUE(limits_.checkVote("v1", "203.0.113.1", now_us_, &wait_s)) << i;
  }
  double wait_s = 0;
  for (int i = 0; i < 10; ++i) {
    auto ticket = limits_.checkVote("v1", "203.0.113.1", now_us_, &wait_s);
    ASSERT_TRUE(ticket) << i;
    limits_.spendVote("v1", "203.0.113.1", *ticket);
  }
  EXPECT_FALSE(limits_.checkVote("v1", "203.0.113.1", now_us_, &wait_s));
  EXPECT_NEAR(wait_s, 3, 0.01);
}

TEST_F(AudienceLimitsTest, IdleBudgetsAreForgottenOnceFull) {
  TokenBucket connection;
  ASSERT_TRUE(ask(connection, "v1", "203.0.113.1"));
  EXPECT_EQ(limits_.size(), 2u);
  // The address refills twice as fast (two connections' worth): after 5 s
  // it is full and forgotten, the viewer's is not.
  limits_.prune(now_us_ + 5 * kUsPerSecond - 1);
  EXPECT_EQ(limits_.size(), 2u);
  limits_.prune(now_us_ + 5 * kUsPerSecond);
  EXPECT_EQ(limits_.size(), 1u);
  limits_.prune(now_us_ + 10 * kUsPerSecond);
  EXPECT_EQ(limits_.size(), 0u);
}

TEST_F(AudienceLimitsTest, AnIntervalOfZeroIsUnlimited) {
  config_.question_interval_s = 0;
  TokenBucket connection;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(ask(connection, "v1", "203.0.113.1"));
  EXPECT_EQ(limits_.size(), 0u);
}

}  // namespace
}  // namespace yst::desks
