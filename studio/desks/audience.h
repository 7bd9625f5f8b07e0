// The audience side of the controller: viewers' and observers' hellos,
// question submissions and votes, producers' moderation commands, and what
// each kind of client is told about it.
//
// Runs on the controller thread, as part of the Controller (which owns it and
// routes `question.*` / `questions.*` messages and viewer/observer hellos
// here). The rules of moderation are the QuestionDesk's; this class adds the
// protocol, the rate limits, persistence and fan-out:
//
// - A submission is written to SQLite first; only when its transaction has
//   committed is it put on the desk and acknowledged (`question.received`).
//   Every submission comes in through intake(), from the studio's own /ws
//   (question.submit) or from the public edge. A submission carries the
//   page's client id, the same on every retry (after a reconnect, to any
//   edge): a client id seen before is acknowledged again with the question
//   it made, never stored twice (the database has it unique per session).
// - A moderation command changes the desk at once (so the next command sees
//   it); its reply and its broadcast go out when its rows have committed.
// - Producers get every change as it happens, but vote counts gathered like
//   the viewers' (`questions.votes`); viewers get the public list's changes
//   gathered over at most kPublicFlushMs, one shared message for all; an
//   asker gets `question.updated` for their own questions.
//
// Limits that hold when the page is not the one talking (assets/protocol.md,
// "Limits on sign-in and hellos" and "Audience questions"): a connection
// keeps the one viewer id it first said hello with, and ids are the studio's
// own, signed (viewer_id.h), so a vote needs a connection and an id the
// studio issued; votes are budgeted per viewer and per address; a hello's
// public snapshot is serialised once per change of the public list, not once
// per hello; observer invitations are looked up in a list kept in memory,
// reloaded at most once a second while observers say hello; wrong tokens go
// through the sign-in desk's guard (desks/sign_in.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "studio/base/timer.h"
#include "studio/base/token_bucket.h"
#include "studio/config/show_config.h"
#include "studio/core/clients.h"
#include "studio/core/command_registry.h"
#include "studio/desks/audience_limits.h"
#include "studio/desks/sign_in.h"
#include "studio/desks/viewer_id.h"
#include "studio/protocol/public_feed.h"
#include "studio/questions/question_desk.h"
#include "studio/server/client_sink.h"
#include "studio/store/store.h"
#include "studio/text/word_filter.h"

namespace yst::desks {

using core::ClientMap;
using core::CommandRegistry;
using core::Role;

class Audience {
 public:
  struct Context {
    server::ClientSink* server = nullptr;
    store::Store* store = nullptr;
    ClientMap* clients = nullptr;
    std::int64_t session_id = 0;
    std::function<std::int64_t()> timeline_ms;
    std::function<void()> status_changed;  // counters or the question on air changed
    // The question on air, or its text, changed (null: none on air now).
    std::function<void(const questions::Question*)> on_air_changed;
    // What each role may send (hello.ok's `commands`).
    const CommandRegistry* commands = nullptr;
    // Observer invitations are guessed at like staff tokens: refused and
    // locked out by the sign-in desk.
    SignIn* sign_in = nullptr;
    // The desk's flush, prune and reload timers (QTimers in the studio).
    MakeTimer make_timer;
    // The public feed's numbering and replay (null: hellos always carry a
    // snapshot and no position).
    const protocol::FeedSink* feed = nullptr;
    // A message for every connection of one viewer, wherever it is (the
    // public edges; the studio's own connections are sent to directly).
    std::function<void(const std::string& viewer, const std::shared_ptr<const std::string>&)>
        to_viewer;
    // Whether a viewer has questions followed up after a show (问政跟踪):
    // hello.ok says so, and only then does the page ask for them.
    std::function<bool(const std::string& viewer)> has_followup;
  };

  // Throws std::runtime_error when the word list cannot be read.
  Audience(const config::ShowConfig& show, Context context);
  ~Audience();

  // The server starts after the desk is loaded; set it before any message.
  void setServer(server::ClientSink* server) { context_.server = server; }
  void setFeed(const protocol::FeedSink* feed) { context_.feed = feed; }
  // Restores the session's questions from the database (start-up).
  void load();

  // A viewer or observer hello, handed over by the sign-in desk.
  void hello(server::ClientId client, const nlohmann::json& message,
             const nlohmann::json& request_id);

