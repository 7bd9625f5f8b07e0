// Error style: nothing throws; what the link cannot do it logs (once per
// change) and retries on the bus's next connection.
//
// The studio's side of the public edges (assets/protocol.md, "The public
// edge"): the studio dials out to NATS and never listens on the internet.
// Over that one connection it
//
// - consumes the viewers' questions from the JetStream intake (a durable
//   consumer: what arrived while the studio was down is delivered, in order,
//   when it is back), hands each to the Audience desk like a question from
//   its own /ws, and publishes the outcome to every edge once the question
//   is committed; only then is the stream's message acknowledged, so a crash
//   in between delivers it again, and the database's unique client id turns
//   the second delivery into the same acknowledgement;
// - publishes each numbered public message once (the edges fan it out), and
//   every question.updated for its asker, wherever they are;
// - answers the edges' requests: the snapshot hellos are answered from,
//   votes, a viewer's own questions, observer invitations, the live text,
//   a duplicate's lookup, 问政跟踪's department sign-ins and the followup.*
//   commands of the edges' department desks and viewers (run here as theirs,
//   through the same command registry as the studio's own /ws);
// - says it is alive every second, and sums the viewer counts the edges
//   report (for /api/status and the archive's peak viewers).
//
// Controller thread, like the desks: the bus posts every callback there.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "studio/base/timer.h"
#include "studio/base/work_queue.h"
#include "studio/bus/bus.h"
#include "studio/desks/audience.h"
#include "studio/desks/followup_desk.h"
#include "studio/desks/relayed_calls.h"
#include "studio/desks/transcript.h"
#include "studio/edge/subjects.h"
#include "studio/protocol/public_feed.h"

namespace yst::desks {

class EdgeLink {
 public:
  struct Context {
    bus::Bus* bus = nullptr;
    Audience* audience = nullptr;
    Transcript* transcript = nullptr;
    protocol::FeedSink* feed = nullptr;
    MakeTimer make_timer;
    // How work reaches the controller thread (as the bus's callbacks do).
    bus::Post post;
    std::string channel;
    int replicas = 1;  // the intake stream's copies in the cluster
    // The viewer counts changed (the status shows them).
    std::function<void()> counts_changed;
    // The public archive's API (core/archive_service.h, without the package
    // files, which an edge's viewers cannot reach here) and 问政跟踪's
    // (followup/followup_service.h): `done` may run on any thread, with the
    // body's content type ("" for JSON). Unset: the edges' requests go
    // unanswered (they say "unavailable").
    using ArchiveDone =
        std::function<void(unsigned int http_status, std::shared_ptr<const std::string> body,
                           const std::string& content_type)>;
    std::function<void(std::string path, std::vector<std::pair<std::string, std::string>> args,
                       ArchiveDone done)>
        archive;
    // 问政跟踪 at the edges: a department's desk signs in by its link, and
    // its followup.* commands and a viewer's followup.mine and followup.rate
    // run here as theirs (unset: the edges' requests go unanswered).
    FollowupDesk* followup = nullptr;
    RelayedCalls* relayed = nullptr;
  };

  // An edge's read request: an edge::publicReadPath and at most this
  // many query arguments, each name and value at most kMaxArchiveArgBytes.
  static constexpr std::size_t kMaxArchiveArgs = 16;
  static constexpr std::size_t kMaxArchiveArgBytes = 512;

  // The studio says it is alive this often.
  static constexpr int kHeartbeatMs = 1000;
  // An edge that has not reported its viewers this long no longer counts.
  static constexpr int kEdgeForgetMs = 6000;
  // Edges counted at once (a misconfigured fleet cannot grow the list).
  static constexpr std::size_t kMaxEdges = 256;

  explicit EdgeLink(Context context);
  ~EdgeLink();
  EdgeLink(const EdgeLink&) = delete;
  EdgeLink& operator=(const EdgeLink&) = delete;

  // Subscribes, starts the heartbeat; the intake consumer follows each time
  // the bus connects (its stream is created then if missing).
  void start();
  void busStateChanged(bus::BusState state);

  // A message for every connection of one viewer at the edges (their own
  // question's updates). Any thread.
  void toViewer(const std::string& viewer, const std::string& message);
  // A message for a department's desks at the edges (followup.changed).
  void toDepartment(std::int64_t department, const std::string& message);

  // Viewers and observers at the edges now (edges heard from recently).
  struct Counts {
    std::size_t edges = 0;
    std::size_t viewers = 0;
    std::size_t observers = 0;
  };
  Counts counts() const;
  // For /api/status: {"bus","edges":[{"edge","viewers","observers"}],"intake":{…}}.
  nlohmann::json status() const;

 private:
  void setUpIntake();
  void intakeMessage(const bus::BusMessage& message, std::shared_ptr<bus::PendingAck> ack);
  void answer(const bus::BusMessage& request, const nlohmann::json& body);
  void edgeCounts(const bus::BusMessage& message);
  void heartbeat();
  void archiveRequest(const bus::BusMessage& message);
  void departmentRequest(const bus::BusMessage& message);
  void followupRequest(const bus::BusMessage& message);

  Context context_;
  edge::Subjects subjects_;
  bus::BusState bus_state_ = bus::BusState::kConnecting;
  bool intake_consuming_ = false;
  bool intake_setting_up_ = false;
  std::string intake_error_;  // the last reason the consumer could not start
  std::uint64_t intake_committed_ = 0;
  std::uint64_t intake_redelivered_ = 0;
  // Creating the stream and the consumer are round trips: on a thread of
  // their own, not the controller's.
  std::unique_ptr<WorkQueue<std::function<void()>>> setup_;
  struct EdgeSeen {
    std::size_t viewers = 0;
    std::size_t observers = 0;
    std::int64_t seen_us = 0;
  };
  std::map<std::string, EdgeSeen> edges_;
  std::unique_ptr<Timer> heartbeat_timer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
  // The archive answers on its own thread: through this, which forgets the
  // bus when the link goes (before the bus does).
  struct Responder {
    std::mutex mutex;
    bus::Bus* bus = nullptr;
  };
  std::shared_ptr<Responder> responder_ = std::make_shared<Responder>();
};

}  // namespace yst::desks
