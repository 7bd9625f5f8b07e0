// How the post-show package (exporter.h) keeps what people typed as text
// in each of its formats, and the package's language. The files that use
// these: text_record.h (Markdown, HTML), subtitles.h (SRT, WebVTT),
// questions_csv.h (CSV).
//
// Most of what the files hold was typed by viewers (questions, nicknames)
// and is published under the station's name, on the archive page and in the
// spreadsheet the departments open in Excel. So a viewer's text stays text
// in each format, whatever it holds:
//   - CSV: a cell that begins with = + - @, a tab or CR (or the full-width
//     ＝ ＋ － ＠) gets a leading ' so that Excel shows it instead of running
//     it as a formula (=HYPERLINK(…) would send the sheet's cells to a
//     stranger's server when clicked); cells are quoted, quotes doubled.
//   - One line (subtitles): line breaks of every kind fold into a space,
//     other control characters go (subtitles.h says why).
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
#include <string>
#include <string_view>
#include <vector>

namespace yst::exporter {

// The language of the words a package adds. Zero is the invalid value.
enum class Language { kInvalid = 0, kChinese, kEnglish };

// "zh" or "en"; kInvalid for anything else.
Language parseLanguage(std::string_view name);

// "01:02:03" for a time in ms (negative: 00:00:00).
std::string timecode(std::int64_t ms);
// Text for HTML element content and attribute values.
std::string escapeHtml(const std::string& text);

// The text on one line: each run of ASCII spaces, tabs and line breaks
// (blank lines included) becomes one space, other control characters are
// dropped, both ends are trimmed. Invalid UTF-8 becomes U+FFFD.
std::string oneLine(std::string_view text);

// One CSV cell: quoted, quotes doubled, a formula-like start neutralised
// with a leading '. Line breaks inside are kept (they are inside quotes).
std::string csvCell(std::string_view value);
// A row of cells (csvCell each), ended by CRLF.
std::string csvRow(const std::vector<std::string>& fields);

// Text for inline Markdown (a heading, a paragraph, a list item): on one
// line, with nothing that Markdown or HTML would read as syntax.
std::string markdownText(std::string_view text);

}  // namespace yst::exporter
