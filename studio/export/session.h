// What the export reads about one session, from a read-only connection to
// the studio's database (the writer never waits for it): the title and the
// show file as it was, the recordings with where each began on the session
// timeline, the transcript, the questions with their votes, the peak
// audience. And how the package names the people on the show.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "studio/questions/question_desk.h"
#include "studio/store/followup_table.h"
#include "studio/store/transcript_table.h"

namespace yst::exporter {

struct Recording {
  std::string path;            // as the studio wrote it: absolute, or under the data folder
  std::int64_t offset_ms = 0;  // where it began on the session timeline
  std::string started_at;
  std::string ended_at;  // empty: did not end cleanly
};

struct Session {
  std::int64_t id = 0;
  std::string title;
  std::string started_at;
  std::string ended_at;  // empty: the studio did not close it
  nlohmann::json show;   // the show file as the session began (discarded if not JSON)
  std::vector<Recording> recordings;
  std::vector<store::TranscriptLine> lines;
  std::vector<questions::Question> questions;
  std::map<std::int64_t, int> votes;  // question → votes, merged ones included
  int peak_viewers = 0;
  // 问政跟踪: the commitments made in this show and its questions forwarded
  // to departments (so far), oldest first.
  std::vector<store::FollowupItem> followups;
};

// Throws ExportError when the database cannot be opened or has no such
// session.
Session loadSession(const std::string& db_path, std::int64_t session_id);

// Each question's votes with those of the questions merged into it.
std::map<std::int64_t, int> votesWithMerged(const std::vector<questions::Question>& questions);

// "王芳（主持人）", "王芳" without a title; "" for anything but an object.
std::string personLine(const nlohmann::json& person);
// The host and the guests (in the show file's order) as person lines.
std::string hostLine(const Session& session);
std::vector<std::string> guestLines(const Session& session);

// The questions that went on air, in the order they did.
std::vector<const questions::Question*> airedQuestions(const Session& session);

// Still open when the show ended (pending, approved or on air): the
// departments owe the asker an answer.
bool awaitsFollowUp(const questions::Question& question);

}  // namespace yst::exporter
