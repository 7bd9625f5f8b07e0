// The archive benchmark's database side, for scripts/bench-archive (a
// benchmark, not a test).
//
//   archive_bench fill DB [--sessions 500] [--lines 2000]
//       fills DB with synthetic sessions of transcript lines (a newsroom's
//       years of shows), through the studio's own insert path;
//   archive_bench search DB
//       times searchTranscripts for 1-, 2- and 4-character queries (the
//       first 20 hits, as the CLI and the page ask for) against a plain
//       LIKE '%…%' scan, and prints one JSON object;
//   archive_bench session DB RECORDING DURATION_MS
//       adds one session with that recording, a question aired every two
//       minutes and lines between them, for timing `yishiting export`;
//       prints the session's id.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "studio/questions/question_desk.h"
#include "studio/store/questions_table.h"
#include "studio/store/store.h"
#include "studio/store/transcript_table.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* const kWords[] = {
    "医保",     "异地就医", "备案",     "结算",   "房租补贴", "公积金",   "学区",     "停车",
    "垃圾分类", "老旧小区", "加装电梯", "社保卡", "养老金",   "公交线路", "菜市场",   "物业费",
    "排水",     "道路施工", "噪音",     "教育局", "住建局",   "市场监管", "食品安全", "网约车",
    "充电桩",   "我们",     "已经",     "正在",   "下一步",   "将会",     "今年",     "明年",
    "群众",     "反映",     "问题",     "落实",   "整改",     "推进",     "办理",     "时间",
    "部门",     "服务",     "窗口",     "线上",   "热线",     "的",       "了",       "在",
    "是",       "和",       "对",       "把",     "要",       "就",       "都",       "也",
    "还",       "，",       "。",       "温州",   "瓯海",     "鹿城",     "龙湾",     "乐清",
    "瑞安",     "永嘉",     "文成",     "泰顺",   "平阳"};
constexpr std::size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

std::string sentence(std::mt19937& rng) {
  std::uniform_int_distribution<std::size_t> word(0, kWordCount - 1);
  std::uniform_int_distribution<int> length(8, 24);
  std::string out;
  for (int i = length(rng); i > 0; --i) out += kWords[word(rng)];
  return out + "。";
}

sqlite3* open(const char* path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path, &db) != SQLITE_OK) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(1);
  }
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;", nullptr, nullptr, nullptr);
  yst::store::migrate(db);
  return db;
}

std::int64_t addSession(sqlite3* db, const std::string& title, const std::string& started) {
  yst::store::StmtPtr s = yst::store::prepare(
      db, "INSERT INTO sessions(title, show_json, started_at, ended_at) VALUES(?, ?, ?, ?)");
  yst::store::bindText(s.get(), 1, title);
  yst::store::bindText(
      s.get(), 2,
      R"({"title":"","host":{"name":"王芳","title":"主持人"},"guests":[{"name":"张三","title":"局长"}]})");
  yst::store::bindText(s.get(), 3, started);
  yst::store::bindText(s.get(), 4, started);
  yst::store::stepDone(db, s.get());
  return sqlite3_last_insert_rowid(db);
}

