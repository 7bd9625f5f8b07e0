#include "studio/desks/followup_desk.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/digest.h"
#include "studio/base/log.h"
#include "studio/desks/sign_in.h"
#include "studio/followup/followup_views.h"
#include "studio/protocol/message.h"
#include "studio/server/local_clients.h"
#include "studio/text/text.h"

namespace yst::desks {

using core::CommandContext;
using core::CommandError;
using core::FieldReader;
using core::Handled;
using core::Role;
using followup::Date;
using followup::Reader;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxBulkForward = 200;
constexpr int kDeskListLimit = 200;
constexpr int kMineLimit = 50;

// Text people write at length (a reply, what was done): paragraphs kept.
// Nothing, without an error, when it is absent and not required.
std::optional<std::string> longText(const json& message, const char* key, std::size_t max_chars,
                                    bool required, CommandError* error) {
  FieldReader f(message);
  std::optional<std::string> text = f.line(key, max_chars, !required, true);
  if (f.failed()) {
    *error = f.error();
    return std::nullopt;
  }
  if (!text && required) *error = {"invalid", std::string(key) + " is missing"};
  return text;
}

// A positive integer field; 0 when absent (and not required).
std::int64_t idField(const json& message, const char* key, bool required, CommandError* error) {
  auto it = message.find(key);
  if (it == message.end() || it->is_null()) {
    if (required) *error = {"invalid", std::string(key) + " is missing"};
    return 0;
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
    *error = {"invalid", std::string(key) + ": expected a positive integer id"};
    return 0;
  }
  return it->get<std::int64_t>();
}

}  // namespace

FollowupDesk::FollowupDesk(Context context) : context_(std::move(context)) {}

FollowupDesk::~FollowupDesk() = default;

