// The recording, remuxed: a stretch of the program copied into an MP4
// without re-encoding (program.mp4 is the whole show, a clip one question),
// with the transcript as a timed-text (mov_text) track, the questions as
// chapters, the show's metadata, and "+faststart" so that a browser plays it
// before it has all of it.
//
// The program may have been recorded in several parts (a resumed session, an
// archive that restarted after a disk error): each is placed on one program
// clock (Part), with the time between parts as a gap. Packets are copied, so
// a cut starts at a keyframe: the one at or before where it was asked to, or
// (nothing decodable before it) the first one after.
//
// Every FFmpeg object is held by ffmpeg_raii.h's handles, so an error or a
// cancel at any point leaves no context, packet or chapter behind; the MP4
// written so far is closed without its trailer (the archive service drops
// the whole unfinished package).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "studio/export/media_input.h"
#include "studio/export/subtitles.h"

namespace yst::exporter {

// One recording file placed on the program clock (0 = the first packet of
// the session's first recording).
struct Part {
  std::string path;
  Probe probe;
  std::int64_t at_ms = 0;  // where its first packet sits on the program clock
  std::int64_t end() const { return at_ms + probe.duration_ms; }
};

// A chapter of the MP4, on the program clock.
struct Chapter {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string title;
  std::int64_t question_id = 0;  // the aired question it is (its clip's name), 0: none
};

struct RemuxRequest {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;  // <= 0: to the end
  std::vector<Cue> cues;   // on the program clock
  std::vector<Chapter> chapters;
  std::map<std::string, std::string> metadata;  // title, date, artist, …
};

// Copies [from_ms, to_ms) of the program clock from `parts` (in order, at
// least one, all of the first one's format: the caller checks) to the MP4
// at `output`. Throws ExportError, "cancelled" when `cancel` is set. Returns
// the output's video duration in ms.
std::int64_t remux(const std::vector<Part>& parts, const std::filesystem::path& output,
                   const RemuxRequest& request, const std::atomic<bool>* cancel);

}  // namespace yst::exporter
