// [[destinations]], [hls]: URLs as partner sites hand them out, stream keys
// inline or from the environment (never echoed), TLS checks, HLS segments
// cut at keyframes.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

using streaming::DestinationProtocol;

TEST(CheckDestinationUrlTest, AcceptsEachKind) {
  const std::vector<std::pair<std::string, DestinationProtocol>> good = {
      {"rtmp://127.0.0.1:1935/live", DestinationProtocol::kRtmp},
      {"rtmp://push.example.com/live/sub", DestinationProtocol::kRtmp},
      {"rtmp://[2001:db8::1]:1935/live", DestinationProtocol::kRtmp},
      {"rtmps://live-api-s.facebook.com:443/rtmp", DestinationProtocol::kRtmps},
      {"srt://203.0.113.9:9000?mode=caller&latency=200", DestinationProtocol::kSrt},
      {"srt://ingest.example.com:9000", DestinationProtocol::kSrt},
  };
  for (const auto& [url, kind] : good) {
    SCOPED_TRACE(url);
    DestinationProtocol found = DestinationProtocol::kInvalid;
    EXPECT_EQ(checkDestinationUrl(url, &found), std::nullopt);
    EXPECT_EQ(found, kind);
  }
}

TEST(CheckDestinationUrlTest, RefusesMalformed) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"127.0.0.1/live", "no scheme"},
      {"http://example.com/live",
       "unsupported scheme \"http\"; expected rtmp://, rtmps:// or srt://"},
      {"rtsp://cam/s", "unsupported scheme"},
      {"RTMP://host/live", "lower case"},
      {"rtmp://", "no host"},
      {"rtmp://:1935/live", "no host"},
      {"rtmp://host", "application"},
      {"rtmp://host/live/", "must not end with '/'"},
      {"rtmp://host:0/live", "not in 1..65535"},
      {"rtmp://host:70000/live", "not in 1..65535"},
      {"rtmp://user:pw@host/live", "user name"},
      {"rtmp://host/live now", "space"},
      {"rtmp://host/live\n", "control"},
      {"rtmps://host", "application"},
      {"srt://host", "needs a port"},
      {"srt://host:", "no port"},
      {"srt://host:9000/live", "must not have a path"},
      {"srt://:9000", "no host"},
  };
  for (const auto& [url, expected] : bad) {
    SCOPED_TRACE(url);
    DestinationProtocol kind = DestinationProtocol::kRtmp;
    const std::optional<std::string> problem = checkDestinationUrl(url, &kind);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find(expected), std::string::npos) << *problem;
    EXPECT_EQ(kind, DestinationProtocol::kInvalid);
  }
}

// The push URLs of the CDNs, as their consoles hand them out.
const std::vector<std::string> kCdnUrls = {
    "rtmp://push.example.com/live/show42?txSecret=abc123def&txTime=5F5E0FFF",
    "rtmp://push.example.com/live/show42?auth_key=1700000000-0-0-9f8e7d6c5b4a",
    "rtmp://push.example.com/live/show42?wsSecret=0123456789abcdef&wsTime=65a1b2c3",
    "rtmp://push.example.com/live/show42?hwSecret=hw5ecret77",
    "rtmp://a.rtmp.youtube.com/live2/xxxx-xxxx-xxxx-xxxx",
};

TEST(CheckDestinationUrlTest, TakesTheCdnsPushUrlsWithoutAKey) {
  for (const std::string& url : kCdnUrls) {
    SCOPED_TRACE(url);
    DestinationProtocol kind = DestinationProtocol::kInvalid;
    EXPECT_EQ(checkDestinationUrl(url, &kind), std::nullopt);
    EXPECT_EQ(kind, DestinationProtocol::kRtmp);
    const ShowConfig c =
        parseShow(withMinimal("[[destinations]]\nid = \"cdn\"\nurl = \"" + url + "\"\n"), "t.toml");
    ASSERT_EQ(c.destinations.size(), 1u);
    EXPECT_EQ(c.destinations[0].url, url);
    EXPECT_EQ(c.destinations[0].key, "");
  }
}

TEST(CheckDestinationUrlTest, RefusesAnAddressCopiedWithItsMask) {
  // What the console shows of the Tencent URL, sent back as if it were one.
  for (const std::string url : {"rtmp://push.example.com/live/***?txSecret=***&txTime=***",
                                "rtmp://a.rtmp.youtube.com/live2/***"}) {
    SCOPED_TRACE(url);
    const std::optional<std::string> problem = checkDestinationUrl(url, nullptr);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("masks"), std::string::npos) << *problem;
  }
}

TEST(ShowConfigTest, DuplicateDestinationId) {
  const std::string text = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://a/live"
[[destinations]]
id = "d"
url = "rtmp://b/live"
)");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "destinations[1].id");
  EXPECT_EQ(e.line(), lineOf(text, "url = \"rtmp://b") - 1);
}

