#include "studio/server/local_clients.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace yst::server {
namespace {

// What one local client was given, in order (one thread delivers at a time:
// the deliver runs under the clients' lock).
struct Inbox {
  std::vector<std::string> messages;
  LocalClients::Deliver deliver() {
    return [this](std::shared_ptr<const std::string> message) { messages.push_back(*message); };
  }
};

std::shared_ptr<const std::string> localMessage(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(LocalClientsTest, IdsAreLocalDistinctAndNeverLookLikeWebSocketClients) {
  LocalClients clients;
  Inbox a, b;
  const ClientId first = clients.add(a.deliver());
  const ClientId second = clients.add(b.deliver());
  EXPECT_TRUE(LocalClients::isLocal(first));
  EXPECT_TRUE(LocalClients::isLocal(second));
  EXPECT_NE(first, second);
  clients.remove(first);
  // Not reused after a removal.
  EXPECT_NE(clients.add(a.deliver()), first);
  // WebSocket clients count up from 1: not local.
  EXPECT_FALSE(LocalClients::isLocal(1));
  EXPECT_FALSE(LocalClients::isLocal(123456789));
  EXPECT_FALSE(LocalClients::isLocal(0));
}

TEST(LocalClientsTest, SendReachesOnlyThatClientAndUnknownIdsSayNo) {
  LocalClients clients;
  Inbox a, b;
  const ClientId first = clients.add(a.deliver());
  clients.add(b.deliver());
  EXPECT_TRUE(clients.send(first, localMessage("one")));
  EXPECT_TRUE(clients.send(first, localMessage("two")));
  EXPECT_EQ(a.messages, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(b.messages.empty());

  EXPECT_FALSE(clients.send(LocalClients::kBit | 999, localMessage("nobody")));
  clients.remove(first);
  EXPECT_FALSE(clients.send(first, localMessage("gone")));
  EXPECT_FALSE(clients.setChannels(first, kChannelProducer));
  EXPECT_EQ(a.messages.size(), 2u);
}

TEST(LocalClientsTest, PublishFollowsChannels) {
  LocalClients clients;
  Inbox producer, host, nobody;
  const ClientId p = clients.add(producer.deliver());
  const ClientId h = clients.add(host.deliver());
  clients.add(nobody.deliver());  // on no channel: hears nothing
  ASSERT_TRUE(clients.setChannels(p, kChannelProducer | kChannelViewer));
  ASSERT_TRUE(clients.setChannels(h, kChannelHost));

  clients.publish(kChannelViewer, localMessage("public"));
  clients.publish(kChannelHost | kChannelTypist, localMessage("cue"));
  clients.publish(kChannelTypist, localMessage("transcript"));
  EXPECT_EQ(producer.messages, (std::vector<std::string>{"public"}));
  EXPECT_EQ(host.messages, (std::vector<std::string>{"cue"}));
  EXPECT_TRUE(nobody.messages.empty());

  // A change applies to the next publish.
  ASSERT_TRUE(clients.setChannels(p, kChannelNone));
  clients.publish(kChannelViewer | kChannelProducer, localMessage("after"));
  EXPECT_EQ(producer.messages.size(), 1u);
}

TEST(LocalClientsTest, DeliverRunsOnTheSendingThreadInOrder) {
  LocalClients clients;
  std::vector<std::thread::id> threads;
  std::vector<std::string> messages;
  const ClientId id = clients.add([&](std::shared_ptr<const std::string> message) {
    threads.push_back(std::this_thread::get_id());
    messages.push_back(*message);
  });
  ASSERT_TRUE(clients.setChannels(id, kChannelProducer));
  std::thread::id sender;
  std::thread worker([&] {
    sender = std::this_thread::get_id();
    for (int i = 0; i < 100; ++i) {
      clients.send(id, localMessage("s" + std::to_string(i)));
      clients.publish(kChannelProducer, localMessage("p" + std::to_string(i)));
    }
  });
  worker.join();
  ASSERT_EQ(messages.size(), 200u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(messages[2 * i], "s" + std::to_string(i));
    EXPECT_EQ(messages[2 * i + 1], "p" + std::to_string(i));
  }
  for (const std::thread::id& thread : threads) EXPECT_EQ(thread, sender);
}

// Several threads send, publish, add and remove at once (as the controller,
// the database writer and the console's own thread do); each deliver sees one
// caller at a time, and nothing reaches a client after remove() returned.
TEST(LocalClientsTest, ConcurrentUseIsSerialisedAndRemoveIsFinal) {
  LocalClients clients;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::atomic<bool> removed{false};
  std::atomic<int> after_remove{0};
  std::atomic<int> delivered{0};
  const ClientId watched = clients.add([&](std::shared_ptr<const std::string>) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    if (removed) ++after_remove;
    ++delivered;
    inside.fetch_sub(1);
  });
  ASSERT_TRUE(clients.setChannels(watched, kChannelViewer));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (t == 0) clients.send(watched, localMessage("x"));
        if (t == 1) clients.publish(kChannelViewer, localMessage("y"));
        if (t == 2) clients.remove(clients.add([](std::shared_ptr<const std::string>) {}));
        if (t == 0 && i == 1000) {
          clients.remove(watched);
          removed = true;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(after_remove, 0);
  EXPECT_GE(delivered, 1001);
}

}  // namespace
}  // namespace yst::server
