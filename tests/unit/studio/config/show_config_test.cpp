// Show-file parsing: the example from the issue, defaults, and every kind of
// refusal, with the key path and line that the producer will see.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace yst::config {
namespace {

using streaming::DestinationProtocol;
using streaming::Layout;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kNoEnv = envOf({});

// 1-based line of the first occurrence of `needle`, so tests do not break
// when a fixture gains a line.
int lineOf(std::string_view text, std::string_view needle) {
  const std::size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string_view::npos) << needle;
  int line = 1;
  for (std::size_t i = 0; i < pos; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

ConfigError refusal(const std::string& text, const EnvLookup& env = kNoEnv) {
  try {
    parseShow(text, "demo.toml", env);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return ConfigError("", -1, "", "");
}

// The smallest valid show, and a way to append to it.
const std::string kMinimal = R"(
[show]
title = "T"

[[sources]]
id = "cam"
uri = "test://smpte"
)";

std::string withMinimal(const std::string& extra) {
  return kMinimal + extra;
}

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
  EXPECT_EQ(c.program.primary, "host");
  EXPECT_EQ(c.program.secondary, "guest");

  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0].id, "host");
  EXPECT_EQ(c.sources[0].label, "主持人机位");
  EXPECT_EQ(c.sources[0].uri, "test://smpte");
  EXPECT_EQ(c.sources[0].kind, SourceKind::kTest);
  EXPECT_DOUBLE_EQ(c.sources[0].gain, 1.0);
  EXPECT_FALSE(c.sources[0].muted);
  EXPECT_EQ(c.sources[1].label, "guest");  // defaults to the id
  EXPECT_DOUBLE_EQ(c.sources[1].gain, 0.5);
  EXPECT_TRUE(c.sources[1].muted);

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
  EXPECT_EQ(c.program.primary, "host");
  EXPECT_EQ(c.program.secondary, "guest");
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
  EXPECT_EQ(c.program.primary, "cam");
  EXPECT_EQ(c.program.secondary, "cam");  // only one source
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
  EXPECT_EQ(c.program.primary, "cam");
  EXPECT_EQ(c.program.secondary, "two");
}

