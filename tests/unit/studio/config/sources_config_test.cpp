// [[sources]]: every kind of URI, malformed ones (without echoing a camera's
// password), ids.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(CheckSourceUriTest, AcceptsEachKind) {
  const std::vector<std::pair<std::string, streaming::UrlScheme>> good = {
      {"test://smpte", streaming::UrlScheme::kTest},
      {"test://ball", streaming::UrlScheme::kTest},
      {"test://checkers-8", streaming::UrlScheme::kTest},
      {"test://chroma-zone-plate", streaming::UrlScheme::kTest},
      {"test://colors", streaming::UrlScheme::kTest},
      {"file:///srv/media/opening.mp4", streaming::UrlScheme::kFile},
      {"file:///srv/media/%E9%87%87%E8%AE%BF%20one.mp4", streaming::UrlScheme::kFile},
      {"file:///srv/media/采访.mp4", streaming::UrlScheme::kFile},
      {"file:///does/not/exist.mp4", streaming::UrlScheme::kFile},  // a slate covers it at run time
      {"v4l2:///dev/video0", streaming::UrlScheme::kV4l2},
      {"v4l2:///dev/v4l/by-id/usb-Cam-video-index0", streaming::UrlScheme::kV4l2},
      {"rtsp://192.168.1.64:554/Streaming/Channels/101", streaming::UrlScheme::kRtsp},
      {"rtsp://admin:pa%40ss@192.168.1.64/stream1", streaming::UrlScheme::kRtsp},
      {"rtsp://camera.local", streaming::UrlScheme::kRtsp},
      {"rtsps://cam.example.com:322/live?token=x", streaming::UrlScheme::kRtsps},
      {"rtsp://[fe80::1]:554/s", streaming::UrlScheme::kRtsp},
      {"srt://0.0.0.0:7001?mode=listener&latency=200", streaming::UrlScheme::kSrt},
      {"srt://field.example.com:9000", streaming::UrlScheme::kSrt},
      {"srt://10.0.0.5:9000/?mode=caller", streaming::UrlScheme::kSrt},
      {"rtmp://127.0.0.1:1935/live/guest", streaming::UrlScheme::kRtmp},
      {"rtmps://ingest.example.com/app", streaming::UrlScheme::kRtmps},
      {"webrtc://remote1", streaming::UrlScheme::kWebrtc},
      {"webrtc://field_2-b", streaming::UrlScheme::kWebrtc},
  };
  for (const auto& [uri, kind] : good) {
    SCOPED_TRACE(uri);
    streaming::UrlScheme found = streaming::UrlScheme::kInvalid;
    EXPECT_EQ(checkSourceUri(uri, &found), std::nullopt);
    EXPECT_EQ(found, kind);
  }
  EXPECT_EQ(checkSourceUri("test://red", nullptr), std::nullopt);
}

TEST(CheckSourceUriTest, RefusesMalformed) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"smpte", "no scheme"},
      {"://x", "no scheme"},
      {"TEST://smpte", "lower case"},
      {"http://example.com/a.mp4", "unsupported scheme \"http\""},
      {"test://", "unknown test pattern"},
      {"test://plaid", "unknown test pattern \"plaid\""},
      {"test://SMPTE", "unknown test pattern"},
      {"test://smpte ", "space"},
      {"file://relative/path.mp4", "three slashes"},
      {"file:///", "no path"},
      {"file:///a/b?.mp4", "%3F"},
      {"file:///a/b%zz.mp4", "two hex digits"},
      {"file:///a b.mp4", "space"},
      {"v4l2://video0", "three slashes"},
      {"v4l2:///video0", "/dev"},
      {"v4l2:///dev/", "/dev"},
      {"rtsp://", "no host"},
      {"rtsp:///stream", "no host"},
      {"rtsp://cam:0/s", "not in 1..65535"},
      {"rtsp://cam:65536/s", "not in 1..65535"},
      {"rtsp://cam:/s", "no port"},
      {"rtsp://cam:abc/s", "not a number"},
      {"rtsp://ca m/s", "space"},
      {"rtsp://cam/s#frag", "'#'"},
      {"rtsp://cam\t/s", "control"},
      {"rtsp://[fe80::1/s", "closing"},
      {"rtsp://fe80::1/s", "more than one ':'"},
      {"rtsp://cam!/s", "host may contain only"},
      {"srt://host", "needs a port"},
      {"srt://:7001?mode=listener", "0.0.0.0"},
      {"srt://host:9000/path", "must not have a path"},
      {"srt://host:9000?mode=server", "mode must be"},
      {"srt://host:9000?&latency=1", "empty option"},
      {"srt://user@host:9000", "user name"},
      {"rtmp://host", "application"},
      {"rtmp://host/", "application"},
      {"rtmp://host//x", "application"},
      {"rtmp://host:99999/live", "not in 1..65535"},
      {"rtmp://host\xe3\x80\x80/live", "full-width space"},  // U+3000 from an IME
      {"rtmp://host/live\xc2\xa0", "invisible"},
  };
  for (const auto& [uri, expected] : bad) {
    SCOPED_TRACE(uri);
    streaming::UrlScheme kind = streaming::UrlScheme::kRtmp;
    const std::optional<std::string> problem = checkSourceUri(uri, &kind);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find(expected), std::string::npos) << *problem;
    EXPECT_EQ(kind, streaming::UrlScheme::kInvalid);
  }
}

