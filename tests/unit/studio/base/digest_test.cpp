// Digests against their standards' own vectors: SHA-256 (FIPS 180-2),
// HMAC-SHA-256 (RFC 4231) and URL-safe base64 (RFC 4648).
#include "studio/base/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace yst {
namespace {

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

TEST(Digest, Sha256HexMatchesTheStandard) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("温网议事厅"),
            "42678c0bc7b1c448a479ea6a7403b3d4b69060678f1d0f60d7068056cf7adf30");
}

TEST(Digest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hex(hmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than SHA-256's block is hashed first.
  EXPECT_EQ(hex(hmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Digest, Base64UrlMatchesRfc4648WithoutPadding) {
  EXPECT_EQ(base64Url(""), "");
  EXPECT_EQ(base64Url("f"), "Zg");
  EXPECT_EQ(base64Url("fo"), "Zm8");
  EXPECT_EQ(base64Url("foo"), "Zm9v");
  EXPECT_EQ(base64Url("foob"), "Zm9vYg");
  EXPECT_EQ(base64Url("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64Url("foobar"), "Zm9vYmFy");
  // The two characters that differ from plain base64.
  EXPECT_EQ(base64Url("\xfb\xff\xbf"), "-_-_");
}

TEST(Digest, HexRoundTripsAndRefusesWhatIsNotHex) {
  EXPECT_EQ(hexEncode(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
  EXPECT_EQ(hexDecode("007f80ff"), std::string("\x00\x7f\x80\xff", 4));
  EXPECT_EQ(hexDecode(""), std::string());
  EXPECT_FALSE(hexDecode("abc").has_value());  // odd length
  EXPECT_FALSE(hexDecode("0G").has_value());
  EXPECT_FALSE(hexDecode("AB").has_value());  // lower case only, as hexEncode writes
}

TEST(Digest, TurnPasswordIsCoturnsHmacSha1InBase64) {
  // As coturn's use-auth-secret checks it (the value from Python's hmac and
  // base64 modules).
  EXPECT_EQ(turnPassword("north", "1700000000:guest1"), "A/0zOqHeJ377zj+mPMYvLlk/0pU=");
  EXPECT_NE(turnPassword("north", "1700000001:guest1"), turnPassword("north", "1700000000:guest1"));
}

}  // namespace
}  // namespace yst
