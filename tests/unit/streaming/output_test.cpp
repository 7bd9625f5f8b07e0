// Output's state machine (streaming/output.h) against a fake transport, with
// no pipeline and no socket: stopped → connecting → live once bytes flow,
// retrying with back-off after a failure (from the transport, from making it
// or starting it), the stall watchdog, giving up after the attempts allowed,
// the secrets masked out of every error, how it stops the transport, and the
// keyframe gate and timestamp rebasing every transport gets. The real
// transports are in engine_test.cpp and rtmp_publisher_test.cpp, and with
// nginx-rtmp in tests/integration.
#include "streaming/output.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/unit/qt_test_app.h"

namespace yst::streaming {
namespace {

// What the test sees of the transports an output made, across attempts.
// Controller thread only (the test pushes packets from it too).
struct Probe {
  struct Packet {
    MediaKind kind;
    GstClockTime pts;
    GstClockTime dts;
  };
  int made = 0;
  int started = 0;
  std::vector<StopMode> closed;
  std::vector<Packet> pushed;
  bool ready = true;
  std::string make_error;   // makeTransport() throws this
  std::string start_error;  // start() throws this
  std::string close_problem;
  TransportListener* listener = nullptr;  // of the transport between start and close
  std::uint64_t* bytes = nullptr;         // of the transport between start and close
};

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(Probe& probe) : probe_(probe) { ++probe_.made; }
  ~FakeTransport() override {
    if (probe_.bytes == &bytes_) probe_.bytes = nullptr;
  }
  void start(TransportListener& listener) override {
    ++probe_.started;
    if (!probe_.start_error.empty()) throw std::runtime_error(probe_.start_error);
    probe_.listener = &listener;
    probe_.bytes = &bytes_;
  }
  bool ready() const override { return probe_.ready; }
  void push(MediaKind kind, GstBuffer* packet, GstCaps*) override {
    probe_.pushed.push_back({kind, GST_BUFFER_PTS(packet), GST_BUFFER_DTS(packet)});
    gst_buffer_unref(packet);
  }
  std::uint64_t bytes() const override { return bytes_; }
  std::string close(StopMode mode, int) override {
    probe_.closed.push_back(mode);
    probe_.listener = nullptr;
    return probe_.close_problem;
  }

 private:
  Probe& probe_;
  std::uint64_t bytes_ = 0;
};

class TestOutput : public Output {
 public:
  TestOutput(Probe& probe, std::vector<std::string> secrets)
      : Output("test output", std::move(secrets)), probe_(probe) {
    backoff_policy.initial_ms = 50;
    backoff_policy.max_ms = 50;
    backoff_policy.jitter = 0;
    tick_interval_ms = 20;
    stall_timeout_ms = 1000;
  }

 protected:
  std::unique_ptr<Transport> makeTransport() override {
    if (!probe_.make_error.empty()) throw std::runtime_error(probe_.make_error);
    return std::make_unique<FakeTransport>(probe_);
  }
  int liveAfterMs() const override { return 60; }

 private:
  Probe& probe_;
};

class OutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { qt_test::app(); }

  // Spins the event loop; the current transport takes `bytes_per_spin`
  // each time round, as a socket that keeps taking the stream.
  bool spinUntil(const std::function<bool()>& done, std::uint64_t bytes_per_spin = 0,
                 int timeout_ms = 5000) {
    return qt_test::spinUntil(
        [&] {
          if (probe.bytes) *probe.bytes += bytes_per_spin;
          return done();
        },
        timeout_ms);
  }

  Probe probe;
};

GstSample* sample(GstClockTime pts, GstClockTime dts, bool keyframe) {
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, 16, nullptr);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DTS(buffer) = dts;
  if (!keyframe) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  GstCaps* caps = gst_caps_new_empty_simple("video/x-h264");
  GstSample* s = gst_sample_new(buffer, caps, &segment, nullptr);
  gst_caps_unref(caps);
  gst_buffer_unref(buffer);
  return s;
}

void push(Output& output, MediaKind kind, GstClockTime pts, GstClockTime dts,
          bool keyframe = false) {
  GstSample* s = sample(pts, dts, keyframe);
  output.pushPacket(kind, s);
  gst_sample_unref(s);
}

