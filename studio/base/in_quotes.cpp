#include "studio/base/in_quotes.h"

#include <cstddef>

namespace yst {

std::string inQuotes(std::string_view s) {
  constexpr std::size_t kMaxBytes = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // Cut only at the start of a UTF-8 sequence so the message stays valid text.
    if (i >= kMaxBytes && (c & 0xC0) != 0x80) {
      out += "\xe2\x80\xa6";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

}  // namespace yst
