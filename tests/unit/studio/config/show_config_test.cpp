// Show-file parsing as a whole: the example from the issue, the demo file,
// defaults, the checks every section shares (unknown keys, types, ranges,
// required keys) and those that span sections, with the key path and line
// that the producer will see.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

using streaming::DestinationProtocol;
using streaming::Layout;

const std::string kIssueExample = R"(
[show]
title = "温网议事厅 · 对话市医保局"
host = { name = "王芳", title = "主持人" }
guests = [ { name = "张三", title = "温州市医疗保障局局长" } ]

[program]
width = 1280
height = 720
fps = 30
video_bitrate_kbps = 2500
audio_bitrate_kbps = 128
preset = "veryfast"          # x264 speed preset
keyframe_interval_s = 2
layout = "side_by_side"      # single | side_by_side | pip
primary = "host"             # source id: shown in single, large in pip, left in side_by_side
secondary = "guest"

[[sources]]
id = "host"
label = "主持人机位"
uri = "test://smpte"

[[sources]]
id = "guest"
uri = "test://ball"
gain = 0.5
muted = true
audio_follows_video = false

[[destinations]]
id = "zjol"
name = "浙江在线"
url = "rtmp://127.0.0.1:1935/live"
key = "secret"
enabled = true

[archive]
enabled = true

[hls]
enabled = true

[audience]
listen = "127.0.0.1:8080"
producer_token_env = "YISHITING_PRODUCER_TOKEN"
)";

TEST(ShowConfigTest, IssueExampleParses) {
  const ShowConfig c = parseShow(kIssueExample, "demo.toml", kNoEnv);
  EXPECT_EQ(c.path, "demo.toml");
  EXPECT_EQ(c.show.title, "温网议事厅 · 对话市医保局");
  EXPECT_EQ(c.show.host.name, "王芳");
  EXPECT_EQ(c.show.host.title, "主持人");
  ASSERT_EQ(c.show.guests.size(), 1u);
  EXPECT_EQ(c.show.guests[0].name, "张三");
  EXPECT_EQ(c.show.guests[0].title, "温州市医疗保障局局长");

  EXPECT_EQ(c.program.width, 1280);
  EXPECT_EQ(c.program.height, 720);
  EXPECT_EQ(c.program.fps, 30);
  EXPECT_EQ(c.program.video_bitrate_kbps, 2500);
  EXPECT_EQ(c.program.audio_bitrate_kbps, 128);
  EXPECT_EQ(c.program.preset, "veryfast");
  EXPECT_EQ(c.program.keyframe_interval_s, 2);
  EXPECT_EQ(c.program.layout, Layout::kSideBySide);
  EXPECT_EQ(c.program.tiles, (std::vector<std::string>{"host", "guest"}));

  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0].id, "host");
  EXPECT_EQ(c.sources[0].label, "主持人机位");
  EXPECT_EQ(c.sources[0].uri, "test://smpte");
  EXPECT_EQ(c.sources[0].scheme, streaming::UrlScheme::kTest);
  EXPECT_DOUBLE_EQ(c.sources[0].gain, 1.0);
  EXPECT_FALSE(c.sources[0].muted);
  EXPECT_EQ(c.sources[1].label, "guest");  // defaults to the id
  EXPECT_DOUBLE_EQ(c.sources[1].gain, 0.5);
  EXPECT_TRUE(c.sources[1].muted);
  EXPECT_TRUE(c.sources[0].audio_follows_video);
  EXPECT_FALSE(c.sources[1].audio_follows_video);

  ASSERT_EQ(c.destinations.size(), 1u);
  EXPECT_EQ(c.destinations[0].id, "zjol");
  EXPECT_EQ(c.destinations[0].name, "浙江在线");
  EXPECT_EQ(c.destinations[0].url, "rtmp://127.0.0.1:1935/live");
  EXPECT_EQ(c.destinations[0].key, "secret");
  EXPECT_EQ(c.destinations[0].kind, DestinationProtocol::kRtmp);
  EXPECT_TRUE(c.destinations[0].enabled);

  EXPECT_TRUE(c.archive.enabled);
  EXPECT_TRUE(c.hls.enabled);
  EXPECT_EQ(c.hls.segment_s, 2);
  EXPECT_EQ(c.hls.playlist_length, 6);
  EXPECT_EQ(c.audience.listen_host, "127.0.0.1");
  EXPECT_EQ(c.audience.listen_port, 8080);
  EXPECT_EQ(c.audience.public_url, "http://127.0.0.1:8080/");
  EXPECT_TRUE(c.audience.public_url_from_listen);
  EXPECT_EQ(c.audience.producer_token_env, "YISHITING_PRODUCER_TOKEN");
  EXPECT_TRUE(c.audience.producer_token_generated);
}

