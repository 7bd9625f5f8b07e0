#include "studio/followup/followup_service.h"

#include <algorithm>
#include <charconv>
#include <utility>
#include <variant>

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/followup/followup_views.h"
#include "studio/store/followup_table.h"
#include "studio/text/text.h"

namespace yst::followup {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxQueued = 256;
constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;
constexpr int kFeedEntries = 50;
constexpr std::size_t kMaxQueryChars = 100;
constexpr const char* kJson = "application/json; charset=utf-8";

std::shared_ptr<const std::string> body(const json& value) {
  return std::make_shared<const std::string>(value.dump());
}

json problem(const std::string& code, const std::string& message) {
  // The shape of the archive API's errors (and of /ws's).
  return {{"type", "error"}, {"code", code}, {"message", message}};
}

const std::string* arg(const FollowupService::Args& args, std::string_view name) {
  for (const auto& [key, value] : args) {
    if (key == name) return &value;
  }
  return nullptr;
}

// A positive id, or 0 when absent or empty; -1 when it is not one.
std::int64_t idArg(const FollowupService::Args& args, std::string_view name) {
  const std::string* value = arg(args, name);
  if (!value || value->empty()) return 0;
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), id);
  if (ec != std::errc() || end != value->data() + value->size() || id <= 0) return -1;
  return id;
}

// The list's filters from the query string, or the problem with them.
std::variant<store::ItemQuery, std::string> itemQuery(const FollowupService::Args& args,
                                                      Date today) {
  store::ItemQuery q;
  q.today = today;
  q.department_id = idArg(args, "department");
  if (q.department_id < 0) return "department: expected a department's id";
  q.session_id = idArg(args, "show");
  if (q.session_id < 0) return "show: expected a show's id";
  q.before_id = idArg(args, "before");
  if (q.before_id < 0) return "before: expected an item's id";
  if (const std::string* status = arg(args, "status"); status && !status->empty()) {
    q.status = statusFromName(*status);
    if (q.status == Status::kInvalid) {
      return "status: one of awaiting_reply, answered, in_progress, done, overdue";
    }
  }
  if (const std::string* kind = arg(args, "kind"); kind && !kind->empty()) {
    q.kind = kindFromName(*kind);
    if (q.kind == Kind::kInvalid) return "kind: question or commitment";
  }
  if (const std::string* text = arg(args, "q")) {
    if (!text::isValidUtf8(*text)) return "q: invalid UTF-8";
    const text::CleanedText cleaned = text::cleanText(*text, kMaxQueryChars, false);
    if (cleaned.problem == text::TextProblem::kTooLong) {
      return "q: at most " + std::to_string(kMaxQueryChars) + " characters";
    }
    q.q = cleaned.text;
  }
  q.limit = kDefaultLimit;
  const std::int64_t limit = idArg(args, "limit");
  if (limit < 0) return "limit: expected 1 to " + std::to_string(kMaxLimit);
  if (limit > 0) q.limit = static_cast<int>(std::min<std::int64_t>(limit, kMaxLimit));
  return q;
}

}  // namespace

bool FollowupService::handles(const std::string& path) {
  return path.starts_with(kApiPrefix) || path == kFeedPath;
}

FollowupService::FollowupService(Options options) : options_(std::move(options)) {
  queue_ = std::make_unique<WorkQueue<Job>>(WorkQueue<Job>::Options{"yst-followup", kMaxQueued, 16},
                                            [this](std::vector<Job>& batch) { run(batch); });
}

FollowupService::~FollowupService() {
  queue_.reset();
}

void FollowupService::request(std::string path, Args args, Respond respond) {
  Job job;
  job.path = std::move(path);
  job.args = std::move(args);
  job.respond = respond;
  if (!queue_->post(std::move(job))) {
    respond(503, body(problem("busy", "too many requests are waiting; try again")), kJson);
  }
}

void FollowupService::read(Query query, std::function<void(std::optional<json>)> done) {
  Job job;
  job.query = std::move(query);
  job.done = done;
  if (!queue_->post(std::move(job))) {
    // Once per burst, not once per refused read.
    const std::int64_t now_ms = steadyNowMs();
    if (now_ms - last_full_log_ms_.exchange(now_ms) > 10000) {
      logWarn("followup", "the read queue is full; reads are refused (busy) until it drains");
    }
    done(std::nullopt);
  }
}

const std::vector<store::DepartmentStats>& FollowupService::stats(sqlite3* db, Date today) {
  const std::uint64_t generation = generation_.load();
  const std::int64_t now_ms = steadyNowMs();
  if (stats_generation_ != generation || stats_day_ != today ||
      now_ms - stats_at_ms_ > kStatsKeepMs) {
    stats_ = store::departmentStats(db, today);
    stats_generation_ = generation;
    stats_day_ = today;
    stats_at_ms_ = now_ms;
  }
  return stats_;
}

