// Bytes as lowercase hex, for the tests that check a wire format byte for
// byte (AMF0, RTMP chunks, the publisher's messages).
#pragma once

#include <string>

namespace yst::streaming::test {

inline std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace yst::streaming::test
