// The program's loudness stage against an independent meter: libebur128
// reading what comes out, as ffmpeg's ebur128 filter would on the recording.
#include "streaming/loudness.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

namespace yst::streaming {
namespace {

constexpr int kRate = 48000;
constexpr int kChannels = 2;
constexpr std::size_t kBlock = 480;  // the mixer's 10 ms

// Stereo test material, made in blocks as the mixer hands them over.
class Signal {
 public:
  // A tone at `dbfs` peak, `seconds` long.
  void tone(double hz, double dbfs, double seconds) {
    const double amplitude = std::pow(10.0, dbfs / 20);
    const std::size_t frames = static_cast<std::size_t>(seconds * kRate);
    for (std::size_t i = 0; i < frames; ++i, ++t_) {
      const float v = static_cast<float>(
          amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(t_) / kRate));
      samples_.push_back(v);
      samples_.push_back(v);
    }
  }
  void silence(double seconds) { tone(1000, -200, seconds); }
  // Full-scale square-ish pulses (the worst case for inter-sample peaks:
  // a sine at a quarter of the rate, phase-shifted so that no sample lands
  // on its crest).
  void overs(double seconds) {
    const std::size_t frames = static_cast<std::size_t>(seconds * kRate);
    for (std::size_t i = 0; i < frames; ++i, ++t_) {
      const float v = static_cast<float>(
          std::sin(2 * std::numbers::pi * (kRate / 4.0) * static_cast<double>(t_) / kRate +
                   std::numbers::pi / 4));
      samples_.push_back(v);
      samples_.push_back(-v);
    }
  }
  std::vector<float>& samples() { return samples_; }

 private:
  std::vector<float> samples_;
  std::uint64_t t_ = 0;
};

struct Measured {
  double integrated = 0;
  double true_peak_db = 0;
  double sample_peak_db = 0;
};

struct Ebur128Free {
  void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};

// Runs the stage over the signal in 10 ms blocks; measures what came out
// from `skip_s` on.
Measured run(LoudnessControl& stage, std::vector<float>& samples, double skip_s = 0) {
  std::unique_ptr<ebur128_state, Ebur128Free> meter(ebur128_init(
      kChannels, kRate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK));
  const std::size_t frames = samples.size() / kChannels;
  const std::size_t skip = static_cast<std::size_t>(skip_s * kRate);
  for (std::size_t at = 0; at < frames; at += kBlock) {
    const std::size_t n = std::min(kBlock, frames - at);
    float* block = samples.data() + at * kChannels;
    stage.process(block, n);
    if (at >= skip) ebur128_add_frames_float(meter.get(), block, n);
  }
  Measured m;
  ebur128_loudness_global(meter.get(), &m.integrated);
  double tp = 0, sp = 0;
  for (unsigned ch = 0; ch < kChannels; ++ch) {
    double v = 0;
    ebur128_true_peak(meter.get(), ch, &v);
    tp = std::max(tp, v);
    ebur128_sample_peak(meter.get(), ch, &v);
    sp = std::max(sp, v);
  }
  m.true_peak_db = 20 * std::log10(tp);
  m.sample_peak_db = 20 * std::log10(sp);
  return m;
}

TEST(LoudnessControl, BringsAQuietSourceToTheTarget) {
  LoudnessControl stage(kRate, kChannels, {true, -23.0, -1.0});
  Signal s;
  s.tone(440, -40, 20);  // -40.7 LUFS (both channels count)
  const Measured m = run(stage, s.samples());
  EXPECT_NEAR(m.integrated, -23.0, 1.0);
  EXPECT_LE(m.true_peak_db, -1.0);
  const LoudnessReading r = stage.reading();
  EXPECT_NEAR(r.integrated, m.integrated, 0.5) << "its own meter reads what comes out";
  EXPECT_NEAR(r.gain_db, 17.7, 0.5);
}

TEST(LoudnessControl, FollowsACutBetweenSourcesFarApart) {
  // A quiet source, a cut to a loud one, then the quiet one again: the
  // program as a whole reads at the web's target.
  LoudnessControl stage(kRate, kChannels, {true, -16.0, -1.0});
  Signal s;
  s.tone(550, -35, 12);
  s.tone(770, -3, 12);
  s.tone(550, -35, 12);
  const Measured m = run(stage, s.samples());
  EXPECT_NEAR(m.integrated, -16.0, 1.0);
  EXPECT_LE(m.true_peak_db, -1.0);
}

TEST(LoudnessControl, TheLimiterHoldsInterSamplePeaksUnderTheCeiling) {
  // A quiet source brought up, then a burst at full scale whose peaks fall
  // between samples: faster than any gain can follow, so the limiter holds
  // it, true peak included (a sample-peak limiter would let it through).
  LoudnessControl stage(kRate, kChannels, {true, -16.0, -1.0});
  Signal s;
  s.tone(440, -30, 5);
  s.overs(0.1);
  const Measured m = run(stage, s.samples());
  EXPECT_LE(m.true_peak_db, -1.0);
  // Held at the ceiling, not far under it: the burst came through, limited.
  EXPECT_GT(m.true_peak_db, -1.6);
}

TEST(LoudnessControl, SilenceIsNotRaised) {
  LoudnessControl stage(kRate, kChannels, {true, -23.0, -1.0});
  Signal s;
  s.tone(440, -20, 6);
  s.silence(8);
  run(stage, s.samples());
  const double gain = stage.reading().gain_db;
  EXPECT_LT(gain, 0.0) << "a loud source was turned down";
  Signal quiet;
  quiet.tone(440, -90, 6);  // room tone far below -60 LUFS
  run(stage, quiet.samples());
  EXPECT_NEAR(stage.reading().gain_db, gain, 0.01) << "the gain held through near-silence";
}

TEST(LoudnessControl, MeasuredOnlyWhenControlIsOffTheAudioIsUntouched) {
  LoudnessControl stage(kRate, kChannels, {false, -23.0, -1.0});
  Signal s;
  s.tone(440, -3, 2);
  const std::vector<float> original = s.samples();
  run(stage, s.samples());
  const std::size_t late = stage.latencyFrames() * kChannels;
  ASSERT_GT(s.samples().size(), late + 1000);
  for (std::size_t i = late; i < s.samples().size(); i += 97) {
    ASSERT_EQ(s.samples()[i], original[i - late]) << "sample " << i;
  }
  EXPECT_EQ(stage.reading().gain_db, 0.0);
  EXPECT_LT(stage.latencyFrames(), std::size_t{kRate / 200}) << "more than 5 ms late";
}

}  // namespace
}  // namespace yst::streaming
