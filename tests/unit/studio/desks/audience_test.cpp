// The audience desk with a real database, no event loop and no server: a
// question is acknowledged once it has committed and producers hear of
// arrivals in a batch; viewers hear of an approval in one gathered message;
// a connection keeps its viewer id; a flood is refused with the time to wait;
// a submission's client id makes every retry (after a reconnect, through the
// edge, after a restart) the same question, and is nobody else's.
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
    session_ = store_->beginSession("对话市医保局", "{}");
    show_.show.title = "对话市医保局";
    show_.show.host = {"王芳", "主持人"};
    audience_ = makeAudience();
    audience_->load();
    audience_->registerCommands(commands_);
  }
  ~AudienceTest() override {
    audience_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The desk as the studio makes it, over this fixture's sink, store and timers.
  std::unique_ptr<Audience> makeAudience() {
    return std::make_unique<Audience>(
        show_, Audience::Context{&sink_,
                                 store_.get(),
                                 &clients_,
                                 session_,
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
                                 {},
                                 {}});
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
  std::int64_t session_ = 0;
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

// --- a submission's client id: stored once, acknowledged on every retry ---

constexpr const char* kClientId = "k7Hq2xPz9LmN4wRt";

class IntakeTest : public AudienceTest {
 protected:
  // A viewer's hello on `client`; its viewer id (the given one when genuine).
  std::string helloViewer(server::ClientId client, const std::string& viewer = "") {
    json hello = {{"type", "hello"}, {"role", "viewer"}};
    if (!viewer.empty()) hello["viewer"] = viewer;
    audience_->hello(client, hello, json());
    const std::vector<FakeSink::Message> sent = to(client, sink_.take());
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? "" : sent[0].body.value("viewer", "");
  }
  json submission(const std::string& text, int request_id, const std::string& client_id) {
    json message = {{"type", "question.submit"}, {"id", request_id}, {"text", text}};
    if (!client_id.empty()) message["client_id"] = client_id;
    return message;
  }
  // What `client` was told, in order.
  std::vector<json> answers(server::ClientId client) {
    std::vector<json> out;
    for (const auto& m : to(client, sink_.take())) out.push_back(m.body);
    return out;
  }
  std::int64_t rows() {
    std::int64_t n = -1;
    store_->runSync([&](sqlite3* db) {
      store::StmtPtr s = store::prepare(db, "SELECT count(*) FROM questions");
      if (sqlite3_step(s.get()) == SQLITE_ROW) n = sqlite3_column_int64(s.get(), 0);
    });
    return n;
  }
  // The producers' questions.changed since the last take, fired first.
  std::vector<json> producersTold() {
    if (timers_[kReceived]->active()) timers_[kReceived]->fire();
    std::vector<json> out;
    for (const auto& m : on(server::kChannelProducer, sink_.take())) out.push_back(m.body);
    return out;
  }
  // The edge's path: no connection, no address; answered on this thread.
  std::vector<json> fromEdge(const std::string& viewer, const json& message) {
    auto outcomes = std::make_shared<std::vector<json>>();
    Audience::Submission submission;
    submission.viewer_id = viewer;
    submission.message = message;
    audience_->intake(std::move(submission),
                      [outcomes](const json& outcome) { outcomes->push_back(outcome); });
    edge_outcomes_ = outcomes;
    return *outcomes;
  }
  std::shared_ptr<std::vector<json>> edge_outcomes_;
};

TEST_F(IntakeTest, ARetryAfterAReconnectIsAcknowledgedWithTheSameQuestion) {
  const std::string viewer = helloViewer(3);
  ASSERT_TRUE(send(3, submission("医保卡异地就医怎么备案？", 2, kClientId)).handled());
  runPosted();
  std::vector<json> told = answers(3);
  ASSERT_EQ(told.size(), 1u);
  ASSERT_EQ(told[0]["type"], "question.received");
  const std::int64_t id = told[0]["question"]["id"];
  EXPECT_EQ(told[0]["question"]["client_id"], kClientId);
  ASSERT_EQ(producersTold().size(), 1u);

  // The acknowledgement was lost with the connection: the page says hello
  // again on a new one and sends the same submission (a new request id).
  ASSERT_EQ(helloViewer(4, viewer), viewer);
  send(4, submission("医保卡异地就医怎么备案？", 1, kClientId));
  // Answered at once: nothing to commit.
  told = answers(4);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0]["type"], "question.received");
  EXPECT_EQ(told[0]["id"], 1);
  EXPECT_EQ(told[0]["question"]["id"], id);
  EXPECT_EQ(told[0]["question"]["status"], "pending");
  runPosted();
  EXPECT_EQ(rows(), 1);
  EXPECT_TRUE(producersTold().empty()) << "producers were told of it twice";
  EXPECT_FALSE(timers_[kReceived]->active());

  // Its current state: approved since.
  signInProducer(9);
  send(9, {{"type", "question.approve"}, {"question", id}});
  runPosted();
  sink_.take();
  // Many more retries than the burst: no budget is spent on them.
  for (int i = 0; i < show_.audience.question_burst + 2; ++i) {
    send(4, submission("另一段文字也一样", 10 + i, kClientId));
  }
  told = answers(4);
  ASSERT_EQ(told.size(), static_cast<std::size_t>(show_.audience.question_burst + 2));
  for (const json& answer : told) {
    EXPECT_EQ(answer["question"]["id"], id);
    EXPECT_EQ(answer["question"]["status"], "approved");
    EXPECT_EQ(answer["question"]["text"], "医保卡异地就医怎么备案？") << "the first one stands";
  }
  for (int i = 0; i < show_.audience.question_burst - 1; ++i) {
    send(4,
         submission("新问题" + std::to_string(i), 30 + i, "fresh-client-id-" + std::to_string(i)));
  }
  runPosted();
  for (const json& answer : answers(4)) EXPECT_EQ(answer["type"], "question.received") << answer;
  EXPECT_EQ(rows(), show_.audience.question_burst);
  json status;
  audience_->addStatus(&status);
  EXPECT_EQ(status["questions"]["repeated"], show_.audience.question_burst + 3);
  EXPECT_EQ(status["questions"]["received"], show_.audience.question_burst);
}

