// Error style: nothing throws; every refusal is an error message to the
// client, in the studio's codes (assets/protocol.md).
//
// The viewers' side of a show, served by an edge (`yishiting edge`) far from
// the studio: viewers and citizen observers say hello, read the public list
// and the live text, ask questions and vote, exactly as they do on the
// studio's own address; staff roles are refused here (they sign in on the
// studio's LAN address). What an edge knows it learns from the studio over
// NATS (edge/subjects.h):
//
// - Hellos are answered from a snapshot of the public list the edge fetched
//   from the studio, plus the numbered public messages that came after it
//   (the edge keeps a ring of them): the studio's work does not grow with
//   the audience. A page that says where it was (`since`) gets what it missed.
// - A question goes into the studio's JetStream intake with the page's
//   client id (deduplicated there); the studio commits it and publishes the
//   outcome to every edge; only then is the viewer told `question.received`.
//   A retry of the same client id, to any edge, gets the same answer.
// - Votes, a viewer's own questions, observer invitations and the live text
//   are asked of the studio (request/reply).
// - 问政跟踪: a department's desk signs in here by its link (checked by the
//   studio), and its followup.* commands, like a viewer's followup.mine and
//   followup.rate, are run by the studio as theirs; what changes on its items
//   reaches its desks here (the `desk` subject).
// - The edge counts its viewers for the studio, and tells its viewers when
//   the studio is out of reach (`studio.state`).
//
// Runs on the edge's loop thread (the EventLoop), like the Audience desk on
// the studio's controller thread: every entry point and every callback is on
// that thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "studio/base/timer.h"
#include "studio/bus/bus.h"
#include "studio/config/show_config.h"
#include "studio/core/clients.h"
#include "studio/desks/audience_limits.h"
#include "studio/desks/sign_in_guard.h"
#include "studio/desks/viewer_id.h"
#include "studio/edge/subjects.h"
#include "studio/protocol/public_feed.h"
#include "studio/server/client_sink.h"

namespace yst::edge {

class EdgeAudience {
 public:
  struct Context {
    server::ClientSink* server = nullptr;
    // Closes a connection after what was sent to it (the server's close()).
    std::function<void(server::ClientId)> close;
    bus::Bus* bus = nullptr;
    MakeTimer make_timer;
    std::string edge_id;  // reported with the viewer counts
    std::string channel;  // the show on the bus
    // The per-connection, per-viewer and per-address limits (the studio's
    // [audience] keys: question and vote budgets, connections per address).
    config::LimitsConfig limits;
  };

  // A request to the studio that gets no answer this soon is `unavailable`.
  static constexpr int kRequestTimeoutMs = 3000;
  // A hello waits this long for a snapshot before it is told to retry.
  static constexpr int kHelloWaitMs = 3000;
  // The studio says it is alive every second; this long without it, viewers
  // are told it is reconnecting.
  static constexpr int kStudioSilentMs = 3500;
  // Viewer counts go to the studio this often.
  static constexpr int kCountIntervalMs = 2000;
  // A fresh snapshot is fetched when the ring has grown this far past it.
  static constexpr std::uint64_t kSnapshotRefreshMessages = 1024;
  // Submissions waiting for the studio's outcome at once; beyond it a new
  // one is `unavailable` (nothing sent: the page tries again).
  static constexpr std::size_t kMaxWaitingSubmissions = 65536;

  explicit EdgeAudience(Context context);
  ~EdgeAudience();
  EdgeAudience(const EdgeAudience&) = delete;
  EdgeAudience& operator=(const EdgeAudience&) = delete;

  // Subscribes and starts the timers. Call once the bus is started.
  void start();
  // The bus connected or lost its connection (from Bus::start's callback).
  void busStateChanged(bus::BusState state);

  void opened(server::ClientId client, const std::string& address);
  void message(server::ClientId client, const std::string& text);
  void closed(server::ClientId client);

  // For the edge's status: viewers, observers, the studio's state, the feed.
  nlohmann::json status() const;
  bool studioLive() const { return studio_live_; }
  // What the studio's snapshot says of the show ({} before the first).
  const nlohmann::json& show() const { return show_; }

 private:
  using Json = nlohmann::json;
  struct Waiter {
    server::ClientId client = 0;
    Json request_id;
  };
  struct PendingHello {
    server::ClientId client = 0;
    Json request_id;
    core::Role role = core::Role::kNone;
    std::int64_t observer_id = 0;
    std::string observer_name;
    std::int64_t since_us = 0;  // when it began waiting
    // The edge issued the viewer id just now: it has no questions to fetch.
    bool fresh_viewer = false;
  };