TEST_F(OutputTest, GoesLiveOnceBytesFlowAndStopsItsTransport) {
  TestOutput output(probe, {});
  EXPECT_EQ(output.state(), OutputState::kStopped);
  output.start();
  EXPECT_EQ(output.state(), OutputState::kConnecting);
  EXPECT_EQ(probe.started, 1);
  EXPECT_FALSE(spinUntil([&] { return output.state() == OutputState::kLive; }, 0, 300))
      << "nothing written yet";
  ASSERT_TRUE(spinUntil([&] { return output.state() == OutputState::kLive; }, 1000));
  const OutputStats live = output.stats();
  EXPECT_GT(live.bytes_sent, 0u);
  EXPECT_GT(live.bitrate_kbps, 0);
  EXPECT_EQ(live.reconnects, 0);
  output.stop(StopMode::kFinalize);
  EXPECT_EQ(output.state(), OutputState::kStopped);
  EXPECT_EQ(probe.closed, std::vector<StopMode>{StopMode::kFinalize});
  EXPECT_GE(output.stats().bytes_sent, live.bytes_sent) << "kept after the transport is gone";
  EXPECT_EQ(output.stats().bitrate_kbps, 0);
  EXPECT_EQ(probe.made, 1);
}

TEST_F(OutputTest, RetriesAFailedTransportAndMasksTheSecretInItsError) {
  TestOutput output(probe, {"sekrit-key"});
  output.start();
  ASSERT_NE(probe.listener, nullptr);
  probe.listener->transportFailed("rtmp://cdn.example/live/sekrit-key refused the stream");
  EXPECT_EQ(output.state(), OutputState::kRetrying);
  EXPECT_EQ(probe.closed, std::vector<StopMode>{StopMode::kImmediate});
  OutputStats s = output.stats();
  EXPECT_EQ(s.last_error, "rtmp://cdn.example/live/*** refused the stream");
  EXPECT_EQ(s.reconnects, 1);
  ASSERT_TRUE(spinUntil([&] { return probe.started == 2; })) << "a new attempt after the back-off";
  EXPECT_EQ(output.state(), OutputState::kRetrying) << "until it is live again";
  ASSERT_TRUE(spinUntil([&] { return output.state() == OutputState::kLive; }, 1000));
  EXPECT_EQ(output.stats().last_error, "") << "live again: the error is history";
  output.stop();
}

TEST_F(OutputTest, RetriesWhenTheTransportCannotBeMadeOrStarted) {
  TestOutput output(probe, {"sekrit-key"});
  probe.make_error = "cannot create /var/sekrit-key: Read-only file system";
  output.start();
  EXPECT_EQ(output.state(), OutputState::kRetrying);
  EXPECT_EQ(output.stats().last_error, "cannot create /var/***: Read-only file system");
  EXPECT_EQ(probe.made, 0);
  probe.make_error.clear();
  probe.start_error = "no element \"srtsink\" for sekrit-key";
  ASSERT_TRUE(spinUntil([&] { return probe.started == 1; }));
  EXPECT_EQ(output.state(), OutputState::kRetrying);
  EXPECT_EQ(output.stats().last_error, "no element \"srtsink\" for ***");
  EXPECT_EQ(output.stats().reconnects, 2);
  probe.start_error.clear();
  ASSERT_TRUE(spinUntil([&] { return output.state() == OutputState::kLive; }, 1000));
  output.stop();
}

TEST_F(OutputTest, TheWatchdogReconnectsWhenNothingIsWritten) {
  TestOutput output(probe, {});
  output.start();
  ASSERT_TRUE(spinUntil([&] { return output.state() == OutputState::kLive; }, 1000));
  // The socket stops taking anything.
  ASSERT_TRUE(spinUntil([&] { return output.state() == OutputState::kRetrying; }, 0, 3000));
  EXPECT_EQ(output.stats().last_error, "stalled: nothing written for 1 s");
  // A new attempt that never writes a byte fails too, with its own reason.
  ASSERT_TRUE(spinUntil([&] { return probe.started == 2; }));
  ASSERT_TRUE(spinUntil([&] { return output.stats().reconnects == 2; }, 0, 3000));
  EXPECT_EQ(output.stats().last_error, "no data accepted within 1 s");
  output.stop();
}

