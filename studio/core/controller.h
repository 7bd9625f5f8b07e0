// The single owner of show state.
//
// Every command — from a producer's WebSocket, later from the Qt console or
// the CLI — comes here and is executed on the controller thread (the Qt
// event loop). The caller gets a reply; every change of state is broadcast as
// an event to all producers and written to the database with its wall-clock
// time and its place on the show timeline (the program's running time, which
// is also the archive's presentation time).
//
// The controller owns the engine (sources, program, outputs), the store and
// the server, and publishes a status snapshot and metrics for the server's
// thread to serve without ever calling back in here.
#pragma once

#include <QObject>
#include <QTimer>

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "streaming/monitor.h"
#include "streaming/outputs.h"
#include "streaming/program.h"
#include "streaming/source.h"
#include "studio/bus/bus.h"
#include "studio/config/show_config.h"
#include "studio/core/archive_service.h"
#include "studio/core/command_error.h"
#include "studio/core/command_registry.h"
#include "studio/core/engine_adapters.h"
#include "studio/core/graphics.h"
#include "studio/desks/audience.h"
#include "studio/desks/cues.h"
#include "studio/desks/edge_link.h"
#include "studio/desks/followup_desk.h"
#include "studio/desks/guests.h"
#include "studio/desks/outputs.h"
#include "studio/desks/sign_in.h"
#include "studio/desks/status.h"
#include "studio/desks/switcher.h"
#include "studio/desks/transcript.h"
#include "studio/followup/followup_service.h"
#include "studio/protocol/public_feed.h"
#include "studio/server/control_server.h"
#include "studio/store/store.h"

namespace yst::core {

class Controller : public QObject {
  Q_OBJECT
 public:
  enum class SessionMode {
    kResumeUnfinished = 0,  // continue the show's last session if the studio was killed in it
    kNew,                   // always begin a new session
  };
  Controller(config::ShowConfig show, std::string data_dir,
             SessionMode session_mode = SessionMode::kResumeUnfinished, QObject* parent = nullptr);
  ~Controller() override;

  // The follow-up clock (问政跟踪's "today": due dates, overdue) runs this
  // far ahead of (or behind) the system clock: `yishiting serve --now` for a
  // rehearsal of next week, and the tests. Before start().
  void setFollowupClockOffset(std::int64_t offset_ms) { followup_offset_ms_ = offset_ms; }

  // Opens the database, starts sources, program, outputs and the server.
  bool start(std::string* error);
  // The clean end of a show: destinations closed, archive finalised, the
  // session closed in the database, server stopped. Idempotent.
  void shutdown();

  int serverPort() const;
  const config::ShowConfig& show() const { return show_; }

  // Any thread: the server hands messages in here.
  void postClientMessage(server::ClientId client, std::string text);
  void postClientClosed(server::ClientId client);
  void postClientOpened(server::ClientId client, std::string address);

  // The show timeline in ms: the program's running time, continued across a
  // resumed session.
  std::int64_t timelineMs() const;
  std::int64_t sessionId() const { return session_id_; }
  const desks::Audience* audience() const { return audience_.get(); }

  nlohmann::json statusJson() const;
  // The program's loudness for /api/status and the producers' meters
  // (audio.loudness in assets/protocol.md); null before the first audio.
  nlohmann::json loudnessJson() const;
  // [audio] monitor: its device, state and what it plays (null: the program).
  nlohmann::json monitorJson() const;
  // The show file's talkback microphone (never on air).
  bool isTalkback(const std::string& id) const;
  // What viewers open: [audience] public_url, or http://listen/ with the
  // port the server got.
  std::string publicUrl() const;
  // The snapshot last published (statusPublished()); null before start.
  const nlohmann::json& lastStatus() const { return *last_status_; }

  // The console: clients in this process that speak the WebSocket protocol
  // (ControlServer::addLocalClient). Their messages go through
  // postClientMessage() like any other client's. Valid while started.
  server::ClientId connectLocalClient(
      std::function<void(std::shared_ptr<const std::string>)> deliver);
  void disconnectLocalClient(server::ClientId client);
  // A preview tap of the program ("program", "preview", "source:<id>"), or
  // null. Controller thread; the pointer is good until control returns to
  // the event loop (the program may be rebuilt after an error).
  streaming::FrameTap* frameTap(const std::string& name);

