// The guard in front of toml++ (see toml_guard.h): one pass over the text that
// follows TOML's strings and comments just far enough to know where a key or
// a table name may start.
#include "studio/config/toml_guard.h"

#include "studio/text/text.h"

namespace yst::config {

std::optional<TomlTrap> findTomlTrap(std::string_view text) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  int line = 1;
  std::size_t line_start = 0;
  int depth = 0;           // brackets and braces open (values and headers)
  bool line_blank = true;  // nothing but whitespace yet on this line
  const auto column = [&](std::size_t at) {
    int n = 1;  // in characters, as toml++ counts
    for (std::size_t k = line_start; k < at; ++k) {
      if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++n;
    }
    return std::to_string(n);
  };
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a BOM is allowed
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      // A string left open at the end of its line is toml++'s error to
      // report, and it stops there.
      if (in == In::kBasic || in == In::kLiteral) return std::nullopt;
      if (in == In::kComment) in = In::kCode;
      ++line;
      line_start = i + 1;
      line_blank = true;
      continue;
    }
    switch (in) {
      case In::kComment:
        continue;
      case In::kBasic:
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in = In::kCode;
        }
        continue;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        continue;
      case In::kMultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (text.substr(i, 3) == "\"\"\"") {
          i += 2;
          in = In::kCode;
        }
        continue;
      case In::kMultiLiteral:
        if (text.substr(i, 3) == "'''") {
          i += 2;
          in = In::kCode;
        }
        continue;
      case In::kCode:
        break;
    }
    if (c == '#') {
      in = In::kComment;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool triple = text.substr(i, 3) == std::string(3, c);
      in = c == '"' ? (triple ? In::kMultiBasic : In::kBasic)
                    : (triple ? In::kMultiLiteral : In::kLiteral);
      if (triple) i += 2;
      line_blank = false;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto lead = static_cast<unsigned char>(c);
      const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      const std::string_view character = text.substr(i, length);
      // Bytes that are not UTF-8 are toml++'s to report (it checks them first).
      if (!text::isValidUtf8(character)) return std::nullopt;
      return TomlTrap{line, "unexpected '" + std::string(character) + "' (column " + column(i) +
                                "): outside quotes and comments a show file is ASCII: a key is "
                                "letters, digits, '-' and '_', a text goes in quotes"};
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '[' && depth == 0 && line_blank) {
      // A table header, [name] or [[name]]: what follows the brackets (and
      // any spaces) must start a key, or be the ']' of an empty name (an
      // error toml++ reports itself).
      std::size_t j = i + 1;
      if (j < text.size() && text[j] == '[') ++j;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      const char k = j < text.size() ? text[j] : '\n';
      const bool ascii_alnum =
          (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9');
      const bool starts_key = ascii_alnum || k == '_' || k == '-' || k == '"' || k == '\'';
      if (!starts_key && k != ']' && static_cast<unsigned char>(k) < 0x80) {
        return TomlTrap{line,
                        "a table name must start with a letter, digit, '-', '_' or a quote "
                        "(column " +
                            column(j) + ")"};
      }
    }
    line_blank = false;
    if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace yst::config
