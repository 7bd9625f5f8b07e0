// Shared by the libFuzzer targets in this folder (run them with scripts/fuzz):
// an invariant check that aborts with a message, so that a broken invariant
// is a crash that libFuzzer saves and reports, in every build mode (assert
// would vanish under NDEBUG), and the checks on text that went through
// cleanText, which both targets make.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "studio/text/text.h"

namespace yst::fuzz {

inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// What cleanText promises about its output (text.h).
inline void requireClean(std::string_view text, std::size_t max_chars, bool newlines_allowed) {
  require(text::isValidUtf8(text), "cleaned text is valid UTF-8");
  require(text::countChars(text) <= max_chars, "cleaned text is within the limit");
  for (char32_t c : text::decodeUtf8(text)) {
    require(c >= 0x20 || (c == '\n' && newlines_allowed), "no C0 control but an allowed '\\n'");
    require(c < 0x7F || c > 0x9F, "no DEL or C1 control");
    require(!(c >= 0x200B && c <= 0x200F) && !(c >= 0x202A && c <= 0x202E) &&
                !(c >= 0x2060 && c <= 0x206F) && c != 0xFEFF,
            "no bidi control or zero-width character");
    require((c & 0xFFFE) != 0xFFFE && !(c >= 0xFDD0 && c <= 0xFDEF), "no noncharacter");
    require(c != 0x3000 && c != 0xA0 && c != '\t', "spaces are ASCII spaces");
  }
  if (!text.empty()) {
    require(text.front() != ' ' && text.front() != '\n', "no leading whitespace");
    require(text.back() != ' ' && text.back() != '\n', "no trailing whitespace");
  }
  for (std::string_view run : {"  ", " \n", "\n ", "\n\n\n"}) {
    require(text.find(run) == std::string_view::npos, "whitespace runs are collapsed");
  }
  require(text::cleanText(text, max_chars, newlines_allowed).text == text,
          "cleaning is idempotent");
}

}  // namespace yst::fuzz
