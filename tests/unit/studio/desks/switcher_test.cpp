// The switcher desk against a fake program: the producer's cuts, fades,
// preview and take, and each source's sound, read back from the program.
#include "studio/desks/switcher.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/desks/desk_test.h"

namespace yst::desks {
namespace {

using nlohmann::json;
using streaming::Layout;
using streaming::Scene;
using streaming::Transition;

// Keeps what the desk tells it, as the real program does.
class FakeProgram : public core::ProgramPort {
 public:
  Scene scene() const override { return scene_; }
  Scene previewScene() const override { return preview_; }
  void setScene(const Scene& scene, Transition transition, int duration_ms) override {
    scene_ = scene;
    last_transition = transition;
    last_duration_ms = duration_ms;
    ++cuts;
  }
  void setPreviewScene(const Scene& scene) override { preview_ = scene; }
  bool hasSource(const std::string& id) const override { return gain_.contains(id); }
  std::size_t sourceCount() const override { return gain_.size(); }
  void setGain(const std::string& id, double gain) override { gain_[id] = gain; }
  double gain(const std::string& id) const override { return gain_.at(id); }
  void setMuted(const std::string& id, bool muted) override { muted_[id] = muted; }
  bool muted(const std::string& id) const override { return muted_.at(id); }
  void setFollowsVideo(const std::string& id, bool follows) override { follows_[id] = follows; }
  bool followsVideo(const std::string& id) const override { return follows_.at(id); }
  void setFraming(const std::string& id, const streaming::Framing& f) override { framing_[id] = f; }
  streaming::Framing framing(const std::string& id) const override {
    auto it = framing_.find(id);
    return it == framing_.end() ? streaming::Framing{} : it->second;
  }

  Transition last_transition = Transition::kInvalid;
  int last_duration_ms = -1;
  int cuts = 0;

 private:
  Scene scene_{Layout::kSingle, {"host", "guest", "guest2", "guest3"}};
  Scene preview_{Layout::kSingle, {"guest", "host", "guest2", "guest3"}};
  std::map<std::string, double> gain_{
      {"host", 1.0}, {"guest", 0.8}, {"guest2", 1.0}, {"guest3", 1.0}};
  std::map<std::string, bool> muted_{
      {"host", false}, {"guest", true}, {"guest2", false}, {"guest3", false}};
  std::map<std::string, bool> follows_{
      {"host", true}, {"guest", true}, {"guest2", true}, {"guest3", true}};
  std::map<std::string, streaming::Framing> framing_;
  std::map<std::string, int> offset_;

 public:
  void setAudioOffset(const std::string& id, int ms) override { offset_[id] = ms; }
  int audioOffset(const std::string& id) const override {
    auto it = offset_.find(id);
    return it == offset_.end() ? 0 : it->second;
  }
  bool hasMonitor() const override { return monitor; }
  void setListening(const std::string& id) override { listening_ = id; }
  std::string listening() const override { return listening_; }
  bool monitor = true;

 private:
  std::string listening_;
};

class SwitcherTest : public ::testing::Test {
 protected:
  SwitcherTest()
      : switcher({&program,
                  [this](const std::string& type, json payload) {
                    events.emplace_back(type, std::move(payload));
                  },
                  [this](const Scene& scene) { programmed.push_back(scene); }}) {
    switcher.registerCommands(commands);
  }

  core::CommandOutcome send(const json& message) { return sendAsProducer(commands, message); }
  json ok(json message) {
    const core::CommandOutcome outcome = send(std::move(message));
    if (const core::CommandError* e = outcome.error()) {
      ADD_FAILURE() << e->code << ": " << e->message;
      return {};
    }
    return *outcome.fields();
  }
  core::CommandError refused(json message) {
    const core::CommandOutcome outcome = send(std::move(message));
    EXPECT_TRUE(outcome.error()) << "accepted: "
                                 << (outcome.fields() ? outcome.fields()->dump() : "");
    return outcome.error() ? *outcome.error() : core::CommandError{};
  }

