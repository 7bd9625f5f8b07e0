// The follow-up desk (问政跟踪): the commands that forward questions to
// departments and mark commitments made on air (producers; the typist marks a
// commitment too), a department's sign-in and its replies, progress and
// requests to reassign, and the citizens' ratings of the replies to their
// questions. Everything is in the database (store/followup_table.h): writes
// go through the store's writer and are answered once committed; reads run on
// the follow-up service's thread (followup/followup_service.h).
//
// Who hears about a change: the producers (followup.changed), the
// department's own connections, and the viewers who asked (followup.updated,
// wherever they are connected: the studio or an edge).
//
// Controller thread. Error style: refusals are protocol errors with the
// codes of store::FollowupRefusal (not_found, forbidden, invalid, conflict)
// and busy when the database queue is full.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "studio/core/clients.h"
#include "studio/core/command_registry.h"
#include "studio/followup/followup_service.h"
#include "studio/store/followup_table.h"
#include "studio/store/store.h"

namespace yst::desks {

class SignIn;

class FollowupDesk {
 public:
  struct Context {
    store::Store* store = nullptr;
    followup::FollowupService* service = nullptr;
    core::ClientMap* clients = nullptr;
    server::ClientSink* server = nullptr;
    // Department links are guessed at like staff tokens: refused and locked
    // out by the sign-in desk.
    SignIn* sign_in = nullptr;
    const core::CommandRegistry* commands = nullptr;
    std::int64_t session_id = 0;
    std::function<std::int64_t()> timeline_ms;
    int reply_working_days = 7;
    // An event for the producers.
    std::function<void(const std::string& type, nlohmann::json payload)> publish;
    // A message to every connection of one viewer (the studio's and the edges').
    std::function<void(const std::string& viewer, std::shared_ptr<const std::string>)> to_viewer;
    // A viewer who signs in as a department stops being a viewer.
    std::function<void(server::ClientId client)> leave_audience;
    // The overdue and open counts changed (status, metrics).
    std::function<void()> counts_changed;
    // A message to a department's desks at the public edges (unset: no edges).
    std::function<void(std::int64_t department, const std::string& message)> to_department;
    // The sensitive words in a citizen's comment, shown to the producers who
    // approve it, as a question's are (unset: none).
    std::function<std::vector<std::string>(const std::string& text)> sensitive_words;
  };

  explicit FollowupDesk(Context context);
  ~FollowupDesk();

  void setServer(server::ClientSink* server) { context_.server = server; }
  void registerCommands(core::CommandRegistry& commands);
  // hello with role "department", handed over by the sign-in desk.
  void departmentHello(server::ClientId client, const nlohmann::json& message,
                       const nlohmann::json& request_id);

  // The department a link's token hash signs in (问政跟踪 at the public
  // edges asks this for its desks): {"id","name"}, null when it is unknown or
  // revoked; nothing when the read could not run.
  void findDepartment(const std::string& token_sha256,
                      std::function<void(std::optional<nlohmann::json>)> done);
  // What a department's hello.ok says beyond its type: {"role","department",
  // "today","commands"}.
  nlohmann::json departmentWelcome(const nlohmann::json& department) const;

  // The per-department counts for /api/status and /metrics, read again every
  // few seconds and after each change ({"departments":[{id,name,open,overdue}],
  // "open","overdue","replies_new"}); null before the first read.
  const nlohmann::json& counts() const { return counts_; }
  void refreshCounts();
  // Whether `viewer` asked a question that is followed up (kept in memory:
  // every viewer's hello asks, and only those get followup.mine's read).
  bool hasFollowup(const std::string& viewer) const { return askers_.contains(viewer); }
  // Reads the askers once, at start.
  void loadAskers();

 private:
  using Outcome = core::CommandOutcome;

  Outcome forward(core::CommandContext& c);
  Outcome commit(core::CommandContext& c);
  Outcome reply(core::CommandContext& c);
  Outcome progress(core::CommandContext& c);
  Outcome reassignRequest(core::CommandContext& c);
  Outcome reassign(core::CommandContext& c);
  Outcome setDue(core::CommandContext& c);
  Outcome rate(core::CommandContext& c);
  Outcome moderate(core::CommandContext& c);
  Outcome list(core::CommandContext& c);
  Outcome item(core::CommandContext& c);
  Outcome mine(core::CommandContext& c);
  Outcome departments(core::CommandContext& c);
  // A viewer's command within its connection's allowance, or rate_limited.
  std::optional<core::CommandError> viewerLimited(core::CommandContext& c);

  // A due date from the command's "due" (a date, or a number of working
  // days) or the default; nothing with the refusal in *error.
  struct Due {
    followup::Date date;
    int working_days = 0;
  };
  std::optional<Due> readDue(const nlohmann::json& message, int default_working_days,
                             core::CommandError* error) const;
  // Runs `job` on the writer; once committed, replies {"item": view} to the
  // client and tells everyone concerned. The job returns the item's id.
  void write(server::ClientId client, const nlohmann::json& request_id, std::string command,
             std::function<std::int64_t(sqlite3*)> job);
  // After a committed change: the producers, the item's department and its askers.
  void announce(std::int64_t item_id, const std::string& action);
  // The answer to a read: its fields as the reply to `command`, busy when the
  // read could not run, not_found (`missing`) when it found nothing (null).
  std::function<void(std::optional<nlohmann::json>)> readAnswer(server::ClientId client,
                                                                nlohmann::json request_id,
                                                                std::string command,
                                                                std::string missing = {});
  void replyError(server::ClientId client, const nlohmann::json& request_id,
                  const std::string& code, const std::string& message);
  void send(server::ClientId client, const nlohmann::json& message);
  followup::Date today() const { return context_.service->today(); }
  std::string utcNow() const;

  Context context_;
  nlohmann::json counts_;
  bool counts_running_ = false;
  std::unordered_set<std::string> askers_;  // viewers with followed-up questions
  // Handed to store and service callbacks: they do nothing once the desk is gone.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace yst::desks
