#include "studio/export/exporter.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "studio/export/followup_csv.h"
#include "studio/export/package.h"
#include "studio/export/poster.h"
#include "studio/export/questions_csv.h"
#include "studio/export/remux.h"
#include "studio/export/session.h"
#include "studio/export/subtitles.h"
#include "studio/export/text_record.h"

namespace yst::exporter {

namespace fs = std::filesystem;

namespace {

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

  // The text record and the questions: from the database alone.
  const std::vector<const questions::Question*> aired = airedQuestions(s);
  const RecordHead head = recordHead(s);
  write("transcript.md", markdownRecord(head, s.lines, o.language));
  write("transcript.html", htmlRecord(head, s.lines, o.language, s.followups));
  write("transcript.json", jsonRecord(s));
  write("questions.csv", questionsCsv(s.questions, s.votes, o.language));
  // 问政跟踪: statuses as of the day the package is made, in China time
  // (the calendar's default zone).
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  write("followup.csv",
        followupCsv(s.followups, followup::WorkCalendar{}.dateAt(now_ms), o.language));

  // The recordings, in order, on one program clock.
  const ProgramParts program = placeRecordings(s.recordings, o.data_dir, probe);
  result.warnings.insert(result.warnings.end(), program.warnings.begin(), program.warnings.end());

  std::vector<ClipEntry> clips;
  if (!program.parts.empty()) {
    const std::int64_t duration_ms = program.durationMs();
    const std::vector<Cue> all = transcriptCues(s.lines, program.offset_ms, duration_ms);
    write("subtitles.srt", srt(all));
    write("subtitles.vtt", vtt(all));
    const std::vector<Chapter> chapters = questionChapters(aired, program.offset_ms, duration_ms);
    const std::map<std::string, std::string> meta = programMetadata(s);
    remux(program.parts, out / "program.mp4",
          {.from_ms = 0, .to_ms = 0, .cues = all, .chapters = chapters, .metadata = meta},
          o.cancel);
    result.files.push_back("program.mp4");

    fs::create_directories(out / "clips");
    for (const Chapter& c : chapters) {
      const std::string name = clipFile(c.question_id);
      const std::int64_t clip_ms =
          remux(program.parts, out / name, clipRequest(c, all, meta), o.cancel);
      result.files.push_back(name);
      clips.push_back({name, c.question_id, c.start_ms, c.end_ms, clip_ms});
    }
    const PosterFrame frame = posterFrame(aired, program);
    try {
      writeFile(out / "poster.jpg", posterJpeg(frame.part->path, frame.part->probe, frame.at_ms));
      result.files.push_back("poster.jpg");
    } catch (const ExportError& e) {
      result.warnings.push_back(std::string("no poster: ") + e.what());
    }
  }

  write("summary.json", summaryJson(s, program, aired.size(), clips, result.warnings));
  return result;
}

}  // namespace yst::exporter
