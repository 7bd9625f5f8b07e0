// The lock-out of an address that keeps failing, as the sign-in guard and
// the staff gate use it.
#include "studio/base/address_backoff.h"

#include <gtest/gtest.h>

#include <string>

namespace yst {
namespace {

constexpr std::int64_t kOneSecondUs = 1000000;

AddressBackoff staffGate() {
  return AddressBackoff({.free_failures = 2,
                         .first_lock_us = kOneSecondUs,
                         .max_lock_us = 60 * kOneSecondUs,
                         .forget_after_us = 60 * kOneSecondUs,
                         .max_entries = 3});
}

TEST(AddressBackoff, FreeFailuresThenALockDoublingUpToTheCeiling) {
  AddressBackoff gate = staffGate();
  std::int64_t now = 100 * kOneSecondUs;
  EXPECT_EQ(gate.fail("203.0.113.7", now), 1);
  EXPECT_EQ(gate.lockedForUs("203.0.113.7", now), 0);
  EXPECT_EQ(gate.fail("203.0.113.7", now), 2);
  EXPECT_EQ(gate.lockedForUs("203.0.113.7", now), 0);
  const std::int64_t expected_s[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
  for (std::int64_t lock_s : expected_s) {
    gate.fail("203.0.113.7", now);
    EXPECT_EQ(gate.lockedForUs("203.0.113.7", now), lock_s * kOneSecondUs);
    now += lock_s * kOneSecondUs;
    EXPECT_EQ(gate.lockedForUs("203.0.113.7", now), 0);
  }
  EXPECT_EQ(gate.lockedForUs("198.51.100.1", now), 0) << "another address is not touched";
}

TEST(AddressBackoff, ASuccessClearsAndAQuietSpellStartsAfresh) {
  AddressBackoff gate = staffGate();
  const std::int64_t t0 = 100 * kOneSecondUs;
  for (int i = 0; i < 4; ++i) gate.fail("a", t0);
  EXPECT_GT(gate.lockedForUs("a", t0), 0);
  gate.succeed("a");
  EXPECT_EQ(gate.lockedForUs("a", t0), 0);
  EXPECT_EQ(gate.fail("a", t0), 1);
  // A minute exactly is not yet quiet; a moment more is.
  EXPECT_EQ(gate.fail("a", t0 + 60 * kOneSecondUs), 2);
  EXPECT_EQ(gate.fail("a", t0 + 120 * kOneSecondUs + 1), 1);
}

TEST(AddressBackoff, QuietKeysAreForgottenAndTheMapIsBounded) {
  AddressBackoff gate = staffGate();
  const std::int64_t t0 = 100 * kOneSecondUs;
  for (int i = 0; i < 5; ++i) gate.fail("locked", t0);  // locked for 4 s
  gate.fail("quiet", t0);
  gate.forgetQuiet(t0 + 60 * kOneSecondUs - 1);
  EXPECT_EQ(gate.size(), 2u);
  gate.forgetQuiet(t0 + 60 * kOneSecondUs);
  EXPECT_EQ(gate.size(), 0u);
  // Past max_entries (3), a failure first drops the keys quiet for a minute.
  for (const char* key : {"k1", "k2", "k3", "k4"}) gate.fail(key, t0);
  EXPECT_EQ(gate.size(), 4u);
  gate.fail("k5", t0 + 61 * kOneSecondUs);
  EXPECT_EQ(gate.size(), 1u);
}

}  // namespace
}  // namespace yst
