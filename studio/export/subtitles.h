// The subtitles of the package: the transcript's lines as cues on the
// recording's clock (transcriptCues), written as SRT and WebVTT files, and
// as the ASS dialogue text of the MP4's timed-text track (remux.h).
//
// A cue's text was typed by a typist or, for a question, by a viewer, so
// each format keeps it as text:
//   - SRT and WebVTT: a cue is one line. Line breaks of any kind (LF, CR,
//     CRLF, U+2028/2029, NEL, VT, FF) and blank lines fold into a space
//     (oneLine, package_text.h), so that no question can end its cue and
//     write a timing line of its own (a cue over the whole archived video).
//     WebVTT escapes & < >, so "-->" cannot appear in a payload; SRT has no
//     escapes, so < > { } become their full-width forms (＜ ＞ ｛ ｝), which
//     players show rather than read as <font>/<i> or {\an8} tags.
//   - ASS (inside the MP4, where a cue is a packet and cannot end another):
//     { } \ become full-width, so no override block ({\an8}, {\pos…}) is
//     read; a line break stays one (\N).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "studio/store/transcript_table.h"

namespace yst::exporter {

// A subtitle cue on the recording's clock.
struct Cue {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string text;
};

// "01:02:03,456" (SRT) or "01:02:03.456" (WebVTT): hours are not wrapped at
// 24, a negative time is 00:00:00,000.
std::string subtitleTime(std::int64_t ms, char separator);

// The subtitle files: one cue per entry, in order, each on one line.
std::string srt(const std::vector<Cue>& cues);
std::string vtt(const std::vector<Cue>& cues);

// The transcript's lines (in timeline order) as cues on the recording's
// clock, where the session timeline's `offset_ms` is 0. A line that began
// before the recording, or at or after `until_ms` (> 0; 0: no end), has no
// cue. A cue shows from when its line began to be said, at least 2 s, but
// gives way to the next line (after 500 ms at least) and ends by `until_ms`;
// it lasts 1 ms at the least. A question's line is its text alone, every
// other line "<speaker>：<text>".
std::vector<Cue> transcriptCues(const std::vector<store::TranscriptLine>& lines,
                                std::int64_t offset_ms, std::int64_t until_ms);

// The cues that start in [from_ms, to_ms), in order.
std::vector<Cue> cuesStartingIn(const std::vector<Cue>& cues, std::int64_t from_ms,
                                std::int64_t to_ms);

// A cue's text as ASS dialogue text (the mov_text track).
std::string assText(const std::string& text);

}  // namespace yst::exporter