TEST(ShowConfigTest, DestinationKeys) {
  const std::string both = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
key = "inline-secret-1"
key_env = "ZJOL_KEY"
)");
  {
    const ConfigError e = refusal(both, envOf({{"ZJOL_KEY", "env-secret-2"}}));
    EXPECT_EQ(e.key(), "destinations[0].key_env");
    EXPECT_EQ(e.line(), lineOf(both, "key_env"));
    EXPECT_NE(e.problem().find("either key or key_env"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("inline-secret-1"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("env-secret-2"), std::string::npos);
  }
  const std::string from_env = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
key_env = "ZJOL_KEY"
)");
  {
    const ShowConfig c = parseShow(from_env, "t.toml", envOf({{"ZJOL_KEY", "env-secret-2"}}));
    EXPECT_EQ(c.destinations[0].key, "env-secret-2");
  }
  for (const EnvLookup& env : {kNoEnv, envOf({{"ZJOL_KEY", ""}})}) {
    const ConfigError e = refusal(from_env, env);
    EXPECT_EQ(e.key(), "destinations[0].key_env");
    EXPECT_EQ(e.line(), lineOf(from_env, "key_env"));
    EXPECT_NE(e.problem().find("ZJOL_KEY is not set"), std::string::npos) << e.what();
  }
  {
    // A key pasted where the variable's name belongs is not echoed.
    const std::string text = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
key_env = "live_8812_aZq"
)");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "destinations[0].key_env");
    EXPECT_EQ(std::string(e.what()).find("live_8812_aZq"), std::string::npos) << e.what();
    const std::string dashed = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
key_env = "abcd-efgh-ijkl-mnop"
)");
    const ConfigError e2 = refusal(dashed);
    EXPECT_EQ(std::string(e2.what()).find("abcd-efgh"), std::string::npos) << e2.what();
    EXPECT_NE(e2.problem().find("not an environment variable name"), std::string::npos);
  }
  {
    const std::string text = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
key = "trailing-space-secret "
)");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "destinations[0].key");
    EXPECT_EQ(std::string(e.what()).find("trailing-space-secret"), std::string::npos);
  }
  {
    const ConfigError e = refusal(
        withMinimal("[[destinations]]\nid = \"d\"\nurl = \"rtmp://h/live\"\nkey = 12345678\n"));
    EXPECT_EQ(e.key(), "destinations[0].key");
    EXPECT_EQ(std::string(e.what()).find("12345678"), std::string::npos);
  }
}

TEST(ShowConfigTest, TlsVerifyDefaultsOnAndCanBeTurnedOff) {
  const std::string text = withMinimal(R"(
[[destinations]]
id = "strict"
url = "rtmps://ingest.example.com:443/live"
key = "k1234567"
[[destinations]]
id = "private"
url = "rtmps://10.0.0.5:443/live"
key = "k7654321"
tls_verify = false
)");
  const ShowConfig c =
      parseShow(text, "t.toml", [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_EQ(c.destinations.size(), 2u);
  EXPECT_TRUE(c.destinations[0].tls_verify);
  EXPECT_FALSE(c.destinations[1].tls_verify);
  try {
    parseShow(std::string(text) +
                  "\n[[destinations]]\nid = \"x\"\nurl = \"rtmp://h/live\"\ntls_verify = \"no\"\n",
              "t.toml", [](const std::string&) { return std::optional<std::string>(); });
    FAIL() << "a string tls_verify must be refused";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "destinations[2].tls_verify");
  }
}

// HLS segments are cut at the program's keyframes: a segment length is a
// whole number of keyframe intervals, whether given or left to the default.
TEST(ShowConfigTest, HlsSegmentsAreWholeKeyframeIntervals) {
  for (const auto& [keyframe_s, segment_s] :
       std::vector<std::pair<int, int>>{{1, 2}, {2, 2}, {3, 3}, {4, 4}, {10, 10}}) {
    SCOPED_TRACE(keyframe_s);
    const ShowConfig c = parseShow(
        withMinimal("[program]\nkeyframe_interval_s = " + std::to_string(keyframe_s) + "\n"),
        "t.toml", kNoEnv);
    EXPECT_EQ(c.hls.segment_s, segment_s);
  }
  const ShowConfig given = parseShow(
      withMinimal("[program]\nkeyframe_interval_s = 2\n[hls]\nsegment_s = 6\n"), "t.toml", kNoEnv);
  EXPECT_EQ(given.hls.segment_s, 6);
  const std::string text =
      withMinimal("[program]\nkeyframe_interval_s = 2\n[hls]\nsegment_s = 3\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "hls.segment_s");
  EXPECT_EQ(e.line(), lineOf(text, "segment_s = 3"));
  EXPECT_NE(e.problem().find("program.keyframe_interval_s (2 s)"), std::string::npos) << e.what();
  // Without HLS the length does not matter.
  const ShowConfig off = parseShow(
      withMinimal("[program]\nkeyframe_interval_s = 2\n[hls]\nenabled = false\nsegment_s = 3\n"),
      "t.toml", kNoEnv);
  EXPECT_FALSE(off.hls.enabled);
}

}  // namespace
}  // namespace yst::config
