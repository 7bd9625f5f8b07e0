#include "studio/export/package_text.h"

#include <algorithm>
#include <cstdio>

#include "studio/protocol/message.h"
#include "studio/text/text.h"

namespace yst::exporter {

using questions::Question;
using questions::Status;
using store::TranscriptLine;

namespace {

// The words a package adds, in its language. Category, status and reason
// words are the ones the viewer and producer pages use (assets/web/i18n.js).
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
  const char* csv_header;
  const char* yes;
  const char* no;
  const char* follow_up;      // an unanswered question, for the departments
  const char* categories[3];  // question, suggestion, complaint
  std::map<std::string, std::string> statuses;
  std::map<std::string, std::string> reasons;
};

const Words kChinese = {
    "zh-CN",
    "图文实录",
    "日期",
    "主持人",
    "嘉宾",
    "开场",
    "：",
    "（",
    "）",
    "编号,收到时间,节目时间,昵称,类别,市民观察员,原文,最终文本,是否编辑,状态,未采纳原因,点赞,"
    "上屏时间,回答时间,跟进",
    "是",
    "否",
    "待部门跟进答复",
    {"提问", "建议", "投诉"},
    {{"pending", "待审"},
     {"approved", "已通过未回答"},
     {"on_air", "正在回答"},
     {"answered", "已回答"},
     {"rejected", "未采纳"},
     {"merged", "已合并"}},
    {{"off_topic", "离题"},
     {"duplicate", "重复"},
     {"abusive", "不当言论"},
     {"personal_info", "涉及个人信息"},
     {"spam", "广告/灌水"},
     {"other", "其他"}}};

const Words kEnglish = {
    "en",
    "Transcript",
    "Date",
    "Host",
    "Guest",
    "Opening",
    ": ",
    " (",
    ")",
    "No.,Received at,Show time,Nickname,Category,Citizen observer,Original text,Final text,"
    "Edited,Status,Reason not taken,Votes,On air at,Answered at,Follow-up",
    "yes",
    "no",
    "awaiting the department's reply",
    {"Question", "Suggestion", "Complaint"},
    {{"pending", "pending"},
     {"approved", "approved, not answered"},
     {"on_air", "on air"},
     {"answered", "answered"},
     {"rejected", "not taken"},
     {"merged", "merged"}},
    {{"off_topic", "Off topic"},
     {"duplicate", "Duplicate"},
     {"abusive", "Abusive"},
     {"personal_info", "Personal information"},
     {"spam", "Spam"},
     {"other", "Other"}}};

const Words& wordsFor(Language language) {
  return language == Language::kEnglish ? kEnglish : kChinese;
}

std::string lookup(const std::map<std::string, std::string>& words, const std::string& key) {
  const auto it = words.find(key);
  return it == words.end() ? key : it->second;
}

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

std::string subtitleTime(std::int64_t ms, char separator) {
  ms = std::max<std::int64_t>(0, ms);
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), separator,
                static_cast<long long>(ms % 1000));
  return text;
}

std::string escapeHtml(const std::string& text) {
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

namespace {

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

}  // namespace

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
                       Language language) {
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
      ".speaker{font-weight:700}\n</style>\n</head>\n<body>\n<h1>" +
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
    }
  }
  h += "</body>\n</html>\n";
  return h;
}

std::string questionsCsv(const std::vector<Question>& questions,
                         const std::map<std::int64_t, int>& votes, Language language) {
  const Words& w = wordsFor(language);
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel reads UTF-8
  out += w.csv_header;
  out += "\r\n";
  for (const Question& q : questions) {
    const bool unanswered =
        q.status == Status::kPending || q.status == Status::kApproved || q.status == Status::kOnAir;
    const int category =
        static_cast<int>(q.category) - static_cast<int>(questions::Category::kQuestion);
    const std::vector<std::string> fields = {
        std::to_string(q.id),
        q.received_utc,
        timecode(q.received_ms),
        q.nickname,
        category >= 0 && category < 3 ? w.categories[category]
                                      : std::string(questions::categoryName(q.category)),
        q.observer_name,
        q.original_text,
        q.text(),
        q.edits.empty() ? w.no : w.yes,
        lookup(w.statuses, std::string(questions::statusName(q.status))),
        q.status == Status::kRejected
            ? lookup(w.reasons, std::string(questions::rejectReasonName(q.reject_reason)))
            : "",
        std::to_string(votes.count(q.id) ? votes.at(q.id) : 0),
        q.aired_ms >= 0 ? timecode(q.aired_ms) : "",
        q.answered_ms >= 0 ? timecode(q.answered_ms) : "",
        unanswered ? w.follow_up : ""};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      out += csvCell(fields[i]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace yst::exporter
