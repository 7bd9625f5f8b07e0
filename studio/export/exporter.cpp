#include "studio/export/exporter.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "studio/export/poster.h"
#include "studio/export/questions_csv.h"
#include "studio/export/remux.h"
#include "studio/export/session.h"
#include "studio/export/subtitles.h"
#include "studio/export/text_record.h"

namespace yst::exporter {

namespace fs = std::filesystem;
using nlohmann::json;
using questions::Question;
using questions::Status;

namespace {

std::string shortTitle(const std::string& text, std::size_t chars) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size() && n < chars; ++n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    out.append(text, i, len);
    i += len;
  }
  return out.size() < text.size() ? out + "…" : out;
}

void writeFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw ExportError("cannot write " + path.string());
}

}  // namespace

ExportResult exportSession(const ExportOptions& o) {
  if (o.out_dir.empty()) throw ExportError("no output folder");
  if (o.language == Language::kInvalid) throw ExportError("no such language (zh or en)");
  const std::string db_path = o.data_dir + "/yishiting.db";
  if (!fs::is_regular_file(db_path)) throw ExportError("no database in " + o.data_dir);
  const Session s = loadSession(db_path, o.session_id);
  ExportResult result;
  const fs::path out(o.out_dir);
  fs::create_directories(out);
  auto write = [&](const std::string& name, const std::string& content) {
    writeFile(out / name, content);
    result.files.push_back(name);
  };
  if (s.ended_at.empty()) {
    result.warnings.push_back(
        "the session has no end: the studio did not close it (killed or still running)");
  }

  const std::vector<const Question*> aired = airedQuestions(s);
  const RecordHead head = recordHead(s);
  write("transcript.md", markdownRecord(head, s.lines, o.language));
  write("transcript.html", htmlRecord(head, s.lines, o.language));
  write("transcript.json", jsonRecord(s));
  write("questions.csv", questionsCsv(s.questions, s.votes, o.language));

  // The recordings, in order, on one program clock.
  std::vector<Part> parts;
  if (s.recordings.empty()) {
    result.warnings.push_back(
        "no recording: program.mp4, clips, subtitles and poster.jpg are missing");
  }
  std::int64_t offset = 0;  // the session timeline at the program clock's 0
  for (const Recording& rec : s.recordings) {
    const std::string path =
        fs::path(rec.path).is_absolute() ? rec.path : (fs::path(o.data_dir) / rec.path).string();
    const std::string name = fs::path(rec.path).filename().string();
    if (!fs::is_regular_file(path)) {
      result.warnings.push_back("the recording " + rec.path + " is missing: its part of the show " +
                                "is not in the video");
      continue;
    }
    Part part;
    part.path = path;
    try {
      part.probe = probe(path);
    } catch (const ExportError& e) {
      result.warnings.push_back("the recording " + name + " cannot be read: " + e.what());
      continue;
    }
    if (rec.ended_at.empty()) {
      result.warnings.push_back("the recording " + name +
                                " did not end cleanly (the studio was killed): exported what was "
                                "recorded, " +
                                timecode(part.probe.duration_ms));
    }
    if (parts.empty()) {
      offset = rec.offset_ms;
    } else if (part.probe.format != parts.front().probe.format) {
      // Packets are copied, so every part must be the same video and audio.
      result.warnings.push_back("the recording " + name +
                                " has a different picture size or format than the first (the "
                                "show file changed between runs): it is not in program.mp4");
      continue;
    }
    // Where the session timeline says it began; never over the part before.
    part.at_ms = rec.offset_ms - offset;
    if (!parts.empty()) part.at_ms = std::max(part.at_ms, parts.back().end());
    parts.push_back(std::move(part));
  }

  std::vector<json> clips;
  if (!parts.empty()) {
    const std::int64_t duration_ms = parts.back().end();
    const std::vector<Cue> all = transcriptCues(s.lines, offset, duration_ms);
    write("subtitles.srt", srt(all));
    write("subtitles.vtt", vtt(all));
    std::vector<Chapter> chapters;
    for (std::size_t i = 0; i < aired.size(); ++i) {
      const Question* q = aired[i];
      const std::int64_t start = q->aired_ms - offset;
      if (start < 0 || start >= duration_ms) continue;
      std::int64_t end = q->answered_ms >= 0 ? q->answered_ms - offset : duration_ms;
      if (i + 1 < aired.size()) end = std::min(end, aired[i + 1]->aired_ms - offset);
      end = std::clamp<std::int64_t>(end, start + 1, duration_ms);
      chapters.push_back({start, end,
                          "Q" + std::to_string(q->id) + " · " + shortTitle(oneLine(q->text()), 16),
                          q->id});
    }
    std::map<std::string, std::string> meta = {{"title", s.title},
                                               {"date", s.started_at.substr(0, 10)},
                                               {"comment", "温网议事厅 图文实录与节目录像"}};
    std::string guests;
    for (const std::string& g : guestLines(s)) guests += (guests.empty() ? "" : "、") + g;
    if (!guests.empty()) meta["artist"] = guests;
    if (!hostLine(s).empty()) meta["composer"] = hostLine(s);
    remux(parts, out / "program.mp4",
          {.from_ms = 0, .to_ms = 0, .cues = all, .chapters = chapters, .metadata = meta},
          o.cancel);
    result.files.push_back("program.mp4");

    fs::create_directories(out / "clips");
    for (const Chapter& c : chapters) {
      const std::string name = "clips/q" + std::to_string(c.question_id) + ".mp4";
      std::map<std::string, std::string> clip_meta = meta;
      clip_meta["title"] = c.title;
      const std::int64_t duration = remux(parts, out / name,
                                          {.from_ms = c.start_ms,
                                           .to_ms = c.end_ms,
                                           .cues = cuesStartingIn(all, c.start_ms - 2000, c.end_ms),
                                           .chapters = {},
                                           .metadata = clip_meta},
                                          o.cancel);
      result.files.push_back(name);
      clips.push_back({{"file", name},
                       {"question", c.question_id},
                       {"from_ms", c.start_ms},
                       {"to_ms", c.end_ms},
                       {"duration_ms", duration}});
    }
    std::int64_t poster_at =
        aired.empty() ? duration_ms / 10
                      : std::max<std::int64_t>(0, aired.front()->aired_ms - offset + 1000);
    // The part that has it (a time in a gap takes the next part's start).
    const Part* poster_part = &parts.back();
    for (const Part& part : parts) {
      if (poster_at < part.end()) {
        poster_part = &part;
        break;
      }
    }
    poster_at =
        std::clamp<std::int64_t>(poster_at - poster_part->at_ms, 0,
                                 std::max<std::int64_t>(0, poster_part->probe.duration_ms - 1000));
    try {
      writeFile(out / "poster.jpg", posterJpeg(poster_part->path, poster_part->probe, poster_at));
      result.files.push_back("poster.jpg");
    } catch (const ExportError& e) {
      result.warnings.push_back(std::string("no poster: ") + e.what());
    }
  }

  // Summary.
  std::map<std::string, int> by_status, by_reason;
  for (const Question& q : s.questions) {
    ++by_status[std::string(questions::statusName(q.status))];
    if (q.status == Status::kRejected)
      ++by_reason[std::string(questions::rejectReasonName(q.reject_reason))];
  }
  const std::int64_t recorded_ms = parts.empty() ? 0 : parts.back().end();
  std::int64_t span_ms = recorded_ms;
  if (!s.questions.empty()) {
    std::int64_t last = 0;
    for (const Question& q : s.questions) last = std::max(last, q.received_ms);
    span_ms = std::max(span_ms, last);
  }
  const double minutes = std::max(1.0, span_ms / 60000.0);
  write("summary.json",
        json{{"session", s.id},
             {"title", s.title},
             {"started_at", s.started_at},
             {"ended_at", s.ended_at.empty() ? json() : json(s.ended_at)},
             {"questions", s.questions.size()},
             {"by_status", by_status},
             {"rejected_by_reason", by_reason},
             {"aired", aired.size()},
             {"unanswered_for_follow_up",
              std::count_if(s.questions.begin(), s.questions.end(), awaitsFollowUp)},
             {"questions_per_minute", std::round(s.questions.size() / minutes * 100) / 100},
             {"peak_viewers", s.peak_viewers},
             {"transcript_lines", s.lines.size()},
             {"recording_ms", parts.empty() ? json() : json(recorded_ms)},
             {"recordings", parts.size()},
             {"source_recordings", s.recordings.size()},  // rows in the database
             // The session timeline at program.mp4's 0: a line at start_ms
             // is at (start_ms - program_offset_ms) in the video.
             {"program_offset_ms", parts.empty() ? json() : json(offset)},
             {"clips", clips},
             {"warnings", result.warnings}}
                .dump(2) +
            "\n");
  return result;
}

}  // namespace yst::exporter