 signals:
  // A new status snapshot (on every change and once a second).
  void statusPublished();

 private:
  // start(), in its order; each says why it failed.
  bool openSession(std::string* error);
  bool makeDesks(std::string* error);
  bool makeFollowup(std::string* error);
  bool startServer(std::string* error);
  void startEdgeLink();
  bool startEngine(std::string* error);
  void startOutputs();
  // The status snapshot's parts, one per desk, in makeDesks().
  void makeStatusBoard();
  // Every message from a client: parsed, then routed through commands_.
  void onClientMessage(server::ClientId client, const std::string& text);
  // Fills commands_: the desks' commands and status.get.
  void registerCommands();
  // What a staff role's hello.ok carries besides its role and commands.
  nlohmann::json staffWelcome(Role role) const;
  void reply(server::ClientId client, const nlohmann::json& message);
  void publishEvent(const std::string& type, nlohmann::json payload);
  void publishStatus();
  // Coalesces status publishing for frequent changes (questions).
  void requestStatus();

  void restartProgram();

  nlohmann::json sourceJson(const streaming::Source& s) const;

  config::ShowConfig show_;
  std::string data_dir_;
  std::unique_ptr<store::Store> store_;
  std::int64_t session_id_ = 0;
  std::string session_stamp_;
  std::vector<std::unique_ptr<streaming::Source>> sources_;
  std::unique_ptr<streaming::Program> program_;
  std::unique_ptr<streaming::Monitor> monitor_;  // [audio] monitor; null: none
  std::unique_ptr<server::ControlServer> server_;
  // In front of server_ for the desks that reach viewers: numbers the public
  // feed (after server_: it goes first).
  std::unique_ptr<protocol::FeedSink> feed_;
  // After server_: it answers through it, so it goes first.
  std::unique_ptr<ArchiveService> archive_service_;
  ClientMap clients_;
  std::unique_ptr<desks::SignIn> sign_in_;
  std::unique_ptr<desks::Audience> audience_;
  std::unique_ptr<Graphics> graphics_;
  std::unique_ptr<desks::Transcript> transcript_;
  std::unique_ptr<ProgramAdapter> program_port_;
  std::unique_ptr<desks::Switcher> switcher_;
  // Remote guests and WHIP publishers in the webrtc:// slots.
  std::unique_ptr<GuestSlotsAdapter> guest_slots_;
  std::unique_ptr<desks::Guests> guests_;
  std::unique_ptr<desks::Cues> cues_;
  // After program_: the outputs detach from it when they go.
  std::unique_ptr<EngineOutputs> engine_outputs_;
  std::unique_ptr<desks::Outputs> outputs_;
  std::unique_ptr<desks::StatusBoard> status_board_;
  // 问政跟踪: the reads' thread (also /api/followup), then the desk that
  // uses it (destroyed first).
  std::int64_t followup_offset_ms_ = 0;
  std::unique_ptr<followup::FollowupService> followup_service_;
  std::unique_ptr<desks::FollowupDesk> followup_;
  QTimer followup_timer_;  // the open and overdue counts, read again (the date moves on)
  // The public edges ([edge] in the show file): the NATS link, and the desk
  // that serves the edges over it (after the desks it reaches, and after
  // bus_, so destroyed first).
  std::unique_ptr<bus::Bus> bus_;
  // The edges' followup.* commands, each run as its sender through commands_.
  std::unique_ptr<desks::RelayedCalls> relayed_;
  std::unique_ptr<desks::EdgeLink> edge_link_;
  // The one list of commands (command_registry.h), filled in start(). After
  // the desks, so destroyed before them: its handlers point at them.
  CommandRegistry commands_;
  SessionMode session_mode_;
  // Timeline already elapsed in a resumed session before this run started.
  std::int64_t timeline_base_ms_ = 0;
  QTimer status_timer_;
  QTimer status_soon_;
  QTimer sign_in_timer_;  // the sign-in guard's summaries and forgetting
  std::shared_ptr<const nlohmann::json> last_status_;
  bool started_ = false;
  bool shut_down_ = false;
};

// The folder of web pages, word lists and themes: $YST_ASSETS, or assets/
// beside the build directory, or the source tree this was built from.
std::string assetDir();

}  // namespace yst::core