  FakeProgram program;
  std::vector<std::pair<std::string, json>> events;
  std::vector<Scene> programmed;
  Switcher switcher;
  core::CommandRegistry commands;
};

TEST_F(SwitcherTest, ACutPutsTheSceneOnAirAndSaysSo) {
  const json reply = ok({{"type", "program.set"},
                         {"layout", "side_by_side"},
                         {"primary", "guest"},
                         {"secondary", "host"}});
  const Scene wanted{Layout::kSideBySide, {"guest", "host", "guest2", "guest3"}};
  EXPECT_EQ(program.scene(), wanted);
  EXPECT_EQ(program.last_transition, Transition::kCut);
  EXPECT_EQ(program.last_duration_ms, 0);
  EXPECT_EQ(reply["program"], Switcher::sceneJson(wanted));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "program.changed");
  EXPECT_EQ(events[0].second["transition"], "cut");
  EXPECT_EQ(programmed, std::vector<Scene>{wanted}) << "the graphics hear of the new scene";
}

TEST_F(SwitcherTest, AFadeLastsHalfASecondUnlessToldAndAtMostTenSeconds) {
  ok({{"type", "program.set"}, {"primary", "guest"}, {"transition", "fade"}});
  EXPECT_EQ(program.last_transition, Transition::kFade);
  EXPECT_EQ(program.last_duration_ms, 500);
  ok({{"type", "program.set"},
      {"primary", "host"},
      {"transition", "fade"},
      {"duration_ms", 10000}});
  EXPECT_EQ(program.last_duration_ms, 10000);
  for (int bad : {-1, 10001}) {
    const core::CommandError e = refused({{"type", "program.set"},
                                          {"primary", "guest"},
                                          {"transition", "fade"},
                                          {"duration_ms", bad}});
    EXPECT_EQ(e.code, "invalid");
    EXPECT_EQ(e.message, "duration_ms is 0…10000");
  }
  EXPECT_EQ(refused({{"type", "program.set"}, {"transition", "wipe"}}).message,
            "transition is cut or fade");
  EXPECT_EQ(program.cuts, 2) << "a refused command changes nothing";
}

TEST_F(SwitcherTest, UnknownSourcesAndLayoutsAreRefused) {
  core::CommandError e = refused({{"type", "program.set"}, {"primary", "drone"}});
  EXPECT_EQ(e.code, "not_found");
  EXPECT_EQ(e.message, "primary: no source \"drone\"");
  e = refused({{"type", "preview.set"}, {"layout", "grid9"}});
  EXPECT_EQ(e.code, "invalid");
  EXPECT_EQ(e.message, "layout is single, side_by_side, pip, grid, host_plus or row3");
  e = refused({{"type", "program.set"}, {"primary", 7}});
  EXPECT_EQ(e.message, "field \"primary\" has the wrong type");
  EXPECT_EQ(program.cuts, 0);
  EXPECT_TRUE(events.empty());
}

TEST_F(SwitcherTest, TwoSlotsShowTwoDifferentSources) {
  const core::CommandError e = refused(
      {{"type", "program.set"}, {"layout", "pip"}, {"primary", "host"}, {"secondary", "host"}});
  EXPECT_EQ(e.message, "primary and secondary must be different sources in this layout");
  ok({{"type", "program.set"}, {"layout", "single"}, {"primary", "host"}, {"secondary", "host"}});
  EXPECT_EQ(program.scene().tile(0), "host");
}

TEST_F(SwitcherTest, APanelLayoutShowsTheTilesInTheOrderGiven) {
  json reply =
      ok({{"type", "program.set"}, {"layout", "grid"}, {"tiles", {"guest3", "host", "guest"}}});
  // The sources not named keep their place after those named.
  EXPECT_EQ(program.scene(), (Scene{Layout::kGrid, {"guest3", "host", "guest", "guest2"}}));
  EXPECT_EQ(reply["program"]["tiles"], json({"guest3", "host", "guest", "guest2"}))
      << "a grid shows up to six: all four";
  EXPECT_EQ(reply["program"]["primary"], "guest3");
  reply = ok({{"type", "program.set"}, {"layout", "row3"}});
  EXPECT_EQ(reply["program"]["tiles"], json({"guest3", "host", "guest"})) << "a row shows three";
  // One tile at a time (the console's keys): what was there takes the
  // source's old place.
  reply = ok({{"type", "program.set"}, {"tile", 2}, {"source", "guest2"}});
  EXPECT_EQ(reply["program"]["tiles"], json({"guest3", "host", "guest2"}));
  EXPECT_EQ(reply["program"]["order"], json({"guest3", "host", "guest2", "guest"}));
  reply = ok({{"type", "program.set"}, {"layout", "host_plus"}, {"tile", 0}, {"source", "host"}});
  EXPECT_EQ(reply["program"]["tiles"], json({"host", "guest3", "guest2", "guest"}));
}

TEST_F(SwitcherTest, BadTilesAreRefusedAndChangeNothing) {
  const Scene before = program.scene();
  EXPECT_EQ(refused({{"type", "program.set"}, {"tiles", {"host", "host"}}}).message,
            "tiles names \"host\" twice: a source is in one tile");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tiles", {"host", "drone"}}}).message,
            "tiles: no source \"drone\"");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tiles", {"host", 3}}}).message,
            "tiles is a list of source ids");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tiles", "host"}}).message,
            "field \"tiles\" has the wrong type");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tile", 1}}).message, "tile and source go together");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tile", 16}, {"source", "host"}}).message,
            "tile is 0…15");
  json long_list = json::array();
  for (int i = 0; i < 17; ++i) long_list.push_back("host");
  EXPECT_EQ(refused({{"type", "program.set"}, {"tiles", long_list}}).message,
            "tiles lists at most 16 sources");
  EXPECT_EQ(program.scene(), before);
  EXPECT_EQ(program.cuts, 0);
}