// A retry that comes while the first sending is still being committed (the
// connection dropped at once) waits for that commit: one question, both
// acknowledged with it.
TEST_F(IntakeTest, BothSendingsOfAQuestionInFlightAreAcknowledgedWithIt) {
  const std::string viewer = helloViewer(3);
  helloViewer(4, viewer);
  send(3, submission("公交 12 路为什么总晚点？", 1, kClientId));
  send(4, submission("公交 12 路为什么总晚点？", 2, kClientId));
  // (The first may be acknowledged from the writer thread at any moment.)
  std::vector<FakeSink::Message> sent = sink_.take();
  EXPECT_TRUE(to(4, sent).empty()) << "the retry was acknowledged before the commit";
  runPosted();
  for (auto& m : sink_.take()) sent.push_back(std::move(m));
  const std::vector<FakeSink::Message> to3 = to(3, sent);
  const std::vector<FakeSink::Message> to4 = to(4, sent);
  ASSERT_EQ(to3.size(), 1u);
  ASSERT_EQ(to4.size(), 1u);
  EXPECT_EQ(to3[0].body["type"], "question.received");
  EXPECT_EQ(to4[0].body["type"], "question.received");
  EXPECT_EQ(to4[0].body["id"], 2);
  EXPECT_EQ(to3[0].body["question"]["id"], to4[0].body["question"]["id"]);
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(audience_->desk().all().size(), 1u);
  EXPECT_EQ(producersTold().size(), 1u);
}

TEST_F(IntakeTest, AnotherViewerWithTheSameClientIdIsRefusedAndLearnsNothing) {
  helloViewer(3);
  send(3, submission("我家小区的违建谁来管？", 1, kClientId));
  runPosted();
  const std::int64_t id = answers(3).at(0)["question"]["id"];
  producersTold();

  helloViewer(5);  // someone else
  send(5, submission("抄来的编号", 4, kClientId));
  std::vector<json> told = answers(5);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0]["type"], "error");
  EXPECT_EQ(told[0]["code"], "conflict");
  EXPECT_EQ(told[0]["id"], 4);
  EXPECT_FALSE(told[0]["message"].get<std::string>().empty());
  EXPECT_EQ(told[0].dump().find("违建"), std::string::npos);
  EXPECT_EQ(told[0].dump().find(std::to_string(id)), std::string::npos);
  EXPECT_FALSE(told[0].contains("question"));
  // Also while the owner's first sending is still being committed.
  send(3, submission("另一个问题", 2, "second-client-id"));
  send(5, submission("抄来的编号", 5, "second-client-id"));
  told = answers(5);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0]["code"], "conflict");
  runPosted();
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(producersTold().size(), 1u);
}

