// The text files of the post-show package (exporter.h): the text record as
// Markdown and HTML, the subtitles as SRT and WebVTT, and questions.csv.
//
// Most of what these files hold was typed by viewers (questions, nicknames)
// and is published under the station's name, on the archive page and in the
// spreadsheet the departments open in Excel. So each writer keeps a viewer's
// text as text in its own format, whatever it holds:
//   - CSV: a cell that begins with = + - @, a tab or CR (or the full-width
//     ＝ ＋ － ＠) gets a leading ' so that Excel shows it instead of running
//     it as a formula (=HYPERLINK(…) would send the sheet's cells to a
//     stranger's server when clicked); cells are quoted, quotes doubled.
//   - SRT and WebVTT: a cue is one line. Line breaks of any kind (LF, CR,
//     CRLF, U+2028/2029, NEL, VT, FF) and blank lines fold into a space, so
//     that no question can end its cue and write a timing line of its own
//     (a cue over the whole archived video). WebVTT escapes & < >, so "-->"
//     cannot appear in a payload; SRT has no escapes, so < > { } become their
//     full-width forms (＜ ＞ ｛ ｝), which players show rather than read as
//     <font>/<i> or {\an8} tags.
//   - Markdown: one line per paragraph, Markdown's inline syntax escaped
//     (\ ` * _ [ ] # | ~, and the ':' of "://", the '.' of "www.", '@', which
//     GitHub-flavoured renderers would turn into links) and & < > as
//     entities, so that a question produces no heading, link, image, HTML or
//     list of its own.
//   - HTML: element text and attributes escaped.
// The words the files add themselves (column heads, statuses, "Host") are in
// the package's language; what was said and asked stays as it was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "studio/questions/question_desk.h"
#include "studio/store/transcript_table.h"

namespace yst::exporter {

// The language of the words a package adds. Zero is the invalid value.
enum class Language { kInvalid = 0, kChinese, kEnglish };

// "zh" or "en"; kInvalid for anything else.
Language parseLanguage(std::string_view name);

// "01:02:03" for a time in ms (negative: 00:00:00).
std::string timecode(std::int64_t ms);
// "01:02:03,456" (SRT) or "01:02:03.456" (WebVTT).
std::string subtitleTime(std::int64_t ms, char separator);
// Text for HTML element content and attribute values.
std::string escapeHtml(const std::string& text);

// The text on one line: each run of ASCII spaces, tabs and line breaks
// (blank lines included) becomes one space, other control characters are
// dropped, both ends are trimmed. Invalid UTF-8 becomes U+FFFD.
std::string oneLine(std::string_view text);

// One CSV cell: quoted, quotes doubled, a formula-like start neutralised
// with a leading '. Line breaks inside are kept (they are inside quotes).
std::string csvCell(std::string_view value);

// Text for inline Markdown (a heading, a paragraph, a list item): on one
// line, with nothing that Markdown or HTML would read as syntax.
std::string markdownText(std::string_view text);

// A subtitle cue on the recording's clock.
struct Cue {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string text;
};

// The subtitle files: one cue per entry, in order, each on one line.
std::string srt(const std::vector<Cue>& cues);
std::string vtt(const std::vector<Cue>& cues);

// What the text record says above the transcript.
struct RecordHead {
  std::string title;
  std::string date;  // "2026-11-27"
  std::string host;  // "王芳（主持人）", empty: none
  std::vector<std::string> guests;
};

// The text record: what was said before the first question, then each
// question with what followed it.
std::string markdownRecord(const RecordHead& head, const std::vector<store::TranscriptLine>& lines,
                           Language language);
std::string htmlRecord(const RecordHead& head, const std::vector<store::TranscriptLine>& lines,
                       Language language);

// questions.csv: UTF-8 with a BOM (Excel), CRLF rows, a header row, then one
// row per question. `votes` is by question id, merged questions' included.
std::string questionsCsv(const std::vector<questions::Question>& questions,
                         const std::map<std::int64_t, int>& votes, Language language);

}  // namespace yst::exporter
