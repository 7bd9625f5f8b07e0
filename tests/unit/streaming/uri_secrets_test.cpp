#include "streaming/uri_secrets.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "streaming/outputs.h"

namespace yst::streaming {
namespace {

// Push URLs as Chinese CDNs and YouTube hand them out: the signature in the
// query, the stream key in the path.
constexpr const char* kTencent =
    "rtmp://push.example.com/live/show42?txSecret=abc123def&txTime=5F5E0FFF";
constexpr const char* kAlibaba =
    "rtmp://push.example.com/live/show42?auth_key=1700000000-0-0-9f8e7d6c5b4a";
constexpr const char* kWangsu =
    "rtmp://push.example.com/live/show42?wsSecret=0123456789abcdef&wsTime=65a1b2c3";
constexpr const char* kHuawei = "rtmp://push.example.com/live/show42?hwSecret=hw5ecret77";
constexpr const char* kYouTube = "rtmp://a.rtmp.youtube.com/live2/xxxx-xxxx-xxxx-xxxx";

TEST(UriSecrets, MasksCameraCredentials) {
  EXPECT_EQ(maskUri("rtsp://admin:Cam%40pass1@192.168.1.64:554/Streaming/Channels/101"),
            "rtsp://***@192.168.1.64:554/Streaming/Channels/101");
  EXPECT_EQ(maskUri("rtsp://cam.local/stream"), "rtsp://cam.local/stream");
  // An @ in the path is not userinfo.
  EXPECT_EQ(maskUri("rtsp://host/live/a@b"), "rtsp://host/live/a@b");
}

TEST(UriSecrets, MasksEveryQueryValue) {
  EXPECT_EQ(maskUri("srt://ingest:9000?mode=caller&passphrase=verysecret1&latency=200"),
            "srt://ingest:9000?mode=***&passphrase=***&latency=***");
  EXPECT_EQ(maskUri("srt://ingest:9000?streamid=#!::r=live/abc,m=publish"),
            "srt://ingest:9000?streamid=***");
  EXPECT_EQ(maskUri("srt://h:1?mode=listener"), "srt://h:1?mode=***");
  // Short values too, a bare token, and an empty value that hides nothing.
  EXPECT_EQ(maskUri("srt://h:1?a=b&signedtoken&c="), "srt://h:1?a=***&***&c=");
}

TEST(UriSecrets, MasksTheCdnSignaturesAndTheStreamOfAKeylessRtmpUrl) {
  EXPECT_EQ(maskUri(kTencent), "rtmp://push.example.com/live/***?txSecret=***&txTime=***");
  EXPECT_EQ(maskUri(kAlibaba), "rtmp://push.example.com/live/***?auth_key=***");
  EXPECT_EQ(maskUri(kWangsu), "rtmp://push.example.com/live/***?wsSecret=***&wsTime=***");
  EXPECT_EQ(maskUri(kHuawei), "rtmp://push.example.com/live/***?hwSecret=***");
  EXPECT_EQ(maskUri(kYouTube), "rtmp://a.rtmp.youtube.com/live2/***");
  EXPECT_EQ(maskUri("rtmps://h:443/app/inst/k3y"), "rtmps://h:443/app/inst/***");
  EXPECT_EQ(maskUri("RTMP://h/live/k3y/"), "RTMP://h/live/***/") << "as the client reads it";
  EXPECT_EQ(maskUri("rtmp://h/live/k"), "rtmp://h/live/***") << "however short";
  // Only an application: there is no stream to hide.
  EXPECT_EQ(maskUri("rtmp://h/live"), "rtmp://h/live");
  EXPECT_EQ(maskUri("rtmp://h/live?vhost=x"), "rtmp://h/live?vhost=***");
  // Other schemes have no stream key in their path.
  EXPECT_EQ(maskUri("rtsp://cam/live/ch1"), "rtsp://cam/live/ch1");
}

TEST(UriSecrets, KeepsThePathWhenTheKeyIsGivenApart) {
  EXPECT_EQ(maskUri("rtmp://push.example.com/live/sub", RtmpKey::kApart),
            "rtmp://push.example.com/live/sub");
  EXPECT_EQ(maskUri(kTencent, RtmpKey::kApart),
            "rtmp://push.example.com/live/show42?txSecret=***&txTime=***");
  EXPECT_EQ(maskedDestinationUrl({"d", "d", "rtmp://push.example.com/live/sub", "k3y", true}),
            "rtmp://push.example.com/live/sub");
  EXPECT_EQ(maskedDestinationUrl({"d", "d", kYouTube, "", true}),
            "rtmp://a.rtmp.youtube.com/live2/***");
}

TEST(UriSecrets, ListsEverySecretOfTheCdnUrls) {
  auto has = [](const std::vector<std::string>& secrets, const std::string& s) {
    return std::find(secrets.begin(), secrets.end(), s) != secrets.end();
  };
  const auto tencent = uriSecrets(kTencent);
  EXPECT_TRUE(has(tencent, "show42"));
  EXPECT_TRUE(has(tencent, "abc123def"));
  EXPECT_TRUE(has(tencent, "5F5E0FFF"));
  EXPECT_TRUE(has(uriSecrets(kAlibaba), "1700000000-0-0-9f8e7d6c5b4a"));
  EXPECT_TRUE(has(uriSecrets(kWangsu), "0123456789abcdef"));
  EXPECT_TRUE(has(uriSecrets(kWangsu), "65a1b2c3"));
  EXPECT_TRUE(has(uriSecrets(kHuawei), "hw5ecret77"));
  EXPECT_TRUE(has(uriSecrets(kYouTube), "xxxx-xxxx-xxxx-xxxx"));
  // The key given apart: the path is not secret, the query still is.
  EXPECT_FALSE(has(uriSecrets(kTencent, RtmpKey::kApart), "show42"));
  EXPECT_TRUE(has(uriSecrets(kTencent, RtmpKey::kApart), "abc123def"));
  // As written and as a server that decodes the URL would echo it.
  const auto escaped = uriSecrets("rtmp://h/live/s?sign=ab%2Bcd%3D");
  EXPECT_TRUE(has(escaped, "ab%2Bcd%3D"));
  EXPECT_TRUE(has(escaped, "ab+cd="));
}

TEST(UriSecrets, ScrubsAnRtmpServersEchoOfTheUrl) {
  // What an ingest's refusal may say: the stream name with its query.
  const std::string refusal =
      "rtmp://push.example.com:1935/live refused the stream: NetStream.Publish.BadName "
      "(show42?txSecret=abc123def&txTime=5F5E0FFF is not authorised)";
  const std::string scrubbed = scrub(refusal, uriSecrets(kTencent));
  EXPECT_EQ(scrubbed,
            "rtmp://push.example.com:1935/live refused the stream: NetStream.Publish.BadName "
            "(***?txSecret=***&txTime=*** is not authorised)");
  for (const char* url : {kAlibaba, kWangsu, kHuawei, kYouTube}) {
    SCOPED_TRACE(url);
    const std::string text = std::string("could not publish ") + url;
    EXPECT_EQ(scrub(text, uriSecrets(url)), "could not publish " + maskUri(url));
  }
  // A destination's secrets: its URL's and its key.
  const DestinationSpec keyed{"d", "d", kTencent, "stream-key-1", true};
  const std::string echoed =
      scrub("publish stream-key-1?txSecret=abc123def failed", destinationSecrets(keyed));
  EXPECT_EQ(echoed, "publish ***?txSecret=*** failed");
}

TEST(UriSecrets, ListsSecretsForScrubbing) {
  const auto secrets = uriSecrets("rtsp://admin:hunter22@cam/x");
  ASSERT_FALSE(secrets.empty());
  EXPECT_EQ(scrub("login hunter22 refused by cam", secrets), "login *** refused by cam");
  EXPECT_EQ(scrub("admin:hunter22@cam", secrets).find("hunter22"), std::string::npos);
  const auto srt = uriSecrets("srt://h:1?passphrase=abcdefghij");
  EXPECT_EQ(scrub("bad passphrase abcdefghij", srt), "bad passphrase ***");
}

TEST(UriSecrets, ScrubsTheLongestSecretFirst) {
  // "abc" inside "abcdef123" must not leave "***def123" behind.
  EXPECT_EQ(scrub("key abcdef123 and abc", {"abc", "abcdef123"}), "key *** and ***");
  // A secret that is itself "***" ends, too.
  EXPECT_EQ(scrub("a *** b", {"***"}), "a *** b");
}

TEST(UriSecrets, ShortStringsAreNotScrubbedEverywhere) {
  // A one-letter user name would otherwise blank every "a" in a message.
  EXPECT_EQ(scrub("a camera", uriSecrets("rtsp://a:b@cam/x")), "a camera");
  EXPECT_EQ(scrub("a camera", uriSecrets("rtmp://h/live/a?x=a")), "a camera");
}

}  // namespace
}  // namespace yst::streaming
