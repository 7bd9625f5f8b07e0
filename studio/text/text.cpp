#include "studio/text/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace yst::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes the sequence that starts at bytes[i] into `code_point` and returns
// its length, or 0 when it is not valid UTF-8. The bounds of the second byte
// follow table 3-7 of Unicode, which is what rules out overlong forms
// (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and values above U+10FFFF
// (F4 90..BF); C0, C1 and F5..FF never start a sequence.
std::size_t decodeOne(std::string_view bytes, std::size_t i, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = 0;
  unsigned low = 0x80;
  unsigned high = 0xBF;
  char32_t value = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (bytes.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned c = byte(i + k);
    if (c < low || c > high) return 0;
    low = 0x80;
    high = 0xBF;
    value = (value << 6) | (c & 0x3F);
  }
  code_point = value;
  return length;
}

// Calls visit(code_point, bytes_of_it) for each code point; an invalid byte
// is visited as U+FFFD and skipped alone, so decoding always moves on.
template <typename Visit>
void forEachCodePoint(std::string_view bytes, Visit&& visit) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    char32_t c = 0;
    std::size_t length = decodeOne(bytes, i, c);
    if (length == 0) {
      c = kReplacement;
      length = 1;
    }
    visit(c, bytes.substr(i, length));
    i += length;
  }
}

void appendUtf8(std::string& out, char32_t c) {
  if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) c = kReplacement;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool isControl(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

// General category Zs, which is exactly this list.
bool isSpaceSeparator(char32_t c) {
  return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

bool isLineSeparator(char32_t c) {
  return c == '\n' || c == 0x2028 || c == 0x2029;
}

// Characters that display nothing by themselves. Shown on a page or the
// program they are at best useless; at worst they reverse the text after them
// (an unclosed bidi override in a nickname spills into the question shown next
// to it), make two nicknames that look alike differ, or hide words from
// moderators (tag characters are invisible copies of ASCII).
bool isInvisible(char32_t c) {
  return c == 0xAD ||                     // soft hyphen
         c == 0x061C ||                   // Arabic letter mark
         c == 0x180E ||                   // Mongolian vowel separator
         (c >= 0x200B && c <= 0x200F) ||  // zero width space, non-joiner, joiner; LRM, RLM
         (c >= 0x202A && c <= 0x202E) ||  // bidi embeddings and overrides
         (c >= 0x2060 && c <= 0x206F) ||  // word joiner, invisible operators, bidi isolates
         c == 0xFEFF ||                   // zero width no-break space (byte order mark)
         (c >= 0xFFF9 && c <= 0xFFFB) ||  // interlinear annotation
         (c >= 0xE0000 && c <= 0xE007F);  // tags
}

// U+FDD0..U+FDEF and the last two code points of every plane: reserved for a
// program's internal use, never meant to be exchanged.
bool isNoncharacter(char32_t c) {
  return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

enum class CleanClass { kKeep = 1, kDrop, kSpace, kNewline };

CleanClass classifyForCleaning(char32_t c, bool keep_newlines) {
  if (isLineSeparator(c)) return keep_newlines ? CleanClass::kNewline : CleanClass::kSpace;
  // The other whitespace controls separate words as a space does.
  if (c == '\t' || c == '\v' || c == '\f') return CleanClass::kSpace;
  if (isControl(c)) return CleanClass::kDrop;  // '\r' too: "\r\n" is one newline
  if (isSpaceSeparator(c)) return CleanClass::kSpace;
  if (isInvisible(c) || isNoncharacter(c)) return CleanClass::kDrop;
  return CleanClass::kKeep;
}

struct Range {
  char32_t first;
  char32_t last;
};

// What normalizeForMatch removes beyond ASCII (where everything but letters
// and digits goes), controls, spaces and invisible characters: the
// punctuation and symbols that people put between the characters of a word to
// get it past a filter, and emoji. Whole blocks where a block holds only
// punctuation and symbols; inside CJK Symbols and Punctuation the ideographic
// letters and numbers (々〆〇, Hangzhou numerals, kana repeat marks) stay.
// Three blocks also hold a few decorative numbers (², ❶, 🄂) and ª º µ; they
// go too, which no real word needs. Sorted and disjoint, for the binary
// search below.
constexpr std::array kMatchRemoved = {
    Range{0x00A1, 0x00BF},  // Latin-1 punctuation and symbols (¡«·»¿ …)
    Range{0x00D7, 0x00D7},  // ×
    Range{0x00F7, 0x00F7},  // ÷
    Range{0x0300, 0x036F},  // combining diacritical marks (accents stacked as in Zalgo text)
    Range{0x1AB0, 0x1AFF},  // combining diacritical marks extended
    Range{0x1DC0, 0x1DFF},  // combining diacritical marks supplement
    Range{0x2000, 0x206F},  // General Punctuation (— ‘’ “” • … ※ ‼)
    Range{0x20A0, 0x20CF},  // currency symbols
    Range{0x20D0, 0x20FF},  // combining marks for symbols (keycap, enclosing circle)
    Range{0x2190, 0x23FF},  // arrows, mathematical operators, miscellaneous technical
    Range{0x2500, 0x27BF},  // box drawing, blocks, geometric shapes (●■▲), symbols (★☆☎), dingbats
    Range{0x2B00, 0x2BFF},  // miscellaneous symbols and arrows (⭐)
    Range{0x3000, 0x3004},  // ideographic space, 、。〃〄
    Range{0x3008, 0x3020},  // CJK brackets 〈〉《》「」『』【】〔〕, 〒〓, 〜, quotes
    Range{0x3030, 0x3030},  // 〰
    Range{0x3036, 0x3037},  // 〶〷
    Range{0x303D, 0x303F},  // 〽〾〿
    Range{0xFE00, 0xFE1F},  // variation selectors (emoji presentation), vertical forms
    Range{0xFE20, 0xFE2F},  // combining half marks
    Range{0xFE30, 0xFE6F},  // CJK compatibility forms, small form variants (﹐﹑﹒)
    Range{0xFF5F, 0xFF65},  // ｟｠, halfwidth ｡｢｣､･ (U+FF01..U+FF5E were mapped to ASCII before)
    Range{0xFFE0, 0xFFEE},    // full-width ￠￡￢￣￤￥￦, halfwidth symbols
    Range{0xFFF0, 0xFFFF},    // specials: object and replacement characters (U+FFFD)
    Range{0x1F000, 0x1FAFF},  // mahjong, cards, enclosed supplements, emoji and pictographs
    Range{0xE0000, 0xE0FFF},  // tags, variation selectors supplement
};

constexpr bool sortedAndDisjoint(const auto& ranges) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].first > ranges[i].last) return false;
    if (i > 0 && ranges[i].first <= ranges[i - 1].last) return false;
  }
  return true;
}
static_assert(sortedAndDisjoint(kMatchRemoved));

