// The outputs desk against fake outputs: the producer's partner sites (add,
// start, stop, update, remove, with their checks and secrets), the recording
// and its parts, and a program restart that stops and restarts what ran.
#include "studio/desks/outputs.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/studio/desks/desk_test.h"

namespace yst::desks {
namespace {

using nlohmann::json;
using streaming::OutputState;
using streaming::StopMode;

// An output that goes live when started and tells of each change, as the
// real ones do (connecting first, then live).
struct FakeOutput {
  std::string kind;  // "destination:<id>", "recording", "hls"
  streaming::DestinationSpec spec;
  std::string path;
  OutputState state = OutputState::kStopped;
  StopMode last_stop = StopMode::kInvalid;
  int starts = 0;
  bool destroyed = false;
  std::function<void()> changed;

  void set(OutputState s) {
    if (state == s) return;
    state = s;
    if (!destroyed) changed();
  }
};

class FakePort : public core::OutputPort {
 public:
  explicit FakePort(std::shared_ptr<FakeOutput> output) : output_(std::move(output)) {}
  ~FakePort() override {
    output_->destroyed = true;
    output_->state = OutputState::kStopped;
  }
  void start() override {
    if (output_->state != OutputState::kStopped && output_->state != OutputState::kFailed) return;
    ++output_->starts;
    output_->set(OutputState::kConnecting);
    output_->set(OutputState::kLive);
  }
  void stop(StopMode mode) override {
    output_->last_stop = mode;
    output_->set(OutputState::kStopped);
  }
  streaming::OutputStats stats() const override {
    streaming::OutputStats st;
    st.state = output_->state;
    st.media_duration_ms = output_->state == OutputState::kLive ? 1200 : 0;
    return st;
  }
  std::string currentPath() const override { return output_->path; }

 private:
  std::shared_ptr<FakeOutput> output_;
};

class FakeFactory : public core::OutputFactory {
 public:
  std::unique_ptr<core::OutputPort> destination(streaming::DestinationSpec spec,
                                                std::function<void()> changed) override {
    auto out = make("destination:" + spec.id, std::move(changed));
    out->spec = std::move(spec);
    return std::make_unique<FakePort>(out);
  }
  std::unique_ptr<core::OutputPort> recording(std::function<void()> changed) override {
    auto out = make("recording", std::move(changed));
    out->path = "recordings/show-part" + std::to_string(++parts) + ".mkv";
    return std::make_unique<FakePort>(out);
  }
  std::unique_ptr<core::OutputPort> hls(std::function<void()> changed) override {
    return std::make_unique<FakePort>(make("hls", std::move(changed)));
  }

  // Every output made, oldest first.
  std::vector<std::shared_ptr<FakeOutput>> made;
  int parts = 0;

  std::shared_ptr<FakeOutput> last(const std::string& kind) const {
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
      if ((*it)->kind == kind) return *it;
    }
    return nullptr;
  }

 private:
  std::shared_ptr<FakeOutput> make(std::string kind, std::function<void()> changed) {
    auto out = std::make_shared<FakeOutput>();
    out->kind = std::move(kind);
    out->changed = std::move(changed);
    made.push_back(out);
    return out;
  }
};

class OutputsTest : public ::testing::Test {
 protected:
  OutputsTest()
      : outputs({&factory,
                 [this](const std::string& type, json payload) {
                   events.emplace_back(type, std::move(payload));
                 },
                 [this](const std::string& path, std::uint64_t media_ms) {
                   parts.push_back("started " + path + " " + std::to_string(media_ms));
                 },
                 [this](const std::string& path) { parts.push_back("ended " + path); }}) {
    outputs.registerCommands(commands);
  }

  core::CommandOutcome send(const json& message) { return sendAsProducer(commands, message); }
  json status() const {
    json s;
    outputs.addStatus(&s);
    return s;
  }
  std::vector<std::string> eventTypes() const {
    std::vector<std::string> types;
    for (const auto& [type, payload] : events) types.push_back(type);
    return types;
  }

