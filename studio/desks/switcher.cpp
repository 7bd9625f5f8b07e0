#include "studio/desks/switcher.h"

#include "streaming/audio_delay.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

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
  commands.add("framing.set", producer,
               [this](core::CommandContext& c) { return framing(c.message); });
  commands.add("audio.listen", producer,
               [this](core::CommandContext& c) { return listen(c.message); });
}

json Switcher::sceneJson(const streaming::Scene& scene) {
  return {{"layout", std::string(streaming::layoutName(scene.layout))},
          {"tiles", scene.shown()},
          {"order", scene.tiles},
          {"primary", scene.tile(0)},
          {"secondary", scene.tile(1)}};
}

json Switcher::framingJson(const std::string& source, const streaming::Framing& f) {
  json out{{"source", source}};
  if (f.has_crop) {
    out["crop"] = {f.crop_x, f.crop_y, f.crop_width, f.crop_height};
  } else {
    out["zoom"] = f.zoom;
    out["center"] = {f.center_x, f.center_y};
  }
  return out;
}

namespace {
// The command's "source", a source of the show; else the refusal.
std::optional<CommandError> knownSource(FieldReader& f, const core::ProgramPort& program,
                                        std::string* id) {
  const json* source = f.required("source", json::value_t::string);
  if (!source) return f.error();
  *id = *source;
  if (!program.hasSource(*id)) {
    return CommandError{"not_found", "no source \"" + id->substr(0, 64) + "\""};
  }
  return std::nullopt;
}
}  // namespace

json Switcher::audioJson(const std::string& source) const {
  return {{"source", source},
          {"gain", context_.program->gain(source)},
          {"muted", context_.program->muted(source)},
          {"follows_video", context_.program->followsVideo(source)},
          {"offset_ms", context_.program->audioOffset(source)}};
}