TEST(ShowConfigTest, DemoFileLoads) {
  // From the source tree, wherever the tests run from.
  const std::filesystem::path demo =
      std::filesystem::path(YST_SOURCE_DIR) / "assets/shows/demo.toml";
  const ShowConfig c = loadShowFile(demo.string(), envOf({{"YST_DEMO_KEY", "demo-key-123"}}));
  EXPECT_EQ(c.show.title, "温网议事厅 · 对话市医保局");
  EXPECT_EQ(c.show.host.name, "王芳");
  ASSERT_EQ(c.show.guests.size(), 1u);
  EXPECT_EQ(c.show.guests[0].title, "温州市医疗保障局局长");
  EXPECT_EQ(c.program.layout, Layout::kSideBySide);
  EXPECT_EQ(c.program.preset, "veryfast");
  EXPECT_EQ(c.program.tiles, (std::vector<std::string>{"host", "guest"}));
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[1].label, "嘉宾机位");
  EXPECT_EQ(c.sources[1].uri, "test://ball");
  ASSERT_EQ(c.destinations.size(), 1u);
  EXPECT_EQ(c.destinations[0].url, "rtmp://127.0.0.1:19350/live");
  EXPECT_EQ(c.destinations[0].key, "demo-key-123");
  EXPECT_TRUE(c.archive.enabled);
  EXPECT_TRUE(c.hls.enabled);
  EXPECT_EQ(c.audience.listen_port, 8080);

  // Without its key the demo is refused, naming the variable.
  try {
    loadShowFile(demo.string(), kNoEnv);
    FAIL() << "accepted without YST_DEMO_KEY";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "destinations[0].key_env");
    EXPECT_NE(std::string(e.what()).find("YST_DEMO_KEY"), std::string::npos) << e.what();
  }
}

TEST(ShowConfigTest, DefaultsForAMinimalShow) {
  const ShowConfig c = parseShow(kMinimal, "min.toml", kNoEnv);
  const ProgramConfig program_defaults;
  EXPECT_EQ(c.program.width, program_defaults.width);
  EXPECT_EQ(c.program.height, program_defaults.height);
  EXPECT_EQ(c.program.fps, 30);
  EXPECT_EQ(c.program.video_bitrate_kbps, 2500);
  EXPECT_EQ(c.program.audio_bitrate_kbps, 128);
  EXPECT_EQ(c.program.preset, "veryfast");
  EXPECT_EQ(c.program.keyframe_interval_s, 2);
  EXPECT_EQ(c.program.layout, Layout::kSingle);
  EXPECT_EQ(c.program.tiles, std::vector<std::string>{"cam"});
  EXPECT_TRUE(c.show.host.name.empty());
  EXPECT_TRUE(c.show.guests.empty());
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].label, "cam");
  EXPECT_DOUBLE_EQ(c.sources[0].gain, 1.0);
  EXPECT_FALSE(c.sources[0].muted);
  EXPECT_TRUE(c.destinations.empty());
  EXPECT_TRUE(c.archive.enabled);
  EXPECT_TRUE(c.hls.enabled);
  EXPECT_EQ(c.hls.segment_s, 2);
  EXPECT_EQ(c.hls.playlist_length, 6);
  EXPECT_EQ(c.audience.listen_host, "127.0.0.1");
  EXPECT_EQ(c.audience.listen_port, 8080);
  EXPECT_EQ(c.audience.public_url, "http://127.0.0.1:8080/");
  EXPECT_EQ(c.audience.producer_token_env, "YISHITING_PRODUCER_TOKEN");
  EXPECT_TRUE(c.audience.producer_token_generated);
  EXPECT_DOUBLE_EQ(c.audience.vote_interval_s, 3);
  EXPECT_EQ(c.audience.vote_burst, 10);
}

