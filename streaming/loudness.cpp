#include "streaming/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace yst::streaming {

namespace {

constexpr double kFloorLufs = -70.0;
// The oversampling filter: 8 taps per phase, Lanczos (a = 4) around the
// interpolated point, phases at 1/4, 2/4 and 3/4 of the way to the next
// frame (BS.1770-4's true peak is 4× oversampled too).
constexpr int kTaps = 8;
constexpr int kPhases = 4;
constexpr int kDetectorDelay = kTaps / 2;  // frames: the filter needs 4 frames ahead

struct Interpolator {
  float taps[kPhases][kTaps] = {};
  Interpolator() {
    for (int p = 1; p < kPhases; ++p) {
      const double d = static_cast<double>(p) / kPhases;
      double sum = 0;
      for (int k = 0; k < kTaps; ++k) {
        const double t = d - (k - (kTaps / 2 - 1));  // x[m-3] … x[m+4]
        const double pt = std::numbers::pi * t;
        const double w = std::abs(t) < 1e-9 ? 1.0 : std::sin(pt) / pt * std::sin(pt / 4) / (pt / 4);
        taps[p][k] = static_cast<float>(w);
        sum += w;
      }
      for (float& tap : taps[p]) tap = static_cast<float>(tap / sum);
    }
  }
};
const Interpolator& interpolator() {
  static const Interpolator filter;
  return filter;
}

double floorLufs(double v) {
  return std::isfinite(v) ? std::max(v, kFloorLufs) : kFloorLufs;
}

double toDb(double linear) {
  return linear > 0 ? 20.0 * std::log10(linear) : kFloorLufs;
}

}  // namespace

void LoudnessControl::Ebur128Deleter::operator()(ebur128_state* state) const {
  ebur128_destroy(&state);
}

LoudnessControl::LoudnessControl(int rate, int channels, LoudnessSettings settings)
    : rate_(rate),
      channels_(channels),
      settings_(settings),
      input_meter_(ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(rate),
                                EBUR128_MODE_M)),
      output_meter_(ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(rate),
                                 EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I |
                                     EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK |
                                     EBUR128_MODE_HISTOGRAM)) {
  const std::size_t look_ahead =
      std::max<std::size_t>(2, static_cast<std::size_t>(std::lround(kLookAheadS * rate)));
  box_.assign(look_ahead, 1.0f);
  box_sum_ = static_cast<double>(look_ahead);
  // The frame the needed gain of frame c is known for leaves L - 1 frames
  // after c; c itself is known kDetectorDelay frames after it came in.
  delay_ = look_ahead - 1 + kDetectorDelay;
  delay_line_.assign(delay_ * static_cast<std::size_t>(channels), 0.0f);
  history_.assign(static_cast<std::size_t>(kTaps) * static_cast<std::size_t>(channels), 0.0f);
  release_step_ = static_cast<float>(1.0 - std::exp(-1.0 / (kReleaseS * rate)));
  ceiling_ =
      static_cast<float>(std::pow(10.0, (settings_.true_peak_dbtp - kCeilingMarginDb) / 20.0));
}

LoudnessControl::~LoudnessControl() = default;

double LoudnessControl::windowLoudness() const {
  // BS.1770's gating over the window's blocks: the absolute gate at -70 LUFS,
  // then the relative one 10 LU under the mean of what passed it.
  constexpr double kAbsoluteGate = 1.1724653045822963e-7;  // -70 LUFS as a mean square
  auto mean = [this](double above) {
    double sum = 0;
    std::size_t n = 0;
    for (double block : blocks_) {
      if (block > above) {
        sum += block;
        ++n;
      }
    }
    return n == 0 ? 0.0 : sum / static_cast<double>(n);
  };
  const double ungated = mean(kAbsoluteGate);
  if (ungated <= 0) return -HUGE_VAL;
  const double gated = mean(std::max(kAbsoluteGate, ungated * 0.1));
  return gated > 0 ? -0.691 + 10 * std::log10(gated) : -HUGE_VAL;
}

void LoudnessControl::steerGain(double block_s) {
  double momentary = -HUGE_VAL;
  ebur128_loudness_momentary(input_meter_.get(), &momentary);
  // A block every 100 ms into the window.
  while (frame_ >= next_block_frame_) {
    next_block_frame_ += static_cast<std::uint64_t>(rate_ / 10);
    blocks_.push_back(std::isfinite(momentary) ? std::pow(10.0, (momentary + 0.691) / 10) : 0.0);
    if (blocks_.size() > static_cast<std::size_t>(kWindowS * 10)) blocks_.pop_front();
  }
  const double window = windowLoudness();
  // Held on near silence, and from the moment a source stops.
  if (!settings_.control || !(window > kSilenceLufs) || !(momentary > kSilenceLufs)) return;
  const double target = settings_.target_lufs;
  // A cut to a much louder source shows in the momentary loudness (400 ms)
  // at once: it counts then.
  const bool jump = momentary > window + kJumpOverLu;
  const double loudest = jump ? momentary : window;
  double wanted = std::clamp(target - loudest, -kMaxGainDb, kMaxGainDb);
  // The first 3 s of sound set the gain at once.
  if (!gain_set_) {
    if (blocks_.size() < 30) return;
    gain_db_ = wanted;
    gain_set_ = true;
    return;
  }
  far_under_s_ = window + gain_db_ < target - kFarUnderLu ? far_under_s_ + block_s : 0;
  double rate = 0;
  if (wanted < gain_db_) {
    rate = jump ? kJumpDbPerS : kLowerDbPerS;
  } else {
    rate = far_under_s_ >= kFarUnderS ? kCatchUpDbPerS : kRaiseDbPerS;
  }
  const double step = rate * block_s;
  gain_db_ += std::clamp(wanted - gain_db_, -step, step);
}