TEST_F(OutputTest, GivesUpAfterTheAttemptsAllowed) {
  TestOutput output(probe, {});
  output.backoff_policy.max_attempts = 2;
  output.start();
  probe.listener->transportFailed("refused");
  EXPECT_EQ(output.state(), OutputState::kRetrying);
  ASSERT_TRUE(spinUntil([&] { return probe.listener != nullptr; }));
  probe.listener->transportFailed("refused again");
  EXPECT_EQ(output.state(), OutputState::kFailed);
  EXPECT_FALSE(spinUntil([&] { return probe.started > 2; }, 0, 300)) << "no third attempt";
  output.start();  // the producer tries again
  EXPECT_EQ(probe.started, 3);
  EXPECT_EQ(output.state(), OutputState::kConnecting);
  output.stop();
}

TEST_F(OutputTest, EachAttemptBeginsAtAKeyframeOnItsOwnTimeline) {
  TestOutput output(probe, {});
  const GstClockTime s = GST_SECOND;
  const GstClockTime ms = GST_MSECOND;
  probe.ready = false;  // an RTMP site that has not accepted the stream yet
  output.start();
  push(output, MediaKind::kVideo, 4 * s, 4 * s, true);
  EXPECT_TRUE(probe.pushed.empty()) << "not taken before the transport is ready";
  probe.ready = true;
  push(output, MediaKind::kAudio, 4 * s + 10 * ms, GST_CLOCK_TIME_NONE);
  push(output, MediaKind::kVideo, 4 * s + 33 * ms, 4 * s + 33 * ms);
  EXPECT_TRUE(probe.pushed.empty()) << "audio and inter frames wait for a keyframe";
  push(output, MediaKind::kVideo, 5 * s, 4 * s + 900 * ms, true);  // DTS before PTS (B-frames)
  push(output, MediaKind::kVideo, 5 * s + 100 * ms, 4 * s + 950 * ms);
  push(output, MediaKind::kAudio, 4 * s + 990 * ms, GST_CLOCK_TIME_NONE);  // before the keyframe
  push(output, MediaKind::kAudio, 5 * s + 20 * ms, 5 * s + 20 * ms);
  ASSERT_EQ(probe.pushed.size(), 3u);
  EXPECT_EQ(probe.pushed[0].kind, MediaKind::kVideo);
  EXPECT_EQ(probe.pushed[0].pts, 0u) << "the keyframe is the attempt's zero";
  EXPECT_EQ(probe.pushed[0].dts, 0u) << "a decode time before it is clamped to zero";
  EXPECT_EQ(probe.pushed[1].pts, 100 * ms);
  EXPECT_EQ(probe.pushed[1].dts, 1u) << "and the next one made to increase";
  EXPECT_EQ(probe.pushed[2].kind, MediaKind::kAudio);
  EXPECT_EQ(probe.pushed[2].pts, 20 * ms);
  EXPECT_EQ(probe.pushed[2].dts, 20 * ms);
  EXPECT_EQ(output.stats().media_duration_ms, 100u);

  probe.listener->transportFailed("gone");
  push(output, MediaKind::kVideo, 6 * s, 6 * s, true);
  EXPECT_EQ(probe.pushed.size(), 3u) << "nothing between the attempts";
  ASSERT_TRUE(spinUntil([&] { return probe.started == 2; }));
  push(output, MediaKind::kVideo, 7 * s + 33 * ms, 7 * s + 33 * ms);
  push(output, MediaKind::kVideo, 8 * s, 8 * s, true);
  ASSERT_EQ(probe.pushed.size(), 4u);
  EXPECT_EQ(probe.pushed[3].pts, 0u) << "the new attempt starts from zero at its keyframe";
  EXPECT_EQ(output.stats().media_duration_ms, 0u);
  output.stop();
}

}  // namespace
}  // namespace yst::streaming