  // Who asks: a viewer (an observer is a viewer with an invitation) or a
  // producer typing in a question that came by phone (not rate-limited,
  // attributed to them).
  enum class Asker { kInvalid = 0, kViewer, kProducer };
  // A question submitted, from whichever path it came.
  struct Submission {
    Asker asker = Asker::kViewer;
    std::string viewer_id;         // the asker's viewer id (kViewer: required)
    std::int64_t observer_id = 0;  // 0: an ordinary viewer
    std::string observer_name;
    std::string producer_name;  // kProducer: who typed it in
    // The studio's own listener only: the connection's question budget (read
    // and taken during the call) and the client's address. The public edge
    // holds its viewers' connections and addresses and budgets them itself:
    // null and "" (the viewer's budget is kept here on both paths).
    TokenBucket* connection_budget = nullptr;
    std::string address_key;
    // The question.submit message: text, nickname?, category?, client_id?
    // (protocol::parseSubmission); its type and request id are not read.
    nlohmann::json message;
  };
  // The outcome, without a request id (the caller adds its own):
  // {"type":"question.received","question":{…own view…}} once the question
  // is committed, or {"type":"error","code","message","retry_after_s"?}.
  // Called exactly once; possibly before intake() returns.
  using IntakeDone = std::function<void(const nlohmann::json& outcome)>;
  // Where the acknowledgement of a question committed just now is handed to
  // `done`: on the controller thread after the question is on the desk, or
  // on the database's writer thread the moment it has committed (`done` must
  // then be thread-safe and short: a ClientSink::send; the question is on
  // the desk for any message the client sends after it). Refusals and
  // acknowledgements of a retry are always on the controller thread.
  enum class AckThread { kInvalid = 0, kController, kWriter };
  // Checks, budgets, stores and acknowledges a submission. A client id seen
  // before from the same asker: the same question.received (its current own
  // view), nothing stored, no budget spent, producers not told again; from
  // another asker: `conflict`, and nothing of that question is said.
  void intake(Submission submission, IntakeDone done,
              AckThread ack_thread = AckThread::kController);
  // Adds question.submit, question.vote and questions.mine (anyone), and
  // questions.list and the moderation commands (producers).
  void registerCommands(CommandRegistry& commands);
  void clientClosed(server::ClientId client);
  // A message for every connection of one viewer: the studio's own and, over
  // the edge link, the edges' (问政跟踪's replies reach the asker this way).
  void sendToViewer(const std::string& viewer, const std::shared_ptr<const std::string>& message);

  // For the producer's hello.ok: every question, and the one on air.
  nlohmann::json producerSnapshot() const;
  // What the host's monitor shows: {"on_air": question|null, "next": [the
  // first `next` approved questions in air order]}, each {"id","text",
  // "nickname","category","observer","votes"}.
  nlohmann::json hostView(std::size_t next) const;
  // For /api/status: `on_air_question` and `questions` counters.
  void addStatus(nlohmann::json* status) const;

  // --- For the public edges (desks/edge_link.h): the same rules as on the
  // studio's own /ws, for viewers the studio has no connection of.

  // A vote; `done` gets the reply (`vote`) or the error, without a request id.
  void remoteVote(const std::string& viewer, const std::string& address,
                  const nlohmann::json& message, std::function<void(nlohmann::json)> done);
  // {"type":"questions.mine","questions":[own views, oldest first]}.
  nlohmann::json mineOf(const std::string& viewer) const;
  // The words of the newsroom's sensitive-word list in `text` (a citizen's
  // comment is flagged for the producers as a question is).
  std::vector<std::string> sensitiveWords(std::string_view text) const {
    return filter_ ? filter_->matches(text) : std::vector<std::string>{};
  }
  // Whether this studio issued the viewer id (an edge signs ids with its key).
  bool genuineViewer(const std::string& viewer) const { return viewer_ids_.genuine(viewer); }
  // The invitation a token's hash belongs to, after the invitations were read
  // again (as for an observer's hello): id 0 when none; ok false when they
  // could not be read.
  void findObserver(const std::string& token_sha256,
                    std::function<void(bool ok, std::int64_t id, std::string name)> done);
  // What an edge answers hellos from: {"feed","show","limits","public",
  // "viewer_key"}, the public part current up to `feed`. The key is a secret:
  // only the edges' NATS users may ask for it (deploy/nats).
  nlohmann::json edgeSnapshot();

  const questions::QuestionDesk& desk() const { return desk_; }
  void setOnAirChanged(std::function<void(const questions::Question*)> callback) {
    context_.on_air_changed = std::move(callback);
    notifyOnAir();
  }

  // Public changes are gathered this long into one message to every viewer.
  static constexpr int kPublicFlushMs = 100;
  // New questions are announced to producers in batches this long.
  static constexpr int kReceivedFlushMs = 50;
  // The public list in a hello: the queue's first entries, the question on
  // air and the latest answered ones.
  static constexpr std::size_t kHelloQueueLimit = 200;
  static constexpr std::size_t kHelloAnsweredLimit = 50;
  // A producer's hello lists every open question and this many settled ones
  // (answered, rejected, merged), the latest.
  static constexpr std::size_t kSnapshotSettledLimit = 300;
  // Observer invitations are read from the database at most this often
  // (`yishiting observers add/remove` change them while the show runs).
  static constexpr int kObserverReloadMs = 1000;
  // Idle viewers' and addresses' budgets are forgotten this often.
  static constexpr int kPruneIntervalMs = 60 * 1000;

