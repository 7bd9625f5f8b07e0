// RelayedCalls: a command run at the studio for someone at a public edge
// gets its own in-process connection with the caller's identity, and its
// one reply, told from anything else that connection hears by its id.
#include "studio/desks/relayed_calls.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "studio/server/local_clients.h"

namespace yst::desks {
namespace {

using nlohmann::json;

class ManualTimer : public Timer {
 public:
  explicit ManualTimer(std::function<void()> fire) : fire_(std::move(fire)) {}
  void start(int) override { active_ = true; }
  void stop() override { active_ = false; }
  bool active() const override { return active_; }
  void fire() {
    active_ = false;
    fire_();
  }

 private:
  std::function<void()> fire_;
  bool active_ = false;
};

class RelayedCallsTest : public ::testing::Test {
 protected:
  std::unique_ptr<RelayedCalls> make(int give_up_ms = RelayedCalls::kGiveUpMs) {
    RelayedCalls::Context context;
    context.add_client = [this](RelayedCalls::Deliver deliver) {
      const server::ClientId id = server::LocalClients::kBit | ++next_id_;
      delivers_[id] = std::move(deliver);
      return id;
    };
    context.remove_client = [this](server::ClientId id) { delivers_.erase(id); };
    context.clients = &clients_;
    context.dispatch = [this](server::ClientId id, const std::string& text) {
      dispatched_.push_back({id, json::parse(text), clients_.at(id)});
    };
    context.post = [](std::function<void()> job) { job(); };
    context.make_timer = [this](std::function<void()> fire) {
      auto timer = std::make_unique<ManualTimer>(std::move(fire));
      timer_ = timer.get();
      return timer;
    };
    context.give_up_ms = give_up_ms;
    return std::make_unique<RelayedCalls>(std::move(context));
  }

  // What the studio's server would hand the call's connection.
  void deliver(server::ClientId id, const json& message) {
    ASSERT_TRUE(delivers_.contains(id));
    delivers_.at(id)(std::make_shared<const std::string>(message.dump()));
  }

  struct Dispatched {
    server::ClientId client;
    json message;
    core::ClientInfo as;
  };
  core::ClientMap clients_;
  std::map<server::ClientId, RelayedCalls::Deliver> delivers_;
  std::vector<Dispatched> dispatched_;
  ManualTimer* timer_ = nullptr;
  server::ClientId next_id_ = 0;
};

core::ClientInfo department(std::int64_t id, const std::string& name) {
  core::ClientInfo as;
  as.role = core::Role::kDepartment;
  as.department_id = id;
  as.producer_name = name;
  return as;
}

TEST_F(RelayedCallsTest, RunsTheMessageAsTheCallerAndHandsBackItsOneReply) {
  auto calls = make();
  std::optional<json> reply;
  calls->run(department(3, "市住建局"), {{"type", "followup.list"}, {"id", 7}},
             [&](json r) { reply = std::move(r); });
  ASSERT_EQ(dispatched_.size(), 1u);
  const Dispatched& d = dispatched_[0];
  EXPECT_TRUE(server::LocalClients::isLocal(d.client));
  EXPECT_EQ(d.as.role, core::Role::kDepartment);
  EXPECT_EQ(d.as.department_id, 3);
  EXPECT_EQ(d.as.producer_name, "市住建局");
  EXPECT_EQ(d.message["type"], "followup.list");
  // The caller's own request id is not the one the studio answers on.
  ASSERT_TRUE(d.message["id"].is_string());
  EXPECT_EQ(calls->inFlight(), 1u);

  // A department's connection hears about changes too: not the reply.
  deliver(d.client, {{"type", "followup.changed"}, {"action", "reply"}});
  deliver(d.client, {{"type", "reply"}, {"id", "relayed-999"}, {"ok", true}});
  EXPECT_FALSE(reply);
  deliver(d.client, {{"type", "reply"}, {"id", d.message["id"]}, {"ok", true}, {"items", {1, 2}}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, (json{{"type", "reply"}, {"ok", true}, {"items", {1, 2}}}));
  // The connection is gone, and the caller's identity with it.
  EXPECT_EQ(calls->inFlight(), 0u);
  EXPECT_FALSE(delivers_.contains(d.client));
  EXPECT_FALSE(clients_.contains(d.client));
}

TEST_F(RelayedCallsTest, EachCallHasItsOwnConnectionAndErrorsAreReplies) {
  auto calls = make();
  std::vector<json> replies;
  core::ClientInfo viewer;
  viewer.role = core::Role::kViewer;
  viewer.viewer = "v1";
  calls->run(viewer, {{"type", "followup.mine"}}, [&](json r) { replies.push_back(r); });
  calls->run(department(4, "市医保局"), {{"type", "followup.reply"}},
             [&](json r) { replies.push_back(r); });
  ASSERT_EQ(dispatched_.size(), 2u);
  EXPECT_NE(dispatched_[0].client, dispatched_[1].client);
  EXPECT_NE(dispatched_[0].message["id"], dispatched_[1].message["id"]);
  EXPECT_EQ(clients_.at(dispatched_[0].client).viewer, "v1");
  deliver(dispatched_[1].client,
          {{"type", "error"}, {"code", "not_found"}, {"id", dispatched_[1].message["id"]}});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["code"], "not_found");
  EXPECT_EQ(calls->inFlight(), 1u);
}

TEST_F(RelayedCallsTest, ACallNeverAnsweredIsGivenUpAndItsLateReplyIgnored) {
  auto calls = make(0);
  int answered = 0;
  calls->run(department(3, "市住建局"), {{"type", "followup.list"}}, [&](json) { ++answered; });
  ASSERT_EQ(dispatched_.size(), 1u);
  const server::ClientId client = dispatched_[0].client;
  RelayedCalls::Deliver late = delivers_.at(client);
  ASSERT_NE(timer_, nullptr);
  ASSERT_TRUE(timer_->active());
  timer_->fire();
  EXPECT_EQ(calls->inFlight(), 0u);
  EXPECT_FALSE(clients_.contains(client));
  EXPECT_FALSE(delivers_.contains(client));
  late(std::make_shared<const std::string>(
      json{{"type", "reply"}, {"id", dispatched_[0].message["id"]}}.dump()));
  EXPECT_EQ(answered, 0);
}

TEST_F(RelayedCallsTest, AtMostSoManyCallsAtOnce) {
  auto calls = make();
  for (std::size_t i = 0; i < RelayedCalls::kMaxCalls + 5; ++i) {
    calls->run(department(3, "市住建局"), {{"type", "followup.list"}}, [](json) {});
  }
  EXPECT_EQ(calls->inFlight(), RelayedCalls::kMaxCalls);
  EXPECT_EQ(dispatched_.size(), RelayedCalls::kMaxCalls);
}

TEST_F(RelayedCallsTest, ConnectionsStillOpenAreClosedWithTheCalls) {
  auto calls = make();
  calls->run(department(3, "市住建局"), {{"type", "followup.list"}}, [](json) {});
  ASSERT_EQ(delivers_.size(), 1u);
  calls.reset();
  EXPECT_TRUE(delivers_.empty());
  EXPECT_TRUE(clients_.empty());
}

}  // namespace
}  // namespace yst::desks
