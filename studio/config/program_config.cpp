// Reading [show] and [program] (see program_config.h).
#include "studio/config/program_config.h"

#include "studio/base/in_quotes.h"

#include <algorithm>
#include <iterator>

namespace yst::config {

namespace {

constexpr std::string_view kX264Presets[] = {"ultrafast", "superfast", "veryfast", "faster",
                                             "fast",      "medium",    "slow",     "slower",
                                             "veryslow",  "placebo"};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

template <std::size_t N>
std::string joined(const std::string_view (&list)[N]) {
  std::string out;
  for (std::string_view s : list) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

bool isBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

Person readPerson(const TomlReader& reader, const toml::table& table, const std::string& path) {
  reader.refuseUnknownKeys(table, path, {"name", "title"});
  Person person;
  person.name = reader.get<std::string>(table, path, "name").value_or("");
  person.title = reader.get<std::string>(table, path, "title").value_or("");
  return person;
}

}  // namespace

void readShowTable(const TomlReader& reader, const toml::table& root, ShowInfo* show) {
  const toml::table* table = reader.getTable(root, "", "show");
  if (!table) reader.fail(0, "show.title", "missing: the file needs a [show] table with a title");
  reader.refuseUnknownKeys(*table, "show", {"title", "host", "guests", "duration_min"});
  int line = 0;
  const std::optional<std::string> title = reader.get<std::string>(*table, "show", "title", &line);
  if (!title) reader.fail(lineOf(*table), "show.title", "missing: every show needs a title");
  if (isBlank(*title)) reader.fail(line, "show.title", "is empty");
  show->title = *title;
  show->duration_min =
      reader.intInRange(*table, "show", "duration_min", 0, 24 * 60, show->duration_min);
  if (const toml::table* host = reader.getTable(*table, "show", "host")) {
    show->host = readPerson(reader, *host, "show.host");
  }
  if (const toml::array* guests = reader.getTableArray(*table, "show", "guests")) {
    for (std::size_t i = 0; i < guests->size(); ++i) {
      show->guests.push_back(
          readPerson(reader, *guests->get(i)->as_table(), indexPath("show.guests", i)));
    }
  }
}

void readProgram(const TomlReader& reader, const toml::table& root, ProgramConfig* program,
                 ProgramSourceLines* lines) {
  const toml::table* table = reader.getTable(root, "", "program");
  if (!table) return;
  const std::string path = "program";
  reader.refuseUnknownKeys(
      *table, path,
      {"width", "height", "fps", "video_bitrate_kbps", "audio_bitrate_kbps", "preset",
       "keyframe_interval_s", "layout", "tiles", "primary", "secondary"});
  program->width =
      reader.intInRange(*table, path, "width", 160, 3840, program->width, Parity::kEven);
  program->height =
      reader.intInRange(*table, path, "height", 120, 2160, program->height, Parity::kEven);
  program->fps = reader.intInRange(*table, path, "fps", 1, 60, program->fps);
  program->video_bitrate_kbps = reader.intInRange(*table, path, "video_bitrate_kbps", 100, 50000,
                                                  program->video_bitrate_kbps);
  program->audio_bitrate_kbps =
      reader.intInRange(*table, path, "audio_bitrate_kbps", 32, 512, program->audio_bitrate_kbps);
  program->keyframe_interval_s =
      reader.intInRange(*table, path, "keyframe_interval_s", 1, 10, program->keyframe_interval_s);
  int line = 0;
  if (auto preset = reader.get<std::string>(*table, path, "preset", &line)) {
    if (!contains(kX264Presets, *preset)) {
      reader.fail(line, "program.preset",
                  "expected one of " + joined(kX264Presets) + "; got " + inQuotes(*preset));
    }
    program->preset = *preset;
  }
  if (auto layout = reader.get<std::string>(*table, path, "layout", &lines->layout)) {
    const std::optional<streaming::Layout> parsed = streaming::parseLayout(*layout);
    if (!parsed) {
      reader.fail(lines->layout, "program.layout",
                  std::string("expected one of ") + streaming::layoutNames() + "; got " +
                      inQuotes(*layout));
    }
    program->layout = *parsed;
  }
  int tiles_line = 0;
  if (table->contains("tiles")) {
    tiles_line = lineOf(*table->get("tiles"));
    if (table->contains("primary") || table->contains("secondary")) {
      reader.fail(tiles_line, "program.tiles",
                  "give tiles, or the older primary and secondary, not both");
    }
    for (auto& [id, id_line] : reader.getStringArray(*table, path, "tiles")) {
      program->tiles.push_back(id);
      lines->tiles.push_back(id_line);
    }
  }
  std::string primary, secondary;
  if (auto p = reader.get<std::string>(*table, path, "primary", &lines->primary)) primary = *p;
  if (auto s = reader.get<std::string>(*table, path, "secondary", &lines->secondary)) {
    secondary = *s;
  }
  // The older keys: secondary alone leaves the first tile to be filled, and
  // the two naming one source (a show with one camera) name it once.
  if (lines->primary || lines->secondary) {
    program->tiles.push_back(primary);
    lines->tiles.push_back(lines->primary);
  }
  if (lines->secondary && secondary != primary) {
    program->tiles.push_back(secondary);
    lines->tiles.push_back(lines->secondary);
  }
}

}  // namespace yst::config
