#include "streaming/uri_secrets.h"

#include <gtest/gtest.h>

namespace yst::streaming {
namespace {

TEST(UriSecrets, MasksCameraCredentials) {
  EXPECT_EQ(maskUri("rtsp://admin:Cam%40pass1@192.168.1.64:554/Streaming/Channels/101"),
            "rtsp://***@192.168.1.64:554/Streaming/Channels/101");
  EXPECT_EQ(maskUri("rtsp://cam.local/stream"), "rtsp://cam.local/stream");
  // An @ in the path is not userinfo.
  EXPECT_EQ(maskUri("rtmp://host/live/a@b"), "rtmp://host/live/a@b");
}

TEST(UriSecrets, MasksSensitiveQueryValues) {
  EXPECT_EQ(maskUri("srt://ingest:9000?mode=caller&passphrase=verysecret1&latency=200"),
            "srt://ingest:9000?mode=caller&passphrase=***&latency=200");
  EXPECT_EQ(maskUri("srt://ingest:9000?streamid=#!::r=live/abc,m=publish"),
            "srt://ingest:9000?streamid=***");
  EXPECT_EQ(maskUri("srt://h:1?mode=listener"), "srt://h:1?mode=listener");
}

TEST(UriSecrets, ListsSecretsForScrubbing) {
  const auto secrets = uriSecrets("rtsp://admin:hunter22@cam/x");
  ASSERT_FALSE(secrets.empty());
  EXPECT_EQ(scrub("login hunter22 refused by cam", secrets), "login *** refused by cam");
  EXPECT_EQ(scrub("admin:hunter22@cam", secrets).find("hunter22"), std::string::npos);
  const auto srt = uriSecrets("srt://h:1?passphrase=abcdefghij");
  EXPECT_EQ(scrub("bad passphrase abcdefghij", srt), "bad passphrase ***");
}

TEST(UriSecrets, ShortStringsAreNotScrubbedEverywhere) {
  // A one-letter user name would otherwise blank every "a" in a message.
  EXPECT_EQ(scrub("a camera", uriSecrets("rtsp://a:b@cam/x")), "a camera");
}

}  // namespace
}  // namespace yst::streaming