TEST(ShowConfigTest, SecondaryDefaultsToTheSecondSource) {
  const ShowConfig c = parseShow(withMinimal(R"(
[[sources]]
id = "two"
uri = "test://ball"
)"),
                                 "t.toml", kNoEnv);
  EXPECT_EQ(c.program.tiles, (std::vector<std::string>{"cam", "two"}));
}

TEST(ShowConfigTest, TilesNameTheSourcesOfAPanelInOrder) {
  const std::string three = R"(
[[sources]]
id = "two"
uri = "test://ball"
[[sources]]
id = "three"
uri = "test://snow"
framing = { zoom = 1.4, center = [0.5, 0.4] }
[[sources]]
id = "four"
uri = "test://smpte"
framing = { crop = [0.25, 0, 0.5, 1] }
)";
  ShowConfig c =
      parseShow(withMinimal(three) + "[program]\nlayout = \"grid\"\ntiles = [\"three\", \"cam\"]\n",
                "t.toml", kNoEnv);
  EXPECT_EQ(c.program.layout, Layout::kGrid);
  // The sources not named follow in the file's order.
  EXPECT_EQ(c.program.tiles, (std::vector<std::string>{"three", "cam", "two", "four"}));
  EXPECT_DOUBLE_EQ(c.sources[2].framing.zoom, 1.4);
  EXPECT_DOUBLE_EQ(c.sources[2].framing.center_y, 0.4);
  EXPECT_TRUE(c.sources[3].framing.has_crop);
  EXPECT_DOUBLE_EQ(c.sources[3].framing.crop_x, 0.25);
  EXPECT_TRUE(c.sources[0].framing.isDefault());
  // A secondary alone leaves the first tile to the first source not named.
  c = parseShow(withMinimal(three) + "[program]\nsecondary = \"cam\"\n", "t.toml", kNoEnv);
  EXPECT_EQ(c.program.tiles, (std::vector<std::string>{"two", "cam", "three", "four"}));

  const std::pair<std::string, std::string> bad[] = {
      {"[program]\nlayout = \"grid\"\ntiles = [\"cam\", \"cam\"]\n",
       "names \"cam\" twice: a source is in one tile"},
      {"[program]\ntiles = [\"cam\", \"nine\"]\n", "no source has the id \"nine\""},
      {"[program]\ntiles = [\"cam\"]\nprimary = \"cam\"\n",
       "give tiles, or the older primary and secondary, not both"},
  };
  for (const auto& [program, message] : bad) {
    try {
      parseShow(withMinimal(three) + program, "t.toml", kNoEnv);
      ADD_FAILURE() << "accepted: " << program;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}

TEST(ShowConfigTest, ALayoutNeedsEnoughSourcesAndAFramingStaysInThePicture) {
  const std::pair<std::string, std::string> bad[] = {
      {"[program]\nlayout = \"grid\"\n", "grid shows at least 3 sources; the show has 1"},
      {"[program]\nlayout = \"side_by_side\"\n",
       "side_by_side shows at least 2 sources; the show has 1"},
      {"[program]\nlayout = \"mosaic\"\n",
       "expected one of single, side_by_side, pip, grid, host_plus or row3"},
  };
  for (const auto& [text, message] : bad) {
    try {
      parseShow(withMinimal(text), "t.toml", kNoEnv);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_EQ(e.key(), "program.layout");
    }
  }
  const std::pair<std::string, std::string> framings[] = {
      {"framing = { zoom = 0.5 }", "zoom is 1…4"},
      {"framing = { center = [0.5] }", "expected [x, y]"},
      {"framing = { center = [0.5, \"top\"] }", "expected [x, y]"},
      {"framing = { crop = [0.6, 0, 0.5, 1] }", "inside it"},
      {"framing = { crop = [0, 0, 1, 1], zoom = 2 }", "give either crop, or zoom and center"},
      {"framing = { zoom = 2, pan = 1 }", "pan"},
      {"framing = 2", "framing"},
  };
  for (const auto& [line, message] : framings) {
    const std::string text =
        withMinimal("[[sources]]\nid = \"two\"\nuri = \"test://ball\"\n" + line + "\n");
    try {
      parseShow(text, "t.toml", kNoEnv);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      EXPECT_EQ(e.line(), lineOf(text, "framing")) << line;
    }
  }
}

TEST(ShowConfigTest, OtherValuesAreRead) {
  const ShowConfig c = parseShow(withMinimal(R"(
gain = 4
[[sources]]
id = "two"
uri = "test://ball"
[[destinations]]
id = "off"
url = "srt://10.0.0.2:9000?mode=caller&latency=200"
enabled = false
[archive]
enabled = false
[hls]
enabled = false
segment_s = 4
playlist_length = 10
[program]
layout = "pip"
width = 3840
height = 2160
fps = 60
[audience]
listen = "[::1]:0"
vote_interval_s = 1.5
vote_burst = 4
)"),
                                 "t.toml", kNoEnv);
  EXPECT_DOUBLE_EQ(c.sources[0].gain, 4.0);  // an integer gain is fine
  ASSERT_EQ(c.destinations.size(), 1u);
  EXPECT_EQ(c.destinations[0].kind, DestinationProtocol::kSrt);
  EXPECT_EQ(c.destinations[0].name, "off");  // defaults to the id
  EXPECT_TRUE(c.destinations[0].key.empty());
  EXPECT_FALSE(c.destinations[0].enabled);
  EXPECT_FALSE(c.archive.enabled);
  EXPECT_FALSE(c.hls.enabled);
  EXPECT_EQ(c.hls.segment_s, 4);
  EXPECT_EQ(c.hls.playlist_length, 10);
  EXPECT_EQ(c.program.layout, Layout::kPip);
  EXPECT_EQ(c.program.width, 3840);
  EXPECT_EQ(c.audience.listen_host, "::1");
  EXPECT_EQ(c.audience.listen_port, 0);
  EXPECT_EQ(c.audience.public_url, "http://[::1]:0/");
  EXPECT_TRUE(c.audience.public_url_from_listen);
  EXPECT_DOUBLE_EQ(c.audience.vote_interval_s, 1.5);
  EXPECT_EQ(c.audience.vote_burst, 4);
}

TEST(ShowConfigTest, UnknownKeyAtTopLevel) {
  const std::string text = withMinimal("[sourcse]\nid = 1\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "sourcse");
  EXPECT_EQ(e.line(), lineOf(text, "[sourcse]"));
  EXPECT_NE(e.problem().find("unknown key"), std::string::npos);
  EXPECT_NE(e.problem().find("did you mean \"sources\""), std::string::npos) << e.what();
}

TEST(ShowConfigTest, UnknownKeyInsideInlineTables) {
  {
    const std::string text = R"(
[show]
title = "T"
host = { name = "王芳", titel = "主持人" }
[[sources]]
id = "cam"
uri = "test://smpte"
)";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "show.host.titel");
    EXPECT_EQ(e.line(), lineOf(text, "host ="));
  }
  {
    const std::string text = R"(
[show]
title = "T"
guests = [
  { name = "a" },
  { name = "b", role = "x" },
]
[[sources]]
id = "cam"
uri = "test://smpte"
)";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "show.guests[1].role");
    EXPECT_EQ(e.line(), lineOf(text, "role"));
  }
  {
    const std::string text = withMinimal(R"(
[[destinations]]
id = "d"
url = "rtmp://h/live"
stream_key = "do-not-print-me"
)");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "destinations[0].stream_key");
    EXPECT_EQ(std::string(e.what()).find("do-not-print-me"), std::string::npos);
  }
  for (const char* section : {"archive", "hls", "audience"}) {
    SCOPED_TRACE(section);
    const std::string text = withMinimal("[" + std::string(section) + "]\nbogus = true\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), std::string(section) + ".bogus");
    EXPECT_EQ(e.line(), lineOf(text, "bogus"));
  }
}

TEST(ShowConfigTest, FirstUnknownKeyInFileOrderIsReported) {
  // toml++ iterates keys alphabetically; the message should follow the file.
  const std::string text = withMinimal("[program]\nzzz = 1\naaa = 2\n");
  EXPECT_EQ(refusal(text).key(), "program.zzz");
}

TEST(ShowConfigTest, WrongTypes) {
  struct Case {
    std::string extra;
    std::string key;
    std::string needle;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[program]\nwidth = \"1280\"\n", "program.width", "width",
       "expected an integer; got a string (remove the quotes)"},
      {"[program]\nfps = 29.97\n", "program.fps", "fps", "expected an integer; got a float"},
      {"[program]\nlayout = 2\n", "program.layout", "layout", "expected a string; got an integer"},
      {"[archive]\nenabled = \"yes\"\n", "archive.enabled", "enabled",
       "expected a boolean (true or false); got a string (remove the quotes)"},
      {"[hls]\nenabled = 1\n", "hls.enabled", "enabled", "expected a boolean"},
      {"[audience]\nlisten = 8080\n", "audience.listen", "listen",
       "expected a string; got an integer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.extra);
    const std::string text = withMinimal(c.extra);
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), c.key);
    EXPECT_EQ(e.line(), lineOf(text, c.needle));
    EXPECT_NE(e.problem().find(c.expected), std::string::npos) << e.what();
  }
  // Top-level keys must come before the first [table]: written after
  // [[sources]] they would belong to that source.
  for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
           {"program = 5", "expected a table; got an integer"},
           {"destinations = { id = \"x\" }", "expected an array of tables ([[destinations]])"}}) {
    SCOPED_TRACE(line);
    const std::string text = line + "\n" + kMinimal;
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), line.substr(0, line.find(' ')));
    EXPECT_EQ(e.line(), 1);
    EXPECT_NE(e.problem().find(expected), std::string::npos) << e.what();
  }
  // Inside a source, and the title itself.
  {
    const std::string text = R"(
[show]
title = "T"
[[sources]]
id = "cam"
uri = "test://smpte"
muted = "no"
)";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[0].muted");
    EXPECT_EQ(e.line(), lineOf(text, "muted"));
  }
  {
    const std::string text = "[show]\ntitle = 7\n[[sources]]\nid = \"a\"\nuri = \"test://red\"\n";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "show.title");
    EXPECT_EQ(e.line(), 2);
  }
  {
    const std::string text = "[show]\ntitle = \"T\"\n[sources]\nid = \"a\"\n";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources");
    EXPECT_NE(e.problem().find("[[sources]]"), std::string::npos) << e.what();
  }
  {
    const std::string text = withMinimal("gain = \"loud\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[0].gain");
    EXPECT_NE(e.problem().find("expected a number"), std::string::npos);
  }
}

