// The program's loudness stage alone (streaming/loudness.h), for
// scripts/bench-loudness: the CPU time it takes for `seconds` of the
// program's stereo 48 kHz sound, in the mixer's 10 ms blocks, as a share of
// one core in real time. Material: speech-like bursts of a harmonic tone
// (gaps, syllables at several levels), so that the gain moves and the
// limiter works now and then. Prints one JSON line.
//
//   loudness_bench [seconds] [control 0|1]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <random>
#include <vector>

#include "streaming/loudness.h"

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 600;
  const bool control = argc > 2 ? std::atoi(argv[2]) != 0 : true;
  constexpr int kRate = 48000;
  constexpr std::size_t kBlock = 480;
  yst::streaming::LoudnessControl stage(kRate, 2, {control, -23.0, -1.0});
  // Ten seconds of material, made once and played again and again.
  std::vector<float> material(static_cast<std::size_t>(10 * kRate) * 2);
  std::mt19937 random(7);
  std::uniform_real_distribution<double> level(-40, -6);
  double amplitude = 0;
  for (std::size_t i = 0; i < material.size() / 2; ++i) {
    if (i % (kRate / 5) == 0)
      amplitude = (i / (kRate / 5)) % 4 == 3 ? 0 : std::pow(10, level(random) / 20);
    const double t = static_cast<double>(i) / kRate;
    const double v =
        amplitude *
        (std::sin(2 * std::numbers::pi * 180 * t) + 0.5 * std::sin(2 * std::numbers::pi * 360 * t) +
         0.25 * std::sin(2 * std::numbers::pi * 1250 * t)) /
        1.75;
    material[2 * i] = static_cast<float>(v);
    material[2 * i + 1] = static_cast<float>(v * 0.9);
  }
  std::vector<float> block(kBlock * 2);
  const std::size_t blocks = static_cast<std::size_t>(seconds * kRate / kBlock);
  const auto start = std::chrono::steady_clock::now();
  std::size_t at = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = material[(at + i) % material.size()];
    at = (at + block.size()) % material.size();
    stage.process(block.data(), kBlock);
  }
  const double cpu_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const yst::streaming::LoudnessReading r = stage.reading();
  std::printf(
      "{\"seconds\": %.0f, \"control\": %s, \"cpu_s\": %.3f, \"core_pct\": %.3f, "
      "\"integrated\": %.1f, \"true_peak\": %.1f}\n",
      seconds, control ? "true" : "false", cpu_s, 100.0 * cpu_s / seconds, r.integrated,
      r.true_peak);
}
