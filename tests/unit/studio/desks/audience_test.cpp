// The audience desk with a real database, no event loop and no server: a
// question is acknowledged once it has committed and producers hear of
// arrivals in a batch; viewers hear of an approval in one gathered message;
// a connection keeps its viewer id; a flood is refused with the time to wait.
// The desk's timers are the test's: they fire when the test says.
#include "studio/desks/audience.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace yst::desks {
namespace {

using nlohmann::json;

// Replies may leave from the database's writer thread (an acknowledgement).
class FakeSink : public server::ClientSink {
 public:
  void send(server::ClientId client, std::shared_ptr<const std::string> message) override {
    std::lock_guard lock(mutex_);
    sent_.push_back({client, 0, json::parse(*message)});
  }
  void setChannels(server::ClientId client, std::uint32_t channels) override {
    std::lock_guard lock(mutex_);
    channels_[client] = channels;
  }
  void publish(std::uint32_t channels, std::shared_ptr<const std::string> message) override {
    std::lock_guard lock(mutex_);
    sent_.push_back({0, channels, json::parse(*message)});
  }
  struct Message {
    server::ClientId client;  // 0: published
    std::uint32_t channels;   // what it was published on
    json body;
  };
  // Everything since the last call.
  std::vector<Message> take() {
    std::lock_guard lock(mutex_);
    std::vector<Message> out;
    out.swap(sent_);
    return out;
  }
  std::uint32_t channelsOf(server::ClientId client) {
    std::lock_guard lock(mutex_);
    return channels_[client];
  }

 private:
  std::mutex mutex_;
  std::vector<Message> sent_;
  std::map<server::ClientId, std::uint32_t> channels_;
};

class FakeTimer : public Timer {
 public:
  explicit FakeTimer(std::function<void()> fire) : fire_(std::move(fire)) {}
  void start(int ms) override {
    active_ = true;
    last_ms_ = ms;
  }
  void stop() override { active_ = false; }
  bool active() const override { return active_; }
  // What the loop does when the time has come.
  void fire() {
    ASSERT_TRUE(active_);
    active_ = false;
    fire_();
  }
  int last_ms() const { return last_ms_; }

 private:
  std::function<void()> fire_;
  bool active_ = false;
  int last_ms_ = 0;
};

class AudienceTest : public ::testing::Test {
 protected:
  // The order the desk makes its timers in.
  enum TimerIndex { kPublic = 0, kReceived, kPrune, kObserverReload };

  AudienceTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("yst-audience-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::Store>((dir_ / "yishiting.db").string(),
                                            [this](std::function<void()> done) {
                                              std::lock_guard lock(posted_mutex_);
                                              posted_.push_back(std::move(done));
                                            });
    const std::int64_t session = store_->beginSession("对话市医保局", "{}");
    show_.show.title = "对话市医保局";
    show_.show.host = {"王芳", "主持人"};
    audience_ = std::make_unique<Audience>(
        show_, Audience::Context{&sink_,
                                 store_.get(),
                                 &clients_,
                                 session,
                                 [] { return std::int64_t{120000}; },
                                 [] {},
                                 [this](const questions::Question* q) { on_air_ = q ? q->id : 0; },
                                 &commands_,
                                 nullptr,
                                 [this](std::function<void()> fire) {
                                   auto timer = std::make_unique<FakeTimer>(std::move(fire));
                                   timers_.push_back(timer.get());
                                   return timer;
                                 },
                                 nullptr,
                                 {}});
    audience_->load();
    audience_->registerCommands(commands_);
  }
  ~AudienceTest() override {
    audience_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Waits for the writer, then runs the `done`s here, as the studio's loop.
  void runPosted() {
    store_->runSync([](sqlite3*) {});
    std::vector<std::function<void()>> posted;
    {
      std::lock_guard lock(posted_mutex_);
      posted.swap(posted_);
    }
    for (auto& done : posted) done();
  }

  core::CommandOutcome send(server::ClientId client, const json& message) {
    core::ClientInfo& info = clients_[client];
    info.address = "198.51.100." + std::to_string(client);
    const json request_id = message.value("id", json());
    core::CommandContext context{client, info, message, request_id};
    return commands_.dispatch(context);
  }

  void signInProducer(server::ClientId client) {
    clients_[client].role = core::Role::kProducer;
    clients_[client].producer_name = "编辑小陈";
  }

  std::vector<FakeSink::Message> to(server::ClientId client,
                                    const std::vector<FakeSink::Message>& all) {
    std::vector<FakeSink::Message> out;
    for (const auto& m : all) {
      if (m.client == client) out.push_back(m);
    }
    return out;
  }
  std::vector<FakeSink::Message> on(std::uint32_t channel,
                                    const std::vector<FakeSink::Message>& all) {
    std::vector<FakeSink::Message> out;
    for (const auto& m : all) {
      if (m.client == 0 && (m.channels & channel)) out.push_back(m);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::unique_ptr<store::Store> store_;
  config::ShowConfig show_;
  FakeSink sink_;
  core::ClientMap clients_;
  core::CommandRegistry commands_;
  std::vector<FakeTimer*> timers_;
  std::int64_t on_air_ = 0;
  std::unique_ptr<Audience> audience_;
};

TEST_F(AudienceTest, AQuestionIsAcknowledgedOnceStoredAndProducersHearOfItInABatch) {
  audience_->hello(3, {{"type", "hello"}, {"role", "viewer"}}, 1);
  std::vector<FakeSink::Message> sent = sink_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].body["type"], "hello.ok");
  const std::string viewer = sent[0].body["viewer"];
  EXPECT_EQ(viewer.size(), ViewerIds::kIdChars);
  EXPECT_EQ(sink_.channelsOf(3), server::kChannelViewer);

  ASSERT_TRUE(send(3, {{"type", "question.submit"},
                       {"id", 2},
                       {"text", "安置房什么时候能办证？<script>alert(1)</script>"},
                       {"nickname", "瓯海小李"}})
                  .handled());
  runPosted();
  sent = sink_.take();
  const std::vector<FakeSink::Message> acks = to(3, sent);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].body["type"], "question.received");
  EXPECT_EQ(acks[0].body["id"], 2);
  const std::int64_t id = acks[0].body["question"]["id"];
  EXPECT_GT(id, 0);
  // Kept as text: the pages escape it where they show it.
  EXPECT_EQ(acks[0].body["question"]["text"], "安置房什么时候能办证？<script>alert(1)</script>");
  EXPECT_TRUE(on(server::kChannelProducer, sent).empty());  // gathered, not yet told

  ASSERT_TRUE(timers_[kReceived]->active());
  EXPECT_EQ(timers_[kReceived]->last_ms(), Audience::kReceivedFlushMs);
  timers_[kReceived]->fire();
  const std::vector<FakeSink::Message> told = on(server::kChannelProducer, sink_.take());
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].body["type"], "questions.changed");
  EXPECT_NE(told[0].body.dump().find("瓯海小李"), std::string::npos);

  // The same connection keeps its id: a different genuine id is refused.
  audience_->hello(4, {{"type", "hello"}}, 1);
  const std::string other = sink_.take()[0].body["viewer"];
  audience_->hello(3, {{"type", "hello"}, {"viewer", other}}, 5);
  sent = sink_.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].body["code"], "identity_locked");
}