  void reply(server::ClientId client, const Json& message);
  void replyError(server::ClientId client, const Json& request_id, const std::string& code,
                  const std::string& text, Json extra = Json::object());
  void unavailable(server::ClientId client, const Json& request_id);

  // --- hellos
  void hello(server::ClientId client, const Json& message, const Json& request_id);
  // A hello with a link's token, checked by the studio on `subject` (an
  // observer's invitation, a department's link), under the studio address's
  // rules for wrong tokens and lock-outs: `signed_in` gets the studio's
  // answer when `id_of` finds an id in it, and the token's hash; `refused`
  // runs after a refusal that left the connection open.
  struct TokenCheck {
    std::string subject;
    const char* role;     // for the guard's log line
    const char* missing;  // the refusal of a hello without a token
    const char* unknown;  // the refusal of a token the studio does not know
    std::function<std::int64_t(const Json&)> id_of;
  };
  void tokenHello(server::ClientId client, const TokenCheck& check, const std::string& token,
                  const Json& request_id,
                  std::function<void(Json, const std::string& token_sha256)> signed_in,
                  std::function<void()> refused = {});
  void observerHello(server::ClientId client, const std::string& token, const Json& request_id);
  void departmentHello(server::ClientId client, const std::string& token, const Json& request_id);
  // Answers the hello from the snapshot and the ring, or queues it until a
  // snapshot that the ring continues has arrived.
  void viewerHello(PendingHello hello);
  bool answerHello(const PendingHello& hello);
  void answerWaitingHellos();

  // --- the studio's state
  void requestSnapshot();
  void snapshotArrived(const Json& snapshot);
  void feedMessage(const bus::BusMessage& message);
  void viewerMessage(const bus::BusMessage& message);
  void deskMessage(const bus::BusMessage& message);
  void heartbeat(const bus::BusMessage& message);
  void receivedOutcome(const bus::BusMessage& message);
  void checkStudio();
  void setStudioLive(bool live);
  void reportCounts();

  // --- viewers' requests
  void submit(server::ClientId client, const Json& message, const Json& request_id);
  void deliverOutcome(const std::string& client_id, Json outcome);
  // Keeps waiting_by_client_ in step with waiting_.
  void forgetWaiter(server::ClientId client, const std::string& client_id);
  void forgetWaiters(server::ClientId client);
  void vote(server::ClientId client, const Json& message, const Json& request_id);
  void mine(server::ClientId client, const Json& request_id);
  void transcript(server::ClientId client, const Json& request_id);
  // A followup.* command of a department's desk, or a viewer's followup.mine
  // or followup.rate, run by the studio as theirs.
  void relayFollowup(server::ClientId client, Json message, const Json& request_id);
  // A request to the studio whose reply (a JSON object) goes to `client`
  // with `request_id`, or `unavailable` when it does not come.
  void forward(const std::string& subject, const Json& body, server::ClientId client,
               const Json& request_id, std::function<void(Json&)> on_reply = {});

  Context context_;
  Subjects subjects_;
  core::ClientMap clients_;
  std::unordered_map<std::string, std::set<server::ClientId>> viewer_clients_;
  // Departments' desks signed in here: the link's hash goes with each of
  // their commands (the studio checks it every time).
  struct Desk {
    std::int64_t department = 0;
    std::string token_sha256;
  };
  std::unordered_map<server::ClientId, Desk> desks_;
  desks::AudienceLimits limits_;
  desks::SignInGuard guard_;
  // Set from the studio's snapshot: ids are signed with the studio's key.
  std::unique_ptr<desks::ViewerIds> viewer_ids_;

  // The studio's snapshot: its position, what hello.ok shows of the show,
  // and the public part already serialised.
  std::optional<protocol::FeedPosition> snapshot_position_;
  Json show_;
  Json limits_view_;
  std::string public_snapshot_;
  bool snapshot_requested_ = false;
  protocol::PublicRing ring_;
  std::vector<PendingHello> pending_hellos_;
  std::unique_ptr<Timer> hello_timer_;

  // Submissions waiting for the studio's outcome, by client id, and which
  // client ids each connection waits on (forgotten when it closes).
  std::unordered_map<std::string, std::vector<Waiter>> waiting_;
  std::unordered_map<server::ClientId, std::set<std::string>> waiting_by_client_;

  bool studio_live_ = false;
  std::int64_t studio_heard_us_ = 0;
  std::unique_ptr<Timer> studio_timer_;
  std::unique_ptr<Timer> count_timer_;
  std::unique_ptr<Timer> prune_timer_;
  bus::BusState bus_state_ = bus::BusState::kConnecting;
  // Callbacks from the bus check this before touching `this`.
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
};

}  // namespace yst::edge
