#include "studio/export/text_record.h"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace yst::exporter {

using nlohmann::json;
using store::TranscriptLine;

namespace {

// The words the record adds, in its language.
struct Words {
  const char* html_lang;
  const char* record;  // the page title's suffix
  const char* date;
  const char* host;
  const char* guest;
  const char* opening;  // the section before the first question
  const char* colon;    // after a label: "日期：", "Date: "
  const char* open_paren;
  const char* close_paren;
  const char* promise;  // a commitment's mark
  const char* due;
};

const Words kChinese = {"zh-CN", "图文实录", "日期", "主持人", "嘉宾", "开场",
                        "：",    "（",       "）",   "承诺",   "期限"};
const Words kEnglish = {"en", "Transcript", "Date", "Host",    "Guest", "Opening",
                        ": ", " (",         ")",    "Promise", "due"};

const Words& wordsFor(Language language) {
  return language == Language::kEnglish ? kEnglish : kChinese;
}

// Lines grouped as the record reads: what was said before the first
// question, then each question with what followed it.
struct Section {
  const TranscriptLine* question_line = nullptr;
  std::vector<const TranscriptLine*> lines;
};

std::vector<Section> sections(const std::vector<TranscriptLine>& lines) {
  std::vector<Section> out(1);
  for (const TranscriptLine& l : lines) {
    if (l.kind == "question") {
      out.push_back({&l, {}});
    } else {
      out.back().lines.push_back(&l);
    }
  }
  return out;
}

// Where the line after `line` starts (the end of the show for the last).
std::int64_t nextStart(const std::vector<TranscriptLine>& lines, const TranscriptLine* line) {
  std::int64_t next = INT64_MAX;
  for (const TranscriptLine& l : lines) {
    if (l.start_ms > line->start_ms && l.start_ms < next) next = l.start_ms;
  }
  return next;
}

json lineJson(const TranscriptLine& l) {
  return {{"id", l.id},
          {"speaker", l.speaker},
          {"speaker_name", l.speaker_name},
          {"text", l.text},
          {"original_text", l.original_text},
          {"start_ms", l.start_ms},
          {"end_ms", l.end_ms},
          {"kind", l.kind},
          {"question", l.question_id > 0 ? json(l.question_id) : json()}};
}

}  // namespace

RecordHead recordHead(const Session& s) {
  return {s.title, s.started_at.substr(0, 10), hostLine(s), guestLines(s)};
}

std::string markdownRecord(const RecordHead& head, const std::vector<TranscriptLine>& lines,
                           Language language) {
  const Words& w = wordsFor(language);
  std::string md = "# " + markdownText(head.title) + "\n\n";
  md += std::string("- ") + w.date + w.colon + markdownText(head.date) + "\n";
  if (!head.host.empty())
    md += std::string("- ") + w.host + w.colon + markdownText(head.host) + "\n";
  for (const std::string& g : head.guests) {
    md += std::string("- ") + w.guest + w.colon + markdownText(g) + "\n";
  }
  md += "\n";
  for (const Section& sec : sections(lines)) {
    if (sec.question_line) {
      md += "## " + markdownText(sec.question_line->text) + "\n\n*" +
            timecode(sec.question_line->start_ms) + "*\n\n";
    } else if (!sec.lines.empty()) {
      md += std::string("## ") + w.opening + "\n\n";
    }
    for (const TranscriptLine* l : sec.lines) {
      md += "**" + markdownText(l->speaker_name) + "**" + w.open_paren + timecode(l->start_ms) +
            w.close_paren + w.colon + markdownText(l->text) + "\n\n";
    }
  }
  return md;
}

std::string htmlRecord(const RecordHead& head, const std::vector<TranscriptLine>& lines,
                       Language language, const std::vector<store::FollowupItem>& commitments) {
  const Words& w = wordsFor(language);
  std::string h =
      std::string("<!doctype html>\n<html lang=\"") + w.html_lang +
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      escapeHtml(head.title) + " · " + w.record +
      "</title>\n<style>\nbody{font-family:\"Noto Sans CJK SC\",sans-serif;max-width:46em;"
      "margin:2em auto;padding:0 1em;line-height:1.7;color:#1c1917}\nh1{font-size:1.6em}"
      "h2{font-size:1.15em;border-left:4px solid #c8102e;padding-left:.5em;margin-top:2em}"
      ".meta{color:#57534e}.tc{color:#78716c;font-size:.85em;"
      "font-variant-numeric:tabular-nums}"
      ".speaker{font-weight:700}"
      ".promise{border-left:4px solid #1d7a46;background:#f2f8f4;padding:.3em "
      ".6em}\n</style>\n</head>\n<body>\n<h1>" +
      escapeHtml(head.title) + "</h1>\n<p class=\"meta\">" + escapeHtml(head.date);
  if (!head.host.empty()) h += std::string(" · ") + w.host + " " + escapeHtml(head.host);
  for (const std::string& g : head.guests) h += std::string(" · ") + w.guest + " " + escapeHtml(g);
  h += "</p>\n";
  for (const Section& sec : sections(lines)) {
    if (sec.question_line) {
      h += "<h2>" + escapeHtml(sec.question_line->text) + " <span class=\"tc\">" +
           timecode(sec.question_line->start_ms) + "</span></h2>\n";
    } else if (!sec.lines.empty()) {
      h += std::string("<h2>") + w.opening + "</h2>\n";
    }
    for (const TranscriptLine* l : sec.lines) {
      h += "<p><span class=\"tc\">" + timecode(l->start_ms) + "</span> <span class=\"speaker\">" +
           escapeHtml(l->speaker_name) + "</span>" + w.colon + escapeHtml(l->text) + "</p>\n";
      // The promises made while this line was the one being said (up to
      // the next line's start).
      const std::int64_t next_ms = nextStart(lines, l);
      for (const store::FollowupItem& c : commitments) {
        if (c.kind != followup::Kind::kCommitment || c.timeline_ms < l->start_ms ||
            c.timeline_ms >= next_ms) {
          continue;
        }
        h += std::string("<p class=\"promise\"><strong>") + w.promise + "</strong>" + w.colon +
             escapeHtml(c.text) + w.open_paren + escapeHtml(c.department) + " · " + w.due + " " +
             followup::formatDate(c.due) + w.close_paren + " <span class=\"tc\">" +
             timecode(c.timeline_ms) + "</span></p>\n";
      }
    }
  }
  h += "</body>\n</html>\n";
  return h;
}

std::string jsonRecord(const Session& s) {
  json lines = json::array();
  for (const TranscriptLine& l : s.lines) lines.push_back(lineJson(l));
  json guests = json::array();
  for (const std::string& g : guestLines(s)) guests.push_back(g);
  return json{{"session", s.id},
              {"title", s.title},
              {"host", hostLine(s)},
              {"guests", guests},
              {"started_at", s.started_at},
              {"ended_at", s.ended_at.empty() ? json() : json(s.ended_at)},
              {"lines", lines}}
             .dump(2) +
         "\n";
}

}  // namespace yst::exporter
