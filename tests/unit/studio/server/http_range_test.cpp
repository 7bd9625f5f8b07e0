#include "studio/server/http_range.h"

#include <gtest/gtest.h>

namespace yst::server {
namespace {

using Kind = ByteRange::Kind;

TEST(HttpRange, FirstAndLastBytes) {
  const ByteRange r = parseByteRange("bytes=0-1023", 5000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 1023u);
}

TEST(HttpRange, OpenEndedRunsToTheEnd) {
  const ByteRange r = parseByteRange("bytes=4000-", 5000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 4000u);
  EXPECT_EQ(r.last, 4999u);
}

TEST(HttpRange, LastPastTheEndIsClamped) {
  const ByteRange r = parseByteRange("bytes=4000-999999", 5000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.last, 4999u);
}

TEST(HttpRange, Suffix) {
  ByteRange r = parseByteRange("bytes=-500", 5000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 4500u);
  EXPECT_EQ(r.last, 4999u);
  r = parseByteRange("bytes=-9000", 5000);  // more than there is: all of it
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(parseByteRange("bytes=-0", 5000).kind, Kind::kUnsatisfiable);
}

TEST(HttpRange, StartAtOrPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(parseByteRange("bytes=5000-", 5000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parseByteRange("bytes=6000-7000", 5000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parseByteRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(parseByteRange("bytes=-10", 0).kind, Kind::kUnsatisfiable);
}

TEST(HttpRange, WhatDoesNotParseIsIgnored) {
  for (const char* header :
       {"", "bytes", "bytes=", "bytes=-", "items=0-10", "bytes=a-b", "bytes=10-5", "bytes=0-1,5-9",
        "bytes=+1-2", "bytes=99999999999999999999-", "bytes=1 -2"}) {
    EXPECT_EQ(parseByteRange(header, 5000).kind, Kind::kWhole) << header;
  }
}

}  // namespace
}  // namespace yst::server
