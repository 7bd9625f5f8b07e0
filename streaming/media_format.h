// The raw formats every part of the program path agrees on. Each source
// pipeline converts its camera to exactly this, so the mixer never has to
// renegotiate when a camera comes and goes.
#pragma once

#include <string>

namespace yst::streaming {

// What an encoded packet carries.
enum class MediaKind { kInvalid = 0, kVideo, kAudio };

struct VideoFormat {
  int width = 1280;
  int height = 720;
  int fps = 30;
};

// Program audio: 48 kHz stereo, interleaved signed 16-bit.
inline constexpr int kAudioRate = 48000;
inline constexpr int kAudioChannels = 2;
// The most sound (ns) an interaudio channel holds before its oldest is
// dropped: the sources' into the program, the program's to the monitor.
inline constexpr unsigned long long kInterAudioBufferNs = 200'000'000;

// Caps strings for capsfilters.
std::string rawVideoCaps(const VideoFormat& format, int fps_override = 0);
std::string rawAudioCaps();

}  // namespace yst::streaming