TEST_F(SwitcherTest, FramingIsAZoomAndCentreOrACropWithinThePicture) {
  json reply =
      ok({{"type", "framing.set"}, {"source", "guest"}, {"zoom", 1.4}, {"center", {0.5, 0.4}}});
  EXPECT_EQ(reply["framing"], json({{"source", "guest"}, {"zoom", 1.4}, {"center", {0.5, 0.4}}}));
  EXPECT_DOUBLE_EQ(program.framing("guest").zoom, 1.4);
  EXPECT_DOUBLE_EQ(program.framing("guest").center_y, 0.4);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "framing.changed");
  // A zoom alone keeps the centre.
  ok({{"type", "framing.set"}, {"source", "guest"}, {"zoom", 2}});
  EXPECT_DOUBLE_EQ(program.framing("guest").center_y, 0.4);
  reply = ok({{"type", "framing.set"}, {"source", "host"}, {"crop", {0.25, 0, 0.5, 1}}});
  EXPECT_EQ(reply["framing"]["crop"], json({0.25, 0, 0.5, 1}));
  EXPECT_TRUE(program.framing("host").has_crop);
  ok({{"type", "framing.set"}, {"source", "host"}, {"reset", true}});
  EXPECT_TRUE(program.framing("host").isDefault());
  const std::pair<json, std::string> bad[] = {
      {{{"zoom", 0.5}}, "zoom is 1…4"},
      {{{"zoom", 5}}, "zoom is 1…4"},
      {{{"center", {0.5, 1.5}}}, "center is [x, y], each 0…1 (fractions of the picture)"},
      {{{"center", {0.5}}}, "center is [x, y], each 0…1"},
      {{{"crop", {0.8, 0, 0.5, 1}}},
       "crop is [x, y, width, height], fractions of the picture, inside it, each side at least "
       "0.1"},
      {{{"crop", {0, 0, 0.05, 1}}},
       "crop is [x, y, width, height], fractions of the picture, inside it, each side at least "
       "0.1"},
      {{{"crop", {0, 0, "a", 1}}}, "crop is [x, y, width, height], fractions of the picture"},
      {{{"crop", {0, 0, 1, 1}}, {"zoom", 2}}, "give either crop, or zoom and center, not both"},
  };
  for (const auto& [fields, message] : bad) {
    json m = fields;
    m["type"] = "framing.set";
    m["source"] = "guest2";
    EXPECT_EQ(refused(m).message, message) << m.dump();
  }
  EXPECT_TRUE(program.framing("guest2").isDefault()) << "a refused framing changes nothing";
  EXPECT_EQ(refused({{"type", "framing.set"}, {"source", "drone"}, {"zoom", 2}}).code, "not_found");
}

TEST_F(SwitcherTest, PreviewChangesNothingOnAirAndTakeSwapsThem) {
  const Scene on_air = program.scene();
  ok({{"type", "preview.set"}, {"layout", "pip"}, {"primary", "guest"}, {"secondary", "host"}});
  EXPECT_EQ(program.scene(), on_air);
  EXPECT_EQ(program.cuts, 0);
  const json reply = ok({{"type", "program.take"}, {"transition", "fade"}});
  const Scene taken{Layout::kPip, {"guest", "host", "guest2", "guest3"}};
  EXPECT_EQ(program.scene(), taken);
  EXPECT_EQ(program.last_transition, Transition::kFade);
  EXPECT_EQ(program.previewScene(), on_air) << "like a vision mixer: what was on air is in preview";
  EXPECT_EQ(reply["program"], Switcher::sceneJson(taken));
  EXPECT_EQ(reply["preview"], Switcher::sceneJson(on_air));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "preview.changed");
}

