#include "studio/store/transcript_table.h"

#include <algorithm>

#include "studio/store/store.h"

namespace yst::store {

namespace {

void bindInt(sqlite3_stmt* s, int i, std::int64_t v) {
  sqlite3_bind_int64(s, i, v);
}

TranscriptLine readLine(sqlite3_stmt* s) {
  TranscriptLine l;
  l.id = sqlite3_column_int64(s, 0);
  l.session_id = sqlite3_column_int64(s, 1);
  l.speaker = columnText(s, 2);
  l.speaker_name = columnText(s, 3);
  l.text = columnText(s, 4);
  l.original_text = columnText(s, 5);
  l.start_ms = sqlite3_column_int64(s, 6);
  l.end_ms = sqlite3_column_int64(s, 7);
  l.utc = columnText(s, 8);
  l.kind = columnText(s, 9);
  l.question_id = sqlite3_column_int64(s, 10);
  l.by = columnText(s, 11);
  l.deleted = sqlite3_column_int(s, 12) != 0;
  l.edits = sqlite3_column_int(s, 13);
  return l;
}

constexpr const char* kLineColumns =
    "l.id, l.session_id, l.speaker, l.speaker_name, l.text, l.original_text, l.start_ms, "
    "l.end_ms, l.utc, l.kind, coalesce(l.question_id, 0), l.by, l.deleted, "
    "(SELECT count(*) FROM transcript_edits e WHERE e.line_id = l.id)";

std::size_t utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;
}

std::size_t codePoints(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += utf8Length(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

std::string asciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void addCharacterTokens(sqlite3* db, std::int64_t id, const std::string& text, bool remove) {
  StmtPtr s = prepare(db, remove ? "INSERT INTO transcript_chars(transcript_chars, rowid, text) "
                                   "VALUES('delete', ?, ?)"
                                 : "INSERT INTO transcript_chars(rowid, text) VALUES(?, ?)");
  bindInt(s.get(), 1, id);
  bindText(s.get(), 2, characterTokens(text));
  stepDone(db, s.get());
}

// ±kContext characters of `text` around the first match of `needle`
// (already lower-cased ASCII), the match between \x02 and \x03.
std::string snippetOf(const std::string& text, const std::string& needle) {
  constexpr std::size_t kContext = 24;
  const std::string lower = asciiLower(text);
  const std::size_t at = lower.find(needle);
  if (at == std::string::npos) return text.substr(0, 200);
  // Walk back and forward whole characters.
  std::size_t from = at;
  for (std::size_t n = 0; n < kContext && from > 0; ++n) {
    do {
      --from;
    } while (from > 0 && (static_cast<unsigned char>(text[from]) & 0xc0) == 0x80);
  }
  std::size_t to = at + needle.size();
  for (std::size_t n = 0; n < kContext && to < text.size(); ++n) {
    to += utf8Length(static_cast<unsigned char>(text[to]));
  }
  to = std::min(to, text.size());
  std::string out;
  if (from > 0) out += "…";
  out += text.substr(from, at - from);
  out += '\x02';
  out += text.substr(at, needle.size());
  out += '\x03';
  out += text.substr(at + needle.size(), to - at - needle.size());
  if (to < text.size()) out += "…";
  return out;
}

std::string phrase(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string characterTokens(const std::string& text) {
  // ASCII letters and digits stay words; every other character that is not
  // a space becomes a token of its own (unicode61 drops punctuation).
  std::string out;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = std::min(utf8Length(c), text.size() - i);
    if (c < 0x80) {
      const bool word = std::isalnum(c) != 0;
      if (word) {
        out += static_cast<char>(std::tolower(c));
      } else if (in_word || (!out.empty() && out.back() != ' ')) {
        out += ' ';
      }
      in_word = word;
    } else {
      if (!out.empty() && out.back() != ' ') out += ' ';
      out.append(text, i, n);
      out += ' ';
      in_word = false;
    }
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::int64_t insertLine(sqlite3* db, const TranscriptLine& line) {
  StmtPtr s = prepare(db,
                      "INSERT INTO transcript_lines(session_id, speaker, speaker_name, text, "
                      "original_text, start_ms, end_ms, utc, kind, question_id, by) "
                      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bindInt(s.get(), 1, line.session_id);
  bindText(s.get(), 2, line.speaker);
  bindText(s.get(), 3, line.speaker_name);
  bindText(s.get(), 4, line.text);
  bindText(s.get(), 5, line.text);
  bindInt(s.get(), 6, line.start_ms);
  bindInt(s.get(), 7, line.end_ms);
  bindText(s.get(), 8, line.utc);
  bindText(s.get(), 9, line.kind);
  if (line.question_id > 0) {
    bindInt(s.get(), 10, line.question_id);
  } else {
    sqlite3_bind_null(s.get(), 10);
  }
  bindText(s.get(), 11, line.by);
  stepDone(db, s.get());
  const std::int64_t id = sqlite3_last_insert_rowid(db);
  addCharacterTokens(db, id, line.text, false);
  return id;
}

void editLine(sqlite3* db, std::int64_t line_id, const std::string& text, const std::string& by,
              const std::string& utc) {
  const std::optional<TranscriptLine> old = findLine(db, line_id);
  if (!old) throw StoreError("no transcript line " + std::to_string(line_id));
  StmtPtr edit =
      prepare(db, "INSERT INTO transcript_edits(line_id, text, by, utc) VALUES(?, ?, ?, ?)");
  bindInt(edit.get(), 1, line_id);
  bindText(edit.get(), 2, text);
  bindText(edit.get(), 3, by);
  bindText(edit.get(), 4, utc);
  stepDone(db, edit.get());
  StmtPtr s = prepare(db, "UPDATE transcript_lines SET text = ? WHERE id = ?");
  bindText(s.get(), 1, text);
  bindInt(s.get(), 2, line_id);
  stepDone(db, s.get());
  addCharacterTokens(db, line_id, old->text, true);
  addCharacterTokens(db, line_id, text, false);
}

void deleteLine(sqlite3* db, std::int64_t line_id) {
  StmtPtr s = prepare(db, "UPDATE transcript_lines SET deleted = 1 WHERE id = ?");
  bindInt(s.get(), 1, line_id);
  stepDone(db, s.get());
}

void setLineEnd(sqlite3* db, std::int64_t line_id, std::int64_t end_ms) {
  StmtPtr s = prepare(db, "UPDATE transcript_lines SET end_ms = max(start_ms, ?) WHERE id = ?");
  bindInt(s.get(), 1, end_ms);
  bindInt(s.get(), 2, line_id);
  stepDone(db, s.get());
}

std::optional<TranscriptLine> findLine(sqlite3* db, std::int64_t line_id) {
  const std::string sql =
      std::string("SELECT ") + kLineColumns + " FROM transcript_lines l WHERE l.id = ?";
  StmtPtr s = prepare(db, sql.c_str());
  bindInt(s.get(), 1, line_id);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return readLine(s.get());
}

std::vector<TranscriptLine> sessionLines(sqlite3* db, std::int64_t session_id,
                                         bool include_deleted) {
  const std::string sql =
      std::string("SELECT ") + kLineColumns + " FROM transcript_lines l WHERE l.session_id = ?" +
      (include_deleted ? "" : " AND l.deleted = 0") + " ORDER BY l.start_ms, l.id";
  StmtPtr s = prepare(db, sql.c_str());
  bindInt(s.get(), 1, session_id);
  std::vector<TranscriptLine> lines;
  while (sqlite3_step(s.get()) == SQLITE_ROW) lines.push_back(readLine(s.get()));
  return lines;
}

std::vector<SearchHit> searchTranscripts(sqlite3* db, const std::string& raw_query,
                                         const SearchOptions& options) {
  // Trim spaces; a query of spaces finds nothing.
  const std::size_t first = raw_query.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const std::string query =
      raw_query.substr(first, raw_query.find_last_not_of(" \t\r\n") - first + 1);
  const std::string needle = asciiLower(query);
  const bool short_query = codePoints(query) < 3;
  // Newest first: FTS5 walks its rowids backwards without sorting.
  const std::string fts = short_query ? "transcript_chars" : "transcript_trigram";
  const std::string match = short_query ? phrase(characterTokens(query)) : phrase(query);
  if (short_query && characterTokens(query).empty()) return {};
  std::string sql =
      "SELECT l.id, l.session_id, s.title, s.started_at, l.speaker, l.speaker_name, l.start_ms, "
      "l.text FROM " +
      fts +
      " f JOIN transcript_lines l ON l.id = f.rowid "
      "JOIN sessions s ON s.id = l.session_id WHERE " +
      fts + " MATCH ? AND l.deleted = 0";
  if (options.session_id > 0) sql += " AND l.session_id = ?";
  sql += " ORDER BY f.rowid DESC LIMIT ?";
  StmtPtr s = prepare(db, sql.c_str());
  int i = 1;
  bindText(s.get(), i++, match);
  if (options.session_id > 0) bindInt(s.get(), i++, options.session_id);
  // Phrase matches of single characters can span punctuation ("医，保"):
  // every candidate is checked against the text, so ask for a few more.
  const int limit = std::max(1, options.limit);
  bindInt(s.get(), i, limit * 2 + 10);
  std::vector<SearchHit> hits;
  while (sqlite3_step(s.get()) == SQLITE_ROW && static_cast<int>(hits.size()) < limit) {
    SearchHit h;
    h.line_id = sqlite3_column_int64(s.get(), 0);
    h.session_id = sqlite3_column_int64(s.get(), 1);
    h.session_title = columnText(s.get(), 2);
    h.session_started_at = columnText(s.get(), 3);
    h.speaker = columnText(s.get(), 4);
    h.speaker_name = columnText(s.get(), 5);
    h.start_ms = sqlite3_column_int64(s.get(), 6);
    h.text = columnText(s.get(), 7);
    if (asciiLower(h.text).find(needle) == std::string::npos) continue;
    h.snippet = snippetOf(h.text, needle);
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace yst::store
