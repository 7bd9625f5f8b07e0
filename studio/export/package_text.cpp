#include "studio/export/package_text.h"

#include <algorithm>
#include <cstdio>

#include "studio/text/text.h"

namespace yst::exporter {

namespace {

// Line terminators: the ones of WebVTT and SRT (LF, CR), plus those that
// other readers or JavaScript break lines at (VT, FF, NEL, U+2028, U+2029).
bool isLineBreak(char32_t c) {
  return c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

bool isControl(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c < 0xA0);
}

void appendUtf8(std::string& out, char32_t c) {
  out += text::encodeUtf8(std::u32string_view(&c, 1));
}

}  // namespace

Language parseLanguage(std::string_view name) {
  if (name == "zh") return Language::kChinese;
  if (name == "en") return Language::kEnglish;
  return Language::kInvalid;
}

std::string timecode(std::int64_t ms) {
  const std::int64_t s = std::max<std::int64_t>(0, ms) / 1000;
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

std::string escapeHtml(const std::string& text) {
  return text::escapeMarkup(text);
}

std::string oneLine(std::string_view text) {
  const std::u32string in = text::decodeUtf8(text);
  std::u32string out;
  out.reserve(in.size());
  bool space = false;  // a space or break since the last character kept
  for (char32_t c : in) {
    if (isLineBreak(c) || c == U'\t' || c == U' ') {
      space = true;
    } else if (!isControl(c)) {
      if (space && !out.empty()) out += U' ';
      space = false;
      out += c;
    }
  }
  return text::encodeUtf8(out);
}

std::string csvRow(const std::vector<std::string>& fields) {
  std::string row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) row += ',';
    row += csvCell(fields[i]);
  }
  return row + "\r\n";
}

std::string csvCell(std::string_view value) {
  std::string out = "\"";
  // Excel (and LibreOffice, Google Sheets) read a cell that begins with one
  // of these as a formula; a tab or CR in front is skipped before it looks.
  // The full-width forms count too: Excel reads them as = + - @.
  static constexpr std::string_view kFormulaStarts[] = {"=",  "+",  "-",  "@",  "\t",
                                                        "\r", "＝", "＋", "－", "＠"};
  for (std::string_view start : kFormulaStarts) {
    if (value.substr(0, start.size()) == start) {
      out += '\'';
      break;
    }
  }
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string markdownText(std::string_view text) {
  const std::u32string in = text::decodeUtf8(oneLine(text));
  std::string out;
  out.reserve(in.size() * 3);
  auto startsWith = [&](std::size_t i, std::u32string_view word) {
    if (in.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      char32_t c = in[i + k];
      if (c >= U'A' && c <= U'Z') c += U'a' - U'A';
      if (c != word[k]) return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char32_t c = in[i];
    switch (c) {
      case U'&':
        out += "&amp;";
        break;
      case U'<':
        out += "&lt;";
        break;
      case U'>':
        out += "&gt;";
        break;
      // Emphasis, code, links and images, headings' closing #s, tables,
      // strikethrough, math; the backslash so that ours cannot be undone.
      case U'\\':
      case U'`':
      case U'*':
      case U'_':
      case U'[':
      case U']':
      case U'#':
      case U'|':
      case U'~':
      case U'$':
      // GitHub-flavoured autolinks: an e-mail address.
      case U'@':
        out += '\\';
        out += static_cast<char>(c);
        break;
      case U':':
        // "http://…" is a link in GitHub-flavoured Markdown; "http\://…" is not.
        if (startsWith(i + 1, U"//")) out += '\\';
        out += ':';
        break;
      default:
        // "www.…" is a link too; "www\.…" is not.
        if (startsWith(i, U"www.")) {
          out.append(text::encodeUtf8(in.substr(i, 3)));
          out += "\\.";
          i += 3;
          break;
        }
        // At the start of a line these begin a list, a heading underline or a
        // numbered list ("1. ", "1) "): never from a viewer's text.
        if (i == 0 && (c == U'-' || c == U'+' || c == U'=')) {
          out += '\\';
          out += static_cast<char>(c);
          break;
        }
        if (i > 0 && (c == U'.' || c == U')') && (i + 1 == in.size() || in[i + 1] == U' ')) {
          std::size_t k = 0;
          while (k < i && in[k] >= U'0' && in[k] <= U'9') ++k;
          if (k == i) out += '\\';
        }
        appendUtf8(out, c);
    }
  }
  return out;
}

}  // namespace yst::exporter
