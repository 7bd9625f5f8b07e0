// What goes into the package, decided from the session before any file is
// written (exporter.cpp writes them): where each recording sits on the
// program clock and which are left out, one chapter and one clip per aired
// question, the MP4's metadata, the poster's frame, and summary.json, the
// package's manifest (what it holds, what is missing, the show in numbers).
//
// The folder, in the order it is written:
//   transcript.md, transcript.html, transcript.json   the text record (text_record.h)
//   questions.csv                                     every question (questions_csv.h)
//   subtitles.srt, subtitles.vtt                      on program.mp4's clock (subtitles.h)
//   program.mp4                                       the whole program, chapters, subtitles
//   (remux.h) clips/q<id>.mp4                                   one per aired question (remux.h)
//   poster.jpg                                        (poster.h)
//   summary.json                                      the manifest, written last
// Without a readable recording the media files are left out, and a warning
// says so.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "studio/export/remux.h"
#include "studio/export/session.h"
#include "studio/export/subtitles.h"

namespace yst::exporter {

// The session's recordings on one program clock.
struct ProgramParts {
  std::vector<Part> parts;            // in order, never overlapping; empty: no program
  std::int64_t offset_ms = 0;         // the session timeline at the program clock's 0
  std::vector<std::string> warnings;  // what is missing from the program, for people
  std::int64_t durationMs() const { return parts.empty() ? 0 : parts.back().end(); }
};

using ProbeFunction = std::function<Probe(const std::string& path)>;

// Places the recordings in database order: the first readable one at 0, each
// later one where the session timeline says it began (never over the part
// before). A recording that is missing, cannot be read (`probe` throws
// ExportError) or differs in format from the first is left out with a
// warning; one that did not end cleanly is used as far as it goes, with a
// warning. A relative path is under `data_dir`.
ProgramParts placeRecordings(const std::vector<Recording>& recordings, const std::string& data_dir,
                             const ProbeFunction& probe);

// The first `chars` characters (UTF-8) of `text`, and "…" if that was not
// all of it.
std::string shortTitle(const std::string& text, std::size_t chars);

// One chapter per aired question (in air order) that went on air inside the
// program: from then until it was answered, the next question went on air or
// the program ended, whichever came first; at least 1 ms. Titled
// "Q<id> · <the question on one line, 16 characters at most>".
std::vector<Chapter> questionChapters(const std::vector<const questions::Question*>& aired,
                                      std::int64_t offset_ms, std::int64_t duration_ms);

// program.mp4's metadata: title, date, the guests as artist, the host as
// composer, and what the file is.
std::map<std::string, std::string> programMetadata(const Session& session);

// "clips/q<id>.mp4"
std::string clipFile(std::int64_t question_id);

// A question's clip: its chapter's stretch, titled by the question, with the
// cues that start in it or up to 2 s before (the line that leads into it).
RemuxRequest clipRequest(const Chapter& chapter, const std::vector<Cue>& cues,
                         const std::map<std::string, std::string>& program_metadata);

// The poster's frame: 1 s after the first aired question went on air, or a
// tenth into the program without one; in the part that holds that time (a
// time in a gap: the next part's start), at least 1 s before that part's end.
struct PosterFrame {
  const Part* part = nullptr;
  std::int64_t at_ms = 0;  // on the part's own clock from its first packet
};
PosterFrame posterFrame(const std::vector<const questions::Question*>& aired,
                        const ProgramParts& program);

// A clip as the manifest lists it.
struct ClipEntry {
  std::string file;
  std::int64_t question_id = 0;
  std::int64_t from_ms = 0;  // on the program clock
  std::int64_t to_ms = 0;
  std::int64_t duration_ms = 0;  // of the clip's video, from its keyframe
};

// summary.json: the session, its questions by status and by reason not
// taken, how many went on air and how many await the departments, questions
// per minute, the peak audience, the recording's length and parts, where the
// session timeline sits in program.mp4 (program_offset_ms), the clips and
// the warnings.
std::string summaryJson(const Session& session, const ProgramParts& program, std::size_t aired,
                        const std::vector<ClipEntry>& clips,
                        const std::vector<std::string>& warnings);

}  // namespace yst::exporter
