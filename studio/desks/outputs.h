// The outputs desk: the partner sites the program is sent to (destination.add,
// .start, .stop, .update, .remove), the recording (recording.start, .stop) and
// HLS for the viewer page. It keeps the list of destinations in show-file
// order, checks the producer's commands, runs the outputs through the
// OutputFactory port (core/engine.h), says what changed, and tells its owner
// where each recorded part begins and ends.
//
// Controller thread. Error style: commands return a CommandOutcome.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "streaming/output_types.h"
#include "studio/core/command_registry.h"
#include "studio/core/engine.h"

namespace yst::desks {

class Outputs {
 public:
  struct Context {
    core::OutputFactory* factory = nullptr;
    // An event for the producers (destination.changed, destination.removed,
    // recording.changed, hls.changed).
    std::function<void(const std::string& type, nlohmann::json payload)> publish;
    // A recorded part went live; its first frame is `media_ms` of program
    // before now.
    std::function<void(const std::string& path, std::uint64_t media_ms)> part_started;
    // The part that was recording has ended: the show's end, a stop, or a
    // write error (a full disk; the next part starts when it clears).
    std::function<void(const std::string& path)> part_ended;
  };
  explicit Outputs(Context context) : context_(std::move(context)) {}
  ~Outputs();
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;

  // destination.* and recording.*, for producers.
  void registerCommands(core::CommandRegistry& commands);

  // A destination of the show file, started if enabled.
  void addDestination(streaming::DestinationSpec spec, bool enabled);
  // Idempotent: a running recording goes on.
  void startRecording();
  void stopRecording();
  void startHls();

  // The program's timeline is about to start again: every output that runs
  // stops (the recording finalised, to continue in a new part), and
  // resume() starts them again. Suspending twice before resume() keeps both
  // sets: nothing stopped for a restart stays stopped.
  void suspend();
  void resume();
  // The end of the show: destinations dropped, the recording and HLS
  // finalised.
  void stopAll();

  // {"destinations": [...], "recording": {...}, "hls": {...}} into a status.
  void addStatus(nlohmann::json* status) const;

 private:
  struct Destination {
    streaming::DestinationSpec spec;
    bool enabled = true;
    std::unique_ptr<core::OutputPort> output;
  };
  core::CommandOutcome add(const nlohmann::json& command);
  core::CommandOutcome destination(const std::string& action, const nlohmann::json& command);
  core::CommandOutcome recording(bool start);

  std::unique_ptr<core::OutputPort> makeOutput(streaming::DestinationSpec spec);
  void destinationChanged(const std::string& id);
  void recordingChanged();
  nlohmann::json destinationJson(const Destination& d) const;
  nlohmann::json recordingJson() const;
  nlohmann::json hlsJson() const;

  Context context_;
  std::vector<Destination> destinations_;  // in show-file order, then as added
  std::unique_ptr<core::OutputPort> recording_;
  std::string recording_path_;  // the part on record as recording; empty: none
  std::unique_ptr<core::OutputPort> hls_;
  // What suspend() stopped: destinations by id, and whether it was recording
  // and running HLS.
  std::vector<std::string> suspended_;
  bool suspended_recording_ = false;
  bool suspended_hls_ = false;
};

}  // namespace yst::desks
