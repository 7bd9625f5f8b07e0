#include "studio/desks/switcher.h"

#include <string_view>

namespace yst::desks {

using core::CommandError;
using core::CommandOutcome;
using core::FieldReader;
using nlohmann::json;

void Switcher::registerCommands(core::CommandRegistry& commands) {
  const core::RoleSet producer = core::roles({core::Role::kProducer});
  commands.add("program.set", producer,
               [this](core::CommandContext& c) { return set(c.message, false); });
  commands.add("preview.set", producer,
               [this](core::CommandContext& c) { return set(c.message, true); });
  commands.add("program.take", producer,
               [this](core::CommandContext& c) { return take(c.message); });
  commands.add("audio.set", producer, [this](core::CommandContext& c) { return audio(c.message); });
}

json Switcher::sceneJson(const streaming::Scene& scene) {
  return {{"layout", std::string(streaming::layoutName(scene.layout))},
          {"primary", scene.primary},
          {"secondary", scene.secondary}};
}

json Switcher::audioJson(const std::string& source) const {
  return {{"source", source},
          {"gain", context_.program->gain(source)},
          {"muted", context_.program->muted(source)},
          {"follows_video", context_.program->followsVideo(source)}};
}

CommandOutcome Switcher::set(const json& c, bool preview) {
  core::ProgramPort& program = *context_.program;
  FieldReader f(c);
  streaming::Scene scene = preview ? program.previewScene() : program.scene();
  if (const json* layout = f.optional("layout", json::value_t::string)) {
    auto parsed = streaming::parseLayout(layout->get<std::string>());
    if (!parsed) return CommandError{"invalid", "layout is single, side_by_side or pip"};
    scene.layout = *parsed;
  }
  for (const char* slot : {"primary", "secondary"}) {
    if (const json* id = f.optional(slot, json::value_t::string)) {
      if (!program.hasSource(*id)) {
        return CommandError{"not_found", std::string(slot) + ": no source \"" +
                                             id->get<std::string>().substr(0, 64) + "\""};
      }
      (std::string_view(slot) == "primary" ? scene.primary : scene.secondary) = *id;
    }
  }
  if (f.failed()) return f.error();
  if (scene.layout != streaming::Layout::kSingle && scene.primary == scene.secondary &&
      program.sourceCount() > 1) {
    return CommandError{"invalid",
                        "primary and secondary must be different sources in this layout"};
  }
  if (preview) {
    program.setPreviewScene(scene);
    context_.publish("preview.changed", {{"preview", sceneJson(scene)}});
    return json{{"preview", sceneJson(scene)}};
  }
  auto transition = streaming::Transition::kCut;
  int duration_ms = 0;
  if (const json* t = f.optional("transition", json::value_t::string)) {
    if (*t == "fade") {
      transition = streaming::Transition::kFade;
      duration_ms = kDefaultFadeMs;
    } else if (*t != "cut") {
      return CommandError{"invalid", "transition is cut or fade"};
    }
  }
  if (const json* d = f.optional("duration_ms", json::value_t::number_integer)) {
    duration_ms = d->get<int>();
    if (duration_ms < 0 || duration_ms > kMaxFadeMs) {
      return CommandError{"invalid", "duration_ms is 0…10000"};
    }
  }
  if (f.failed()) return f.error();
  program.setScene(scene, transition, duration_ms);
  context_.publish("program.changed", {{"program", sceneJson(scene)},
                                       {"transition", streaming::transitionName(transition)},
                                       {"duration_ms", duration_ms}});
  if (context_.program_changed) context_.program_changed(scene);
  return json{{"program", sceneJson(scene)}};
}

CommandOutcome Switcher::take(const json& c) {
  core::ProgramPort& program = *context_.program;
  const streaming::Scene next = program.previewScene();
  const streaming::Scene previous = program.scene();
  json set_command = c;
  set_command["layout"] = std::string(streaming::layoutName(next.layout));
  set_command["primary"] = next.primary;
  set_command["secondary"] = next.secondary;
  const CommandOutcome outcome = set(set_command, false);
  if (outcome.error()) return outcome;
  json result = *outcome.fields();
  // Like a vision mixer: what was on air is now in preview.
  program.setPreviewScene(previous);
  context_.publish("preview.changed", {{"preview", sceneJson(previous)}});
  result["preview"] = sceneJson(previous);
  return result;
}

CommandOutcome Switcher::audio(const json& c) {
  core::ProgramPort& program = *context_.program;
  FieldReader f(c);
  const json* source = f.required("source", json::value_t::string);
  if (!source) return f.error();
  const std::string id = *source;
  if (!program.hasSource(id)) {
    return CommandError{"not_found", "no source \"" + id.substr(0, 64) + "\""};
  }
  const json* gain = f.optional("gain", json::value_t::number_float);
  const json* muted = f.optional("muted", json::value_t::boolean);
  const json* follows = f.optional("follows_video", json::value_t::boolean);
  if (f.failed()) return f.error();
  if (gain) {
    const double g = gain->get<double>();
    if (!(g >= 0.0 && g <= kMaxGain)) return CommandError{"invalid", "gain is 0…4 (linear)"};
    program.setGain(id, g);
  }
  if (muted) program.setMuted(id, muted->get<bool>());
  if (follows) program.setFollowsVideo(id, follows->get<bool>());
  json audio = audioJson(id);
  context_.publish("audio.changed", {{"audio", audio}});
  return json{{"audio", audio}};
}

}  // namespace yst::desks