TEST_F(SwitcherTest, LipSyncDelaysASourcesSoundBy0To2000Ms) {
  const json reply = ok({{"type", "audio.set"}, {"source", "guest"}, {"offset_ms", 120}});
  EXPECT_EQ(reply["audio"]["offset_ms"], 120);
  EXPECT_EQ(program.audioOffset("guest"), 120);
  for (const json& bad : {json(-1), json(2001)}) {
    EXPECT_EQ(refused({{"type", "audio.set"}, {"source", "guest"}, {"offset_ms", bad}}).message,
              "offset_ms is 0…2000 (the sound delayed against the picture)");
  }
  EXPECT_EQ(refused({{"type", "audio.set"}, {"source", "guest"}, {"offset_ms", 1.5}}).message,
            "field \"offset_ms\" has the wrong type");
  EXPECT_EQ(program.audioOffset("guest"), 120) << "a refused offset changes nothing";
}

TEST_F(SwitcherTest, TheMonitorPlaysOneSourceAloneOrTheProgram) {
  json reply = ok({{"type", "audio.listen"}, {"source", "guest"}});
  EXPECT_EQ(reply["monitor"]["listening"], "guest");
  EXPECT_EQ(program.listening(), "guest");
  EXPECT_EQ(events.back().first, "monitor.changed");
  EXPECT_EQ(refused({{"type", "audio.listen"}, {"source", "drone"}}).code, "not_found");
  EXPECT_EQ(refused({{"type", "audio.listen"}, {"source", 3}}).code, "invalid");
  EXPECT_EQ(program.listening(), "guest") << "a refused listen changes nothing";
  reply = ok({{"type", "audio.listen"}, {"source", nullptr}});
  EXPECT_TRUE(reply["monitor"]["listening"].is_null());
  EXPECT_EQ(program.listening(), "");
  ok({{"type", "audio.listen"}, {"source", "host"}});
  ok({{"type", "audio.listen"}});
  EXPECT_EQ(program.listening(), "") << "no source: the program";
  program.monitor = false;
  const core::CommandError none = refused({{"type", "audio.listen"}, {"source", "host"}});
  EXPECT_EQ(none.code, "not_found");
  EXPECT_NE(none.message.find("[audio] monitor"), std::string::npos);
}

TEST_F(SwitcherTest, GainAndMuteAreTheProgramsReadBack) {
  json reply = ok({{"type", "audio.set"}, {"source", "guest"}, {"gain", 2.5}});
  EXPECT_EQ(reply["audio"], (json{{"source", "guest"},
                                  {"gain", 2.5},
                                  {"muted", true},
                                  {"follows_video", true},
                                  {"offset_ms", 0}}))
      << "the mute it had stays: both are read back from the program";
  reply = ok({{"type", "audio.set"}, {"source", "guest"}, {"muted", false}});
  EXPECT_EQ(reply["audio"]["gain"], 2.5);
  EXPECT_EQ(reply["audio"]["muted"], false);
  EXPECT_EQ(events.back().first, "audio.changed");
  ok({{"type", "audio.set"}, {"source", "host"}, {"gain", 0}});
  ok({{"type", "audio.set"}, {"source", "host"}, {"gain", 4}});
  for (double bad : {-0.1, 4.01}) {
    EXPECT_EQ(refused({{"type", "audio.set"}, {"source", "host"}, {"gain", bad}}).message,
              "gain is 0…4 (linear)");
  }
  EXPECT_EQ(program.gain("host"), 4.0);
  EXPECT_EQ(refused({{"type", "audio.set"}, {"source", "drone"}}).code, "not_found");
  // Audio-follows-video, per source: a lavalier stays in the mix.
  reply = ok({{"type", "audio.set"}, {"source", "host"}, {"follows_video", false}});
  EXPECT_EQ(reply["audio"]["follows_video"], false);
  EXPECT_FALSE(program.followsVideo("host"));
  EXPECT_EQ(refused({{"type", "audio.set"}, {"source", "host"}, {"follows_video", "no"}}).code,
            "invalid");
  EXPECT_EQ(refused({{"type", "audio.set"}}).message, "missing field \"source\"");
}

}  // namespace
}  // namespace yst::desks
