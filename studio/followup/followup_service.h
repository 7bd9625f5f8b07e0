// 问政跟踪's reads, on a thread of their own with a read-only connection to the
// studio's database (WAL: readers never wait for the writer, and the writer —
// which acknowledges viewers' questions — never waits for a reader):
//
//   GET /api/followup?department=&status=&show=&kind=&q=&before=&limit=
//                                  items, newest first (the tracker's list)
//   GET /api/followup/item?id=N    one item, its public history and the
//                                  citizens' approved comments
//   GET /api/followup/stats        per department: items, on time, median
//                                  days to a reply, satisfaction
//   GET /api/followup/departments  the departments (the tracker's filter)
//   GET /followup/feed.atom[?department=N]
//                                  Atom feed of replies, for partner sites
//
// and the reads the desk (desks/followup_desk.h) does for producers,
// departments and viewers, whose results it gets back on its own thread.
//
// "Today" — what overdue is measured against — is the civil date of the
// follow-up clock in the calendar's time zone.
#pragma once

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studio/base/work_queue.h"
#include "studio/edge/subjects.h"
#include "studio/followup/work_calendar.h"
#include "studio/store/followup_table.h"
#include "studio/store/store.h"

namespace yst::followup {

class FollowupService {
 public:
  using Args = std::vector<std::pair<std::string, std::string>>;
  // Any thread: an HTTP answer (status, body, content type).
  using Respond = std::function<void(unsigned int http_status, std::shared_ptr<const std::string>,
                                     std::string content_type)>;
  struct Options {
    std::string db_path;
    WorkCalendar calendar;
    // The follow-up clock: ms since the Unix epoch (UTC). Any thread.
    std::function<std::int64_t()> now_utc_ms;
    // What the feed's links start with ("https://wenzheng.example.cn/").
    std::string public_url;
    std::string feed_title = "温网议事厅 · 问政跟踪";
    // Hands a read's result to the owner's thread (the desk's).
    std::function<void(std::function<void()>)> post;
  };

  static constexpr const char* kApiPrefix = edge::kFollowupApiPrefix;
  static constexpr const char* kFeedPath = edge::kFollowupFeedPath;
  static bool handles(const std::string& path);

  explicit FollowupService(Options options);
  ~FollowupService();  // answers what is queued, joins
  FollowupService(const FollowupService&) = delete;
  FollowupService& operator=(const FollowupService&) = delete;

  const WorkCalendar& calendar() const { return options_.calendar; }
  Date today() const { return options_.calendar.dateAt(options_.now_utc_ms()); }
  std::int64_t nowUtcMs() const { return options_.now_utc_ms(); }

  // Any thread (the server's service thread): answered on the query thread
  // (503 at once when too many wait).
  void request(std::string path, Args args, Respond respond);

  // A read for a client: `query` runs on the query thread, `done` on the
  // owner's thread with its result, or with nothing when the read failed or
  // the queue was full (logged).
  using Query = std::function<nlohmann::json(sqlite3* db, Date today)>;
  void read(Query query, std::function<void(std::optional<nlohmann::json>)> done);

  // Any thread: the items changed (a write committed); the statistics are
  // computed again at their next read.
  void changed() { generation_.fetch_add(1); }
  // Query thread (inside a Query): the per-department statistics, kept
  // until a change, the next day or kStatsKeepMs, whichever comes first
  // (departments added by the command line appear within that).
  const std::vector<store::DepartmentStats>& stats(sqlite3* db, Date today);
  static constexpr std::int64_t kStatsKeepMs = 30000;

 private:
  struct Job {
    Query query;
    std::function<void(std::optional<nlohmann::json>)> done;  // a client's read
    std::string path;                                         // or an HTTP request
    Args args;
    Respond respond;
  };
  void run(std::vector<Job>& batch);
  void answer(Job& job);
  sqlite3* db();  // query thread; null when it cannot be opened yet

  const Options options_;
  std::atomic<std::uint64_t> generation_{1};  // bumped by changed()
  // Query thread: the statistics kept, and what they were computed for.
  std::vector<store::DepartmentStats> stats_;
  std::uint64_t stats_generation_ = 0;
  Date stats_day_;
  std::int64_t stats_at_ms_ = 0;
  std::atomic<std::int64_t> last_full_log_ms_{-100000};  // any thread
  store::DbPtr db_;                                      // query thread
  std::unique_ptr<WorkQueue<Job>> queue_;                // last: its thread uses the rest
};

}  // namespace yst::followup
