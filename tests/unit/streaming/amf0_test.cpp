// AMF0 (streaming/amf0.h) byte for byte: what the writer makes and the
// decoder reads back, and what the decoder refuses from a server: truncated
// or unknown values, nesting past 16 levels, more values than any reply has,
// and numbers that are no stream id.
#include "streaming/amf0.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/unit/streaming/hex.h"

namespace yst::streaming {
namespace {

using rtmp::AmfValue;
using rtmp::AmfWriter;
using test::hex;

TEST(Amf0, WritesWhatTheSpecSaysAndReadsItBack) {
  AmfWriter w;
  w.string("connect").number(1).beginObject().key("app").string("live").endObject().null();
  EXPECT_EQ(hex(w.bytes()),
            "0200"
            "07"
            "636f6e6e656374"      // "connect"
            "003ff0000000000000"  // 1.0
            "03"
            "0003"
            "617070"
            "020004"
            "6c697665"
            "000009"  // object end
            "05");
  const std::vector<AmfValue> values = rtmp::decodeAmf0(w.bytes());
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0].string, "connect");
  EXPECT_EQ(values[1].number, 1.0);
  EXPECT_EQ(values[2].text("app"), "live");
  EXPECT_EQ(values[2].find("missing"), nullptr);
  EXPECT_EQ(values[3].type, AmfValue::Type::kNull);
}

TEST(Amf0, RefusesWhatIsNotAmf0) {
  auto decode = [](const std::string& bytes) { return rtmp::decodeAmf0(bytes); };
  EXPECT_THROW(decode(std::string("\x02\x00\x05"
                                  "ab",
                                  5)),
               rtmp::Error)
      << "truncated string";
  EXPECT_THROW(decode(std::string("\x00\x3f\xf0", 3)), rtmp::Error) << "truncated number";
  EXPECT_THROW(decode(std::string("\x0D", 1)), rtmp::Error) << "unsupported type";
  EXPECT_THROW(decode(std::string("\x0A\xff\xff\xff\xff", 5)), rtmp::Error)
      << "an array longer than its bytes";
  EXPECT_THROW(decode(std::string("\x03\x00\x01"
                                  "a",
                                  4)),
               rtmp::Error)
      << "object never ends";
  std::string nested;
  for (int i = 0; i < 20; ++i)
    nested += std::string(
        "\x03\x00\x01"
        "a",
        4);
  EXPECT_THROW(decode(nested), rtmp::Error) << "nesting past 16 levels";
}

TEST(Amf0, RefusesMoreValuesThanAnyReplyHas) {
  // A byte a value on the wire, ~100 bytes decoded: a 1 MiB message of
  // nulls would be 100 MiB.
  EXPECT_THROW(rtmp::decodeAmf0(std::string(rtmp::kMaxAmfValues + 1, '\x05')), rtmp::Error);
  std::string array("\x0A\x00\x10\x00\x00", 5);  // a strict array of 1 Mi nulls
  array += std::string(1 << 20, '\x05');
  EXPECT_THROW(rtmp::decodeAmf0(array), rtmp::Error);
  EXPECT_EQ(rtmp::decodeAmf0(std::string(rtmp::kMaxAmfValues, '\x05')).size(), rtmp::kMaxAmfValues);
}

TEST(Amf0, TakesAStreamIdOnlyWhenItIsOne) {
  for (double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL, 1e300, -1.0, 1.5, 4294967296.0}) {
    EXPECT_FALSE(rtmp::wholeU32(bad).has_value()) << bad;
  }
  EXPECT_EQ(rtmp::wholeU32(0), 0u);
  EXPECT_EQ(rtmp::wholeU32(1), 1u);
  EXPECT_EQ(rtmp::wholeU32(4294967295.0), 4294967295u);
}
}  // namespace
}  // namespace yst::streaming