TEST(CheckSourceUriTest, CameraPasswordsAreNotEchoed) {
  // "user:password" without the '@' parses as host:port.
  const std::optional<std::string> p1 = checkSourceUri("rtsp://admin:hunter2cam/s", nullptr);
  ASSERT_TRUE(p1.has_value());
  EXPECT_EQ(p1->find("hunter2cam"), std::string::npos) << *p1;
  const std::optional<std::string> p2 = checkSourceUri("rtsp://admin:hunter2%zz@h/s", nullptr);
  ASSERT_TRUE(p2.has_value());
  EXPECT_EQ(p2->find("hunter2"), std::string::npos) << *p2;
}

TEST(ShowConfigTest, WithMicrophonesTheCamerasSoundStartsMuted) {
  // kMinimal's camera, a second camera that keeps its sound, and a lavalier
  // through the desk on input 3 of an interface.
  const ShowConfig c = parseShow(withMinimal(R"(
[[sources]]
id = "wide"
uri = "test://ball"
muted = false
[[sources]]
id = "lav"
uri = "alsa://plughw:1,0?channels=3"
)"),
                                 "t.toml", kNoEnv);
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_TRUE(c.sources[0].muted) << "the microphones carry the voices";
  EXPECT_TRUE(c.sources[0].audio_follows_video);
  EXPECT_FALSE(c.sources[1].muted) << "said so in the file";
  EXPECT_FALSE(c.sources[2].muted);
  EXPECT_FALSE(c.sources[2].audio_follows_video) << "a microphone is always in the mix";
  EXPECT_EQ(c.sources[2].scheme, streaming::UrlScheme::kAlsa);
  // Without microphones, cameras are heard.
  EXPECT_FALSE(parseShow(kMinimal, "t.toml", kNoEnv).sources[0].muted);
}

TEST(ShowConfigTest, WebrtcSlots) {
  const std::string slot = R"(
[[sources]]
id = "remote1"
uri = "webrtc://remote1"
whip_token_env = "YST_WHIP"
latency_ms = 600
)";
  const ShowConfig c =
      parseShow(withMinimal(slot), "t.toml", envOf({{"YST_WHIP", "whip_0123456789abcdef"}}));
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[1].scheme, streaming::UrlScheme::kWebrtc);
  EXPECT_EQ(c.sources[1].whip_token, "whip_0123456789abcdef");
  EXPECT_EQ(c.sources[1].latency_ms, 600);
  EXPECT_EQ(c.sources[0].latency_ms, 200);
  EXPECT_TRUE(c.sources[0].whip_token.empty());
  // Without its variable, and with a token too short to be a secret.
  EXPECT_EQ(refusal(withMinimal(slot)).key(), "sources[1].whip_token_env");
  const ConfigError short_token = refusal(withMinimal(slot), envOf({{"YST_WHIP", "short"}}));
  EXPECT_EQ(short_token.key(), "sources[1].whip_token_env");
  EXPECT_EQ(std::string(short_token.what()).find("short\""), std::string::npos);
  // The jitter buffer's limits; the slot's keys on a camera.
  EXPECT_EQ(refusal(withMinimal("[[sources]]\nid = \"r\"\nuri = \"webrtc://r\"\nlatency_ms = 10\n"))
                .key(),
            "sources[1].latency_ms");
  const ConfigError on_camera =
      refusal(withMinimal("[[sources]]\nid = \"c\"\nuri = \"test://ball\"\nlatency_ms = 300\n"));
  EXPECT_EQ(on_camera.key(), "sources[1].latency_ms");
  EXPECT_NE(on_camera.problem().find("webrtc:// slots only"), std::string::npos);
  for (const char* bad : {"webrtc://", "webrtc://a/b", "webrtc://机位", "webrtc://a b"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(checkSourceUri(bad, nullptr).has_value());
  }
}

