// The sign-in desk with its own clock: staff tokens (a role's own or the
// producer's), names, what each role hears and may send, hellos per
// connection, and guessing slowed down (the third refusal closes, an address
// that keeps guessing is locked out).
#include "studio/desks/sign_in.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/server/local_clients.h"

namespace yst::desks {
namespace {

using core::ClientInfo;
using core::Role;
using nlohmann::json;

class SignInTest : public ::testing::Test {
 protected:
  SignInTest()
      : desk({{"producer-token-0123456789", "typist-token-0123456789", "host-token-0123456789"},
              &commands,
              [](Role role) {
                return json{{"welcome", std::string(core::roleName(role))}};
              },
              [this](server::ClientId client, Role role, std::uint32_t channels) {
                admitted[client] = {role, channels};
              },
              [this](server::ClientId client, const json& message, const json&) {
                audience.emplace_back(client, message.value("role", "viewer"));
              },
              [this](server::ClientId client) { left.push_back(client); },
              [this](server::ClientId client, const json& message) {
                replies.emplace_back(client, message);
              },
              [this](server::ClientId client) { closed.push_back(client); },
              [this] { return now_us; },
              {}}) {
    desk.registerCommands(commands);
    commands.add("question.approve", core::roles({Role::kProducer}),
                 [](core::CommandContext&) -> core::CommandOutcome { return json::object(); });
  }

  // A hello from `client` as a page sends it; returns the answer.
  json hello(server::ClientId client, json message) {
    message["type"] = "hello";
    ClientInfo& info = clients[client];
    if (info.address.empty()) info.address = "203.0.113." + std::to_string(client % 200);
    const json request_id = 7;
    core::CommandContext context{client, info, message, request_id};
    const auto outcome = commands.dispatch(context);
    EXPECT_TRUE(outcome.handled()) << "hello answers for itself";
    if (replies.empty()) return json();
    return replies.back().second;
  }

  std::int64_t now_us = 1000 * kUsPerSecond;
  core::CommandRegistry commands;
  SignIn desk;
  std::map<server::ClientId, ClientInfo> clients;
  std::map<server::ClientId, std::pair<Role, std::uint32_t>> admitted;
  std::vector<std::pair<server::ClientId, std::string>> audience;
  std::vector<server::ClientId> left;
  std::vector<std::pair<server::ClientId, json>> replies;
  std::vector<server::ClientId> closed;
};

TEST_F(SignInTest, EachStaffRoleSignsInWithItsTokenOrTheProducers) {
  const json producer =
      hello(1, {{"role", "producer"}, {"token", "producer-token-0123456789"}, {"name", "王编辑"}});
  EXPECT_EQ(producer["type"], "hello.ok");
  EXPECT_EQ(producer["role"], "producer");
  EXPECT_EQ(producer["welcome"], "producer");
  EXPECT_EQ(producer["id"], 7);
  EXPECT_EQ(clients[1].role, Role::kProducer);
  EXPECT_EQ(clients[1].producer_name, "王编辑");
  EXPECT_EQ(admitted[1].second, server::kChannelProducer | server::kChannelTypist);
  EXPECT_NE(std::find(producer["commands"].begin(), producer["commands"].end(), "question.approve"),
            producer["commands"].end());

  const json typist = hello(2, {{"role", "typist"}, {"token", "typist-token-0123456789"}});
  EXPECT_EQ(typist["role"], "typist");
  EXPECT_EQ(clients[2].producer_name, "typist#2") << "no name given";
  EXPECT_EQ(admitted[2].second, server::kChannelTypist);
  EXPECT_EQ(std::find(typist["commands"].begin(), typist["commands"].end(), "question.approve"),
            typist["commands"].end());

  // A producer may do a host's work; a host's token is not a producer's.
  EXPECT_EQ(hello(3, {{"role", "host"}, {"token", "producer-token-0123456789"}})["role"], "host");
  EXPECT_EQ(admitted[3].second, server::kChannelHost);
  const json refused = hello(4, {{"role", "producer"}, {"token", "host-token-0123456789"}});
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["code"], "forbidden");
  EXPECT_EQ(refused["message"], "wrong or missing producer token");
  EXPECT_EQ(clients[4].role, Role::kNone);
  EXPECT_FALSE(admitted.contains(4));
}

TEST_F(SignInTest, BadNamesAndRolesAreHandledPlainly) {
  // A name that is not text, or too long, is dropped; control characters go.
  hello(1, {{"role", "producer"}, {"token", "producer-token-0123456789"}, {"name", "a\xff"}});
  EXPECT_EQ(clients[1].producer_name, "producer#1");
  hello(4, {{"role", "producer"},
            {"token", "producer-token-0123456789"},
            {"name", std::string(SignIn::kMaxNameChars + 1, 'x')}});
  EXPECT_EQ(clients[4].producer_name, "producer#4");
  hello(5, {{"role", "producer"}, {"token", "producer-token-0123456789"}, {"name", " 李\x01四 "}});
  EXPECT_EQ(clients[5].producer_name, "李四");
  const json bad_role = hello(2, {{"role", "admin"}, {"token", "producer-token-0123456789"}});
  EXPECT_EQ(bad_role["code"], "invalid");
  const json not_text = hello(3, {{"role", 5}});
  EXPECT_EQ(not_text["code"], "invalid");
  EXPECT_EQ(admitted.size(), 3u);
  EXPECT_FALSE(admitted.contains(2));
  EXPECT_FALSE(admitted.contains(3));
}

TEST_F(SignInTest, ViewersAndObserversGoToTheAudience) {
  hello(5, json::object());
  hello(6, {{"role", "observer"}, {"token", "invitation"}});
  ASSERT_EQ(audience.size(), 2u);
  EXPECT_EQ(audience[0], (std::pair<server::ClientId, std::string>{5, "viewer"}));
  EXPECT_EQ(audience[1], (std::pair<server::ClientId, std::string>{6, "observer"}));
  EXPECT_TRUE(replies.empty()) << "the audience answers them";
  // A viewer who then signs in as staff stops being a viewer.
  clients[5].viewer = "v-123";
  hello(5, {{"role", "producer"}, {"token", "producer-token-0123456789"}});
  EXPECT_EQ(left, std::vector<server::ClientId>{5});
}

TEST_F(SignInTest, HellosPerConnectionAreLimitedButNotTheConsoles) {
  for (int i = 0; i < static_cast<int>(SignIn::kHelloBurst); ++i) hello(1, json::object());
  const json limited = hello(1, json::object());
  EXPECT_EQ(limited["code"], "rate_limited");
  EXPECT_EQ(limited["retry_after_s"], static_cast<int>(SignIn::kHelloIntervalS));
  EXPECT_EQ(audience.size(), static_cast<std::size_t>(SignIn::kHelloBurst));
  now_us += static_cast<std::int64_t>(SignIn::kHelloIntervalS) * kUsPerSecond;
  hello(1, json::object());
  EXPECT_EQ(audience.size(), static_cast<std::size_t>(SignIn::kHelloBurst) + 1);

  const server::ClientId console = server::LocalClients::kBit | 1;
  for (int i = 0; i < 10; ++i) hello(console, json::object());
  EXPECT_EQ(audience.size(), static_cast<std::size_t>(SignIn::kHelloBurst) + 11);
}

TEST_F(SignInTest, TheThirdWrongTokenClosesTheConnection) {
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(hello(1, {{"role", "typist"}, {"token", "guess"}})["code"], "forbidden");
    now_us += static_cast<std::int64_t>(SignIn::kHelloIntervalS) * kUsPerSecond;
  }
  EXPECT_TRUE(closed.empty());
  const json third = hello(1, {{"role", "typist"}, {"token", "guess"}});
  EXPECT_NE(third["message"].get<std::string>().find("close the connection"), std::string::npos);
  EXPECT_EQ(closed, std::vector<server::ClientId>{1});
}

