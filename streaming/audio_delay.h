// Lip sync: a source's sound delayed against its picture, by a number of
// milliseconds that can change while the show is on air without a gap or a
// click.
//
// A camera's picture reaches the program later than a microphone's sound
// (the camera's own processing, an encoder, a network): the sound must wait
// for it. A new delay is not jumped to (that would cut out or repeat a piece
// of sound): the read position slides towards it at 2 % of real time, so the
// sound plays 2 % slower or faster (a third of a semitone, unnoticed in
// speech) until it is there; 40 ms, a typical correction, takes 2 s.
//
// The element "yst-audiodelay" (property "delay-ms", 0…kMaxDelayMs) runs it
// in a source's audio in the program, interleaved S16LE or F32LE.
#pragma once

#include <cstdint>
#include <vector>

namespace yst::streaming {

class DelayLine {
 public:
  static constexpr int kMaxDelayMs = 2000;
  // How far the read position moves per sample while it slides: 2 %.
  static constexpr double kSlew = 0.02;

  DelayLine(int rate, int channels);

  // The delay to reach (clamped to 0…kMaxDelayMs). Before the first sound
  // it applies at once; afterwards the sound slides to it.
  void setDelayMs(int delay_ms);
  // The delay the sound has now, in ms (while sliding: on its way).
  double currentDelayMs() const;

  // Delays `frames` interleaved frames in place.
  void process(float* samples, std::size_t frames);
  void process(std::int16_t* samples, std::size_t frames);

 private:
  template <typename T>
  void run(T* samples, std::size_t frames);

  const int rate_;
  const int channels_;
  std::vector<float> ring_;  // kMaxDelayMs + a margin, interleaved
  std::size_t frames_in_ring_ = 0;
  std::size_t write_ = 0;  // next frame written
  double delay_ = 0;       // frames, now
  double target_ = 0;      // frames, to reach
  bool started_ = false;
};

// Registers "yst-audiodelay" (once).
void registerAudioDelay();

}  // namespace yst::streaming
