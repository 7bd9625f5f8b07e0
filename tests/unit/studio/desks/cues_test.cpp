// The cues desk: the producer's cue line, checked, and the host's monitor,
// told only when what it shows changes.
#include "studio/desks/cues.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/desks/desk_test.h"

namespace yst::desks {
namespace {

using nlohmann::json;

class CuesTest : public ::testing::Test {
 protected:
  CuesTest()
      : cues(show(), {[this] { return timeline_ms; }, [this] { return questions; },
                      [this] { return program; },
                      [this](const std::string& type, json payload) {
                        events.emplace_back(type, std::move(payload));
                      },
                      [this](std::shared_ptr<const std::string> message) {
                        sent.push_back(json::parse(*message));
                      }}) {
    cues.registerCommands(commands);
  }
  static config::ShowInfo show() {
    config::ShowInfo s;
    s.title = "对话市医保局";
    s.host = {"王芳", "主持人"};
    s.guests = {{"张三", "温州市医疗保障局局长"}};
    s.duration_min = 60;
    return s;
  }
  core::CommandOutcome send(const json& message) { return sendAsProducer(commands, message); }

  std::int64_t timeline_ms = 1000;
  json questions = {{"on_air", nullptr}, {"next", json::array()}};
  json program;  // null: the program is not running yet
  std::vector<std::pair<std::string, json>> events;
  std::vector<json> sent;
  Cues cues;
  core::CommandRegistry commands;
};

TEST_F(CuesTest, ACueIsCleanedTimedAndTold) {
  timeline_ms = 61000;
  const core::CommandOutcome outcome = send({{"type", "cue.send"}, {"text", "  还有 5 分钟  "}});
  ASSERT_TRUE(outcome.fields());
  const json& cue = (*outcome.fields())["cue"];
  EXPECT_EQ(cue["text"], "还有 5 分钟");
  EXPECT_EQ(cue["timeline_ms"], 61000);
  EXPECT_FALSE(cue["utc"].get<std::string>().empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "cue");
  EXPECT_EQ(cues.lastCue(), cue);
  EXPECT_EQ(cues.hostState()["cue"], cue);
}

TEST_F(CuesTest, ACueThatCannotBeReadAtAGlanceIsRefused) {
  EXPECT_EQ(send({{"type", "cue.send"}, {"text", "   "}}).error()->code, "empty");
  const core::CommandOutcome long_cue =
      send({{"type", "cue.send"}, {"text", std::string(61, 'a')}});
  ASSERT_TRUE(long_cue.error());
  EXPECT_EQ(long_cue.error()->message, "text: at most 60 characters");
  EXPECT_EQ(send({{"type", "cue.send"}, {"text", std::string("\xff\xfe")}}).error()->code,
            "bad_message");
  EXPECT_EQ(send({{"type", "cue.send"}}).error()->message, "missing field \"text\"");
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(cues.lastCue().is_null());
}

TEST_F(CuesTest, TheHostStateCarriesTheShowTheQuestionsAndTheProgram) {
  const json state = cues.hostState();
  EXPECT_EQ(state["type"], "host.state");
  EXPECT_EQ(state["show"]["title"], "对话市医保局");
  EXPECT_EQ(state["show"]["duration_ms"], 3600000);
  EXPECT_EQ(state["show"]["guests"][0]["title"], "温州市医疗保障局局长");
  EXPECT_TRUE(state["on_air"].is_null());
  EXPECT_FALSE(state.contains("program")) << "no program yet";
  program = {{"layout", "single"}, {"primary", "host"}, {"secondary", ""}};
  EXPECT_EQ(cues.hostState()["program"]["primary"], "host");
}

TEST_F(CuesTest, TheHostIsToldOnlyWhenWhatItShowsChanges) {
  cues.publishHostStateIfChanged();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["show"]["timeline_ms"], 1000);
  timeline_ms = 5000;
  cues.publishHostStateIfChanged();
  EXPECT_EQ(sent.size(), 1u) << "the monitor's clock runs on its own";
  questions["on_air"] = {{"id", 7}, {"text", "医保报销什么时候能更快？"}};
  cues.publishHostStateIfChanged();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["on_air"]["id"], 7);
  EXPECT_EQ(sent[1]["show"]["timeline_ms"], 5000);
  ASSERT_TRUE(send({{"type", "cue.send"}, {"text", "请追问"}}).fields());
  cues.publishHostStateIfChanged();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2]["cue"]["text"], "请追问");
}

}  // namespace
}  // namespace yst::desks