 private:
  void reply(server::ClientId client, const nlohmann::json& message);
  void replyError(server::ClientId client, const nlohmann::json& request_id,
                  const std::string& code, const std::string& message,
                  nlohmann::json extra = nlohmann::json::object());
  void viewerHello(server::ClientId client, Role role, std::int64_t observer_id,
                   const std::string& observer_name, const nlohmann::json& request_id);
  // Observer hellos wait for a reload of the invitations that began after
  // they arrived, so that one added or removed a moment ago counts; reloads
  // are at most one per kObserverReloadMs, shared by every hello waiting.
  struct ObserverHello {
    std::string token_sha256;
    // Runs once the invitations were read again (ok) or could not be.
    std::function<void(bool ok)> answer;
  };
  void reloadObservers();
  void queueObserverLookup(ObserverHello hello);
  void answerObserverHello(server::ClientId client, const std::string& token_sha256,
                           const nlohmann::json& request_id);
  nlohmann::json showView() const;
  nlohmann::json limitsView() const;
  // The vote itself, once the budget allowed it: `done` gets the reply.
  void castVote(std::int64_t id, const std::string& viewer, const std::string& address,
                const AudienceLimits::VoteTicket& ticket, std::function<void(nlohmann::json)> done);

  // question.submit on the studio's own listener: intake() with the
  // connection's budgets, acknowledged from the writer thread.
  void submit(server::ClientId client, const nlohmann::json& message,
              const nlohmann::json& request_id);
  // A client id's own question acknowledged again, or `conflict`.
  void answerRepeat(const questions::Question& q, const std::string& asker, const IntakeDone& done);
  // Submissions with a client id whose commit is under way: a retry that
  // comes meanwhile waits for the same commit instead of storing again.
  struct InFlight {
    std::string asker;
    std::vector<IntakeDone> waiting;  // retries to acknowledge with it
  };
  std::unordered_map<std::string, InFlight> in_flight_;  // by client id
  std::int64_t repeats_ = 0;                             // retries acknowledged again (/api/status)
  void vote(server::ClientId client, const nlohmann::json& message,
            const nlohmann::json& request_id);
  void moderate(server::ClientId client, const std::string& type, const nlohmann::json& message,
                const nlohmann::json& request_id);

  // After a change has committed: tell producers, viewers and the askers.
  void announce(const std::string& action, const std::string& by,
                const std::vector<std::int64_t>& changed,
                const std::vector<std::int64_t>& left_public);
  void schedulePublicFlush();
  void notifyOnAir();
  std::int64_t notified_on_air_ = 0;
  std::string notified_on_air_text_;
  void flushPublic();

  nlohmann::json publicView(const questions::Question& q) const;
  nlohmann::json ownView(const questions::Question& q) const;
  nlohmann::json producerView(const questions::Question& q) const;
  nlohmann::json publicList() const;
  nlohmann::json onAirPublic() const;
  // {"questions": publicList(), "on_air": …} serialised, kept until the
  // public list changes (publicChanged()): hellos share it.
  const std::string& publicSnapshot();
  void publicChanged() { public_snapshot_.reset(); }
  std::optional<std::string> public_snapshot_;

  const config::ShowConfig& show_;
  Context context_;
  std::unique_ptr<text::WordFilter> filter_;
  questions::QuestionDesk desk_;
  // viewer id → its open connections, for question.updated.
  std::unordered_map<std::string, std::set<server::ClientId>> viewer_clients_;
  AudienceLimits limits_;
  // Signs viewer ids; a random key until load() reads the studio's own.
  ViewerIds viewer_ids_;
  std::string viewer_key_;  // the key viewer_ids_ signs with (for the edges)
  // Observer invitations by token hash: id and name (never revoked ones).
  std::unordered_map<std::string, std::pair<std::int64_t, std::string>> observers_;
  std::vector<ObserverHello> observer_hellos_;  // waiting for the next reload
  bool observer_reload_running_ = false;
  std::int64_t observer_reload_started_us_ = 0;
  std::unique_ptr<Timer> observer_reload_timer_;
  // Public changes not yet sent to viewers.
  std::set<std::int64_t> public_changed_;
  std::set<std::int64_t> public_removed_;
  // Questions whose vote count producers have not been told yet (sent with
  // the viewers' flush, as one `questions.votes`).
  std::set<std::int64_t> votes_changed_;
  std::unique_ptr<Timer> public_timer_;
  std::vector<std::int64_t> received_batch_;  // committed, not yet announced
  std::unique_ptr<Timer> received_timer_;
  std::unique_ptr<Timer> prune_timer_;
  // Store callbacks run on the controller thread after the commit; they check
  // this before touching `this`, which may be gone by then.
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
};

}  // namespace yst::desks