bool inMatchRemoved(char32_t c) {
  const auto it = std::upper_bound(kMatchRemoved.begin(), kMatchRemoved.end(), c,
                                   [](char32_t value, const Range& r) { return value < r.first; });
  return it != kMatchRemoved.begin() && c <= std::prev(it)->last;
}

bool isAsciiLetterOrDigit(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Everything cleanText drops or turns into whitespace is ignored here too,
// which is what makes cleaning before matching a no-op for the matcher.
bool isIgnoredForMatch(char32_t c) {
  if (c < 0x80) return !isAsciiLetterOrDigit(c);
  return isControl(c) || isSpaceSeparator(c) || isLineSeparator(c) || isInvisible(c) ||
         isNoncharacter(c) || inMatchRemoved(c);
}

}  // namespace

bool isValidUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    char32_t c = 0;
    const std::size_t length = decodeOne(bytes, i, c);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::u32string decodeUtf8(std::string_view valid_utf8) {
  std::u32string out;
  out.reserve(valid_utf8.size());
  forEachCodePoint(valid_utf8, [&](char32_t c, std::string_view) { out.push_back(c); });
  return out;
}

std::string encodeUtf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size() * 3);
  for (char32_t c : code_points) appendUtf8(out, c);
  return out;
}

std::size_t countChars(std::string_view valid_utf8) {
  // Every code point has exactly one byte that is not a continuation byte.
  return static_cast<std::size_t>(std::count_if(valid_utf8.begin(), valid_utf8.end(), [](char b) {
    return (static_cast<unsigned char>(b) & 0xC0) != 0x80;
  }));
}

namespace {

constexpr std::size_t kMaxCombiningMarks = 3;

// The combining diacritical mark blocks.
bool isCombiningMark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

}  // namespace

CleanedText cleanText(std::string_view raw, std::size_t max_chars, bool keep_newlines) {
  CleanedText result;
  if (!isValidUtf8(raw)) {
    result.problem = TextProblem::kInvalidUtf8;
    return result;
  }
  std::string& out = result.text;
  out.reserve(raw.size());
  // Whitespace is held back until the next visible character: a run collapses
  // to one separator, and a run at either end is never written.
  bool pending_space = false;
  std::size_t pending_newlines = 0;
  std::size_t marks_in_a_row = 0;
  forEachCodePoint(raw, [&](char32_t c, std::string_view bytes) {
    switch (classifyForCleaning(c, keep_newlines)) {
      case CleanClass::kDrop:
        return;
      case CleanClass::kSpace:
        pending_space = true;
        marks_in_a_row = 0;
        return;
      case CleanClass::kNewline:
        ++pending_newlines;
        marks_in_a_row = 0;
        return;
      case CleanClass::kKeep:
        break;
    }
    // Stacked combining marks ("Zalgo" text) draw far above and below the
    // line and would spill out of any box the text is set in; no script
    // needs more than a few on one character. Counted over what is kept, so
    // that cleaning twice changes nothing more.
    if (isCombiningMark(c)) {
      if (++marks_in_a_row > kMaxCombiningMarks) return;
    } else {
      marks_in_a_row = 0;
    }
    if (!out.empty()) {
      if (pending_newlines > 0) {
        const std::size_t newlines = std::min<std::size_t>(pending_newlines, 2);
        out.append(newlines, '\n');
        result.chars += newlines;
      } else if (pending_space) {
        out += ' ';
        ++result.chars;
      }
    }
    pending_space = false;
    pending_newlines = 0;
    out.append(bytes);
    ++result.chars;
  });
  if (result.chars == 0) {
    result.problem = TextProblem::kEmpty;
  } else if (result.chars > max_chars) {
    result.problem = TextProblem::kTooLong;
  }
  return result;
}

std::u32string normalizeForMatch(std::string_view valid_utf8) {
  std::u32string out;
  out.reserve(valid_utf8.size());
  forEachCodePoint(valid_utf8, [&](char32_t c, std::string_view) {
    // Full-width ASCII (what a Chinese input method types in full-width
    // mode) is the same letter, digit or mark as its ASCII original.
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFF01 - 0x21;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (!isIgnoredForMatch(c)) out.push_back(c);
  });
  return out;
}

std::string escapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace yst::text