sqlite3* FollowupService::db() {
  if (!db_) {
    try {
      db_ = store::openReadOnly(options_.db_path);
    } catch (const store::StoreError& e) {
      logError("followup", e.what());
      return nullptr;
    }
  }
  return db_.get();
}

void FollowupService::run(std::vector<Job>& batch) {
  for (Job& job : batch) answer(job);
}

void FollowupService::answer(Job& job) {
  const Date today = options_.calendar.dateAt(options_.now_utc_ms());
  sqlite3* connection = db();
  if (job.query) {
    std::optional<json> result;
    if (connection) {
      try {
        result = job.query(connection, today);
      } catch (const std::exception& e) {
        logError("followup", std::string("a read failed: ") + e.what());
      }
    }
    options_.post([done = std::move(job.done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
    return;
  }
  if (!connection) {
    job.respond(503, body(problem("unavailable", "the follow-up records cannot be read")), kJson);
    return;
  }
  try {
    const std::string& path = job.path;
    if (path == kFeedPath) {
      store::ItemQuery q;
      q.today = today;
      q.replied_only = true;
      q.limit = kFeedEntries;
      q.department_id = idArg(job.args, "department");
      if (q.department_id < 0) {
        job.respond(400, body(problem("invalid", "department: expected a department's id")), kJson);
        return;
      }
      std::string title = options_.feed_title;
      if (q.department_id > 0) {
        auto department = store::findDepartment(connection, q.department_id);
        if (!department) {
          job.respond(404, body(problem("not_found", "no such department")), kJson);
          return;
        }
        title += " · " + department->name;
      }
      const std::string feed_path =
          q.department_id > 0
              ? std::string(kFeedPath) + "?department=" + std::to_string(q.department_id)
              : std::string(kFeedPath);
      job.respond(200,
                  std::make_shared<const std::string>(atomFeed(
                      store::listItems(connection, q), title, options_.public_url, feed_path)),
                  "application/atom+xml; charset=utf-8");
      return;
    }
    const std::string rest = path.substr(std::string_view(kApiPrefix).size());
    if (rest.empty() || rest == "/") {
      auto query = itemQuery(job.args, today);
      if (const std::string* error = std::get_if<std::string>(&query)) {
        job.respond(400, body(problem("invalid", *error)), kJson);
        return;
      }
      const store::ItemQuery& q = std::get<store::ItemQuery>(query);
      const std::vector<store::FollowupItem> items = store::listItems(connection, q);
      json list = json::array();
      for (const auto& item : items) list.push_back(itemJson(item, today, Reader::kPublic));
      json out = {{"today", formatDate(today)}, {"items", std::move(list)}};
      out["next_before"] = static_cast<int>(items.size()) == q.limit && !items.empty()
                               ? json(items.back().id)
                               : json();
      job.respond(200, body(out), kJson);
    } else if (rest == "/item") {
      const std::int64_t id = idArg(job.args, "id");
      if (id <= 0) {
        job.respond(400, body(problem("invalid", "id: expected an item's id")), kJson);
        return;
      }
      const std::optional<store::FollowupItem> item = store::loadItem(connection, id);
      if (!item) {
        job.respond(404, body(problem("not_found", "no such item")), kJson);
        return;
      }
      // The public history: what happened and when, not which member of
      // staff did it.
      json history = json::array();
      for (json& h : historyJson(store::itemHistory(connection, id))) {
        h.erase("actor");
        history.push_back(std::move(h));
      }
      json comments = json::array();
      for (const auto& r : store::itemRatings(connection, id, true)) {
        comments.push_back(ratingJson(r, Reader::kPublic));
      }
      job.respond(200,
                  body({{"today", formatDate(today)},
                        {"item", itemJson(*item, today, Reader::kPublic)},
                        {"history", std::move(history)},
                        {"comments", std::move(comments)}}),
                  kJson);
    } else if (rest == "/stats") {
      job.respond(200,
                  body({{"today", formatDate(today)},
                        {"departments", statsJson(stats(connection, today))}}),
                  kJson);
    } else if (rest == "/departments") {
      json list = json::array();
      for (const auto& d : store::listDepartments(connection, false)) {
        list.push_back({{"id", d.id}, {"name", d.name}});
      }
      job.respond(200, body({{"departments", std::move(list)}}), kJson);
    } else {
      job.respond(404, body(problem("not_found", "no such follow-up resource")), kJson);
    }
  } catch (const std::exception& e) {
    logError("followup", std::string("a request failed: ") + e.what());
    job.respond(500, body(problem("failed", "the follow-up records could not be read")), kJson);
  }
}

}  // namespace yst::followup
