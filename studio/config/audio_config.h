// The show file's [audio]: the program's loudness target and true-peak
// ceiling (AudioConfig in show_config.h).
#pragma once

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// The targets a loudness target may be set to: R128's -23 for broadcast, the
// streaming platforms' -14 to -16, and room on either side.
inline constexpr double kMinLoudnessTargetLufs = -36.0;
inline constexpr double kMaxLoudnessTargetLufs = -10.0;
inline constexpr double kMinTruePeakDbtp = -9.0;
inline constexpr double kMaxTruePeakDbtp = 0.0;

// [audio]: optional; each key has its default.
void readAudio(const TomlReader& reader, const toml::table& root, AudioConfig* audio);

}  // namespace yst::config
