// Reading [[sources]] and checking a source's URI (see sources_config.h).
#include "studio/config/sources_config.h"

#include "streaming/audio_delay.h"
#include "streaming/media_url.h"
#include "studio/config/env_secrets.h"

#include <algorithm>
#include <optional>
#include <sstream>
#include <variant>

namespace yst::config {

namespace {

std::string formatGain(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// A list of `count` numbers (integers or floats), or a ConfigError naming
// `key` and what was expected.
std::vector<double> readNumbers(const TomlReader& reader, const toml::table& table,
                                const std::string& path, std::string_view key, std::size_t count,
                                const std::string& expected) {
  const toml::node* node = table.get(key);
  const toml::array* array = node ? node->as_array() : nullptr;
  const int line = node ? lineOf(*node) : lineOf(table);
  if (!array || array->size() != count) reader.fail(line, path + "." + std::string(key), expected);
  std::vector<double> values;
  for (const toml::node& element : *array) {
    if (const auto* f = element.as_floating_point()) {
      values.push_back(f->get());
    } else if (const auto* i = element.as_integer()) {
      values.push_back(static_cast<double>(i->get()));
    } else {
      reader.fail(line, path + "." + std::string(key), expected);
    }
  }
  return values;
}

// framing = { zoom = 1.4, center = [0.5, 0.4] } or { crop = [x, y, w, h] }.
streaming::Framing readFraming(const TomlReader& reader, const toml::table& source,
                               const std::string& source_path) {
  streaming::Framing framing;
  const toml::table* table = reader.getTable(source, source_path, "framing");
  if (!table) return framing;
  const std::string path = source_path + ".framing";
  reader.refuseUnknownKeys(*table, path, {"zoom", "center", "crop"});
  int line = lineOf(*table);
  if (auto zoom = reader.get<double>(*table, path, "zoom", &line)) framing.zoom = *zoom;
  if (table->contains("center")) {
    const auto c = readNumbers(reader, *table, path, "center", 2,
                               "expected [x, y], fractions of the picture (0…1)");
    framing.center_x = c[0];
    framing.center_y = c[1];
  }
  if (table->contains("crop")) {
    if (table->contains("zoom") || table->contains("center")) {
      reader.fail(line, path, "give either crop, or zoom and center, not both");
    }
    const auto c = readNumbers(reader, *table, path, "crop", 4,
                               "expected [x, y, width, height], fractions of the picture");
    framing.has_crop = true;
    framing.crop_x = c[0];
    framing.crop_y = c[1];
    framing.crop_width = c[2];
    framing.crop_height = c[3];
  }
  if (const std::string problem = streaming::framingError(framing); !problem.empty()) {
    reader.fail(line, path, problem);
  }
  return framing;
}

}  // namespace

void readSources(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                 std::vector<SourceConfig>* sources) {
  const toml::array* array = reader.getTableArray(root, "", "sources");
  if (!array) reader.fail(0, "sources", "missing: a show needs at least one [[sources]] block");
  if (array->empty()) {
    reader.fail(lineOf(*root.get("sources")), "sources",
                "is empty: a show needs at least one source");
  }
  IdsSeen seen;
  std::vector<std::optional<bool>> muted_given;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    const std::string path = indexPath("sources", i);
    reader.refuseUnknownKeys(
        table, path,
        {"id", "label", "uri", "gain", "muted", "audio_follows_video", "audio_offset_ms", "person",
         "framing", "whip_token_env", "latency_ms", "talkback"});
    SourceConfig source;
    int line = 0;
    const std::optional<std::string> id = reader.get<std::string>(table, path, "id", &line);
    if (!id) reader.fail(lineOf(table), path + ".id", "missing: every source needs an id");
    reader.checkId(*id, line, path + ".id", &seen, path);
    source.id = *id;
    source.label = reader.get<std::string>(table, path, "label").value_or(source.id);
    const std::optional<std::string> uri = reader.get<std::string>(table, path, "uri", &line);
    if (!uri) reader.fail(lineOf(table), path + ".uri", "missing: every source needs a uri");
    if (auto problem = checkSourceUri(*uri, &source.scheme)) {
      reader.fail(line, path + ".uri", *problem);
    }
    source.uri = *uri;
    if (auto gain = reader.get<double>(table, path, "gain", &line)) {
      if (!(*gain >= 0.0 && *gain <= 4.0)) {  // also refuses nan
        reader.fail(line, path + ".gain", "expected a number in 0..4; got " + formatGain(*gain));
      }
      source.gain = *gain;
    }
    muted_given.push_back(reader.get<bool>(table, path, "muted"));
    // A microphone is always in the mix; a camera's sound follows its picture.
    source.audio_follows_video = reader.get<bool>(table, path, "audio_follows_video")
                                     .value_or(!streaming::isAudioOnly(source.scheme));
    if (auto person = reader.get<std::string>(table, path, "person", &line)) {
      source.person = *person;
      source.person_line = line;
    }
    source.framing = readFraming(reader, table, path);
    source.audio_offset_ms =
        reader.intInRange(table, path, "audio_offset_ms", 0, streaming::DelayLine::kMaxDelayMs, 0);
    const bool webrtc = source.scheme == streaming::UrlScheme::kWebrtc;
    for (const char* key : {"whip_token_env", "latency_ms"}) {
      if (!webrtc && table.contains(key)) {
        reader.fail(lineOf(*table.get(key)), path + "." + key,
                    "is for webrtc:// slots only (a guest's browser or a WHIP publisher)");
      }
    }
    int env_line = 0;
    if (const std::optional<std::string> token_env =
            reader.get<std::string>(table, path, "whip_token_env", &env_line)) {
      source.whip_token = readSecretEnv(reader, env, *token_env, env_line, path + ".whip_token_env",
                                        kMinTokenChars);
    }
    source.latency_ms = reader.intInRange(table, path, "latency_ms", 50, 5000, 200);
    source.talkback = reader.get<bool>(table, path, "talkback").value_or(false);
    if (source.talkback) {
      for (const char* key : {"person", "framing", "audio_follows_video"}) {
        if (table.contains(key)) {
          reader.fail(lineOf(*table.get(key)), path + "." + key,
                      "is not for the producer's talkback (talkback = true): it is never on air");
        }
      }
      source.audio_follows_video = false;
    }
    sources->push_back(std::move(source));
  }
  // When microphones carry the voices (a show with an alsa:// or pulse://
  // input, the producer's talkback aside), the cameras' own sound starts
  // muted unless `muted` says.
  const bool microphones = std::any_of(sources->begin(), sources->end(), [](const SourceConfig& s) {
    return streaming::isAudioOnly(s.scheme) && !s.talkback;
  });
  for (std::size_t i = 0; i < sources->size(); ++i) {
    SourceConfig& s = (*sources)[i];
    s.muted =
        muted_given[i].value_or(microphones && !s.talkback && !streaming::isAudioOnly(s.scheme));
  }
}

std::optional<std::string> checkSourceUri(std::string_view uri, streaming::UrlScheme* scheme) {
  if (scheme) *scheme = streaming::UrlScheme::kInvalid;
  const auto parsed = streaming::parseSourceUrl(uri);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  if (scheme) *scheme = std::get<streaming::MediaUrl>(parsed).scheme;
  return std::nullopt;
}

}  // namespace yst::config

