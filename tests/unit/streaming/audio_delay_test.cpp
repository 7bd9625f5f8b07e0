// Lip sync's delay line: a click comes out exactly the delay later; a new
// delay is slid to, never jumped to (no gap, no repeated piece, no click);
// 16-bit sound as float; and the element in a real pipeline.
#include "streaming/audio_delay.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "streaming/gst_ptr.h"

namespace yst::streaming {
namespace {

constexpr int kRate = 48000;

TEST(DelayLine, AClickComesOutExactlyTheDelayLater) {
  for (int ms : {0, 1, 40, 250, DelayLine::kMaxDelayMs}) {
    DelayLine line(kRate, 2);
    line.setDelayMs(ms);
    const std::size_t delay = static_cast<std::size_t>(kRate) * ms / 1000;
    std::vector<float> sound((delay + 1000) * 2, 0.0f);
    sound[100 * 2] = 1.0f;       // left
    sound[100 * 2 + 1] = -0.5f;  // right
    // In blocks, as buffers arrive.
    for (std::size_t at = 0; at < sound.size() / 2; at += 480) {
      line.process(sound.data() + at * 2, std::min<std::size_t>(480, sound.size() / 2 - at));
    }
    for (std::size_t f = 0; f < sound.size() / 2; ++f) {
      const float left = f == 100 + delay ? 1.0f : 0.0f;
      ASSERT_FLOAT_EQ(sound[f * 2], left) << ms << " ms, frame " << f;
      ASSERT_FLOAT_EQ(sound[f * 2 + 1], -left / 2) << ms << " ms, frame " << f;
    }
  }
}

// A 440 Hz tone through a delay that changes from 0 to 100 ms and back while
// it plays: the sound never stops or jumps (the largest step between two
// samples stays that of the tone, a little faster or slower), and the delay
// arrives at 2 % of real time.
TEST(DelayLine, ANewDelayIsSlidToWithoutAGap) {
  DelayLine line(kRate, 1);
  const double step = 2 * std::numbers::pi * 440.0 / kRate;
  const float tone_step = static_cast<float>(std::sin(step));  // the tone's largest step
  std::vector<float> out;
  std::size_t t = 0;
  auto play = [&](std::size_t frames) {
    std::vector<float> block(frames);
    for (float& s : block) s = static_cast<float>(std::sin(step * static_cast<double>(t++)));
    line.process(block.data(), frames);
    out.insert(out.end(), block.begin(), block.end());
  };
  play(kRate / 2);
  line.setDelayMs(100);
  // 4800 frames of delay at 0.02 a frame: 240,000 frames, 5 s.
  play(kRate * 4);
  EXPECT_GT(line.currentDelayMs(), 60.0) << "on its way after 4 s";
  EXPECT_LT(line.currentDelayMs(), 100.0) << "not jumped";
  play(kRate * 2);
  EXPECT_DOUBLE_EQ(line.currentDelayMs(), 100.0);
  line.setDelayMs(0);
  play(kRate * 6);
  EXPECT_DOUBLE_EQ(line.currentDelayMs(), 0.0);
  float largest = 0;
  for (std::size_t i = kRate / 100; i + 1 < out.size(); ++i) {
    largest = std::max(largest, std::abs(out[i + 1] - out[i]));
  }
  EXPECT_LT(largest, tone_step * 1.03f) << "a jump in the sound";
  float quietest = 1;  // over every 10 ms window: the tone is never gone
  for (std::size_t i = kRate / 100; i + 480 < out.size(); i += 480) {
    float peak = 0;
    for (std::size_t j = i; j < i + 480; ++j) peak = std::max(peak, std::abs(out[j]));
    quietest = std::min(quietest, peak);
  }
  EXPECT_GT(quietest, 0.99f) << "a gap in the sound";
}

TEST(DelayLine, SixteenBitSoundAndTheLimits) {
  DelayLine line(kRate, 2);
  line.setDelayMs(5000);  // clamped to the most it holds
  EXPECT_DOUBLE_EQ(line.currentDelayMs(), DelayLine::kMaxDelayMs);
  line.setDelayMs(-3);
  EXPECT_DOUBLE_EQ(line.currentDelayMs(), 0.0);
  line.setDelayMs(10);
  std::vector<std::int16_t> sound(960 * 2, 0);
  sound[0] = 32767;
  sound[1] = -32768;
  line.process(sound.data(), 960);
  EXPECT_EQ(sound[0], 0);
  EXPECT_EQ(sound[480 * 2], 32767);
  EXPECT_EQ(sound[480 * 2 + 1], -32768);
}

TEST(AudioDelayElement, DelaysTheSoundInAPipeline) {
  gst_init(nullptr, nullptr);
  registerAudioDelay();
  GError* error = nullptr;
  ElementPtr pipeline = holdElement(gst_parse_launch(
      "audiotestsrc wave=sine num-buffers=10 samplesperbuffer=480 ! "
      "audio/x-raw,format=S16LE,rate=48000,channels=2 ! yst-audiodelay name=delay delay-ms=20 ! "
      "appsink name=sink sync=false",
      &error));
  ASSERT_EQ(error, nullptr) << (error ? error->message : "");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  std::vector<std::int16_t> got;
  while (SamplePtr sample{gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND)}) {
    GstMapInfo map;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    ASSERT_TRUE(gst_buffer_map(buffer, &map, GST_MAP_READ));
    const auto* s = reinterpret_cast<const std::int16_t*>(map.data);
    got.insert(got.end(), s, s + map.size / 2);
    gst_buffer_unmap(buffer, &map);
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  gst_object_unref(sink);
  ASSERT_EQ(got.size(), 4800u * 2);
  // 20 ms of silence (960 frames), then the tone.
  for (std::size_t i = 0; i < 960 * 2; ++i) ASSERT_EQ(got[i], 0) << i;
  int loud = 0;
  for (std::size_t i = 960 * 2; i < got.size(); ++i) loud += std::abs(got[i]) > 1000;
  EXPECT_GT(loud, 1000);
}

}  // namespace
}  // namespace yst::streaming
