// The switcher desk: what is on air and in preview (program.set, preview.set,
// program.take: cuts and fades between layouts, with the sources in their
// tiles), each source's framing (framing.set) and its sound (audio.set). The program keeps the
// state; this desk checks the producer's commands, drives the program through its port, reads gain
// and mute back from it, and says what changed.
//
// Controller thread. Error style: commands return a CommandOutcome.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "streaming/layout.h"
#include "studio/core/command_registry.h"
#include "studio/core/engine.h"

namespace yst::desks {

class Switcher {
 public:
  struct Context {
    core::ProgramPort* program = nullptr;
    // An event for the producers (program.changed, preview.changed, audio.changed).
    std::function<void(const std::string& type, nlohmann::json payload)> publish;
    // A new scene is on air (the graphics show its people's lower-thirds).
    std::function<void(const streaming::Scene& scene)> program_changed;
    // Why a source may not go on air now ("" when it may): a remote guest
    // still in the green room. Optional.
    std::function<std::string(const std::string& source)> on_air_refusal;
  };
  explicit Switcher(Context context) : context_(std::move(context)) {}

  // program.set, preview.set, program.take, framing.set and audio.set, for
  // producers.
  void registerCommands(core::CommandRegistry& commands);

  // {"layout","tiles" (the sources shown, in tile order),"order" (every
  // source, in the order tiles are filled),"primary","secondary"}.
  static nlohmann::json sceneJson(const streaming::Scene& scene);
  // {"source","zoom","center"} or {"source","crop"}.
  static nlohmann::json framingJson(const std::string& source, const streaming::Framing& framing);
  // {"source","gain","muted"}, as the program has them.
  nlohmann::json audioJson(const std::string& source) const;

  static constexpr int kMaxFadeMs = 10000;
  static constexpr int kDefaultFadeMs = 500;
  static constexpr double kMaxGain = 4.0;
  static constexpr std::size_t kMaxTiles = 16;

 private:
  core::CommandOutcome set(const nlohmann::json& command, bool preview);
  core::CommandOutcome take(const nlohmann::json& command);
  // audio.listen: what the control room's monitor plays.
  core::CommandOutcome listen(const nlohmann::json& command);
  core::CommandOutcome audio(const nlohmann::json& command);
  core::CommandOutcome framing(const nlohmann::json& command);

  Context context_;
};

}  // namespace yst::desks