float LoudnessControl::truePeakAt(const float* frames) const {
  // `frames`: the last kTaps frames, oldest first; the point is between
  // frames[3] and frames[4] (x[c] and x[c+1]), x[c] included.
  const Interpolator& f = interpolator();
  float peak = 0;
  for (int ch = 0; ch < channels_; ++ch) {
    peak = std::max(peak, std::abs(frames[(kTaps / 2 - 1) * channels_ + ch]));
    for (int p = 1; p < kPhases; ++p) {
      float v = 0;
      for (int k = 0; k < kTaps; ++k) v += f.taps[p][k] * frames[k * channels_ + ch];
      peak = std::max(peak, std::abs(v));
    }
  }
  return peak;
}

float LoudnessControl::limiterGain(float needed) {
  // The smallest gain needed over the look-ahead (a monotonic deque) …
  const std::size_t length = box_.size();
  while (!window_min_.empty() && window_min_.back().second >= needed) window_min_.pop_back();
  window_min_.emplace_back(frame_, needed);
  while (window_min_.front().first + length <= frame_) window_min_.pop_front();
  const float held = window_min_.front().second;
  // … averaged over the same length: it reaches the peak's gain exactly at
  // the peak, having ramped down over the look-ahead before it.
  box_sum_ += static_cast<double>(held) - box_[box_pos_];
  box_[box_pos_] = held;
  box_pos_ = (box_pos_ + 1) % length;
  const float smooth = static_cast<float>(box_sum_ / static_cast<double>(length));
  // Released slowly, never above what is needed.
  limiter_gain_ = std::min(smooth, limiter_gain_ + (1.0f - limiter_gain_) * release_step_);
  return limiter_gain_;
}

void LoudnessControl::process(float* samples, std::size_t frames) {
  if (frames == 0) return;
  const std::size_t channels = static_cast<std::size_t>(channels_);
  ebur128_add_frames_float(input_meter_.get(), samples, frames);
  const double before_db = gain_db_;
  steerGain(static_cast<double>(frames) / rate_);
  const double after_db = gain_db_;
  const bool control = settings_.control;
  const float from = static_cast<float>(std::pow(10.0, before_db / 20));
  const float to = static_cast<float>(std::pow(10.0, after_db / 20));
  lowest_gain_in_block_ = 1.0f;
  for (std::size_t i = 0; i < frames; ++i) {
    float* frame = samples + i * channels;
    // The automatic gain, ramped across the block (no zipper noise).
    const float t = static_cast<float>(i + 1) / static_cast<float>(frames);
    const float gain = control ? from + (to - from) * t : 1.0f;
    std::move(history_.begin() + static_cast<std::ptrdiff_t>(channels), history_.end(),
              history_.begin());
    for (std::size_t ch = 0; ch < channels; ++ch) {
      history_[(kTaps - 1) * channels + ch] = frame[ch] * gain;
    }
    // The frame kDetectorDelay back now has its true peak: its needed gain
    // joins the limiter's look-ahead (measured only: no limiter).
    float limit = 1.0f;
    if (control) {
      const float peak = truePeakAt(history_.data());
      limit = limiterGain(peak > ceiling_ ? ceiling_ / peak : 1.0f);
    }
    lowest_gain_in_block_ = std::min(lowest_gain_in_block_, limit);
    // The delay line: in goes the gained frame, out comes the one `delay_`
    // frames old, with the limiter's gain for it.
    float* slot = delay_line_.data() + delay_pos_ * channels;
    for (std::size_t ch = 0; ch < channels; ++ch) {
      const float out = slot[ch];
      slot[ch] = history_[(kTaps - 1) * channels + ch];
      frame[ch] = out * limit;
    }
    delay_pos_ = (delay_pos_ + 1) % delay_;
    ++frame_;
  }
  ebur128_add_frames_float(output_meter_.get(), samples, frames);

  // The readings, ten times a second.
  const std::uint64_t every = static_cast<std::uint64_t>(rate_ / 10);
  if (frame_ / every == (frame_ - frames) / every) return;
  LoudnessReading r;
  double v = -HUGE_VAL;
  if (ebur128_loudness_momentary(output_meter_.get(), &v) == EBUR128_SUCCESS)
    r.momentary = floorLufs(v);
  v = -HUGE_VAL;
  if (ebur128_loudness_shortterm(output_meter_.get(), &v) == EBUR128_SUCCESS)
    r.short_term = floorLufs(v);
  v = -HUGE_VAL;
  if (ebur128_loudness_global(output_meter_.get(), &v) == EBUR128_SUCCESS)
    r.integrated = floorLufs(v);
  v = 0;
  if (ebur128_loudness_range(output_meter_.get(), &v) == EBUR128_SUCCESS && std::isfinite(v))
    r.range = v;
  double peak = 0;
  for (unsigned ch = 0; ch < static_cast<unsigned>(channels_); ++ch) {
    double p = 0;
    if (ebur128_true_peak(output_meter_.get(), ch, &p) == EBUR128_SUCCESS) peak = std::max(peak, p);
  }
  r.true_peak = std::max(kFloorLufs, toDb(peak));
  r.gain_db = control ? gain_db_ : 0.0;
  r.limiting_db = std::min(0.0, toDb(lowest_gain_in_block_));
  std::lock_guard lock(mutex_);
  reading_ = r;
}

LoudnessReading LoudnessControl::reading() const {
  std::lock_guard lock(mutex_);
  return reading_;
}

}  // namespace yst::streaming