CommandOutcome Switcher::set(const json& c, bool preview) {
  core::ProgramPort& program = *context_.program;
  FieldReader f(c);
  streaming::Scene scene = preview ? program.previewScene() : program.scene();
  if (const json* layout = f.optional("layout", json::value_t::string)) {
    auto parsed = streaming::parseLayout(layout->get<std::string>());
    if (!parsed) {
      return CommandError{"invalid", std::string("layout is ") + streaming::layoutNames()};
    }
    scene.layout = *parsed;
  }
  auto unknown = [](const char* key, const std::string& id) {
    return CommandError{"not_found", std::string(key) + ": no source \"" + id.substr(0, 64) + "\""};
  };
  // The whole order, or its head: the sources not named keep their order
  // after it, so every source always has a place.
  if (const json* tiles = f.optional("tiles", json::value_t::array)) {
    if (tiles->size() > kMaxTiles) return CommandError{"invalid", "tiles lists at most 16 sources"};
    std::vector<std::string> order;
    for (const json& id : *tiles) {
      if (!id.is_string()) return CommandError{"invalid", "tiles is a list of source ids"};
      if (!program.hasSource(id)) return unknown("tiles", id);
      if (std::find(order.begin(), order.end(), id) != order.end()) {
        return CommandError{"invalid", "tiles names \"" + id.get<std::string>().substr(0, 64) +
                                           "\" twice: a source is in one tile"};
      }
      order.push_back(id);
    }
    for (const std::string& id : scene.tiles) {
      if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
    }
    scene.tiles = std::move(order);
  }
  const json* primary = f.optional("primary", json::value_t::string);
  const json* secondary = f.optional("secondary", json::value_t::string);
  const json* tile = f.optional("tile", json::value_t::number_integer);
  const json* source = f.optional("source", json::value_t::string);
  if (f.failed()) return f.error();
  if (primary && secondary && *primary == *secondary && program.sourceCount() > 1 &&
      scene.layout != streaming::Layout::kSingle) {
    return CommandError{"invalid",
                        "primary and secondary must be different sources in this layout"};
  }
  // The same source as primary and secondary (single, or a show with one
  // camera) is put in the first tile only.
  if (primary && secondary && *primary == *secondary) secondary = nullptr;
  for (auto [key, id, index] : {std::tuple{"primary", primary, 0}, {"secondary", secondary, 1}}) {
    if (!id) continue;
    if (!program.hasSource(*id)) return unknown(key, *id);
    streaming::placeInTile(&scene.tiles, static_cast<std::size_t>(index), *id);
  }
  if (tile || source) {
    if (!tile || !source) return CommandError{"invalid", "tile and source go together"};
    const auto index = tile->get<std::int64_t>();
    if (index < 0 || index >= static_cast<std::int64_t>(kMaxTiles))
      return CommandError{"invalid", "tile is 0…15"};
    if (!program.hasSource(*source)) return unknown("source", *source);
    streaming::placeInTile(&scene.tiles, static_cast<std::size_t>(index), *source);
  }
  const streaming::TileRange range = streaming::tileRange(scene.layout);
  if (streaming::tilesShown(scene.layout, static_cast<int>(scene.tiles.size())) == 0) {
    return CommandError{"invalid", std::string(streaming::layoutName(scene.layout)) +
                                       " shows at least " + std::to_string(range.min) +
                                       " sources; the show has " +
                                       std::to_string(program.sourceCount())};
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
  if (context_.on_air_refusal) {
    const int shown = streaming::tilesShown(scene.layout, static_cast<int>(scene.tiles.size()));
    for (int i = 0; i < shown; ++i) {
      const std::string refusal = context_.on_air_refusal(scene.tile(i));
      if (!refusal.empty()) return CommandError{"not_admitted", refusal};
    }
  }
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
  set_command["tiles"] = next.tiles;
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
  std::string id;
  if (auto refused = knownSource(f, program, &id)) return *refused;
  const json* gain = f.optional("gain", json::value_t::number_float);
  const json* muted = f.optional("muted", json::value_t::boolean);
  const json* follows = f.optional("follows_video", json::value_t::boolean);
  const json* offset = f.optional("offset_ms", json::value_t::number_integer);
  if (f.failed()) return f.error();
  if (offset && (offset->get<std::int64_t>() < 0 ||
                 offset->get<std::int64_t>() > streaming::DelayLine::kMaxDelayMs)) {
    return CommandError{"invalid", "offset_ms is 0…2000 (the sound delayed against the picture)"};
  }
  if (gain) {
    const double g = gain->get<double>();
    if (!(g >= 0.0 && g <= kMaxGain)) return CommandError{"invalid", "gain is 0…4 (linear)"};
    program.setGain(id, g);
  }
  if (muted) program.setMuted(id, muted->get<bool>());
  if (follows) program.setFollowsVideo(id, follows->get<bool>());
  if (offset) program.setAudioOffset(id, offset->get<int>());
  json audio = audioJson(id);
  context_.publish("audio.changed", {{"audio", audio}});
  return json{{"audio", audio}};
}

CommandOutcome Switcher::framing(const json& c) {
  core::ProgramPort& program = *context_.program;
  FieldReader f(c);
  std::string id;
  if (auto refused = knownSource(f, program, &id)) return *refused;
  const json* zoom = f.optional("zoom", json::value_t::number_float);
  const json* center = f.optional("center", json::value_t::array);
  const json* crop = f.optional("crop", json::value_t::array);
  const json* reset = f.optional("reset", json::value_t::boolean);
  if (f.failed()) return f.error();
  auto numbers = [](const json& array, std::size_t count, std::vector<double>* out) {
    if (array.size() != count) return false;
    for (const json& v : array) {
      if (!v.is_number()) return false;
      out->push_back(v.get<double>());
    }
    return true;
  };
  // Starts from the source's framing unless reset: a zoom alone keeps the
  // centre, and the other way round.
  streaming::Framing framing =
      reset && reset->get<bool>() ? streaming::Framing{} : program.framing(id);
  if (crop && (zoom || center)) {
    return CommandError{"invalid", "give either crop, or zoom and center, not both"};
  }
  if (zoom) {
    framing.zoom = zoom->get<double>();
    framing.has_crop = false;
  }
  if (center) {
    std::vector<double> xy;
    if (!numbers(*center, 2, &xy)) return CommandError{"invalid", "center is [x, y], each 0…1"};
    framing.center_x = xy[0];
    framing.center_y = xy[1];
    framing.has_crop = false;
  }
  if (crop) {
    std::vector<double> r;
    if (!numbers(*crop, 4, &r)) {
      return CommandError{"invalid", "crop is [x, y, width, height], fractions of the picture"};
    }
    framing.has_crop = true;
    framing.crop_x = r[0];
    framing.crop_y = r[1];
    framing.crop_width = r[2];
    framing.crop_height = r[3];
  }
  if (const std::string problem = streaming::framingError(framing); !problem.empty()) {
    return CommandError{"invalid", problem};
  }
  program.setFraming(id, framing);
  json out = framingJson(id, framing);
  context_.publish("framing.changed", {{"framing", out}});
  return json{{"framing", out}};
}

CommandOutcome Switcher::listen(const json& c) {
  core::ProgramPort& program = *context_.program;
  if (!program.hasMonitor()) {
    return CommandError{"not_found",
                        "the show has no monitor ([audio] monitor = \"alsa://…\" or "
                        "\"pulse://…\")"};
  }
  // A source alone (PFL), or back to the program (no source, or null).
  std::string id;
  const auto source = c.find("source");
  if (source != c.end() && !source->is_null()) {
    FieldReader f(c);
    if (auto refused = knownSource(f, program, &id)) return *refused;
  }
  program.setListening(id);
  const json monitor = {{"listening", id.empty() ? json() : json(id)}};
  context_.publish("monitor.changed", {{"monitor", monitor}});
  return json{{"monitor", monitor}};
}

}  // namespace yst::desks
