// The SignInGuard with its own clock: three refusals close a connection,
// an address is locked out after five wrong tokens for 1, 2, 4 … 60 s, a
// right token clears it, and the log gets one line at once and then one
// summary per interval.
#include "studio/desks/sign_in_guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "studio/base/clock.h"
#include "studio/core/clients.h"

namespace yst::desks {
namespace {

class SignInGuardTest : public ::testing::Test {
 protected:
  SignInGuard guard_{[this](const std::string& line) { lines_.push_back(line); }};
  std::vector<std::string> lines_;
  std::int64_t now_ = 1000 * kUsPerSecond;

  ClientInfo client(const std::string& address) {
    ClientInfo info;
    info.address = address;
    return info;
  }
};

TEST_F(SignInGuardTest, TheThirdRefusalClosesTheConnection) {
  ClientInfo c = client("203.0.113.5");
  EXPECT_FALSE(guard_.wrongToken(c, "producer", "client 1", now_).close_connection);
  EXPECT_FALSE(guard_.wrongToken(c, "typist", "client 1", now_).close_connection);
  EXPECT_TRUE(guard_.wrongToken(c, "host", "client 1", now_).close_connection);
  // Refusals while locked out count too.
  ClientInfo d = client("203.0.113.6");
  EXPECT_FALSE(guard_.lockedOut(d, now_).close_connection);
  EXPECT_FALSE(guard_.wrongToken(d, "observer", "client 2", now_).close_connection);
  EXPECT_TRUE(guard_.lockedOut(d, now_).close_connection);
}

TEST_F(SignInGuardTest, AnAddressIsLockedOutForLongerAndLonger) {
  const std::string address = "198.51.100.7";
  for (int i = 0; i < SignInGuard::kFreeFailures; ++i) {
    ClientInfo c = client(address);  // a new connection each time
    guard_.wrongToken(c, "producer", "client", now_);
    EXPECT_EQ(guard_.lockedFor(address, now_), 0) << "after " << i + 1;
  }
  double expected = 1;
  for (int i = 0; i < 10; ++i) {
    ClientInfo c = client(address);
    guard_.wrongToken(c, "producer", "client", now_);
    EXPECT_DOUBLE_EQ(guard_.lockedFor(address, now_), expected);
    // Others are not affected.
    EXPECT_EQ(guard_.lockedFor("198.51.100.8", now_), 0);
    now_ += static_cast<std::int64_t>(expected * kUsPerSecond);
    EXPECT_EQ(guard_.lockedFor(address, now_), 0);
    expected = std::min(expected * 2, SignInGuard::kMaxLockS);
  }
  EXPECT_DOUBLE_EQ(expected, 60);
  // A right token: the address starts afresh.
  guard_.signedIn(address);
  ClientInfo c = client(address);
  guard_.wrongToken(c, "producer", "client", now_);
  EXPECT_EQ(guard_.lockedFor(address, now_), 0);
}

TEST_F(SignInGuardTest, QuietAddressesAreForgotten) {
  for (int i = 0; i < 3; ++i) {
    ClientInfo c = client("192.0.2." + std::to_string(i));
    guard_.wrongToken(c, "host", "client", now_);
  }
  EXPECT_EQ(guard_.trackedAddresses(), 3u);
  guard_.tick(now_ + static_cast<std::int64_t>(SignInGuard::kForgetAfterS * kUsPerSecond) - 1);
  EXPECT_EQ(guard_.trackedAddresses(), 3u);
  guard_.tick(now_ + static_cast<std::int64_t>(SignInGuard::kForgetAfterS * kUsPerSecond));
  EXPECT_EQ(guard_.trackedAddresses(), 0u);
}

TEST_F(SignInGuardTest, OneLineAtOnceThenOneSummaryPerInterval) {
  ClientInfo first = client("203.0.113.9");
  guard_.wrongToken(first, "producer", "client 7", now_);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "wrong producer token from 203.0.113.9 (client 7)");
  for (int i = 0; i < 8; ++i) {
    ClientInfo c = client("203.0.113." + std::to_string(10 + i % 4));
    guard_.wrongToken(c, i % 2 ? "observer" : "typist", "client", now_ + i);
  }
  guard_.tick(now_ + 5 * kUsPerSecond);
  EXPECT_EQ(lines_.size(), 1u) << "a summary before the interval is over";
  guard_.tick(now_ + 10 * kUsPerSecond);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1],
            "in the last 10 s: 4 × wrong observer token, 4 × wrong typist token; from 4 "
            "addresses: 203.0.113.10, 203.0.113.11, 203.0.113.12, 203.0.113.13");
  // Lock-outs and what they refuse are in the summary too.
  for (int i = 0; i < SignInGuard::kFreeFailures + 1; ++i) {
    ClientInfo c = client("192.0.2.1");
    guard_.wrongToken(c, "producer", "client", now_ + 11 * kUsPerSecond);
  }
  ClientInfo refused = client("192.0.2.1");
  guard_.lockedOut(refused, now_ + 11 * kUsPerSecond);
  guard_.tick(now_ + 20 * kUsPerSecond);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[2],
            "in the last 10 s: 1 × address locked out, 1 × hello refused while locked out, 6 × "
            "wrong producer token; from 1 address: 192.0.2.1");
  // Nothing more: no line; the next one after that is logged at once again.
  guard_.tick(now_ + 30 * kUsPerSecond);
  EXPECT_EQ(lines_.size(), 3u);
  ClientInfo later = client("203.0.113.9");
  guard_.wrongToken(later, "host", "client 9", now_ + 31 * kUsPerSecond);
  ASSERT_EQ(lines_.size(), 4u);
  EXPECT_EQ(lines_[3], "wrong host token from 203.0.113.9 (client 9)");
}

}  // namespace
}  // namespace yst::desks
