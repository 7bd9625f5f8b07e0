// The live transcript's rows (schema v3 in store.cpp) and full-text search
// over every session's transcript.
//
// A line is what one speaker said, typed by a typist (or written by the
// studio when a question goes on air), timed on the session timeline from
// when its typing began to when it was committed. Edits are kept as rows of
// their own; a deleted line stays in the table, marked.
//
// Search: Chinese has no spaces, so words cannot be indexed. Two FTS5
// indexes cover it: a trigram index (SQLite's `trigram` tokenizer) answers
// queries of three or more characters, and a one-character-per-token index
// answers one- and two-character queries as token and phrase queries (a
// trigram index returns nothing for them). Both are kept in step with the
// lines by the functions here, in the same transaction.
//
// Every function runs inside a Store job on the writer thread, or on a
// read-only connection for search; it throws StoreError on failure.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace yst::store {

struct TranscriptLine {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string speaker;       // host, guest1…, narration, question
  std::string speaker_name;  // as shown when it was said ("王芳")
  std::string text;          // the latest edit, or as typed
  std::string original_text;
  std::int64_t start_ms = 0;  // session timeline
  std::int64_t end_ms = 0;
  std::string utc;               // when it was committed
  std::string kind = "typed";    // typed | question
  std::int64_t question_id = 0;  // kind question
  std::string by;                // the typist, or "studio"
  bool deleted = false;
  int edits = 0;
};

std::int64_t insertLine(sqlite3* db, const TranscriptLine& line);
// A correction: the line's text becomes `text`, the edit is kept.
void editLine(sqlite3* db, std::int64_t line_id, const std::string& text, const std::string& by,
              const std::string& utc);
void deleteLine(sqlite3* db, std::int64_t line_id);
// The end of an automatic question line (when the question is answered).
void setLineEnd(sqlite3* db, std::int64_t line_id, std::int64_t end_ms);
std::optional<TranscriptLine> findLine(sqlite3* db, std::int64_t line_id);
// A session's lines in timeline order (deleted ones too when asked).
std::vector<TranscriptLine> sessionLines(sqlite3* db, std::int64_t session_id,
                                         bool include_deleted = false);

struct SearchHit {
  std::int64_t line_id = 0;
  std::int64_t session_id = 0;
  std::string session_title;
  std::string session_started_at;
  std::string speaker;
  std::string speaker_name;
  std::int64_t start_ms = 0;
  std::string text;
  // The text around the first match, the match between \x02 and \x03 (for
  // the caller to mark up as it needs: brackets in a terminal, <mark> on a
  // page after escaping).
  std::string snippet;
};

struct SearchOptions {
  std::int64_t session_id = 0;  // 0: every session
  int limit = 50;
};

// Lines containing `query` (case-insensitive for Latin letters), newest
// session first, then in timeline order. An empty query finds nothing.
std::vector<SearchHit> searchTranscripts(sqlite3* db, const std::string& query,
                                         const SearchOptions& options = {});

// The one-character-per-token form indexed for short queries ("医保" →
// "医 保"); exposed for tests.
std::string characterTokens(const std::string& text);

}  // namespace yst::store
