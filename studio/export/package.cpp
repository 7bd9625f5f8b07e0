#include "studio/export/package.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "studio/export/export_error.h"
#include "studio/export/package_text.h"

namespace yst::exporter {

namespace fs = std::filesystem;
using nlohmann::json;
using questions::Question;
using questions::Status;

ProgramParts placeRecordings(const std::vector<Recording>& recordings, const std::string& data_dir,
                             const ProbeFunction& probe) {
  ProgramParts program;
  if (recordings.empty()) {
    program.warnings.push_back(
        "no recording: program.mp4, clips, subtitles and poster.jpg are missing");
  }
  for (const Recording& rec : recordings) {
    const std::string path =
        fs::path(rec.path).is_absolute() ? rec.path : (fs::path(data_dir) / rec.path).string();
    const std::string name = fs::path(rec.path).filename().string();
    if (!fs::is_regular_file(path)) {
      program.warnings.push_back("the recording " + rec.path +
                                 " is missing: its part of the show is not in the video");
      continue;
    }
    Part part;
    part.path = path;
    try {
      part.probe = probe(path);
    } catch (const ExportError& e) {
      program.warnings.push_back("the recording " + name + " cannot be read: " + e.what());
      continue;
    }
    if (rec.ended_at.empty()) {
      program.warnings.push_back("the recording " + name +
                                 " did not end cleanly (the studio was killed): exported what "
                                 "was recorded, " +
                                 timecode(part.probe.duration_ms));
    }
    if (program.parts.empty()) {
      program.offset_ms = rec.offset_ms;
    } else if (part.probe.format != program.parts.front().probe.format) {
      // Packets are copied, so every part must be the same video and audio.
      program.warnings.push_back("the recording " + name +
                                 " has a different picture size or format than the first (the "
                                 "show file changed between runs): it is not in program.mp4");
      continue;
    }
    // Where the session timeline says it began; never over the part before.
    part.at_ms = rec.offset_ms - program.offset_ms;
    if (!program.parts.empty()) part.at_ms = std::max(part.at_ms, program.parts.back().end());
    program.parts.push_back(std::move(part));
  }
  return program;
}

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

std::vector<Chapter> questionChapters(const std::vector<const Question*>& aired,
                                      std::int64_t offset_ms, std::int64_t duration_ms) {
  std::vector<Chapter> chapters;
  for (std::size_t i = 0; i < aired.size(); ++i) {
    const Question* q = aired[i];
    const std::int64_t start = q->aired_ms - offset_ms;
    if (start < 0 || start >= duration_ms) continue;
    std::int64_t end = q->answered_ms >= 0 ? q->answered_ms - offset_ms : duration_ms;
    if (i + 1 < aired.size()) end = std::min(end, aired[i + 1]->aired_ms - offset_ms);
    end = std::clamp<std::int64_t>(end, start + 1, duration_ms);
    chapters.push_back({start, end,
                        "Q" + std::to_string(q->id) + " · " + shortTitle(oneLine(q->text()), 16),
                        q->id});
  }
  return chapters;
}

std::map<std::string, std::string> programMetadata(const Session& s) {
  std::map<std::string, std::string> meta = {{"title", s.title},
                                             {"date", s.started_at.substr(0, 10)},
                                             {"comment", "温网议事厅 图文实录与节目录像"}};
  std::string guests;
  for (const std::string& g : guestLines(s)) guests += (guests.empty() ? "" : "、") + g;
  if (!guests.empty()) meta["artist"] = guests;
  if (!hostLine(s).empty()) meta["composer"] = hostLine(s);
  return meta;
}

std::string clipFile(std::int64_t question_id) {
  return "clips/q" + std::to_string(question_id) + ".mp4";
}

RemuxRequest clipRequest(const Chapter& chapter, const std::vector<Cue>& cues,
                         const std::map<std::string, std::string>& program_metadata) {
  RemuxRequest request;
  request.from_ms = chapter.start_ms;
  request.to_ms = chapter.end_ms;
  request.cues = cuesStartingIn(cues, chapter.start_ms - 2000, chapter.end_ms);
  request.metadata = program_metadata;
  request.metadata["title"] = chapter.title;
  return request;
}

PosterFrame posterFrame(const std::vector<const Question*>& aired, const ProgramParts& program) {
  std::int64_t at =
      aired.empty() ? program.durationMs() / 10
                    : std::max<std::int64_t>(0, aired.front()->aired_ms - program.offset_ms + 1000);
  // The part that has it (a time in a gap takes the next part's start).
  const Part* part = &program.parts.back();
  for (const Part& p : program.parts) {
    if (at < p.end()) {
      part = &p;
      break;
    }
  }
  at = std::clamp<std::int64_t>(at - part->at_ms, 0,
                                std::max<std::int64_t>(0, part->probe.duration_ms - 1000));
  return {part, at};
}

std::string summaryJson(const Session& s, const ProgramParts& program, std::size_t aired,
                        const std::vector<ClipEntry>& clips,
                        const std::vector<std::string>& warnings) {
  std::map<std::string, int> by_status, by_reason;
  for (const Question& q : s.questions) {
    ++by_status[std::string(questions::statusName(q.status))];
    if (q.status == Status::kRejected)
      ++by_reason[std::string(questions::rejectReasonName(q.reject_reason))];
  }
  const bool recorded = !program.parts.empty();
  const std::int64_t recorded_ms = program.durationMs();
  std::int64_t span_ms = recorded_ms;
  if (!s.questions.empty()) {
    std::int64_t last = 0;
    for (const Question& q : s.questions) last = std::max(last, q.received_ms);
    span_ms = std::max(span_ms, last);
  }
  const double minutes = std::max(1.0, span_ms / 60000.0);
  json clip_list = json::array();
  for (const ClipEntry& c : clips) {
    clip_list.push_back({{"file", c.file},
                         {"question", c.question_id},
                         {"from_ms", c.from_ms},
                         {"to_ms", c.to_ms},
                         {"duration_ms", c.duration_ms}});
  }
  return json{{"session", s.id},
              {"title", s.title},
              {"started_at", s.started_at},
              {"ended_at", s.ended_at.empty() ? json() : json(s.ended_at)},
              {"questions", s.questions.size()},
              {"by_status", by_status},
              {"rejected_by_reason", by_reason},
              {"aired", aired},
              {"unanswered_for_follow_up",
               std::count_if(s.questions.begin(), s.questions.end(), awaitsFollowUp)},
              {"questions_per_minute", std::round(s.questions.size() / minutes * 100) / 100},
              {"peak_viewers", s.peak_viewers},
              {"transcript_lines", s.lines.size()},
              {"recording_ms", recorded ? json(recorded_ms) : json()},
              {"recordings", program.parts.size()},
              {"source_recordings", s.recordings.size()},  // rows in the database
              // The session timeline at program.mp4's 0: a line at start_ms
              // is at (start_ms - program_offset_ms) in the video.
              {"program_offset_ms", recorded ? json(program.offset_ms) : json()},
              {"clips", clip_list},
              {"warnings", warnings}}
             .dump(2) +
         "\n";
}

}  // namespace yst::exporter
