// What waits for a slow partner site and which media is given up for it
// (streaming/send_queue.h), without a socket: the drop policy (past the
// limit to the next keyframe under a quarter of it, sequence headers always),
// answers replaced where they wait unless partly sent, what a partial write
// leaves, and the counters. The publisher over a real socket that stops
// reading is in rtmp_publisher_test.cpp.
#include "streaming/send_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yst::streaming {
namespace {

using Kind = SendQueue::Kind;

constexpr SendQueue::Tag kInter{};  // an inter frame, audio, metadata
constexpr SendQueue::Tag kKey{.keyframe = true};
constexpr SendQueue::Tag kAudioHeader{.sequence_header = true};
constexpr SendQueue::Tag kAvcHeader{.keyframe = true, .sequence_header = true};

// What gather() offers, as strings.
std::vector<std::string> waiting(const SendQueue& queue, std::size_t max = 100) {
  std::vector<std::string> out;
  queue.gather(max, [&](const char* data, std::size_t size) { out.emplace_back(data, size); });
  return out;
}

TEST(SendQueue, TakesEveryTagWhileNoMoreThanTheLimitWaits) {
  SendQueue queue(1000);
  EXPECT_TRUE(queue.admit(kInter));
  queue.push(Kind::kMedia, std::string(1000, 'x'));
  EXPECT_TRUE(queue.admit(kInter)) << "at the limit, not past it";
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST(SendQueue, DropsPastTheLimitUntilAKeyframeUnderAQuarterOfIt) {
  SendQueue queue(1000);
  queue.push(Kind::kMedia, std::string(1001, 'x'));
  EXPECT_FALSE(queue.admit(kInter));
  EXPECT_FALSE(queue.admit(kKey)) << "a keyframe while 1001 bytes wait";
  queue.sent(701);  // 300 wait: under the limit, over a quarter of it
  EXPECT_FALSE(queue.admit(kInter)) << "still dropping: the stream resumes at a keyframe";
  EXPECT_FALSE(queue.admit(kKey)) << "300 bytes wait, more than a quarter";
  queue.sent(51);  // 249 wait
  EXPECT_FALSE(queue.admit(kInter)) << "an inter frame cannot resume the stream";
  EXPECT_TRUE(queue.admit(kKey));
  EXPECT_TRUE(queue.admit(kInter)) << "after the keyframe, everything again";
  EXPECT_EQ(queue.dropped(), 5u);
}

TEST(SendQueue, NeverDropsASequenceHeader) {
  SendQueue queue(1000);
  queue.push(Kind::kMedia, std::string(5000, 'x'));
  EXPECT_TRUE(queue.admit(kAudioHeader));
  EXPECT_TRUE(queue.admit(kAvcHeader));
  EXPECT_FALSE(queue.admit(kInter));
  EXPECT_EQ(queue.dropped(), 1u);
}

TEST(SendQueue, ReplacesAnUnsentAnswerWhereItStands) {
  SendQueue queue(1000);
  EXPECT_FALSE(queue.replaceUnsent(Kind::kPingAnswer, "p0")) << "none waits";
  queue.push(Kind::kMedia, "aaaa");
  queue.push(Kind::kPingAnswer, "p1");
  queue.push(Kind::kAcknowledgement, "k1");
  queue.push(Kind::kMedia, "bbbb");
  EXPECT_TRUE(queue.replaceUnsent(Kind::kPingAnswer, "p2!"));
  EXPECT_TRUE(queue.replaceUnsent(Kind::kAcknowledgement, "k2"));
  EXPECT_EQ(waiting(queue), (std::vector<std::string>{"aaaa", "p2!", "k2", "bbbb"}));
  EXPECT_EQ(queue.bytes(), 13u);
  EXPECT_EQ(queue.unansweredPings(), 1);
  EXPECT_FALSE(queue.replaceUnsent(Kind::kMedia, "cc")) << "media is never replaced";
}

TEST(SendQueue, DoesNotReplaceAnAnswerTheSocketHasBegun) {
  SendQueue queue(1000);
  queue.push(Kind::kPingAnswer, "pppp");
  EXPECT_TRUE(queue.sent(2)) << "cut inside the answer";
  EXPECT_FALSE(queue.replaceUnsent(Kind::kPingAnswer, "qqqq"))
      << "half an answer is on the wire: the rest must follow as it was";
  EXPECT_EQ(waiting(queue), (std::vector<std::string>{"pp"}));
  EXPECT_FALSE(queue.sent(2));
  EXPECT_FALSE(queue.replaceUnsent(Kind::kPingAnswer, "qqqq")) << "gone: a new one is pushed";
}

TEST(SendQueue, CountsReplacedPingsUntilAnAnswerGoesOut) {
  SendQueue queue(1000);
  queue.push(Kind::kPingAnswer, "p0");
  for (int i = 1; i <= 3; ++i)
    EXPECT_TRUE(queue.replaceUnsent(Kind::kPingAnswer, "p" + std::to_string(i)));
  EXPECT_EQ(queue.unansweredPings(), 3);
  EXPECT_FALSE(queue.replaceUnsent(Kind::kAcknowledgement, "k")) << "no acknowledgement waits";
  queue.sent(2);
  EXPECT_EQ(queue.unansweredPings(), 0) << "the server has an answer";
}

TEST(SendQueue, KeepsWhatAPartialWriteLeftInOrder) {
  SendQueue queue(1000);
  queue.push(Kind::kMedia, "abc");
  queue.push(Kind::kCommand, "defg");
  queue.push(Kind::kMedia, "hi");
  EXPECT_EQ(waiting(queue, 2), (std::vector<std::string>{"abc", "defg"})) << "at most 2 entries";
  EXPECT_TRUE(queue.sent(5)) << "the socket cut \"defg\"";
  EXPECT_EQ(waiting(queue), (std::vector<std::string>{"fg", "hi"}));
  EXPECT_EQ(queue.bytes(), 4u);
  EXPECT_FALSE(queue.sent(2)) << "whole entries";
  EXPECT_EQ(waiting(queue), (std::vector<std::string>{"hi"}));
  EXPECT_FALSE(queue.sent(2));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(SendQueue, RemembersItsPeakAndForgetsEverythingOnClear) {
  SendQueue queue(1000);
  queue.push(Kind::kMedia, std::string(100, 'a'));
  queue.push(Kind::kPingAnswer, std::string(200, 'p'));
  EXPECT_EQ(queue.peakBytes(), 300u);
  queue.sent(300);
  queue.push(Kind::kMedia, std::string(50, 'b'));
  EXPECT_EQ(queue.peakBytes(), 300u);
  queue.push(Kind::kAcknowledgement, "k");
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_FALSE(queue.replaceUnsent(Kind::kAcknowledgement, "k2")) << "cleared with the rest";
  queue.push(Kind::kMedia, "c");
  EXPECT_EQ(waiting(queue), (std::vector<std::string>{"c"}));
  EXPECT_EQ(queue.peakBytes(), 300u);
}

}  // namespace
}  // namespace yst::streaming