std::string FollowupDesk::utcNow() const {
  // The follow-up clock (it may be set ahead for a rehearsal or a test).
  const std::int64_t ms = context_.service->nowUtcMs();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

void FollowupDesk::registerCommands(core::CommandRegistry& commands) {
  using core::roles;
  const core::RoleSet producer = roles({Role::kProducer});
  const core::RoleSet writers = roles({Role::kDepartment, Role::kProducer});
  const core::RoleSet citizens = roles({Role::kViewer, Role::kObserver});
  auto bind = [this](Outcome (FollowupDesk::*method)(CommandContext&)) {
    return [this, method](CommandContext& c) { return (this->*method)(c); };
  };
  commands.add("followup.forward", producer, bind(&FollowupDesk::forward));
  commands.add("followup.commit", roles({Role::kProducer, Role::kTypist}),
               bind(&FollowupDesk::commit));
  commands.add("followup.reply", writers, bind(&FollowupDesk::reply));
  commands.add("followup.progress", writers, bind(&FollowupDesk::progress));
  commands.add("followup.reassign_request", roles({Role::kDepartment}),
               bind(&FollowupDesk::reassignRequest));
  commands.add("followup.reassign", producer, bind(&FollowupDesk::reassign));
  commands.add("followup.due", producer, bind(&FollowupDesk::setDue));
  commands.add("followup.rate", citizens, bind(&FollowupDesk::rate),
               "say hello as a viewer before rating a reply");
  commands.add("followup.moderate", producer, bind(&FollowupDesk::moderate));
  commands.add("followup.list", writers, bind(&FollowupDesk::list));
  commands.add("followup.item", writers, bind(&FollowupDesk::item));
  commands.add("followup.mine", citizens, bind(&FollowupDesk::mine),
               "say hello as a viewer before asking for your questions' follow-up");
  commands.add("followup.departments", roles({Role::kProducer, Role::kTypist}),
               bind(&FollowupDesk::departments));
}

// --- sign-in ---

void FollowupDesk::departmentHello(server::ClientId client, const json& message,
                                   const json& request_id) {
  core::ClientInfo& info = (*context_.clients)[client];
  const bool local = server::LocalClients::isLocal(client);
  if (!local) {
    if (const double wait_s = context_.sign_in->guard().lockedFor(info.address, steadyNowUs());
        wait_s > 0) {
      context_.sign_in->refuseLockedOut(client, info, wait_s, request_id);
      return;
    }
  }
  auto token = message.find("token");
  if (token == message.end() || !token->is_string() || token->get<std::string>().empty()) {
    context_.sign_in->refuseWrongToken(client, info, "department",
                                       "a department hello needs its link's token", request_id);
    return;
  }
  std::weak_ptr<char> alive = alive_;
  findDepartment(sha256Hex(token->get<std::string>()), [this, alive, client, request_id,
                                                        local](std::optional<json> found) {
    if (alive.expired() || !context_.clients->contains(client)) return;
    core::ClientInfo& info = context_.clients->at(client);
    if (!found) {
      replyError(client, request_id, "busy", "the studio is busy; try again");
      return;
    }
    if (found->is_null()) {
      context_.sign_in->refuseWrongToken(client, info, "department",
                                         "unknown or revoked department link", request_id);
      return;
    }
    if (!local) context_.sign_in->guard().signedIn(info.address);
    if (!info.viewer.empty()) context_.leave_audience(client);
    info.role = Role::kDepartment;
    info.department_id = (*found)["id"].get<std::int64_t>();
    info.producer_name = (*found)["name"].get<std::string>();
    context_.server->setChannels(client, server::kChannelNone);
    json ok = {{"type", "hello.ok"}};
    ok.update(departmentWelcome(*found));
    if (!request_id.is_null()) ok["id"] = request_id;
    send(client, ok);
  });
}

void FollowupDesk::findDepartment(const std::string& token_sha256,
                                  std::function<void(std::optional<json>)> done) {
  context_.service->read(
      [token_sha256](sqlite3* db, Date) -> json {
        const auto department = store::departmentByToken(db, token_sha256);
        return department ? json{{"id", department->id}, {"name", department->name}} : json();
      },
      std::move(done));
}

json FollowupDesk::departmentWelcome(const json& department) const {
  return {{"role", "department"},
          {"department", department},
          {"today", followup::formatDate(today())},
          {"commands", context_.commands->commandsFor(Role::kDepartment)}};
}

// --- due dates ---

std::optional<FollowupDesk::Due> FollowupDesk::readDue(const json& message,
                                                       int default_working_days,
                                                       CommandError* error) const {
  const followup::WorkCalendar& calendar = context_.service->calendar();
  const Date now = today();
  auto due = message.find("due");
  int days = default_working_days;
  if (due != message.end() && !due->is_null()) {
    if (due->is_string()) {
      const std::optional<Date> date = followup::parseDate(due->get<std::string>());
      if (!date) {
        *error = {"invalid", "due: a date such as \"2026-12-31\", or a number of working days"};
        return std::nullopt;
      }
      if (std::chrono::sys_days{*date} < std::chrono::sys_days{now}) {
        *error = {"invalid", "due: " + followup::formatDate(*date) + " has passed"};
        return std::nullopt;
      }
      if (followup::daysBetween(now, *date) > followup::kMaxDueYears * 366) {
        *error = {"invalid",
                  "due: at most " + std::to_string(followup::kMaxDueYears) + " years from today"};
        return std::nullopt;
      }
      return Due{*date, 0};
    }
    if (!due->is_number_integer() || due->get<std::int64_t>() < 1 ||
        due->get<std::int64_t>() > followup::kMaxWorkingDays) {
      *error = {"invalid", "due: a date such as \"2026-12-31\", or 1 to " +
                               std::to_string(followup::kMaxWorkingDays) + " working days"};
      return std::nullopt;
    }
    days = static_cast<int>(due->get<std::int64_t>());
  } else if (default_working_days <= 0) {
    *error = {"invalid", "due: a commitment needs its deadline (a date or working days)"};
    return std::nullopt;
  }
  const Date date = calendar.addWorkingDays(now, days);
  if (calendar.provisional(date) || !calendar.covers(date)) {
    logWarn("followup", "the due date " + followup::formatDate(date) +
                            " was counted without the year's full holiday arrangement; "
                            "update the calendar file");
  }
  return Due{date, days};
}

// --- writes ---

void FollowupDesk::write(server::ClientId client, const json& request_id, std::string command,
                         std::function<std::int64_t(sqlite3*)> job) {
  struct Result {
    std::int64_t item = 0;
    std::string code;
    std::string message;
  };
  auto result = std::make_shared<Result>();
  std::weak_ptr<char> alive = alive_;
  const bool queued = context_.store->submit(
      [job = std::move(job), result](sqlite3* db) {
        try {
          result->item = job(db);
        } catch (const store::FollowupRefusal& refusal) {
          // Nothing was written: a refusal is thrown before any change.
          result->code = refusal.code();
          result->message = refusal.what();
        }
      },
      [this, alive, result, client, request_id, command](bool ok, const std::string& error) {
        if (alive.expired()) return;
        if (!ok) {
          logError("followup", "could not store \"" + command + "\": " + error);
          replyError(client, request_id, "storage_failed", "the change could not be stored");
          return;
        }
        if (!result->code.empty()) {
          replyError(client, request_id, result->code, result->message);
          return;
        }
        context_.service->changed();
        // The reply carries the item as this client may see it.
        Reader reader = Reader::kPublic;
        if (auto it = context_.clients->find(client); it != context_.clients->end()) {
          if (it->second.role == Role::kDepartment) reader = Reader::kDepartment;
          if (it->second.role == Role::kProducer || it->second.role == Role::kTypist) {
            reader = Reader::kProducer;
          }
        }
        const std::int64_t id = result->item;
        context_.service->read(
            [id, reader](sqlite3* db, Date today) -> json {
              const auto item = store::loadItem(db, id);
              return item ? followup::itemJson(*item, today, reader) : json();
            },
            [this, alive, client, request_id, command](std::optional<json> item) {
              if (alive.expired()) return;
              json out = {{"type", "reply"}, {"ok", true}, {"command", command}};
              if (!request_id.is_null()) out["id"] = request_id;
              out["item"] = item ? *item : json();
              send(client, out);
            });
        announce(id, command.substr(std::string_view("followup.").size()));
      });
  if (!queued) replyError(client, request_id, "busy", "the studio is busy; try again");
}

void FollowupDesk::announce(std::int64_t item_id, const std::string& action) {
  std::weak_ptr<char> alive = alive_;
  context_.service->read(
      [item_id](sqlite3* db, Date today) -> json {
        const auto item = store::loadItem(db, item_id);
        if (!item) return json();
        json askers = json::array();
        store::StmtPtr s =
            store::prepare(db, "SELECT viewer FROM followup_askers WHERE item_id = ?");
        sqlite3_bind_int64(s.get(), 1, item_id);
        while (sqlite3_step(s.get()) == SQLITE_ROW) askers.push_back(store::columnText(s.get(), 0));
        return {{"producer", followup::itemJson(*item, today, Reader::kProducer)},
                {"department", followup::itemJson(*item, today, Reader::kDepartment)},
                {"public", followup::itemJson(*item, today, Reader::kPublic)},
                {"department_id", item->department_id},
                {"askers", std::move(askers)}};
      },
      [this, alive, action](std::optional<json> views) {
        if (alive.expired() || !views || views->is_null()) return;
        context_.publish("followup.changed", {{"action", action}, {"item", (*views)["producer"]}});
        const auto to_department = std::make_shared<const std::string>(json{
            {"type", "followup.changed"},
            {"action", action},
            {"item", (*views)["department"]}}.dump());
        const std::int64_t department = (*views)["department_id"].get<std::int64_t>();
        for (const auto& [client, info] : *context_.clients) {
          if (info.role == Role::kDepartment && info.department_id == department) {
            context_.server->send(client, to_department);
          }
        }
        // Its desks at the public edges.
        if (context_.to_department) context_.to_department(department, *to_department);
        for (const json& viewer : (*views)["askers"]) askers_.insert(viewer.get<std::string>());
        if (context_.to_viewer && !(*views)["askers"].empty()) {
          const auto to_askers = std::make_shared<const std::string>(
              json{{"type", "followup.updated"}, {"item", (*views)["public"]}}.dump());
          for (const json& viewer : (*views)["askers"]) {
            context_.to_viewer(viewer.get<std::string>(), to_askers);
          }
        }
        refreshCounts();
      });
}

FollowupDesk::Outcome FollowupDesk::forward(CommandContext& c) {
  CommandError error;
  const std::int64_t department = idField(c.message, "department", true, &error);
  if (!error.code.empty()) return error;
  std::vector<std::int64_t> questions;
  auto field = c.message.find("question");
  if (field != c.message.end() && field->is_array()) {
    if (field->empty() || field->size() > kMaxBulkForward) {
      return CommandError{"invalid",
                          "question: 1 to " + std::to_string(kMaxBulkForward) + " question ids"};
    }
    for (const json& id : *field) {
      if (!id.is_number_integer() || id.get<std::int64_t>() <= 0) {
        return CommandError{"invalid", "question: expected question ids"};
      }
      questions.push_back(id.get<std::int64_t>());
    }
  } else {
    const std::int64_t one = idField(c.message, "question", true, &error);
    if (!error.code.empty()) return error;
    questions.push_back(one);
  }
  const std::optional<Due> due = readDue(c.message, context_.reply_working_days, &error);
  if (!due) return error;
  const std::string by = c.info.producer_name;
  const std::string utc = utcNow();
  if (questions.size() == 1) {
    const store::ForwardQuestion f{questions[0], department, due->date, due->working_days, by, utc};
    write(c.client, c.request_id, "followup.forward",
          [f](sqlite3* db) { return store::forwardQuestion(db, f); });
    return Handled{};
  }
  // Bulk, at the end of the show: each question on its own, the refused
  // ones listed with why.
  struct Bulk {
    std::vector<std::int64_t> items;
    json refused = json::array();
  };
  auto bulk = std::make_shared<Bulk>();
  std::weak_ptr<char> alive = alive_;
  const server::ClientId client = c.client;
  const json request_id = c.request_id;
  const bool queued = context_.store->submit(
      [bulk, questions, department, due = *due, by, utc](sqlite3* db) {
        for (std::int64_t q : questions) {
          try {
            // A savepoint each: one refused question leaves the others.
            store::exec(db, "SAVEPOINT forward");
            bulk->items.push_back(
                store::forwardQuestion(db, {q, department, due.date, due.working_days, by, utc}));
            store::exec(db, "RELEASE forward");
          } catch (const store::FollowupRefusal& refusal) {
            store::exec(db, "ROLLBACK TO forward; RELEASE forward");
            bulk->refused.push_back(
                {{"question", q}, {"code", refusal.code()}, {"message", refusal.what()}});
          }
        }
      },
      [this, alive, bulk, client, request_id](bool ok, const std::string& error) {
        if (alive.expired()) return;
        if (!ok) {
          logError("followup", "could not store a bulk forward: " + error);
          replyError(client, request_id, "storage_failed", "the change could not be stored");
          return;
        }
        json out = {{"type", "reply"},
                    {"ok", true},
                    {"command", "followup.forward"},
                    {"items", bulk->items},
                    {"refused", bulk->refused}};
        if (!request_id.is_null()) out["id"] = request_id;
        send(client, out);
        context_.service->changed();
        for (std::int64_t id : bulk->items) announce(id, "forward");
      });
  if (!queued) return CommandError{"busy", "the studio is busy; try again"};
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::commit(CommandContext& c) {
  CommandError error;
  const std::int64_t department = idField(c.message, "department", true, &error);
  const std::int64_t question = idField(c.message, "question", false, &error);
  const std::int64_t line = idField(c.message, "line", false, &error);
  if (!error.code.empty()) return error;
  const std::optional<std::string> text =
      longText(c.message, "text", followup::kMaxCommitmentChars, line == 0, &error);
  if (!error.code.empty()) return error;
  const std::optional<Due> due = readDue(c.message, 0, &error);
  if (!due) return error;
  store::MarkCommitment m;
  m.session_id = context_.session_id;
  m.question_id = question;
  m.department_id = department;
  m.text = text.value_or("");
  m.due = due->date;
  m.working_days = due->working_days;
  m.timeline_ms = context_.timeline_ms ? context_.timeline_ms() : -1;
  m.by = c.info.producer_name;
  m.utc = utcNow();
  write(c.client, c.request_id, "followup.commit", [m, line](sqlite3* db) mutable {
    if (line != 0) {
      // The typist's key: the commitment is the line just typed, at the
      // moment it began.
      store::StmtPtr s = store::prepare(db,
                                        "SELECT text, start_ms, session_id FROM transcript_lines "
                                        "WHERE id = ? AND deleted = 0");
      sqlite3_bind_int64(s.get(), 1, line);
      if (sqlite3_step(s.get()) != SQLITE_ROW || sqlite3_column_int64(s.get(), 2) != m.session_id) {
        throw store::FollowupRefusal(
            "not_found", "no transcript line " + std::to_string(line) + " in this show");
      }
      if (m.text.empty()) {
        m.text =
            text::cleanText(store::columnText(s.get(), 0), followup::kMaxCommitmentChars, false)
                .text;
      }
      m.timeline_ms = sqlite3_column_int64(s.get(), 1);
    }
    return store::markCommitment(db, m);
  });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::reply(CommandContext& c) {
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  const std::optional<std::string> text =
      longText(c.message, "text", followup::kMaxReplyChars, true, &error);
  if (!text) return error;
  const store::Actor actor{c.info.producer_name,
                           c.info.role == Role::kDepartment ? c.info.department_id : 0};
  const store::Stamp when{utcNow(), today()};
  write(c.client, c.request_id, "followup.reply", [item, actor, text = *text, when](sqlite3* db) {
    store::replyToItem(db, item, actor, text, when);
    return item;
  });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::progress(CommandContext& c) {
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  FieldReader f(c.message);
  const json* state_field = f.required("state", json::value_t::string);
  if (!state_field) return f.error();
  const followup::State state = followup::stateFromName(state_field->get<std::string>());
  if (state != followup::State::kInProgress && state != followup::State::kDone) {
    return CommandError{"invalid", "state: in_progress or done"};
  }
  const std::optional<std::string> text =
      longText(c.message, "text", followup::kMaxProgressChars, true, &error);
  if (!text) return error;
  const store::Actor actor{c.info.producer_name,
                           c.info.role == Role::kDepartment ? c.info.department_id : 0};
  const store::Stamp when{utcNow(), today()};
  write(c.client, c.request_id, "followup.progress",
        [item, actor, state, text = *text, when](sqlite3* db) {
          store::reportProgress(db, item, actor, state, text, when);
          return item;
        });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::reassignRequest(CommandContext& c) {
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  const std::optional<std::string> reason =
      longText(c.message, "reason", followup::kMaxReasonChars, true, &error);
  if (!reason) return error;
  const store::Actor actor{c.info.producer_name, c.info.department_id};
  const std::string utc = utcNow();
  write(c.client, c.request_id, "followup.reassign_request",
        [item, actor, reason = *reason, utc](sqlite3* db) {
          store::requestReassign(db, item, actor, reason, utc);
          return item;
        });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::reassign(CommandContext& c) {
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  const std::int64_t department = idField(c.message, "department", true, &error);
  if (!error.code.empty()) return error;
  const std::string by = c.info.producer_name;
  const std::string utc = utcNow();
  write(c.client, c.request_id, "followup.reassign", [item, department, by, utc](sqlite3* db) {
    store::reassignItem(db, item, department, by, utc);
    return item;
  });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::setDue(CommandContext& c) {
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  if (!c.message.contains("due")) return CommandError{"invalid", "due is missing"};
  const std::optional<Due> due = readDue(c.message, 0, &error);
  if (!due) return error;
  const std::string by = c.info.producer_name;
  const std::string utc = utcNow();
  write(c.client, c.request_id, "followup.due", [item, due = *due, by, utc](sqlite3* db) {
    store::setDue(db, item, due.date, due.working_days, by, utc);
    return item;
  });
  return Handled{};
}

std::optional<CommandError> FollowupDesk::viewerLimited(CommandContext& c) {
  double wait_s = 0;
  if (server::LocalClients::isLocal(c.client) ||
      c.info.followups.take(
          TokenBucket::Limits::every(followup::kCitizenIntervalS, followup::kCitizenBurst),
          steadyNowUs(), &wait_s)) {
    return std::nullopt;
  }
  const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
  return CommandError{"rate_limited", "too often; try again in " + std::to_string(retry) + " s"};
}

FollowupDesk::Outcome FollowupDesk::rate(CommandContext& c) {
  if (auto limited = viewerLimited(c)) return *limited;
  CommandError error;
  const std::int64_t item = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  FieldReader f(c.message);
  const json* rating_field = f.required("rating", json::value_t::string);
  if (!rating_field) return f.error();
  const followup::Rating rating = followup::ratingFromName(rating_field->get<std::string>());
  if (rating == followup::Rating::kInvalid) {
    return CommandError{"invalid", "rating: satisfied, basically_satisfied or dissatisfied"};
  }
  const std::optional<std::string> comment =
      longText(c.message, "comment", followup::kMaxRatingCommentChars, false, &error);
  if (!comment && !error.code.empty()) return error;
  const std::string viewer = c.info.viewer;
  if (viewer.empty()) return CommandError{"forbidden", "say hello as a viewer first"};
  const std::string utc = utcNow();
  write(c.client, c.request_id, "followup.rate",
        [item, viewer, rating, comment = comment.value_or(""), utc](sqlite3* db) {
          // A comment waits for a producer, as a question does.
          store::rateItem(db, item, viewer, rating, comment, true, utc);
          return item;
        });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::moderate(CommandContext& c) {
  CommandError error;
  const std::int64_t rating = idField(c.message, "rating", true, &error);
  if (!error.code.empty()) return error;
  FieldReader f(c.message);
  const json* action = f.required("action", json::value_t::string);
  if (!action) return f.error();
  if (*action != "approve" && *action != "reject") {
    return CommandError{"invalid", "action: approve or reject"};
  }
  const bool approve = *action == "approve";
  const std::string by = c.info.producer_name;
  const std::string utc = utcNow();
  write(c.client, c.request_id, "followup.moderate", [rating, approve, by, utc](sqlite3* db) {
    if (!store::moderateRatingComment(db, rating, approve, by, utc)) {
      throw store::FollowupRefusal("not_found", "no comment " + std::to_string(rating));
    }
    store::StmtPtr s = store::prepare(db, "SELECT item_id FROM followup_ratings WHERE id = ?");
    sqlite3_bind_int64(s.get(), 1, rating);
    return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : 0;
  });
  return Handled{};
}

// --- reads ---

FollowupDesk::Outcome FollowupDesk::list(CommandContext& c) {
  followup::FollowupService::Args args;
  for (const char* key : {"department", "status", "show", "kind", "q", "before", "limit"}) {
    auto it = c.message.find(key);
    if (it == c.message.end() || it->is_null()) continue;
    if (it->is_string()) {
      args.emplace_back(key, it->get<std::string>());
    } else if (it->is_number_integer()) {
      args.emplace_back(key, std::to_string(it->get<std::int64_t>()));
    } else {
      return CommandError{"invalid", std::string(key) + " has the wrong type"};
    }
  }
  const bool department = c.info.role == Role::kDepartment;
  const std::int64_t own = c.info.department_id;
  const Reader reader = department ? Reader::kDepartment : Reader::kProducer;
  const server::ClientId client = c.client;
  const json request_id = c.request_id;
  context_.service->read(
      [args, department, own, reader](sqlite3* db, Date today) -> json {
        store::ItemQuery q;
        q.today = today;
        q.limit = kDeskListLimit;
        for (const auto& [key, value] : args) {
          const std::int64_t number = std::atoll(value.c_str());
          if (key == "department") q.department_id = number;
          if (key == "show") q.session_id = number;
          if (key == "before") q.before_id = number;
          if (key == "limit") q.limit = static_cast<int>(std::clamp<std::int64_t>(number, 1, 1000));
          if (key == "status") q.status = followup::statusFromName(value);
          if (key == "kind") q.kind = followup::kindFromName(value);
          if (key == "q") q.q = text::cleanText(value, 100, false).text;
        }
        if (department) {
          // A department sees its own items only, whatever it asks for.
          q.department_id = own;
          q.open_first = true;
        }
        json items = json::array();
        for (const auto& item : store::listItems(db, q)) {
          items.push_back(followup::itemJson(item, today, reader));
        }
        json out = {{"today", followup::formatDate(today)}, {"items", std::move(items)}};
        if (!department) {
          json pending = json::array();
          for (const auto& r : store::pendingComments(db, 100)) {
            pending.push_back(followup::ratingJson(r, Reader::kProducer));
          }
          out["pending_comments"] = std::move(pending);
        }
        return out;
      },
      [this, alive = std::weak_ptr<char>(alive_),
       answer = readAnswer(client, request_id, "followup.list")](std::optional<json> result) {
        // A comment waiting for a producer shows the sensitive words in it,
        // as a question does (on this thread: the list is the desk's).
        if (!alive.expired() && result && result->contains("pending_comments") &&
            context_.sensitive_words) {
          for (json& comment : (*result)["pending_comments"]) {
            comment["matched_words"] = context_.sensitive_words(comment.value("comment", ""));
          }
        }
        answer(std::move(result));
      });
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::item(CommandContext& c) {
  CommandError error;
  const std::int64_t id = idField(c.message, "item", true, &error);
  if (!error.code.empty()) return error;
  const bool department = c.info.role == Role::kDepartment;
  const std::int64_t own = c.info.department_id;
  const server::ClientId client = c.client;
  const json request_id = c.request_id;
  context_.service->read(
      [id, department, own](sqlite3* db, Date today) -> json {
        const auto item = store::loadItem(db, id);
        if (!item || (department && item->department_id != own)) return json();
        const Reader reader = department ? Reader::kDepartment : Reader::kProducer;
        json ratings = json::array();
        for (const auto& r : store::itemRatings(db, id, department)) {
          ratings.push_back(followup::ratingJson(r, department ? Reader::kPublic : reader));
        }
        return {{"item", followup::itemJson(*item, today, reader)},
                {"history", followup::historyJson(store::itemHistory(db, id))},
                {"ratings", std::move(ratings)}};
      },
      readAnswer(client, request_id, "followup.item", "no follow-up item " + std::to_string(id)));
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::mine(CommandContext& c) {
  if (auto limited = viewerLimited(c)) return *limited;
  const std::string viewer = c.info.viewer;
  if (viewer.empty()) return CommandError{"forbidden", "say hello as a viewer first"};
  const server::ClientId client = c.client;
  const json request_id = c.request_id;
  context_.service->read(
      [viewer](sqlite3* db, Date today) -> json {
        json items = json::array();
        for (const auto& item : store::itemsOfViewer(db, viewer, kMineLimit)) {
          json view = followup::itemJson(item, today, Reader::kPublic);
          const auto own = store::ratingBy(db, item.id, viewer);
          view["my_rating"] = own ? json(followup::ratingName(own->rating)) : json();
          items.push_back(std::move(view));
        }
        return {{"items", std::move(items)}};
      },
      readAnswer(client, request_id, "followup.mine"));
  return Handled{};
}

FollowupDesk::Outcome FollowupDesk::departments(CommandContext& c) {
  const server::ClientId client = c.client;
  const json request_id = c.request_id;
  context_.service->read(
      [](sqlite3* db, Date) -> json {
        json list = json::array();
        for (const auto& d : store::listDepartments(db, false)) {
          list.push_back(followup::departmentJson(d));
        }
        return {{"departments", std::move(list)}};
      },
      readAnswer(client, request_id, "followup.departments"));
  return Handled{};
}

void FollowupDesk::loadAskers() {
  std::weak_ptr<char> alive = alive_;
  context_.service->read(
      [](sqlite3* db, Date) -> json {
        json viewers = json::array();
        store::StmtPtr s = store::prepare(db, "SELECT DISTINCT viewer FROM followup_askers");
        while (sqlite3_step(s.get()) == SQLITE_ROW)
          viewers.push_back(store::columnText(s.get(), 0));
        return viewers;
      },
      [this, alive](std::optional<json> viewers) {
        if (alive.expired() || !viewers) return;
        for (const json& viewer : *viewers) askers_.insert(viewer.get<std::string>());
      });
}

void FollowupDesk::refreshCounts() {
  if (counts_running_) return;
  counts_running_ = true;
  std::weak_ptr<char> alive = alive_;
  context_.service->read(
      [service = context_.service](sqlite3* db, Date today) -> json {
        json departments = json::array();
        int open = 0;
        int overdue = 0;
        for (const auto& s : service->stats(db, today)) {
          open += s.open;
          overdue += s.overdue;
          departments.push_back({{"id", s.department_id},
                                 {"name", s.department},
                                 {"open", s.open},
                                 {"overdue", s.overdue}});
        }
        store::ItemQuery latest;
        latest.today = today;
        latest.replied_only = true;
        latest.limit = 10;
        json replies = json::array();
        for (const auto& item : store::listItems(db, latest)) {
          replies.push_back({{"id", item.id},
                             {"department", item.department},
                             {"text", item.text},
                             {"updated_at", item.updated_at}});
        }
        return {{"today", followup::formatDate(today)},
                {"open", open},
                {"overdue", overdue},
                {"departments", std::move(departments)},
                {"recent_replies", std::move(replies)}};
      },
      [this, alive](std::optional<json> result) {
        if (alive.expired()) return;
        counts_running_ = false;
        if (!result) return;
        if (*result != counts_) {
          counts_ = std::move(*result);
          if (context_.counts_changed) context_.counts_changed();
        }
      });
}

std::function<void(std::optional<json>)> FollowupDesk::readAnswer(server::ClientId client,
                                                                  json request_id,
                                                                  std::string command,
                                                                  std::string missing) {
  return [this, alive = std::weak_ptr<char>(alive_), client, request_id = std::move(request_id),
          command = std::move(command), missing = std::move(missing)](std::optional<json> result) {
    if (alive.expired()) return;
    if (!result) {
      replyError(client, request_id, "busy", "the studio is busy; try again");
    } else if (result->is_null()) {
      replyError(client, request_id, "not_found", missing);
    } else {
      json out = {{"type", "reply"}, {"ok", true}, {"command", command}};
      if (!request_id.is_null()) out["id"] = request_id;
      out.update(*result);
      send(client, out);
    }
  };
}

void FollowupDesk::replyError(server::ClientId client, const json& request_id,
                              const std::string& code, const std::string& message) {
  send(client, protocol::errorMessage(code, message, request_id));
}

void FollowupDesk::send(server::ClientId client, const json& message) {
  if (context_.server) {
    context_.server->send(client, std::make_shared<const std::string>(message.dump()));
  }
}

}  // namespace yst::desks
