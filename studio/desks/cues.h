// The cues desk: the producer's cue line to the host (cue.send) and what the
// host's monitor shows (host.state: the show, the question on air and the
// next ones, the program, the latest cue), published to the host when it
// changes.
//
// Controller thread. Error style: commands return a CommandOutcome.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "studio/config/show_config.h"
#include "studio/core/command_registry.h"

namespace yst::desks {

class Cues {
 public:
  struct Context {
    std::function<std::int64_t()> timeline_ms;
    // {"on_air": question|null, "next": [...]} (the audience's host view).
    std::function<nlohmann::json()> questions;
    // The scene on air as JSON, or null before the program runs.
    std::function<nlohmann::json()> program;
    // An event for the producers (cue).
    std::function<void(const std::string& type, nlohmann::json payload)> publish;
    // A message to every host monitor.
    std::function<void(std::shared_ptr<const std::string> message)> to_hosts;
  };
  Cues(config::ShowInfo show, Context context)
      : show_(std::move(show)), context_(std::move(context)) {}

  // cue.send, for producers.
  void registerCommands(core::CommandRegistry& commands);

  // host.state as it is now (the host's hello.ok carries it).
  nlohmann::json hostState() const;
  // The latest cue ({"text","utc","timeline_ms"}), or null before the first.
  nlohmann::json lastCue() const { return last_cue_ ? *last_cue_ : nlohmann::json(); }
  // Sends host.state to the hosts if what it shows changed since it was last
  // sent (its clock runs on its own from the timeline it was given, so the
  // timeline alone is no change).
  void publishHostStateIfChanged();

  static constexpr std::size_t kMaxCueChars = 60;  // a line the host reads at a glance
  // A cue command's `text` (the host's, a remote guest's): cleaned onto one
  // line, 1…kMaxCueChars characters; or the error the command answers.
  static std::variant<std::string, core::CommandError> readText(const nlohmann::json& command);

 private:
  core::CommandOutcome send(const nlohmann::json& command);

  const config::ShowInfo show_;
  Context context_;
  std::shared_ptr<const nlohmann::json> last_cue_;
  std::string last_host_state_;  // host.state last sent, without its timeline
};

}  // namespace yst::desks