TEST_F(IntakeTest, AMalformedClientIdIsABadMessage) {
  helloViewer(3);
  for (const json& client_id : {json("short"), json(std::string(65, 'a')), json("has space1"),
                                json("点点点点点点点点"), json(12345678), json::object()}) {
    json message = submission("问题", 1, "");
    message["client_id"] = client_id;
    send(3, message);
    const std::vector<json> told = answers(3);
    ASSERT_EQ(told.size(), 1u) << client_id.dump();
    EXPECT_EQ(told[0]["code"], "bad_message") << client_id.dump();
    EXPECT_NE(told[0]["message"].get<std::string>().find("client_id"), std::string::npos);
  }
  runPosted();
  EXPECT_EQ(rows(), 0);
  // An older page sends none: taken as before.
  send(3, submission("没有编号的问题", 2, ""));
  runPosted();
  EXPECT_EQ(answers(3).at(0)["type"], "question.received");
}

// The public edge's path: no connection and no address in the studio; the
// outcome comes on the controller thread once the question is on the desk.
TEST_F(IntakeTest, FromTheEdgeTheViewerIsBudgetedAndAnsweredAfterTheCommit) {
  const std::string viewer = helloViewer(3);  // an id the studio issued
  sink_.take();
  EXPECT_TRUE(fromEdge(viewer, submission("边缘节点来的问题", 0, kClientId)).empty());
  runPosted();
  ASSERT_EQ(edge_outcomes_->size(), 1u);
  const json received = edge_outcomes_->at(0);
  EXPECT_EQ(received["type"], "question.received");
  EXPECT_FALSE(received.contains("id")) << "the caller adds its own request id";
  const std::int64_t id = received["question"]["id"];
  EXPECT_NE(audience_->desk().find(id), nullptr);
  // A retry through another edge: the same question, at once.
  const std::vector<json> again = fromEdge(viewer, submission("边缘节点来的问题", 0, kClientId));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["question"]["id"], id);
  // The viewer's budget is the studio's on this path too (burst 3).
  for (int i = 1; i < show_.audience.question_burst; ++i) {
    fromEdge(viewer, submission("问题" + std::to_string(i), 0, "edge-client-" + std::to_string(i)));
  }
  const std::vector<json> refused = fromEdge(viewer, submission("一个太多", 0, "edge-client-9"));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["code"], "rate_limited");
  EXPECT_GE(refused[0]["retry_after_s"].get<int>(), 1);
  // ... and the same viewer on the studio's own listener shares it.
  send(3, submission("直连再问", 7, "direct-client-1"));
  EXPECT_EQ(answers(3).at(0)["code"], "rate_limited");
  // Without a viewer id there is nobody to budget: refused.
  const std::vector<json> anonymous = fromEdge("", submission("无名", 0, "edge-client-x"));
  ASSERT_EQ(anonymous.size(), 1u);
  EXPECT_EQ(anonymous[0]["code"], "bad_message");
  runPosted();
  EXPECT_EQ(rows(), show_.audience.question_burst);
}

// The desk that restarts reads the client ids back: a page that sends
// again after the studio's restart gets the question it made before.
TEST_F(IntakeTest, ARetryAfterARestartIsAcknowledgedWithTheQuestionStoredBefore) {
  const std::string viewer = helloViewer(3);
  send(3, submission("重启前提交的问题", 1, kClientId));
  runPosted();
  const std::int64_t id = answers(3).at(0)["question"]["id"];
  audience_.reset();
  timers_.clear();
  audience_ = makeAudience();
  audience_->load();
  const std::vector<json> again = fromEdge(viewer, submission("重启前提交的问题", 0, kClientId));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["type"], "question.received");
  EXPECT_EQ(again[0]["question"]["id"], id);
  runPosted();
  EXPECT_EQ(rows(), 1);
}

TEST_F(AudienceTest, IdleBudgetsArePrunedOnATimerThatKeepsRunning) {
  ASSERT_TRUE(timers_[kPrune]->active());
  EXPECT_EQ(timers_[kPrune]->last_ms(), Audience::kPruneIntervalMs);
  timers_[kPrune]->fire();
  EXPECT_TRUE(timers_[kPrune]->active());
}

}  // namespace
}  // namespace yst::desks