TEST(ShowConfigTest, TheProducersTalkbackMicrophone) {
  const std::string mic = R"(
[[sources]]
id = "remote1"
uri = "webrtc://remote1"
[[sources]]
id = "director"
uri = "alsa://plughw:2,0"
talkback = true
)";
  const ShowConfig c = parseShow(withMinimal(mic), "t.toml", kNoEnv);
  ASSERT_EQ(c.sources.size(), 3u);
  EXPECT_TRUE(c.sources[2].talkback);
  EXPECT_FALSE(c.sources[1].talkback);
  EXPECT_FALSE(c.sources[2].audio_follows_video) << "always live, whatever is on air";
  EXPECT_FALSE(c.sources[2].muted);
  EXPECT_FALSE(c.sources[0].muted) << "a talkback microphone does not carry the show's voices";
  // Never on air: not among the program's tiles, nor may the show file put it there.
  EXPECT_EQ(std::count(c.program.tiles.begin(), c.program.tiles.end(), "director"), 0);
  const ConfigError on_air =
      refusal(withMinimal(mic + "[program]\nlayout = \"single\"\nprimary = \"director\"\n"));
  EXPECT_EQ(on_air.key(), "program.primary");
  EXPECT_NE(on_air.problem().find("talkback"), std::string::npos);
  const ConfigError person = refusal(withMinimal(mic + "person = \"host\"\n"));
  EXPECT_EQ(person.key(), "sources[2].person");
}

TEST(ShowConfigTest, WebrtcSection) {
  const ShowConfig c = parseShow(withMinimal(R"(
[webrtc]
port_min = 40000
port_max = 40100
stun_server = "stun:stun.example.cn:3478"
turn_url = "turn:turn.example.cn:3478"
turn_secret_env = "YST_TURN"
turn_credential_hours = 6
)"),
                                 "t.toml", envOf({{"YST_TURN", "turn_secret_0123456789"}}));
  EXPECT_EQ(c.webrtc.port_min, 40000);
  EXPECT_EQ(c.webrtc.port_max, 40100);
  EXPECT_EQ(c.webrtc.stun_server, "stun:stun.example.cn:3478");
  EXPECT_EQ(c.webrtc.turn_url, "turn:turn.example.cn:3478");
  EXPECT_EQ(c.webrtc.turn_secret, "turn_secret_0123456789");
  EXPECT_EQ(c.webrtc.turn_credential_hours, 6);
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nport_min = 40000\n")).key(), "webrtc.port_max");
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nport_min = 40100\nport_max = 40000\n")).key(),
            "webrtc.port_max");
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nstun_server = \"stun.example.cn\"\n")).key(),
            "webrtc.stun_server");
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nturn_url = \"turn:t:3478\"\n")).key(),
            "webrtc.turn_secret_env");
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nturn_secret_env = \"YST_TURN\"\n")).key(),
            "webrtc.turn_secret_env");
  EXPECT_EQ(refusal(withMinimal("[webrtc]\nturn = 1\n")).key(), "webrtc.turn");
}

TEST(ShowConfigTest, SourceIds) {
  {
    const std::string text = withMinimal("[[sources]]\nid = \"cam\"\nuri = \"test://ball\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[1].id");
    EXPECT_EQ(e.line(), lineOf(text, "test://ball") - 1);
    EXPECT_NE(e.problem().find("already the id of sources[0] (line 6)"), std::string::npos)
        << e.what();
  }
  for (const std::string& id :
       std::vector<std::string>{"Cam", "cam 1", "", "a.b", "机位", std::string(33, 'a')}) {
    SCOPED_TRACE(id);
    const std::string text =
        withMinimal("[[sources]]\nid = \"" + id + "\"\nuri = \"test://ball\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[1].id");
    EXPECT_NE(e.problem().find("1..32 characters"), std::string::npos) << e.what();
  }
}

TEST(ShowConfigTest, LongestIdIsAccepted) {
  const std::string id = "a_b-9" + std::string(27, 'z');
  ASSERT_EQ(id.size(), 32u);
  const ShowConfig c = parseShow(
      withMinimal("[[sources]]\nid = \"" + id + "\"\nuri = \"test://ball\"\n"), "t.toml", kNoEnv);
  EXPECT_EQ(c.sources[1].id, id);
}

TEST(ShowConfigTest, UnknownKeyInTheSecondSource) {
  const std::string text = withMinimal(R"(
[[sources]]
id = "two"
urii = "test://ball"
)");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "sources[1].urii");
  EXPECT_EQ(e.line(), lineOf(text, "urii"));
  EXPECT_NE(e.problem().find("did you mean \"uri\""), std::string::npos) << e.what();
}

}  // namespace
}  // namespace yst::config
