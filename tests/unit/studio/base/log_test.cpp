// Lines that are off cost nothing to build; secrets compare in full.
#include "studio/base/log.h"

#include <gtest/gtest.h>

#include <string>

#include "studio/base/secrets.h"

namespace yst {
namespace {

TEST(Log, AMessageIsMadeOnlyWhenItsLevelIsOn) {
  int made = 0;
  auto make = [&] {
    ++made;
    return std::string("built");
  };
  setLogLevel(LogLevel::kInfo);
  logDebug("test", make);
  EXPECT_EQ(made, 0) << "a debug line was built with debug off";
  setLogLevel(LogLevel::kDebug);
  logDebug("test", make);
  EXPECT_EQ(made, 1);
  setLogLevel(LogLevel::kError);
  log(LogLevel::kWarn, "test", make);
  EXPECT_EQ(made, 1) << "a warning was built with only errors on";
  setLogLevel(LogLevel::kInfo);
}

TEST(Secrets, EqualOnlyWhenEveryByteAndTheLengthAgree) {
  EXPECT_TRUE(constantTimeEquals("producer-token", "producer-token"));
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_FALSE(constantTimeEquals("producer-token", "producer-tokeN"));
  EXPECT_FALSE(constantTimeEquals("producer-token", "producer-token-"));
  EXPECT_FALSE(constantTimeEquals("producer", ""));
  EXPECT_FALSE(constantTimeEquals("", "producer"));
  // A secret with a NUL in it is not cut short there.
  EXPECT_FALSE(constantTimeEquals(std::string_view("ab\0c", 4), std::string_view("ab\0d", 4)));
}

}  // namespace
}  // namespace yst