namespace yst::config {

void readWebrtc(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                WebrtcConfig* webrtc) {
  const toml::table* table = reader.getTable(root, "", "webrtc");
  if (!table) return;
  reader.refuseUnknownKeys(*table, "webrtc",
                           {"port_min", "port_max", "stun_server", "turn_url", "turn_secret_env",
                            "turn_credential_hours"});
  webrtc->port_min = reader.intInRange(*table, "webrtc", "port_min", 1024, 65535, 0);
  webrtc->port_max = reader.intInRange(*table, "webrtc", "port_max", 1024, 65535, 0);
  if ((webrtc->port_min == 0) != (webrtc->port_max == 0) || webrtc->port_max < webrtc->port_min) {
    reader.fail(lineOf(*table), "webrtc.port_max",
                "give port_min and port_max together, port_min ≤ port_max (ICE's UDP ports)");
  }
  int line = 0;
  if (auto stun = reader.get<std::string>(*table, "webrtc", "stun_server", &line)) {
    if (!stun->starts_with("stun:")) {
      reader.fail(line, "webrtc.stun_server", "expected stun:host:port");
    }
    webrtc->stun_server = *stun;
  }
  if (auto turn = reader.get<std::string>(*table, "webrtc", "turn_url", &line)) {
    if (!turn->starts_with("turn:") && !turn->starts_with("turns:")) {
      reader.fail(line, "webrtc.turn_url", "expected turn:host:port or turns:host:port");
    }
    webrtc->turn_url = *turn;
    int env_line = 0;
    const std::optional<std::string> secret_env =
        reader.get<std::string>(*table, "webrtc", "turn_secret_env", &env_line);
    if (!secret_env) {
      reader.fail(line, "webrtc.turn_secret_env",
                  "missing: TURN needs the secret it shares with coturn (static-auth-secret)");
    }
    webrtc->turn_secret =
        readSecretEnv(reader, env, *secret_env, env_line, "webrtc.turn_secret_env", kMinTokenChars);
  } else if (table->contains("turn_secret_env")) {
    reader.fail(lineOf(*table->get("turn_secret_env")), "webrtc.turn_secret_env",
                "is for TURN: give turn_url too");
  }
  webrtc->turn_credential_hours =
      reader.intInRange(*table, "webrtc", "turn_credential_hours", 1, 72, 12);
}

}  // namespace yst::config