  FakeFactory factory;
  std::vector<std::pair<std::string, json>> events;
  std::vector<std::string> parts;
  Outputs outputs;
  core::CommandRegistry commands;
};

TEST_F(OutputsTest, AddStartsADestinationAndShowsItMasked) {
  const auto outcome = send({{"type", "destination.add"},
                             {"destination", "zjol"},
                             {"url", "rtmp://push.example.cn/live"},
                             {"key", "s3cret-key"}});
  ASSERT_NE(outcome.fields(), nullptr) << outcome.error()->message;
  const json& d = (*outcome.fields())["destination"];
  EXPECT_EQ(d["id"], "zjol");
  EXPECT_EQ(d["name"], "zjol");
  EXPECT_EQ(d["state"], "live");
  EXPECT_EQ(d["enabled"], true);
  EXPECT_EQ(d.dump().find("s3cret-key"), std::string::npos) << d.dump();
  ASSERT_NE(factory.last("destination:zjol"), nullptr);
  EXPECT_EQ(factory.last("destination:zjol")->spec.key, "s3cret-key");
  EXPECT_EQ(status()["destinations"].size(), 1u);
  EXPECT_EQ(eventTypes().back(), "destination.changed");
}

TEST_F(OutputsTest, AddRefusesBadIdsDuplicatesAndUrls) {
  auto code = [&](const json& m) {
    const auto outcome = send(m);
    return outcome.error() ? outcome.error()->code : std::string("ok");
  };
  const json good = {
      {"type", "destination.add"}, {"destination", "a"}, {"url", "rtmp://push.example.cn/live"}};
  EXPECT_EQ(code({{"type", "destination.add"}, {"url", "rtmp://x.cn/live"}}), "invalid");
  json bad_id = good;
  bad_id["destination"] = "Not An Id";
  EXPECT_EQ(code(bad_id), "invalid");
  json bad_url = good;
  bad_url["url"] = "http://push.example.cn/live";
  EXPECT_EQ(code(bad_url), "invalid");
  EXPECT_EQ(code(good), "ok");
  EXPECT_EQ(code(good), "invalid");  // exists already
  EXPECT_EQ(status()["destinations"].size(), 1u);
  EXPECT_EQ(factory.made.size(), 1u);
}

TEST_F(OutputsTest, DisabledDestinationWaitsForStart) {
  outputs.addDestination({"cctv", "CCTV", "srt://198.51.100.7:9000", "", true}, false);
  auto out = factory.last("destination:cctv");
  EXPECT_EQ(out->state, OutputState::kStopped);
  EXPECT_TRUE(events.empty()) << "the show file's destinations are not events";
  ASSERT_NE(send({{"type", "destination.start"}, {"destination", "cctv"}}).fields(), nullptr);
  EXPECT_EQ(out->state, OutputState::kLive);
  ASSERT_NE(send({{"type", "destination.stop"}, {"destination", "cctv"}}).fields(), nullptr);
  EXPECT_EQ(out->state, OutputState::kStopped);
  EXPECT_EQ(out->last_stop, StopMode::kImmediate);
  EXPECT_EQ(status()["destinations"][0]["enabled"], false);
  const auto missing = send({{"type", "destination.start"}, {"destination", "nope"}});
  ASSERT_NE(missing.error(), nullptr);
  EXPECT_EQ(missing.error()->code, "not_found");
}

TEST_F(OutputsTest, UpdateKeepsTheKeyOnlyForTheSameServer) {
  outputs.addDestination({"zjol", "ZJOL", "rtmp://push.example.cn/live", "k1", true}, true);
  // The same server, a new application: the key is kept, on a new connection.
  auto same = send({{"type", "destination.update"},
                    {"destination", "zjol"},
                    {"url", "rtmp://push.example.cn/other"}});
  ASSERT_NE(same.fields(), nullptr) << same.error()->message;
  auto second = factory.last("destination:zjol");
  EXPECT_EQ(factory.made.size(), 2u);
  EXPECT_EQ(second->spec.key, "k1");
  EXPECT_EQ(second->spec.url, "rtmp://push.example.cn/other");
  EXPECT_EQ(second->state, OutputState::kLive);
  EXPECT_EQ(factory.made[0]->state, OutputState::kStopped);
  // Another server without a key: refused, nothing changes.
  auto elsewhere = send({{"type", "destination.update"},
                         {"destination", "zjol"},
                         {"url", "rtmp://evil.example.com/live"}});
  ASSERT_NE(elsewhere.error(), nullptr);
  EXPECT_EQ(elsewhere.error()->code, "key_required");
  EXPECT_EQ(factory.made.size(), 2u);
  // With the key given again it goes.
  ASSERT_NE(send({{"type", "destination.update"},
                  {"destination", "zjol"},
                  {"url", "rtmp://other.example.com/live"},
                  {"key", "k2"},
                  {"name", ""}})
                .fields(),
            nullptr);
  EXPECT_EQ(factory.last("destination:zjol")->spec.key, "k2");
  EXPECT_EQ(status()["destinations"][0]["name"], "zjol") << "an empty name falls back to the id";
}

TEST_F(OutputsTest, UpdateOfAStoppedDestinationLeavesItStopped) {
  outputs.addDestination({"zjol", "ZJOL", "rtmp://push.example.cn/live", "", true}, false);
  ASSERT_NE(send({{"type", "destination.update"}, {"destination", "zjol"}, {"name", "浙江在线"}})
                .fields(),
            nullptr);
  EXPECT_EQ(factory.last("destination:zjol")->state, OutputState::kStopped);
  EXPECT_EQ(status()["destinations"][0]["name"], "浙江在线");
}

TEST_F(OutputsTest, RemoveStopsAndForgets) {
  outputs.addDestination({"a", "A", "rtmp://push.example.cn/live", "", true}, true);
  outputs.addDestination({"b", "B", "srt://198.51.100.7:9000", "", true}, true);
  auto a = factory.last("destination:a");
  const auto outcome = send({{"type", "destination.remove"}, {"destination", "a"}});
  ASSERT_NE(outcome.fields(), nullptr);
  EXPECT_EQ((*outcome.fields())["destination"], "a");
  EXPECT_TRUE(a->destroyed);
  EXPECT_EQ(eventTypes().back(), "destination.removed");
  ASSERT_EQ(status()["destinations"].size(), 1u);
  EXPECT_EQ(status()["destinations"][0]["id"], "b");
}

TEST_F(OutputsTest, RecordingPartsAreToldWhereTheyBeginAndEnd) {
  EXPECT_EQ(status()["recording"]["state"], "stopped");
  ASSERT_NE(send({{"type", "recording.start"}}).fields(), nullptr);
  ASSERT_NE(send({{"type", "recording.start"}}).fields(), nullptr);
  EXPECT_EQ(factory.parts, 1) << "a running recording goes on";
  EXPECT_EQ(status()["recording"]["state"], "recording");
  const auto stopped = send({{"type", "recording.stop"}});
  ASSERT_NE(stopped.fields(), nullptr);
  EXPECT_EQ((*stopped.fields())["recording"]["state"], "stopped");
  EXPECT_EQ(factory.last("recording")->last_stop, StopMode::kFinalize);
  ASSERT_NE(send({{"type", "recording.start"}}).fields(), nullptr);
  EXPECT_EQ(parts, (std::vector<std::string>{"started recordings/show-part1.mkv 1200",
                                             "ended recordings/show-part1.mkv",
                                             "started recordings/show-part2.mkv 1200"}));
}

TEST_F(OutputsTest, ARestartStopsWhatRanAndStartsItAgain) {
  outputs.addDestination({"on", "On", "rtmp://push.example.cn/live", "", true}, true);
  outputs.addDestination({"off", "Off", "rtmp://push.example.cn/live2", "", true}, false);
  outputs.startHls();
  outputs.startRecording();
  outputs.suspend();
  EXPECT_EQ(factory.last("destination:on")->state, OutputState::kStopped);
  EXPECT_EQ(factory.last("hls")->state, OutputState::kStopped);
  EXPECT_EQ(factory.last("recording")->last_stop, StopMode::kFinalize);
  // The program failed to start again and is retried: a second suspend
  // finds nothing running and must not forget what the first stopped.
  outputs.suspend();
  outputs.resume();
  EXPECT_EQ(factory.last("destination:on")->state, OutputState::kLive);
  EXPECT_EQ(factory.last("destination:off")->state, OutputState::kStopped);
  EXPECT_EQ(factory.last("hls")->state, OutputState::kLive);
  EXPECT_EQ(factory.parts, 2) << "the recording goes on in a new part";
  EXPECT_EQ(factory.last("recording")->state, OutputState::kLive);
}

TEST_F(OutputsTest, StopAllFinalisesFilesAndDropsConnections) {
  outputs.addDestination({"on", "On", "rtmp://push.example.cn/live", "", true}, true);
  outputs.startHls();
  outputs.startRecording();
  outputs.stopAll();
  EXPECT_EQ(factory.last("destination:on")->last_stop, StopMode::kImmediate);
  EXPECT_EQ(factory.last("hls")->last_stop, StopMode::kFinalize);
  EXPECT_EQ(factory.last("recording")->last_stop, StopMode::kFinalize);
  EXPECT_EQ(status()["hls"]["state"], "stopped");
  EXPECT_EQ(parts.back(), "ended recordings/show-part1.mkv");
}

TEST_F(OutputsTest, OnlyProducersMayDriveOutputs) {
  core::ClientInfo viewer;
  viewer.role = core::Role::kViewer;
  const json message = {{"type", "recording.start"}};
  const json no_id;
  core::CommandContext context{2, viewer, message, no_id};
  const auto outcome = commands.dispatch(context);
  ASSERT_NE(outcome.error(), nullptr);
  EXPECT_EQ(outcome.error()->code, "forbidden");
  EXPECT_EQ(factory.parts, 0);
}

}  // namespace
}  // namespace yst::desks
