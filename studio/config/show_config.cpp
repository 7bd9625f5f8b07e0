// Reading and checking a show file: the top level. toml++ does the TOML,
// toml_reading gives typed values in one error style, and one reader per
// group of sections knows its part of the schema (program_config: [show] and
// [program]; sources_config; outputs_config: destinations, archive, HLS;
// audience_config; overlay_config; nats_config: [edge]). This file reads
// them in order and makes the checks that span sections. Everything is
// checked before the show starts, so that a typo is a message on the
// producer's terminal and not a black program at air time. Checks stop at the first problem: one
// precise message (key, line) is easier to act on than a page of follow-on errors. URLs are read by
// streaming/media_url, which words their problems the same way.
#include "studio/config/show_config.h"

#include "studio/base/in_quotes.h"
#include "studio/config/audience_config.h"
#include "studio/config/audio_config.h"
#include "studio/config/followup_config.h"
#include "studio/config/nats_config.h"
#include "studio/config/outputs_config.h"
#include "studio/config/overlay_config.h"
#include "studio/config/program_config.h"
#include "studio/config/sources_config.h"
#include "studio/config/toml_reading.h"

#include <algorithm>
#include <cstdlib>

namespace yst::config {

namespace {

// program.tiles (or primary and secondary) name sources, each once; the
// sources not named follow in the show file's order (an empty first tile, for
// a secondary given alone, takes the first of them). The layout must have
// enough sources for its tiles.
void resolveProgramSources(const TomlReader& reader, const std::vector<SourceConfig>& sources,
                           const ProgramSourceLines& lines, ProgramConfig* program) {
  auto known = [&](const std::string& id) {
    return std::any_of(sources.begin(), sources.end(),
                       [&](const SourceConfig& s) { return s.id == id; });
  };
  std::string ids;
  for (const SourceConfig& s : sources) ids += (ids.empty() ? "" : ", ") + s.id;
  std::vector<std::string>& tiles = program->tiles;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const int line = i < lines.tiles.size() ? lines.tiles[i] : 0;
    const std::string key = line != 0 && line == lines.primary     ? "program.primary"
                            : line != 0 && line == lines.secondary ? "program.secondary"
                                                                   : "program.tiles";
    if (tiles[i].empty() && line == 0) continue;  // a first tile left for the first free source
    if (!known(tiles[i])) {
      reader.fail(line, key,
                  "no source has the id " + inQuotes(tiles[i]) + " (sources: " + ids + ")");
    }
    if (std::any_of(sources.begin(), sources.end(),
                    [&](const SourceConfig& s) { return s.id == tiles[i] && s.talkback; })) {
      reader.fail(line, key,
                  inQuotes(tiles[i]) + " is the producer's talkback: it is never on air");
    }
    if (std::find(tiles.begin(), tiles.begin() + static_cast<std::ptrdiff_t>(i), tiles[i]) !=
        tiles.begin() + static_cast<std::ptrdiff_t>(i)) {
      reader.fail(line, key, "names " + inQuotes(tiles[i]) + " twice: a source is in one tile");
    }
  }
  for (const SourceConfig& s : sources) {
    if (s.talkback) continue;
    if (std::find(tiles.begin(), tiles.end(), s.id) != tiles.end()) continue;
    auto empty = std::find(tiles.begin(), tiles.end(), std::string());
    if (empty != tiles.end()) {
      *empty = s.id;
    } else {
      tiles.push_back(s.id);
    }
  }
  const streaming::TileRange range = streaming::tileRange(program->layout);
  if (static_cast<int>(tiles.size()) < range.min) {
    reader.fail(lines.layout, "program.layout",
                std::string(streaming::layoutName(program->layout)) + " shows at least " +
                    std::to_string(range.min) + " sources; the show has " +
                    std::to_string(sources.size()));
  }
}

// A source's person names the host or one of the guests.
void checkPersons(const TomlReader& reader, const ShowConfig& config) {
  for (std::size_t i = 0; i < config.sources.size(); ++i) {
    const SourceConfig& s = config.sources[i];
    if (s.person.empty() || personIndex(config.show, s.person) >= -1) continue;
    reader.fail(s.person_line, indexPath("sources", i) + ".person",
                "expected \"host\" or \"guest1\"…\"guest" +
                    std::to_string(config.show.guests.size()) + "\"; got " + inQuotes(s.person));
  }
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

ShowConfig parseShow(std::string_view toml_text, std::string_view source_name,
                     const EnvLookup& env) {
  const TomlReader reader{std::string(source_name)};
  const toml::table root = reader.parse(toml_text);
  ShowConfig config;
  config.path = reader.file();
  reader.refuseUnknownKeys(root, "",
                           {"show", "program", "sources", "destinations", "archive", "hls",
                            "audience", "overlay", "followup", "audio", "edge", "webrtc"});
  ProgramSourceLines program_lines;
  readShowTable(reader, root, &config.show);
  readProgram(reader, root, &config.program, &program_lines);
  readSources(reader, env, root, &config.sources);
  readWebrtc(reader, env, root, &config.webrtc);
  readDestinations(reader, env, root, &config.destinations);
  readArchive(reader, root, &config.archive);
  readHls(reader, root, config.program.keyframe_interval_s, &config.hls);
  readAudience(reader, env, root, &config.audience);
  readOverlay(reader, root, &config.overlay);
  readFollowup(reader, root, &config.followup);
  readAudio(reader, root, &config.audio);
  readEdgeLink(reader, env, root, &config.edge);
  resolveProgramSources(reader, config.sources, program_lines, &config.program);
  checkPersons(reader, config);
  return config;
}

ShowConfig loadShowFile(const std::string& path, const EnvLookup& env) {
  return parseShow(readConfigFile(path, "show file"), path, env);
}

int personIndex(const ShowInfo& show, std::string_view person) {
  if (person == "host") return -1;
  if (!person.starts_with("guest") || person.size() < 6 || person.size() > 8) return -2;
  int n = 0;
  for (char c : person.substr(5)) {
    if (c < '0' || c > '9') return -2;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > static_cast<int>(show.guests.size()) || person[5] == '0') return -2;
  return n - 1;
}

const Person* findPerson(const ShowInfo& show, std::string_view person) {
  const int index = personIndex(show, person);
  if (index == -1) return &show.host;
  if (index >= 0) return &show.guests[static_cast<std::size_t>(index)];
  return nullptr;
}

}  // namespace yst::config
