// "yst-loudness": the program's loudness stage (streaming/loudness.h) as a
// GStreamer element, in place on interleaved 32-bit float audio. The
// program sets its settings before it plays and reads its meters from the
// status timer.
#pragma once

#include <gst/gst.h>

#include <optional>

#include "streaming/loudness.h"

namespace yst::streaming {

void registerLoudnessElement();
// Before the element negotiates (the stage is made then, with these).
void setLoudnessSettings(GstElement* element, const LoudnessSettings& settings);
// Nothing before the first audio came through.
std::optional<LoudnessReading> loudnessReading(GstElement* element);

}  // namespace yst::streaming