TEST(ShowConfigTest, OutOfRange) {
  struct Case {
    std::string section;
    std::string assignment;
    std::string key;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"program", "width = 1281", "program.width",
       "expected an even integer in 160..3840; got 1281"},
      {"program", "width = 158", "program.width", "160..3840"},
      {"program", "width = 3842", "program.width", "160..3840"},
      {"program", "height = 721", "program.height", "an even integer in 120..2160"},
      {"program", "height = 2162", "program.height", "120..2160"},
      {"program", "height = 118", "program.height", "120..2160"},
      {"program", "fps = 0", "program.fps", "expected an integer in 1..60; got 0"},
      {"program", "fps = 61", "program.fps", "1..60"},
      {"program", "video_bitrate_kbps = 99", "program.video_bitrate_kbps", "100..50000"},
      {"program", "video_bitrate_kbps = 50001", "program.video_bitrate_kbps", "100..50000"},
      {"program", "audio_bitrate_kbps = 31", "program.audio_bitrate_kbps", "32..512"},
      {"program", "audio_bitrate_kbps = 513", "program.audio_bitrate_kbps", "32..512"},
      {"program", "keyframe_interval_s = 0", "program.keyframe_interval_s", "1..10"},
      {"program", "keyframe_interval_s = 11", "program.keyframe_interval_s", "1..10"},
      {"program", "width = 9999999999999", "program.width", "160..3840"},
      {"program", "preset = \"turbo\"", "program.preset",
       "expected one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, "
       "veryslow, placebo; got \"turbo\""},
      {"hls", "segment_s = 0", "hls.segment_s", "1..10"},
      {"hls", "segment_s = 11", "hls.segment_s", "1..10"},
      {"hls", "playlist_length = 2", "hls.playlist_length", "3..30"},
      {"hls", "playlist_length = 31", "hls.playlist_length", "3..30"},
      {"audience", "vote_interval_s = -1", "audience.vote_interval_s", "between 0 and 3600"},
      {"audience", "vote_interval_s = 3601", "audience.vote_interval_s", "between 0 and 3600"},
      {"audience", "vote_burst = 0", "audience.vote_burst", "1..1000"},
      {"audience", "vote_burst = 1001", "audience.vote_burst", "1..1000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.assignment);
    const std::string text = withMinimal("[" + c.section + "]\n" + c.assignment + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), c.key);
    EXPECT_EQ(e.line(), lineOf(text, c.assignment));
    EXPECT_NE(e.problem().find(c.expected), std::string::npos) << e.what();
  }
  for (const std::string gain : {"gain = 4.5", "gain = -0.1", "gain = nan", "gain = inf"}) {
    SCOPED_TRACE(gain);
    const std::string text = withMinimal(gain + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[0].gain");
    EXPECT_EQ(e.line(), lineOf(text, gain));
    EXPECT_NE(e.problem().find("0..4"), std::string::npos) << e.what();
  }
  // The edges are accepted.
  const ShowConfig c = parseShow(withMinimal(R"(gain = 0
[program]
width = 160
height = 120
fps = 1
video_bitrate_kbps = 100
audio_bitrate_kbps = 512
keyframe_interval_s = 10
preset = "placebo"
[hls]
segment_s = 10
playlist_length = 3
)"),
                                 "t.toml", kNoEnv);
  EXPECT_EQ(c.program.width, 160);
  EXPECT_EQ(c.program.preset, "placebo");
  EXPECT_DOUBLE_EQ(c.sources[0].gain, 0.0);
}

