// Rows of the audience-question tables (schema v2 in store.cpp, client ids
// v5): questions, their edits and votes, the moderation log and the observer
// invitations.
//
// Every function here runs inside a Store job on the writer thread (or in
// runSync at start-up), with the sqlite3 handle the job was given; it throws
// StoreError on failure, which rolls that job back alone.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "studio/questions/question_desk.h"

namespace yst::store {

// Inserts the question or replaces its row with the state given (the
// original text is part of the row and never differs between writes).
void saveQuestion(sqlite3* db, std::int64_t session_id, const questions::Question& q);

// What storing a new submission did.
enum class Stored { kInvalid = 0, kInserted, kAlreadyStored };
struct StoredSubmission {
  Stored result = Stored::kInvalid;
  // kInserted: the question given. kAlreadyStored: the question stored
  // first with its client id in this session, and whose it is (the caller
  // acknowledges it again to the same viewer, refuses anyone else).
  std::int64_t question_id = 0;
  std::string viewer;
};
// A new question and its "received" line in the moderation log (`actor`:
// "viewer", "observer" or the producer who typed it in) — unless a question
// with its client id is stored for the session already: then nothing is
// written. A question without a client id is always inserted.
StoredSubmission storeSubmission(sqlite3* db, std::int64_t session_id, const questions::Question& q,
                                 const std::string& actor);
void saveEdit(sqlite3* db, std::int64_t question_id, const questions::Edit& edit);
// Records a vote and the question's own vote count.
void saveVote(sqlite3* db, std::int64_t question_id, const std::string& viewer,
              const std::string& utc, int own_votes);
void logModeration(sqlite3* db, std::int64_t session_id, std::int64_t question_id,
                   const std::string& action, const std::string& actor,
                   const std::string& detail_json, const std::string& utc,
                   std::int64_t timeline_ms);

struct LoadedQuestions {
  std::vector<questions::Question> questions;               // with their edits
  std::vector<std::pair<std::int64_t, std::string>> votes;  // (question, viewer)
  std::int64_t next_id = 1;                                 // above every id of any session
};
LoadedQuestions loadQuestions(sqlite3* db, std::int64_t session_id);

struct Observer {
  std::int64_t id = 0;
  std::string name;
  std::string token_sha256;
  std::string created_at;
  bool revoked = false;
};
std::int64_t addObserver(sqlite3* db, const std::string& name, const std::string& token_sha256);
// False when there is no such observer (or it was already revoked).
bool revokeObserver(sqlite3* db, std::int64_t id);
std::vector<Observer> listObservers(sqlite3* db, bool include_revoked);

}  // namespace yst::store
