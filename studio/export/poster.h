// The package's poster (poster.jpg): one frame of the recording as a JPEG,
// for the archive page and the CMS. The frame is decoded from the keyframe
// at or before the time asked for, so a recording without an index (cut by
// kill -9) still gives one.
#pragma once

#include <cstdint>
#include <string>

#include "studio/export/media_input.h"

namespace yst::exporter {

// The first frame decoded from the keyframe at or before `at_ms` (on the
// recording's own clock from its first packet) of the recording at `input`,
// as JPEG bytes. Throws ExportError when none can be decoded or encoded.
std::string posterJpeg(const std::string& input, const Probe& probe, std::int64_t at_ms);

}  // namespace yst::exporter