TEST_F(AudienceTest, AnApprovalReachesViewersInOneGatheredMessage) {
  audience_->hello(3, {{"type", "hello"}}, json());
  sink_.take();
  send(3, {{"type", "question.submit"}, {"text", "医保卡怎么异地使用？"}});
  runPosted();
  const std::int64_t id = to(3, sink_.take())[0].body["question"]["id"];

  signInProducer(9);
  ASSERT_TRUE(send(9, {{"type", "question.approve"}, {"question", id}}).handled());
  runPosted();
  std::vector<FakeSink::Message> sent = sink_.take();
  EXPECT_TRUE(on(server::kChannelViewer, sent).empty());
  ASSERT_TRUE(timers_[kPublic]->active());
  timers_[kPublic]->fire();
  sent = sink_.take();
  const std::vector<FakeSink::Message> viewers = on(server::kChannelViewer, sent);
  ASSERT_EQ(viewers.size(), 1u);
  EXPECT_EQ(viewers[0].body["type"], "questions.public");
  EXPECT_NE(viewers[0].body.dump().find("医保卡怎么异地使用？"), std::string::npos);
  // Viewers never see who asked by id.
  EXPECT_EQ(viewers[0].body.dump().find(clients_[3].viewer), std::string::npos);

  ASSERT_TRUE(send(9, {{"type", "question.on_air"}, {"question", id}}).handled());
  runPosted();
  EXPECT_EQ(on_air_, id);
}

TEST_F(AudienceTest, AFloodOfQuestionsIsRefusedWithTheTimeToWait) {
  audience_->hello(3, {{"type", "hello"}}, json());
  sink_.take();
  const int burst = show_.audience.question_burst;
  for (int i = 0; i <= burst; ++i) {
    send(3, {{"type", "question.submit"}, {"text", "第" + std::to_string(i) + "个问题"}});
  }
  runPosted();
  int received = 0;
  int refused = 0;
  for (const auto& m : to(3, sink_.take())) {
    if (m.body["type"] == "question.received") ++received;
    if (m.body.value("code", "") == "rate_limited") {
      ++refused;
      EXPECT_GE(m.body["retry_after_s"].get<int>(), 1);
    }
  }
  EXPECT_EQ(received, burst);
  EXPECT_EQ(refused, 1);

  // A producer typing in phoned-in questions is not limited.
  signInProducer(9);
  for (int i = 0; i <= burst; ++i) {
    send(9, {{"type", "question.submit"}, {"text", "热线来电" + std::to_string(i)}});
  }
  runPosted();
  int typed_in = 0;
  for (const auto& m : to(9, sink_.take())) typed_in += m.body["type"] == "question.received";
  EXPECT_EQ(typed_in, burst + 1);
}

TEST_F(AudienceTest, IdleBudgetsArePrunedOnATimerThatKeepsRunning) {
  ASSERT_TRUE(timers_[kPrune]->active());
  EXPECT_EQ(timers_[kPrune]->last_ms(), Audience::kPruneIntervalMs);
  timers_[kPrune]->fire();
  EXPECT_TRUE(timers_[kPrune]->active());
}

}  // namespace
}  // namespace yst::desks
