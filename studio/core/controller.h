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

#include "streaming/outputs.h"
#include "streaming/program.h"
#include "streaming/source.h"
#include "studio/config/show_config.h"
#include "studio/core/archive_service.h"
#include "studio/core/audience.h"
#include "studio/core/command_error.h"
#include "studio/core/command_registry.h"
#include "studio/core/engine_adapters.h"
#include "studio/core/graphics.h"
#include "studio/core/transcript.h"
#include "studio/desks/cues.h"
#include "studio/desks/switcher.h"
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
  const Audience* audience() const { return audience_.get(); }

  nlohmann::json statusJson() const;
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

 public:
  // Prometheus text for a status snapshot (as statusJson() returns it).
  static std::string metricsText(const nlohmann::json& status);

 private:
  struct DestinationEntry {
    streaming::DestinationSpec spec;
    bool enabled = true;
    std::unique_ptr<streaming::Destination> output;
  };
  // Every message from a client: parsed, then routed through commands_.
  void onClientMessage(server::ClientId client, const std::string& text);
  // Fills commands_: the desks' commands, hello and the controller's own.
  void registerCommands();
  // hello, for every role: staff sign in here, viewers and observers at the
  // Audience.
  void hello(server::ClientId client, ClientInfo& c, const nlohmann::json& message,
             const nlohmann::json& request_id);
  // A staff hello whose token matched: the client's role, its name as it
  // gave it (cleaned; "<label>#<id>" without one), and what it hears.
  void signIn(server::ClientId client, ClientInfo& c, const nlohmann::json& hello, Role role,
              const char* label, std::uint32_t channels);
  // A staff hello (producer, typist, host): its role's own token, or the producer's.
  bool staffTokenMatches(const nlohmann::json& hello, const std::string& role_token) const;
  void reply(server::ClientId client, const nlohmann::json& message);
  void publishEvent(const std::string& type, nlohmann::json payload);
  void publishStatus();
  // Coalesces status publishing for frequent changes (questions).
  void requestStatus();

  CommandOutcome cmdDestinationAdd(const nlohmann::json& c);
  CommandOutcome cmdDestination(const std::string& action, const nlohmann::json& c);
  CommandOutcome cmdRecording(bool start);

  void addDestination(streaming::DestinationSpec spec, bool enabled);
  // The output for a destination, wired to publish its changes and fed by
  // the program (not started).
  std::unique_ptr<streaming::Destination> makeDestinationOutput(streaming::DestinationSpec spec);
  void startArchive();
  void restartProgram();
  void stopArchive();

  nlohmann::json destinationJson(const DestinationEntry& d) const;
  nlohmann::json sourceJson(const streaming::Source& s) const;
  nlohmann::json recordingJson() const;

  config::ShowConfig show_;
  std::string data_dir_;
  std::unique_ptr<store::Store> store_;
  std::int64_t session_id_ = 0;
  std::string session_stamp_;
  std::vector<std::unique_ptr<streaming::Source>> sources_;
  std::unique_ptr<streaming::Program> program_;
  std::vector<DestinationEntry> destinations_;  // in show-file order, then as added
  std::unique_ptr<streaming::Archive> archive_;
  std::string recording_path_;  // the archive part on record as recording; empty: none
  std::unique_ptr<streaming::Hls> hls_;
  std::unique_ptr<server::ControlServer> server_;
  // After server_: it answers through it, so it goes first.
  std::unique_ptr<ArchiveService> archive_service_;
  ClientMap clients_;
  std::unique_ptr<Audience> audience_;
  std::unique_ptr<Graphics> graphics_;
  std::unique_ptr<Transcript> transcript_;
  std::unique_ptr<ProgramAdapter> program_port_;
  std::unique_ptr<desks::Switcher> switcher_;
  std::unique_ptr<desks::Cues> cues_;
  // The one list of commands (command_registry.h), filled in start(). After
  // the desks, so destroyed before them: its handlers point at them.
  CommandRegistry commands_;
  SessionMode session_mode_;
  // Timeline already elapsed in a resumed session before this run started.
  std::int64_t timeline_base_ms_ = 0;
  QTimer status_timer_;
  QTimer status_soon_;
  std::size_t peak_connections_ = 0;  // the most clients at once, this run
  std::shared_ptr<const nlohmann::json> last_status_;
  bool started_ = false;
  bool shut_down_ = false;
};

// The folder of web pages, word lists and themes: $YST_ASSETS, or assets/
// beside the build directory, or the source tree this was built from.
std::string assetDir();

}  // namespace yst::core