TEST_F(SignInTest, AnAddressThatKeepsGuessingIsLockedOutEvenWithTheRightToken) {
  // A new connection for each try, all from one address.
  server::ClientId client = 10;
  for (int i = 0; i < SignInGuard::kFreeFailures + 1; ++i, ++client) {
    clients[client].address = "198.51.100.9";
    EXPECT_EQ(hello(client, {{"role", "producer"}, {"token", "guess"}})["code"], "forbidden");
  }
  clients[client].address = "198.51.100.9";
  const json locked = hello(client, {{"role", "producer"}, {"token", "producer-token-0123456789"}});
  EXPECT_EQ(locked["code"], "too_many_attempts");
  EXPECT_GE(locked["retry_after_s"].get<int>(), 1);
  EXPECT_FALSE(admitted.contains(client)) << "the token was not looked at";
  // Another address is not held up, and after the lock the right token works.
  clients[client + 1].address = "198.51.100.10";
  EXPECT_EQ(
      hello(client + 1, {{"role", "producer"}, {"token", "producer-token-0123456789"}})["role"],
      "producer");
  now_us += static_cast<std::int64_t>(SignInGuard::kMaxLockS) * kUsPerSecond;
  clients[client + 2].address = "198.51.100.9";
  EXPECT_EQ(
      hello(client + 2, {{"role", "producer"}, {"token", "producer-token-0123456789"}})["role"],
      "producer");
}

TEST_F(SignInTest, TheConsoleIsNeitherCountedNorLockedOut) {
  const server::ClientId console = server::LocalClients::kBit | 2;
  clients[console].address = "local";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(hello(console, {{"role", "producer"}, {"token", "guess"}})["code"], "forbidden");
  }
  EXPECT_TRUE(closed.empty());
  EXPECT_EQ(hello(console, {{"role", "producer"}, {"token", "producer-token-0123456789"}})["role"],
            "producer");
}

}  // namespace
}  // namespace yst::desks