int fill(const char* path, int sessions, int lines) {
  sqlite3* db = open(path);
  std::mt19937 rng(7);
  const auto t0 = Clock::now();
  for (int s = 0; s < sessions; ++s) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    const std::int64_t id =
        addSession(db, "温网议事厅 · 第 " + std::to_string(s + 1) + " 期", "2016-01-01T12:00:00Z");
    for (int l = 0; l < lines; ++l) {
      yst::store::TranscriptLine line;
      line.session_id = id;
      line.speaker = l % 2 ? "guest1" : "host";
      line.speaker_name = l % 2 ? "张三" : "王芳";
      line.text = sentence(rng);
      line.start_ms = l * 3000;
      line.end_ms = line.start_ms + 2500;
      line.utc = "2016-01-01T12:00:00Z";
      line.by = "bench";
      yst::store::insertLine(db, line);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  std::printf("{\"sessions\":%d,\"lines\":%d,\"fill_s\":%.1f}\n", sessions, sessions * lines,
              std::chrono::duration<double>(Clock::now() - t0).count());
  sqlite3_close(db);
  return 0;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0
                   : v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

int search(const char* path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nullptr);
  const std::vector<std::pair<const char*, std::vector<std::string>>> kinds = {
      // Common terms, and terms said in no show (the worst case for a scan).
      {"1", {"房", "医", "水", "车", "梯", "桩", "窗", "费", "鸟", "鹅"}},
      {"2", {"医保", "停车", "学区", "物业", "排水", "噪音", "温州", "热线", "地铁", "图书"}},
      {"4",
       {"异地就医", "房租补贴", "垃圾分类", "老旧小区", "加装电梯", "食品安全", "公交线路",
        "道路施工", "共享单车", "无人机场"}}};
  std::string out = "{";
  for (const auto& [name, queries] : kinds) {
    std::vector<double> fts, like;
    std::size_t hits = 0;
    for (int round = 0; round < 12; ++round) {
      for (const std::string& q : queries) {
        const auto t0 = Clock::now();
        hits += yst::store::searchTranscripts(db, q, {0, 20}).size();
        fts.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    }
    // What one would write without the indexes: the same first 20, newest first.
    for (const std::string& q : queries) {
      yst::store::StmtPtr s = yst::store::prepare(
          db,
          "SELECT id FROM transcript_lines WHERE deleted = 0 AND instr(text, ?) > 0 "
          "ORDER BY id DESC LIMIT 20");
      yst::store::bindText(s.get(), 1, q);
      const auto t0 = Clock::now();
      while (sqlite3_step(s.get()) == SQLITE_ROW) {
      }
      like.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s\"%s\":{\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"hits\":%zu,\"scan_p50_ms\":%.2f,"
                  "\"scan_max_ms\":%.2f}",
                  out.size() > 1 ? "," : "", name, percentile(fts, 0.5), percentile(fts, 0.99),
                  hits, percentile(like, 0.5), percentile(like, 1.0));
    out += buf;
  }
  std::printf("%s}\n", out.c_str());
  sqlite3_close(db);
  return 0;
}

int session(const char* path, const char* recording, std::int64_t duration_ms) {
  sqlite3* db = open(path);
  std::mt19937 rng(11);
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  const std::int64_t id = addSession(db, "温网议事厅 · 一小时压力节目", "2026-11-27T12:00:00Z");
  {
    yst::store::StmtPtr s = yst::store::prepare(
        db,
        "INSERT INTO recordings(session_id, path, timeline_offset_ms, started_at, ended_at, bytes) "
        "VALUES(?, ?, 0, '2026-11-27T12:00:00Z', '2026-11-27T13:00:00Z', 0)");
    sqlite3_bind_int64(s.get(), 1, id);
    yst::store::bindText(s.get(), 2, recording);
    yst::store::stepDone(db, s.get());
  }
  std::int64_t next_question = 0;
  for (std::int64_t t = 60000, n = 1; t + 90000 < duration_ms; t += 120000, ++n) {
    yst::questions::Question q;
    q.id = 100000 * id + n;
    q.viewer = "bench";
    q.nickname = "网友" + std::to_string(n);
    q.original_text = sentence(rng);
    q.status = yst::questions::Status::kAnswered;
    q.received_utc = "2026-11-27T12:00:00Z";
    q.received_ms = t - 30000;
    q.aired_utc = q.received_utc;
    q.aired_ms = t;
    q.answered_utc = q.received_utc;
    q.answered_ms = t + 90000;
    yst::store::saveQuestion(db, id, q);
    yst::store::TranscriptLine line;
    line.session_id = id;
    line.speaker = "question";
    line.speaker_name = "网友提问";
    line.text = "网友「" + q.nickname + "」提问：" + q.original_text;
    line.start_ms = t;
    line.end_ms = t + 90000;
    line.utc = q.aired_utc;
    line.kind = "question";
    line.question_id = q.id;
    line.by = "studio";
    yst::store::insertLine(db, line);
    next_question = t + 120000;
  }
  (void)next_question;
  for (std::int64_t t = 2000; t < duration_ms; t += 4000) {
    yst::store::TranscriptLine line;
    line.session_id = id;
    line.speaker = (t / 4000) % 2 ? "guest1" : "host";
    line.speaker_name = (t / 4000) % 2 ? "张三" : "王芳";
    line.text = sentence(rng);
    line.start_ms = t;
    line.end_ms = t + 3000;
    line.utc = "2026-11-27T12:00:00Z";
    line.by = "bench";
    yst::store::insertLine(db, line);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  std::printf("%lld\n", static_cast<long long>(id));
  sqlite3_close(db);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "fill") {
    int sessions = 500, lines = 2000;
    for (int i = 3; i + 1 < argc; i += 2) {
      if (std::string(argv[i]) == "--sessions") sessions = std::atoi(argv[i + 1]);
      if (std::string(argv[i]) == "--lines") lines = std::atoi(argv[i + 1]);
    }
    return fill(argv[2], sessions, lines);
  }
  if (argc == 3 && std::string(argv[1]) == "search") return search(argv[2]);
  if (argc == 5 && std::string(argv[1]) == "session") {
    return session(argv[2], argv[3], std::atoll(argv[4]));
  }
  std::fprintf(stderr,
               "usage: archive_bench fill DB [--sessions N] [--lines N] | search DB | "
               "session DB RECORDING DURATION_MS\n");
  return 2;
}
