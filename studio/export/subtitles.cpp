#include "studio/export/subtitles.h"

#include <algorithm>
#include <cstdio>

#include "studio/export/package_text.h"

namespace yst::exporter {

using store::TranscriptLine;

std::string subtitleTime(std::int64_t ms, char separator) {
  ms = std::max<std::int64_t>(0, ms);
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), separator,
                static_cast<long long>(ms % 1000));
  return text;
}

std::string srt(const std::vector<Cue>& cues) {
  std::string out;
  int n = 0;
  for (const Cue& c : cues) {
    // No escapes in SRT: what players would read as a tag ("<font …>", "<i>",
    // "{\an8}") or a timing arrow is written in its full-width form.
    std::string text;
    for (char ch : oneLine(c.text)) {
      switch (ch) {
        case '<':
          text += "\xEF\xBC\x9C";  // ＜
          break;
        case '>':
          text += "\xEF\xBC\x9E";  // ＞
          break;
        case '{':
          text += "\xEF\xBD\x9B";  // ｛
          break;
        case '}':
          text += "\xEF\xBD\x9D";  // ｝
          break;
        default:
          text += ch;
      }
    }
    out += std::to_string(++n) + "\n" + subtitleTime(c.start_ms, ',') + " --> " +
           subtitleTime(c.end_ms, ',') + "\n" + text + "\n\n";
  }
  return out;
}

std::string vtt(const std::vector<Cue>& cues) {
  std::string out = "WEBVTT\n\n";
  for (const Cue& c : cues) {
    std::string text;
    for (char ch : oneLine(c.text)) {
      if (ch == '&') {
        text += "&amp;";
      } else if (ch == '<') {
        text += "&lt;";
      } else if (ch == '>') {
        text += "&gt;";
      } else {
        text += ch;
      }
    }
    out += subtitleTime(c.start_ms, '.') + " --> " + subtitleTime(c.end_ms, '.') + "\n" + text +
           "\n\n";
  }
  return out;
}

std::vector<Cue> transcriptCues(const std::vector<TranscriptLine>& lines, std::int64_t offset_ms,
                                std::int64_t until_ms) {
  std::vector<Cue> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const TranscriptLine& l = lines[i];
    const std::int64_t start = l.start_ms - offset_ms;
    if (start < 0 || (until_ms > 0 && start >= until_ms)) continue;
    // On screen from when it began to be said, at least 2 s, never over the next line.
    std::int64_t end = std::max(l.end_ms - offset_ms, start + 2000);
    if (i + 1 < lines.size())
      end = std::min(end, std::max(start + 500, lines[i + 1].start_ms - offset_ms));
    if (until_ms > 0) end = std::min(end, until_ms);
    const std::string who = l.kind == "question" ? "" : l.speaker_name + "：";
    out.push_back({start, std::max(end, start + 1), who + l.text});
  }
  return out;
}

std::vector<Cue> cuesStartingIn(const std::vector<Cue>& cues, std::int64_t from_ms,
                                std::int64_t to_ms) {
  std::vector<Cue> out;
  for (const Cue& cue : cues) {
    if (cue.start_ms >= from_ms && cue.start_ms < to_ms) out.push_back(cue);
  }
  return out;
}

std::string assText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '{') {
      out += "\xef\xbd\x9b";  // ｛
    } else if (c == '}') {
      out += "\xef\xbd\x9d";  // ｝
    } else if (c == '\\') {
      out += "\xef\xbc\xbc";  // ＼
    } else if (c == '\n') {
      out += "\\N";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace yst::exporter
