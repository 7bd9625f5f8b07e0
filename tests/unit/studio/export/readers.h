// What the export's tests share: the package's text files read back the way
// their readers read them (Excel's CSV, WebVTT and SRT players), so that a
// test can say what a reader would see rather than which bytes were written.
// Each reader flags what its real counterpart would choke on.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace yst::exporter::readers {

// RFC 4180, as Excel and Python's csv module read it: rows of cells.
inline std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  bool in_cell = false;
  bool closed = false;  // a quoted cell has ended: only , or CRLF may follow
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
        closed = true;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(cell.empty() && !in_cell) << "a quote inside a cell: " << cell;
      quoted = in_cell = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
      in_cell = closed = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      in_cell = closed = false;
      rows.emplace_back();
      ++i;
    } else {
      EXPECT_FALSE(closed) << "text after a quoted cell at byte " << i;
      EXPECT_NE(c, '\n') << "a bare LF ends no row in CSV, at byte " << i;
      cell += c;
    }
  }
  EXPECT_FALSE(quoted) << "a quote left open";
  if (in_cell || !cell.empty()) rows.back().push_back(cell);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

struct ParsedCue {
  std::string timing;
  std::vector<std::string> text;
};

inline std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t at = text.find('\n', from);
    out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

// Blocks separated by blank lines, as WebVTT (§6.1) and SRT readers split
// them. A line that ends a block for any reader (CR, U+2028, U+2029) counts.
inline std::vector<std::vector<std::string>> blocks(const std::string& file) {
  for (const std::string_view separator : {"\r", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    EXPECT_EQ(file.find(separator), std::string::npos) << "a line break other than LF";
  }
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> block;
  for (const std::string& line : splitLines(file)) {
    if (line.empty()) {
      if (!block.empty()) out.push_back(block);
      block.clear();
    } else {
      block.push_back(line);
    }
  }
  if (!block.empty()) out.push_back(block);
  return out;
}

inline std::vector<ParsedCue> parseVtt(const std::string& file) {
  std::vector<std::vector<std::string>> b = blocks(file);
  EXPECT_FALSE(b.empty());
  if (b.empty()) return {};
  EXPECT_EQ(b.front(), std::vector<std::string>{"WEBVTT"});
  std::vector<ParsedCue> out;
  for (std::size_t i = 1; i < b.size(); ++i) {
    // A cue's first line is its timing (we write no identifiers).
    EXPECT_NE(b[i][0].find(" --> "), std::string::npos) << "a block that is no cue: " << b[i][0];
    out.push_back({b[i][0], {b[i].begin() + 1, b[i].end()}});
  }
  return out;
}

inline std::vector<ParsedCue> parseSrt(const std::string& file) {
  std::vector<ParsedCue> out;
  for (const std::vector<std::string>& b : blocks(file)) {
    EXPECT_EQ(b[0], std::to_string(out.size() + 1)) << "cue numbers out of order";
    EXPECT_GE(b.size(), 2u);
    if (b.size() < 2) continue;
    out.push_back({b[1], {b.begin() + 2, b.end()}});
  }
  return out;
}

}  // namespace yst::exporter::readers