TEST(ShowConfigTest, UnknownPrimaryOrSecondary) {
  {
    const std::string text = withMinimal("[program]\nprimary = \"cam3\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "program.primary");
    EXPECT_EQ(e.line(), lineOf(text, "primary"));
    EXPECT_NE(e.problem().find("\"cam3\""), std::string::npos);
    EXPECT_NE(e.problem().find("sources: cam"), std::string::npos) << e.what();
  }
  {
    const std::string text = withMinimal("[program]\nprimary = \"cam\"\nsecondary = \"\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "program.secondary");
    EXPECT_EQ(e.line(), lineOf(text, "secondary"));
  }
}

TEST(ShowConfigTest, RequiredKeys) {
  {
    const ConfigError e = refusal("[[sources]]\nid = \"a\"\nuri = \"test://red\"\n");
    EXPECT_EQ(e.key(), "show.title");
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(std::string(e.what()).rfind("demo.toml: show.title: missing", 0), 0u) << e.what();
  }
  {
    const std::string text =
        "\n[show]\nhost = { name = \"x\" }\n[[sources]]\nid = \"a\"\n"
        "uri = \"test://red\"\n";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "show.title");
    EXPECT_EQ(e.line(), 2);  // the [show] table that lacks it
  }
  {
    const ConfigError e = refusal(
        "[show]\ntitle = \"   \"\n[[sources]]\nid = \"a\"\n"
        "uri = \"test://red\"\n");
    EXPECT_EQ(e.key(), "show.title");
    EXPECT_EQ(e.line(), 2);
  }
  {
    const ConfigError e = refusal("[show]\ntitle = \"T\"\n");
    EXPECT_EQ(e.key(), "sources");
    EXPECT_EQ(e.line(), 0);
  }
  {
    const ConfigError e = refusal("sources = []\n[show]\ntitle = \"T\"\n");
    EXPECT_EQ(e.key(), "sources");
    EXPECT_EQ(e.line(), 1);
  }
  {
    const std::string text = withMinimal("[[sources]]\nid = \"b\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[1].uri");
    EXPECT_EQ(e.line(), lineOf(text, "[[sources]]\nid = \"b\""));
  }
  {
    const ConfigError e = refusal(withMinimal("[[sources]]\nuri = \"test://red\"\n"));
    EXPECT_EQ(e.key(), "sources[1].id");
  }
  {
    const ConfigError e = refusal(withMinimal("[[destinations]]\nid = \"d\"\n"));
    EXPECT_EQ(e.key(), "destinations[0].url");
  }
  {
    const ConfigError e = refusal(withMinimal("[[destinations]]\nurl = \"rtmp://h/a\"\n"));
    EXPECT_EQ(e.key(), "destinations[0].id");
  }
}

TEST(ShowConfigTest, MalformedUrisInTheFileNameKeyAndLine) {
  {
    const std::string text = withMinimal("[[sources]]\nid = \"b\"\nuri = \"rtsp://cam:99999/s\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[1].uri");
    EXPECT_EQ(e.line(), lineOf(text, "rtsp://"));
    EXPECT_NE(std::string(e.what()).find("sources[1].uri: port 99999 is not in 1..65535"),
              std::string::npos)
        << e.what();
  }
  {
    const std::string text =
        withMinimal("[[destinations]]\nid = \"d\"\nurl = \"rtmp://host\"\nkey = \"k-secret-1\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "destinations[0].url");
    EXPECT_EQ(e.line(), lineOf(text, "rtmp://host"));
    EXPECT_EQ(std::string(e.what()).find("k-secret-1"), std::string::npos);
  }
  {
    const std::string text = withMinimal("[audience]\npublic_url = \"ftp://x/\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "audience.public_url");
    EXPECT_EQ(e.line(), lineOf(text, "public_url"));
  }
}

TEST(ShowConfigTest, TomlSyntaxErrorHasItsLine) {
  const std::string text = "[show]\ntitle = \"T\"\n\n[program]\nwidth = = 3\n";
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(e.key(), "");
  EXPECT_EQ(std::string(e.what()).rfind("demo.toml:5: ", 0), 0u) << e.what();

  const ConfigError dup = refusal("[show]\ntitle = \"a\"\ntitle = \"b\"\n");
  EXPECT_EQ(dup.line(), 3);

  const ConfigError open_string = refusal("[show]\ntitle = \"unfinished\n[[sources]]\n");
  EXPECT_EQ(open_string.line(), 2);
}

TEST(ShowConfigTest, UnreadableFile) {
  const std::string path = "/nonexistent/yishiting/show.toml";
  try {
    loadShowFile(path, kNoEnv);
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(e.key(), "");
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos) << e.what();
  }
  EXPECT_THROW(loadShowFile("/tmp", kNoEnv), ConfigError);
}

TEST(ProcessEnvironmentTest, ReadsTheEnvironment) {
  ::setenv("YST_SHOW_CONFIG_TEST_VAR", "value-1", 1);
  const EnvLookup env = processEnvironment();
  EXPECT_EQ(env("YST_SHOW_CONFIG_TEST_VAR"), std::optional<std::string>("value-1"));
  ::unsetenv("YST_SHOW_CONFIG_TEST_VAR");
  EXPECT_EQ(env("YST_SHOW_CONFIG_TEST_VAR"), std::nullopt);
}

TEST(ShowConfigOverlay, APersonIsTheHostOrAGuest) {
  const std::string show = R"(
[show]
title = "T"
host = { name = "王芳", title = "主持人" }
guests = [ { name = "张三", title = "局长" } ]
)";
  const ShowConfig ok = parseShow(show +
                                      "[[sources]]\nid = \"a\"\nuri = \"test://smpte\"\n"
                                      "person = \"guest1\"\n",
                                  "s.toml");
  EXPECT_EQ(ok.sources[0].person, "guest1");
  EXPECT_EQ(findPerson(ok.show, "guest1")->name, "张三");
  EXPECT_EQ(findPerson(ok.show, "host")->name, "王芳");
  EXPECT_EQ(findPerson(ok.show, "guest2"), nullptr);
  EXPECT_EQ(findPerson(ok.show, "guest01"), nullptr);
  for (const char* bad : {"guest2", "guest0", "guest01", "Host", "guest"}) {
    const std::string text =
        show + "[[sources]]\nid = \"a\"\nuri = \"test://smpte\"\nperson = \"" + bad + "\"\n";
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "sources[0].person") << bad;
    EXPECT_EQ(e.line(), lineOf(text, "person =")) << bad;
  }
}

