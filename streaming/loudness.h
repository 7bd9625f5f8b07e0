// The program's loudness (EBU R128 / ITU-R BS.1770, measured with
// libebur128): a meter and a control stage that brings the program to a
// target loudness however loud each microphone and camera is, and a
// true-peak limiter that keeps it under a ceiling.
//
//   input ─ gain (automatic) ─ true-peak limiter (2 ms look-ahead) ─ output
//      └ input meter (short-term, momentary)   output meter ┘ (M, S, I, true peak)
//
// The gain follows the input's loudness over the last 6 s, measured as R128
// measures a programme (400 ms blocks, gated at -70 LUFS and 10 LU under
// their mean), so that the pauses of speech do not count as quietness and
// the program's integrated loudness lands on the target. It comes down at up
// to 8 dB/s and goes up at up to 3 dB/s, 8 dB/s once the program has stayed
// 10 LU under the target for 2 s (a new, quiet source, not a pause between
// phrases), and it holds while the input is near silence (its momentary
// loudness under -50 LUFS: room tone is not raised). A sudden loud source
// (its momentary loudness 6 LU over the window's) is brought down at
// 1000 dB/s (30 dB in 30 ms: the limiter holds the peaks meanwhile; a
// slower fall lets through enough to lift the programme's integrated
// loudness by a whole LU at a cut to a source 24 dB louder). The first
// reading of the show sets the gain at once. The gain stays within
// ±kMaxGainDb.
//
// The limiter looks at the signal four times oversampled (the true peak, as
// BS.1770 measures it), takes the smallest gain any sample in the next 2 ms
// needs, smooths it over those 2 ms and lets go over 150 ms: no sample and
// no inter-sample peak leaves above the ceiling. The audio is 2 ms late.
//
// Stereo-linked, interleaved 32-bit float, one thread (the audio's).
// Readings are copied out under a mutex for the status, from any thread.
#pragma once

#include <ebur128.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace yst::streaming {

struct LoudnessSettings {
  bool control = true;           // the gain and limiter; false: measured only
  double target_lufs = -23.0;    // EBU R128 for broadcast partners; -16 for the web
  double true_peak_dbtp = -1.0;  // the limiter's ceiling
};

// What the meters read; values below -70 (silence) are -70.
struct LoudnessReading {
  double momentary = -70;   // LUFS, 400 ms
  double short_term = -70;  // LUFS, 3 s
  double integrated = -70;  // LUFS, since the start (gated, as R128 defines it)
  double true_peak = -70;   // dBTP, the highest since the start
  double range = 0;         // LU, loudness range since the start
  double gain_db = 0;       // the control stage's gain now
  double limiting_db = 0;   // how far the limiter holds the signal down now (<= 0)
};

class LoudnessControl {
 public:
  static constexpr double kMaxGainDb = 24.0;
  static constexpr double kSilenceLufs = -50.0;
  static constexpr double kWindowS = 6.0;
  static constexpr double kRaiseDbPerS = 3.0;
  // A source that stays this far under the target this long is a new, quiet
  // one (not a pause between phrases): brought up faster.
  static constexpr double kFarUnderLu = 10.0;
  static constexpr double kFarUnderS = 2.0;
  static constexpr double kCatchUpDbPerS = 8.0;
  static constexpr double kLowerDbPerS = 8.0;
  static constexpr double kJumpDbPerS = 1000.0;
  static constexpr double kJumpOverLu = 6.0;
  static constexpr double kLookAheadS = 0.002;
  // The limiter aims this far under the ceiling: its 8-tap interpolation and
  // another meter's (libebur128's, ffmpeg's) differ by a few hundredths of a
  // dB on the worst signals.
  static constexpr double kCeilingMarginDb = 0.2;
  static constexpr double kReleaseS = 0.150;

  LoudnessControl(int rate, int channels, LoudnessSettings settings);
  ~LoudnessControl();
  LoudnessControl(const LoudnessControl&) = delete;
  LoudnessControl& operator=(const LoudnessControl&) = delete;

  // `frames` frames of `channels` interleaved samples, in place.
  void process(float* samples, std::size_t frames);
  LoudnessReading reading() const;
  const LoudnessSettings& settings() const { return settings_; }
  // Samples the output is late by (the limiter's look-ahead).
  std::size_t latencyFrames() const { return delay_; }

 private:
  struct Ebur128Deleter {
    void operator()(ebur128_state* state) const;
  };
  using Meter = std::unique_ptr<ebur128_state, Ebur128Deleter>;

  // The gain the control wants after a block, from the input meter.
  void steerGain(double block_s);
  // The input's gated loudness over the window (-inf while it has none).
  double windowLoudness() const;
  // The true peak between the 4th and 5th of the last kTaps frames
  // (`frames`, oldest first), 4× oversampled.
  float truePeakAt(const float* frames) const;
  float limiterGain(float needed);

  const int rate_;
  const int channels_;
  const LoudnessSettings settings_;
  Meter input_meter_;
  Meter output_meter_;

  // The automatic gain, in dB: where it is, and where it was at the start of
  // the block (the block ramps between the two).
  double gain_db_ = 0;
  bool gain_set_ = false;
  double far_under_s_ = 0;  // how long the output has been kFarUnderLu under the target
  // The input's momentary loudness every 100 ms (R128's blocks: 400 ms,
  // overlapping by 75 %), the last kWindowS of them, as mean squares.
  std::deque<double> blocks_;
  std::uint64_t next_block_frame_ = 0;

  // The limiter: the last few input frames (for the oversampling filter),
  // the delay line, a sliding minimum and a box filter of the needed gain.
  std::vector<float> history_;  // the last 8 gained frames, interleaved, oldest first
  std::vector<float> delay_line_;
  std::size_t delay_ = 0;
  std::size_t delay_pos_ = 0;
  std::deque<std::pair<std::uint64_t, float>> window_min_;  // (frame, needed gain)
  std::vector<float> box_;
  std::size_t box_pos_ = 0;
  double box_sum_ = 0;
  float limiter_gain_ = 1.0f;
  float release_step_ = 0;
  float ceiling_ = 1.0f;
  std::uint64_t frame_ = 0;
  float lowest_gain_in_block_ = 1.0f;

  mutable std::mutex mutex_;
  LoudnessReading reading_;  // Guarded by mutex_.
};

}  // namespace yst::streaming
