#include "studio/protocol/public_feed.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace yst::protocol {
namespace {

using nlohmann::json;

std::shared_ptr<const std::string> text(const std::string& s) {
  return std::make_shared<const std::string>(s);
}

std::vector<std::string> texts(const std::vector<std::shared_ptr<const std::string>>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(*m);
  return out;
}

TEST(StampFeed, AddsThePositionAndKeepsTheRest) {
  const std::string stamped = stampFeed(R"({"type":"questions.public","questions":[]})", {"e1", 7});
  const json parsed = json::parse(stamped);
  EXPECT_EQ(parsed["type"], "questions.public");
  EXPECT_EQ(parsed["questions"], json::array());
  EXPECT_EQ(parsed["feed"], json({{"epoch", "e1"}, {"seq", 7}}));
  EXPECT_EQ(json::parse(stampFeed("{}", {"e", 1}))["feed"]["seq"], 1);
  // Not an object: handed back as it was.
  EXPECT_EQ(stampFeed("[1]", {"e", 1}), "[1]");
  EXPECT_EQ(stampFeed("", {"e", 1}), "");
}

TEST(ReadSince, TakesOnlyAWellFormedPosition) {
  EXPECT_EQ(readSince(json::parse(R"({"since":{"epoch":"aZ_-9","seq":12}})"))->seq, 12u);
  for (const char* bad :
       {R"({})", R"({"since":1})", R"({"since":{"epoch":"e"}})", R"({"since":{"seq":3}})",
        R"({"since":{"epoch":"e","seq":-1}})", R"({"since":{"epoch":"e","seq":1.5}})",
        R"({"since":{"epoch":"e","seq":"3"}})", R"({"since":{"epoch":"","seq":3}})",
        R"({"since":{"epoch":"has space","seq":3}})", R"({"since":{"epoch":"\"q\"","seq":3}})",
        R"({"since":{"epoch":"0123456789012345678901234567890123","seq":3}})"}) {
    EXPECT_FALSE(readSince(json::parse(bad)).has_value()) << bad;
  }
}

TEST(PublicRing, ReplaysWhatWasMissed) {
  PublicRing ring(8, 1 << 20);
  EXPECT_TRUE(ring.append({"a", 1}, text("m1")));
  EXPECT_TRUE(ring.append({"a", 2}, text("m2")));
  EXPECT_TRUE(ring.append({"a", 3}, text("m3")));
  EXPECT_EQ(texts(*ring.after({"a", 1})), (std::vector<std::string>{"m2", "m3"}));
  EXPECT_EQ(texts(*ring.after({"a", 0})), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_TRUE(ring.after({"a", 3})->empty());      // up to date
  EXPECT_FALSE(ring.after({"a", 4}).has_value());  // ahead of the ring
  EXPECT_FALSE(ring.after({"b", 1}).has_value());  // another studio run
  EXPECT_EQ(ring.last().seq, 3u);
}

TEST(PublicRing, ForgetsTheOldestByCountAndBytes) {
  PublicRing by_count(3, 1 << 20);
  for (std::uint64_t seq = 1; seq <= 5; ++seq) by_count.append({"a", seq}, text("m"));
  EXPECT_EQ(by_count.size(), 3u);
  EXPECT_TRUE(by_count.after({"a", 2}).has_value());
  EXPECT_FALSE(by_count.after({"a", 1}).has_value());  // message 2 is gone

  PublicRing by_bytes(100, 10);
  by_bytes.append({"a", 1}, text("12345"));
  by_bytes.append({"a", 2}, text("12345"));
  by_bytes.append({"a", 3}, text("12345"));
  EXPECT_EQ(by_bytes.size(), 2u);
  // One message larger than the whole budget is still kept (the latest).
  by_bytes.append({"a", 4}, text(std::string(50, 'x')));
  EXPECT_EQ(by_bytes.size(), 1u);
  EXPECT_EQ(texts(*by_bytes.after({"a", 3})).size(), 1u);
}

TEST(PublicRing, AGapOrANewEpochStartsAgain) {
  PublicRing ring(8, 1 << 20);
  ring.append({"a", 1}, text("m1"));
  ring.append({"a", 2}, text("m2"));
  EXPECT_FALSE(ring.append({"a", 4}, text("m4")));  // 3 was lost on the way
  EXPECT_FALSE(ring.after({"a", 2}).has_value());   // so 2 cannot be resumed
  EXPECT_TRUE(ring.after({"a", 3}).has_value());
  EXPECT_FALSE(ring.append({"b", 1}, text("n1")));  // the studio restarted
  EXPECT_FALSE(ring.after({"a", 4}).has_value());
  EXPECT_EQ(texts(*ring.after({"b", 0})), (std::vector<std::string>{"n1"}));
  // An edge that joins in the middle of the feed starts from there.
  PublicRing late(8, 1 << 20);
  EXPECT_TRUE(late.append({"c", 40}, text("m40")));
  EXPECT_TRUE(late.after({"c", 39}).has_value());
  EXPECT_FALSE(late.after({"c", 38}).has_value());
}

class RecordingSink : public server::ClientSink {
 public:
  void send(server::ClientId client, std::shared_ptr<const std::string> message) override {
    sent.emplace_back(client, *message);
  }
  void setChannels(server::ClientId, std::uint32_t) override {}
  void publish(std::uint32_t channels, std::shared_ptr<const std::string> message) override {
    published.emplace_back(channels, *message);
  }
  std::vector<std::pair<server::ClientId, std::string>> sent;
  std::vector<std::pair<std::uint32_t, std::string>> published;
};

TEST(FeedSink, NumbersOnlyWhatViewersHear) {
  RecordingSink local;
  FeedSink feed(&local, "run1");
  std::vector<std::string> remote;
  feed.setOnPublic([&](const FeedPosition& position, const std::shared_ptr<const std::string>& m) {
    EXPECT_EQ(position.epoch, "run1");
    remote.push_back(*m);
  });
  feed.publish(server::kChannelProducer, text(R"({"type":"questions.changed"})"));
  feed.publish(server::kChannelViewer, text(R"({"type":"questions.public"})"));
  feed.publish(server::kChannelViewer | server::kChannelTypist,
               text(R"({"type":"transcript.line"})"));
  feed.send(7, text(R"({"type":"reply"})"));

  ASSERT_EQ(local.published.size(), 3u);
  EXPECT_EQ(local.published[0].second, R"({"type":"questions.changed"})");  // producers: as it was
  EXPECT_EQ(json::parse(local.published[1].second)["feed"]["seq"], 1);
  EXPECT_EQ(json::parse(local.published[2].second)["feed"]["seq"], 2);
  EXPECT_EQ(local.published[2].first, server::kChannelViewer | server::kChannelTypist);
  EXPECT_EQ(remote,
            (std::vector<std::string>{local.published[1].second, local.published[2].second}));
  ASSERT_EQ(local.sent.size(), 1u);
  EXPECT_EQ(local.sent[0].second, R"({"type":"reply"})");
  EXPECT_EQ(feed.position().seq, 2u);
  EXPECT_EQ(feed.after({"run1", 1})->size(), 1u);
}

}  // namespace
}  // namespace yst::protocol