TEST(ShowConfigTest, OtherValuesAreRead) {
  const ShowConfig c = parseShow(withMinimal(R"(
gain = 4
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

TEST(ShowConfigTest, LayoutErrorReadsAsDocumented) {
  const std::string text = withMinimal("[program]\nlayout = \"grid\"\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(std::string(e.what()),
            "demo.toml:" + std::to_string(lineOf(text, "layout")) +
                ": program.layout: expected one of single, side_by_side, pip; got \"grid\"");
  EXPECT_EQ(e.file(), "demo.toml");
  EXPECT_EQ(e.key(), "program.layout");
  EXPECT_EQ(e.line(), lineOf(text, "layout"));
  EXPECT_EQ(e.problem(), "expected one of single, side_by_side, pip; got \"grid\"");
}

// toml++ 3.3 has undefined behaviour on these (found by tests/fuzz/show_fuzz):
// they are refused before it sees them, with the line and column.
TEST(ShowConfigTest, KeysBeyondAsciiAreRefusedBeforeTheTomlParser) {
  for (const std::string& line : {std::string("标题 = \"温网议事厅\""), std::string("[节目]"),
                                  std::string("show.标题 = 1"), std::string("x = { ä = 1 }")}) {
    const std::string text = withMinimal("\n" + line + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.line(), lineOf(text, line)) << line;
    EXPECT_EQ(e.problem().rfind("unexpected '", 0), 0u) << line << ": " << e.problem();
    EXPECT_NE(e.problem().find("a text goes in quotes"), std::string::npos) << e.problem();
  }
  const ConfigError e = refusal(withMinimal("\n标题 = 1\n"));
  EXPECT_NE(e.problem().find("'标' (column 1)"), std::string::npos) << e.problem();
}

TEST(ShowConfigTest, TableNamesThatStartWithNoKeyAreRefusedBeforeTheTomlParser) {
  for (const std::string header : {"[!]", "[.a]", "[[!]]", "[ =]", "[\x1f]", "[\n"}) {
    const std::string text = withMinimal("\n" + header + "\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.line(), lineOf(text, header)) << header;
    EXPECT_EQ(e.problem().rfind("a table name must start with", 0), 0u) << e.problem();
  }
}

TEST(ShowConfigTest, TextBeyondAsciiInStringsCommentsAndArraysIsFine) {
  const std::string text = "\xEF\xBB\xBF# 演示节目\n" + kMinimal +
                           "label = '主持人'  # 机位\n"
                           "[overlay]\n"
                           "ticker = \"\"\"扫码提问 \\\n"
                           "  [!] 不是表头\"\"\"\n"
                           "[audience]\n"
                           "trusted_proxies = [\n"
                           "  \"10.0.0.0/8\", # 代理\n"
                           "  '''127.0.0.1''',\n"
                           "]\n";
  const ShowConfig c = parseShow(text, "demo.toml", kNoEnv);
  EXPECT_EQ(c.sources[0].label, "主持人");
  EXPECT_EQ(c.overlay.ticker, "扫码提问 [!] 不是表头");
}

TEST(ShowConfigTest, UnknownKeyAtTopLevel) {
  const std::string text = withMinimal("[sourcse]\nid = 1\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "sourcse");
  EXPECT_EQ(e.line(), lineOf(text, "[sourcse]"));
  EXPECT_NE(e.problem().find("unknown key"), std::string::npos);
  EXPECT_NE(e.problem().find("did you mean \"sources\""), std::string::npos) << e.what();
}

TEST(ShowConfigTest, UnknownKeyInProgram) {
  const std::string text = withMinimal("[program]\nwidth = 640\nframerate = 25\n");
  const ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "program.framerate");
  EXPECT_EQ(e.line(), lineOf(text, "framerate"));
  EXPECT_NE(std::string(e.what()).find("demo.toml:" + std::to_string(e.line()) +
                                       ": program.framerate: unknown key"),
            std::string::npos)
      << e.what();
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

TEST(CheckSourceUriTest, AcceptsEachKind) {
  const std::vector<std::pair<std::string, SourceKind>> good = {
      {"test://smpte", SourceKind::kTest},
      {"test://ball", SourceKind::kTest},
      {"test://checkers-8", SourceKind::kTest},
      {"test://chroma-zone-plate", SourceKind::kTest},
      {"test://colors", SourceKind::kTest},
      {"file:///srv/media/opening.mp4", SourceKind::kFile},
      {"file:///srv/media/%E9%87%87%E8%AE%BF%20one.mp4", SourceKind::kFile},
      {"file:///srv/media/采访.mp4", SourceKind::kFile},
      {"file:///does/not/exist.mp4", SourceKind::kFile},  // a slate covers it at run time
      {"v4l2:///dev/video0", SourceKind::kV4l2},
      {"v4l2:///dev/v4l/by-id/usb-Cam-video-index0", SourceKind::kV4l2},
      {"rtsp://192.168.1.64:554/Streaming/Channels/101", SourceKind::kRtsp},
      {"rtsp://admin:pa%40ss@192.168.1.64/stream1", SourceKind::kRtsp},
      {"rtsp://camera.local", SourceKind::kRtsp},
      {"rtsps://cam.example.com:322/live?token=x", SourceKind::kRtsp},
      {"rtsp://[fe80::1]:554/s", SourceKind::kRtsp},
      {"srt://0.0.0.0:7001?mode=listener&latency=200", SourceKind::kSrt},
      {"srt://field.example.com:9000", SourceKind::kSrt},
      {"srt://10.0.0.5:9000/?mode=caller", SourceKind::kSrt},
      {"rtmp://127.0.0.1:1935/live/guest", SourceKind::kRtmp},
      {"rtmps://ingest.example.com/app", SourceKind::kRtmp},
  };
  for (const auto& [uri, kind] : good) {
    SCOPED_TRACE(uri);
    SourceKind found = SourceKind::kInvalid;
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
    SourceKind kind = SourceKind::kRtmp;
    const std::optional<std::string> problem = checkSourceUri(uri, &kind);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find(expected), std::string::npos) << *problem;
    EXPECT_EQ(kind, SourceKind::kInvalid);
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

TEST(ShowConfigTest, NoSecretInAnyMessage) {
  const std::string secret = "sk_live_9f8e7d6c5b";
  const std::string token = "tok-0123456789abcdef";
  const EnvLookup env = envOf({{"ZJOL_KEY", secret}, {"YISHITING_PRODUCER_TOKEN", token}});
  const std::string head = kMinimal + "[[destinations]]\nid = \"d\"\nurl = \"rtmp://h/live\"\n";
  const std::vector<std::string> broken = {
      head + "key = \"" + secret + "\"\nkey_env = \"ZJOL_KEY\"\n",
      head + "key_env = \"ZJOL_KEY\"\nkey = \"" + secret + "\"\n",
      head + "key = \"" + secret + "\"\nbogus = 1\n",
      head + "key = \"" + secret + "\"\n[program]\nlayout = \"grid\"\n",
      head + "key = \"" + secret + "\" extra\n",
      head + "key = \"" + secret,
      head + "key = " + secret + "\n",
      head + "key = [\"" + secret + "\"]\n",
      head + "key_env = \"" + secret + "\"\n",
      head + "key_env = \"ZJOL_KEY\"\n[audience]\nlisten = \"nowhere\"\n",
      kMinimal + "[[destinations]]\nid = \"d\"\nurl = \"rtmp://h/" + secret + "/\"\n",
      kMinimal + "[audience]\nproducer_token_env = \"" + token + "\"\n",
  };
  for (const std::string& text : broken) {
    SCOPED_TRACE(text);
    const ConfigError e = refusal(text, env);
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(secret.substr(0, 8)), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(token), std::string::npos) << e.what();
  }
}

TEST(ShowConfigTest, ProducerTokenFromEnvironment) {
  const ShowConfig c =
      parseShow(kMinimal, "t.toml", envOf({{"YISHITING_PRODUCER_TOKEN", "correct-horse-battery"}}));
  EXPECT_EQ(c.audience.producer_token, "correct-horse-battery");
  EXPECT_FALSE(c.audience.producer_token_generated);

  const std::string named = withMinimal("[audience]\nproducer_token_env = \"MY_TOKEN\"\n");
  const ShowConfig d = parseShow(named, "t.toml", envOf({{"MY_TOKEN", "1234567890abcdef"}}));
  EXPECT_EQ(d.audience.producer_token_env, "MY_TOKEN");
  EXPECT_EQ(d.audience.producer_token, "1234567890abcdef");
  EXPECT_FALSE(d.audience.producer_token_generated);

  // Too short (15 characters): refused, naming the variable, and not printed.
  const ConfigError e = refusal(named, envOf({{"MY_TOKEN", "abc1234567890de"}}));
  EXPECT_EQ(e.key(), "audience.producer_token_env");
  EXPECT_EQ(e.line(), lineOf(named, "producer_token_env"));
  EXPECT_NE(e.problem().find("shorter than 16"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("MY_TOKEN"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("abc1234567890de"), std::string::npos);

  // The default variable, not named in the file: no line to point at.
  const ConfigError f = refusal(kMinimal, envOf({{"YISHITING_PRODUCER_TOKEN", "short"}}));
  EXPECT_EQ(f.key(), "audience.producer_token_env");
  EXPECT_EQ(f.line(), 0);
  EXPECT_NE(f.problem().find("YISHITING_PRODUCER_TOKEN"), std::string::npos) << f.what();
}

TEST(ShowConfigTest, StaffTokensAreAtLeastSixteenCharacters) {
  // The typist's and the host's tokens as the producer's: anyone who can
  // reach the audience port can try them.
  struct Case {
    const char* key;
    const char* variable;
  };
  for (const Case& c : {Case{"audience.typist_token_env", "YISHITING_TYPIST_TOKEN"},
                        Case{"audience.host_token_env", "YISHITING_HOST_TOKEN"},
                        Case{"audience.producer_token_env", "YISHITING_PRODUCER_TOKEN"}}) {
    SCOPED_TRACE(c.variable);
    const ConfigError e = refusal(kMinimal, envOf({{c.variable, "fifteen-chars-x"}}));
    EXPECT_EQ(e.key(), c.key);
    EXPECT_NE(e.problem().find(c.variable), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("shorter than 16"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("fifteen-chars-x"), std::string::npos);
    EXPECT_NO_THROW(parseShow(kMinimal, "t.toml", envOf({{c.variable, "sixteen-chars-xy"}})));
  }
}

TEST(ShowConfigTest, ProducerTokenGenerated) {
  const ShowConfig a = parseShow(kMinimal, "t.toml", kNoEnv);
  const ShowConfig b = parseShow(kMinimal, "t.toml", envOf({{"YISHITING_PRODUCER_TOKEN", ""}}));
  for (const ShowConfig* c : {&a, &b}) {
    EXPECT_TRUE(c->audience.producer_token_generated);
    ASSERT_EQ(c->audience.producer_token.size(), 32u);
    for (char ch : c->audience.producer_token) {
      EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) << ch;
    }
  }
  EXPECT_NE(a.audience.producer_token, b.audience.producer_token);
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    tokens.insert(parseShow(kMinimal, "t.toml", kNoEnv).audience.producer_token);
  }
  EXPECT_EQ(tokens.size(), 20u);
}

TEST(ShowConfigTest, AudienceListenAndPublicUrl) {
  struct Good {
    std::string listen;
    std::string host;
    int port;
    std::string url;
  };
  for (const Good& g : std::vector<Good>{
           {"0.0.0.0:80", "0.0.0.0", 80, "http://0.0.0.0:80/"},
           {"localhost:0", "localhost", 0, "http://localhost:0/"},
           {"[::1]:8443", "::1", 8443, "http://[::1]:8443/"},
           {"192.168.1.20:65535", "192.168.1.20", 65535, "http://192.168.1.20:65535/"}}) {
    SCOPED_TRACE(g.listen);
    const ShowConfig c =
        parseShow(withMinimal("[audience]\nlisten = \"" + g.listen + "\"\n"), "t.toml", kNoEnv);
    EXPECT_EQ(c.audience.listen_host, g.host);
    EXPECT_EQ(c.audience.listen_port, g.port);
    EXPECT_EQ(c.audience.public_url, g.url);
  }
  for (const std::string listen :
       {"8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "256.0.0.1:80", "example.com:80",
        "::1:80", "127.0.0.1:80 ", ":8080", "1.2.3:80"}) {
    SCOPED_TRACE(listen);
    const std::string text = withMinimal("[audience]\nlisten = \"" + listen + "\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "audience.listen");
    EXPECT_EQ(e.line(), lineOf(text, "listen"));
  }
  const ShowConfig c = parseShow(withMinimal("[audience]\nlisten = \"0.0.0.0:8080\"\n"
                                             "public_url = \"https://live.66wz.com/yishiting/\"\n"),
                                 "t.toml", kNoEnv);
  EXPECT_EQ(c.audience.public_url, "https://live.66wz.com/yishiting/");
  EXPECT_FALSE(c.audience.public_url_from_listen);
  for (const std::string url : {"live.66wz.com", "https://", "http://a b/", "https://u:p@h/"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(refusal(withMinimal("[audience]\npublic_url = \"" + url + "\"\n")).key(),
              "audience.public_url");
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

TEST(ShowConfigTest, ConfigErrorFormatting) {
  EXPECT_STREQ(ConfigError("f.toml", 3, "a.b", "bad").what(), "f.toml:3: a.b: bad");
  EXPECT_STREQ(ConfigError("f.toml", 0, "a.b", "missing").what(), "f.toml: a.b: missing");
  EXPECT_STREQ(ConfigError("f.toml", 7, "", "syntax").what(), "f.toml:7: syntax");
  EXPECT_STREQ(ConfigError("f.toml", 0, "", "unreadable").what(), "f.toml: unreadable");
}

TEST(MaskSecretTest, RevealsNothingOfTheKey) {
  EXPECT_EQ(maskSecret(""), "");
  EXPECT_EQ(maskSecret("a"), "***");
  EXPECT_EQ(maskSecret("abcdef"), "***");
  EXPECT_EQ(maskSecret("abcdef123"), "***");
  EXPECT_EQ(maskSecret(std::string(200, 'x')), "***");
  EXPECT_EQ(maskSecret("密钥密钥密钥密"), "***");
  // The keys the CDNs hand out (YouTube's, a signed Tencent stream name).
  EXPECT_EQ(maskSecret("xxxx-xxxx-xxxx-xxxx"), "***");
  EXPECT_EQ(maskSecret("show42?txSecret=abc123def&txTime=5F5E0FFF"), "***");
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

TEST(ProcessEnvironmentTest, ReadsTheEnvironment) {
  ::setenv("YST_SHOW_CONFIG_TEST_VAR", "value-1", 1);
  const EnvLookup env = processEnvironment();
  EXPECT_EQ(env("YST_SHOW_CONFIG_TEST_VAR"), std::optional<std::string>("value-1"));
  ::unsetenv("YST_SHOW_CONFIG_TEST_VAR");
  EXPECT_EQ(env("YST_SHOW_CONFIG_TEST_VAR"), std::nullopt);
}

}  // namespace
}  // namespace yst::config

namespace yst::config {
namespace {

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

}  // namespace
}  // namespace yst::config

namespace yst::config {
namespace {

TEST(ShowConfigOverlay, DefaultsAndValues) {
  const ShowConfig plain = parseShow(kMinimal, "s.toml");
  EXPECT_EQ(plain.overlay.theme, "default");
  EXPECT_TRUE(plain.overlay.bug && plain.overlay.clock && plain.overlay.qr);
  EXPECT_TRUE(plain.overlay.ticker.empty());
  const ShowConfig set = parseShow(
      withMinimal("[overlay]\ntheme = \"cinnabar\"\nclock = false\nticker = \"扫码提问\"\n"
                  "auto_lower_thirds = false\n"),
      "s.toml");
  EXPECT_EQ(set.overlay.theme, "cinnabar");
  EXPECT_FALSE(set.overlay.clock);
  EXPECT_EQ(set.overlay.ticker, "扫码提问");
  EXPECT_FALSE(set.overlay.auto_lower_thirds);
}

TEST(ShowConfigOverlay, BadValuesNameTheKeyAndLine) {
  std::string text = withMinimal("[overlay]\ntheme = \"../etc\"\n");
  ConfigError e = refusal(text);
  EXPECT_EQ(e.key(), "overlay.theme");
  EXPECT_EQ(e.line(), lineOf(text, "theme ="));
  text = withMinimal("[overlay]\ntheme = \"no/such/folder\"\n");
  EXPECT_EQ(refusal(text).key(), "overlay.theme");
  std::string long_ticker;
  for (int i = 0; i < 201; ++i) long_ticker += "长";
  text = withMinimal("[overlay]\nticker = \"" + long_ticker + "\"\n");
  EXPECT_EQ(refusal(text).key(), "overlay.ticker");
  text = withMinimal("[overlay]\nlogo = true\n");
  EXPECT_EQ(refusal(text).key(), "overlay.logo");
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

}  // namespace
}  // namespace yst::config