// [followup] (问政跟踪): departments named once each, working days in range,
// the calendar file beside the show file.
TEST(ShowConfigTest, FollowupSection) {
  const ShowConfig plain = parseShow(kMinimal, "min.toml", kNoEnv);
  EXPECT_EQ(plain.followup.reply_working_days, 7);
  EXPECT_TRUE(plain.followup.departments.empty());
  EXPECT_TRUE(plain.followup.calendar.empty());
  const ShowConfig c = parseShow(
      withMinimal(
          "[followup]\ndepartments = [\"市住建局\", \" 市医保局 \"]\nreply_working_days = 5\n"),
      "show.toml", kNoEnv);
  EXPECT_EQ(c.followup.departments, (std::vector<std::string>{"市住建局", "市医保局"}));
  EXPECT_EQ(c.followup.reply_working_days, 5);
  const std::string twice = withMinimal("[followup]\ndepartments = [\"市住建局\", \"市住建局\"]\n");
  EXPECT_NE(refusal(twice).problem().find("listed twice"), std::string::npos);
  EXPECT_EQ(refusal(withMinimal("[followup]\nreply_working_days = 0\n")).key(),
            "followup.reply_working_days");
  const std::string missing = withMinimal("[followup]\ncalendar = \"no-such-calendar.toml\"\n");
  EXPECT_NE(refusal(missing).problem().find("no such file"), std::string::npos);
  EXPECT_EQ(refusal(withMinimal("[followup]\ndepartment = []\n")).key(), "followup.department");
}

