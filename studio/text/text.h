// What people type: viewers' questions and nicknames, producers' edits.
// Everything that arrives from a browser passes through here before it is
// stored, filtered or shown on a page or the broadcast overlay. isValidUtf8 is
// the strict gate; cleanText removes what must never reach a page or the
// program (control characters, bidi overrides that reverse what follows,
// invisible characters that make two equal-looking texts differ) and counts
// characters the way viewers count them, in code points, so that 300 汉字 fit
// a 300-character limit. normalizeForMatch is the loose form compared by the
// sensitive-word filter (word_filter.h) and near-duplicate detection
// (duplicates.h), so that "赌 博", "赌.博" and "ＦＵＣＫ" are no way around
// them. There is no ICU here: the rules are ranges of code points, listed and
// explained in text.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yst::text {

// Strict RFC 3629 (table 3-7 of Unicode): refuses overlong forms, UTF-16
// surrogates, code points above U+10FFFF and truncated sequences.
bool isValidUtf8(std::string_view bytes);

// For text already checked with isValidUtf8. An invalid sequence still
// decodes, to U+FFFD, so a caller that skipped the check gets a wrong
// character, never undefined behaviour.
std::u32string decodeUtf8(std::string_view valid_utf8);
// Surrogates and values above U+10FFFF are written as U+FFFD, so the result is
// always valid UTF-8.
std::string encodeUtf8(std::u32string_view code_points);

// Code points, which is what a limit such as "300 characters" means to a
// viewer (not bytes: a CJK character is 3 bytes, an emoji 4).
std::size_t countChars(std::string_view valid_utf8);

enum class TextProblem { kNone = 0, kInvalidUtf8, kEmpty, kTooLong };

struct CleanedText {
  std::string text;
  std::size_t chars = 0;  // code points in text
  TextProblem problem = TextProblem::kNone;
};

// Removes control characters (keeping '\n' only with keep_newlines; a tab
// becomes a space, '\r' disappears), DEL and C1 controls, bidi controls,
// zero-width and other invisible characters and noncharacters; collapses
// each run of whitespace (any Unicode space, U+3000 included) to one ASCII
// space, or, when it holds newlines, to one or at most two '\n' (so a
// paragraph break survives, a wall of blank lines does not); trims both ends.
// Without keep_newlines a newline is whitespace like any other.
// Problems: kInvalidUtf8 (text empty), kEmpty (nothing visible left),
// kTooLong (more than max_chars code points; the cleaned text is still
// returned so that a caller can show how long it is). Idempotent: cleaning the
// cleaned text changes nothing.
CleanedText cleanText(std::string_view raw, std::size_t max_chars, bool keep_newlines);

// Text for HTML or XML, as character data or a quoted attribute value:
// & < > " ' escaped (the apostrophe as &#39;, which both read).
std::string escapeMarkup(std::string_view text);

// The comparison form: full-width ASCII becomes half-width, ASCII letters
// lower case, and every space, control, invisible character, combining
// accent, punctuation mark, symbol and emoji is removed, so that the letters
// and digits of every script remain ("Ｆ-U*c k" → "fuck", "赌 博！" → "赌博"). The
// removed ranges are listed in text.cpp. Cleaning first
// does not change the result: normalizeForMatch(cleanText(x).text) ==
// normalizeForMatch(x). Invalid sequences, if any, are dropped.
std::u32string normalizeForMatch(std::string_view valid_utf8);

}  // namespace yst::text
