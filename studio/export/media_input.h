// A recording as the export reads it with libavformat: opened with its
// streams found (openInput), and probed for what the package needs to place
// it on the program clock (Probe: where its packets' clock starts, how long
// it is, which streams carry the picture and the sound, and their format).
// FFmpeg's error codes become ExportError here (check), saying what was
// being done.
//
// A recording cut by kill -9 has no duration in its header (Matroska writes
// it at the end): probe() then reads it through once. A finished one is not
// read twice.
#pragma once

#include <cstdint>
#include <string>

#include "studio/export/ffmpeg_raii.h"

struct AVRational;

namespace yst::exporter {

// Throws ExportError "<what>: <FFmpeg's words>" for a negative code.
void check(int code, const std::string& what);

// A timestamp in `time_base` units, in ms.
std::int64_t toMs(std::int64_t ts, AVRational time_base);

// The recording at `path`, its streams read; or ExportError "cannot open …",
// "cannot read the streams of …".
InputPtr openInput(const std::string& path);

// What must be equal in every part of one program.mp4: packets are copied,
// never re-encoded, so the parts must share the picture's and the sound's
// format.
struct MediaFormat {
  int video_codec = 0;  // AVCodecID
  int width = 0;
  int height = 0;
  bool has_audio = false;
  int audio_codec = 0;  // AVCodecID; the audio fields are 0 without audio
  int sample_rate = 0;
  int channels = 0;

  bool operator==(const MediaFormat&) const = default;
};

// The recording's streams and its clock: packet times on the recording's
// own scale start at `first_ms`.
struct Probe {
  std::int64_t first_ms = 0;
  std::int64_t duration_ms = 0;
  int video = -1;  // stream index
  int audio = -1;  // stream index, -1: none
  MediaFormat format;
};

// Throws ExportError when the file cannot be read or has no video.
Probe probe(const std::string& path);

}  // namespace yst::exporter