// [audio]: R128's defaults; a target and a ceiling in range; the control
// may be turned off (measured only).
TEST(ShowConfigTest, AudioSection) {
  const ShowConfig plain = parseShow(kMinimal, "min.toml", kNoEnv);
  EXPECT_TRUE(plain.audio.loudness_control);
  EXPECT_EQ(plain.audio.loudness_target_lufs, -23.0);
  EXPECT_EQ(plain.audio.true_peak_dbtp, -1.0);
  const ShowConfig web =
      parseShow(withMinimal("[audio]\nloudness_target_lufs = -16\ntrue_peak_dbtp = -2.0\n"
                            "loudness_control = false\n"),
                "show.toml", kNoEnv);
  EXPECT_EQ(web.audio.loudness_target_lufs, -16.0);
  EXPECT_EQ(web.audio.true_peak_dbtp, -2.0);
  EXPECT_FALSE(web.audio.loudness_control);
  for (const char* bad : {"loudness_target_lufs = 5", "loudness_target_lufs = -60",
                          "loudness_target_lufs = nan", "loudness_target_lufs = \"-23\""}) {
    const std::string text = withMinimal(std::string("[audio]\n") + bad + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "audio.loudness_target_lufs") << bad;
    EXPECT_EQ(e.line(), lineOf(text, "loudness_target_lufs")) << bad;
  }
  EXPECT_EQ(refusal(withMinimal("[audio]\ntrue_peak_dbtp = 1\n")).key(), "audio.true_peak_dbtp");
  EXPECT_EQ(refusal(withMinimal("[audio]\nloudness = -23\n")).key(), "audio.loudness");
}

}  // namespace
}  // namespace yst::config
