// Reading and checking a show file. toml++ does the TOML; this file knows the
// schema. Everything is checked before the show starts, so that a typo is a
// message on the producer's terminal and not a black program at air time.
// Checks stop at the first problem: one precise message (key, line) is easier
// to act on than a page of follow-on errors. URLs are read by
// streaming/media_url, which words their problems the same way.
#include "studio/config/show_config.h"

#include "streaming/media_url.h"
#include "studio/base/in_quotes.h"
#include "studio/server/client_address.h"
#include "studio/text/text.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace yst::config {

namespace {

std::string formatWhat(const std::string& file, int line, const std::string& key,
                       const std::string& problem) {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!key.empty()) s += key + ": ";
  s += problem;
  return s;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, std::string key, std::string problem)
    : std::runtime_error(formatWhat(file, line, key, problem)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      problem_(std::move(problem)) {}

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

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isAlnum(char c) {
  return isAlpha(c) || isDigit(c);
}

// What the show file tells apart: RTSP and RTSPS, RTMP and RTMPS are one
// kind each.
SourceKind sourceKind(streaming::UrlScheme scheme) {
  switch (scheme) {
    case streaming::UrlScheme::kTest:
      return SourceKind::kTest;
    case streaming::UrlScheme::kFile:
      return SourceKind::kFile;
    case streaming::UrlScheme::kV4l2:
      return SourceKind::kV4l2;
    case streaming::UrlScheme::kRtsp:
    case streaming::UrlScheme::kRtsps:
      return SourceKind::kRtsp;
    case streaming::UrlScheme::kSrt:
      return SourceKind::kSrt;
    case streaming::UrlScheme::kRtmp:
    case streaming::UrlScheme::kRtmps:
      return SourceKind::kRtmp;
    case streaming::UrlScheme::kHttp:
    case streaming::UrlScheme::kHttps:
    case streaming::UrlScheme::kInvalid:
      break;
  }
  return SourceKind::kInvalid;
}

constexpr const char* kNotAnEnvName =
    "is not an environment variable name (letters, digits and '_'); it should name the variable "
    "that holds the secret, not the secret itself";

bool isEnvName(std::string_view name) {
  if (name.empty() || isDigit(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return isAlnum(c) || c == '_'; });
}

// Whether an environment variable's name may be shown. People sometimes put
// the key itself where its variable's name belongs; conventional names are
// upper case, stream keys rarely are, so only those are echoed.
bool isShowableEnvName(std::string_view name) {
  return isEnvName(name) &&
         std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::string envNameForMessage(std::string_view name) {
  return isShowableEnvName(name) ? "environment variable " + std::string(name)
                                 : std::string("the environment variable named here");
}

bool isId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || isDigit(c) || c == '_' || c == '-';
  });
}

bool isBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool hasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c <= 0x20 || c == 0x7f;
  });
}

bool isIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    const std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), isDigit)) {
      return false;
    }
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  return parts == 4;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string generateToken() {
  // libstdc++ reads the kernel's CSPRNG for this token (never a seeded
  // mt19937), which is what a credential needs.
  std::random_device device("/dev/urandom");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(32);
  for (int word = 0; word < 4; ++word) {
    std::uint32_t bits = device();
    for (int nibble = 0; nibble < 8; ++nibble) {
      token += kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return token;
}

int lineOf(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

std::string_view typeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A key as it appears in a dotted path; odd keys are quoted as TOML would.
std::string pathKey(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return isAlnum(c) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : inQuotes(key);
}

std::string joinPath(std::string_view parent, std::string_view key) {
  return parent.empty() ? pathKey(key) : std::string(parent) + "." + pathKey(key);
}

std::string indexPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

enum class Parity { kAny, kEven };

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Where the TOML parser must not be sent. toml++ 3.3 (Debian 12's) has
// undefined behaviour on two kinds of invalid TOML: a character beyond ASCII
// where a key may start (its whitespace table ends in "unreachable") and a
// table header whose name starts with neither a key character nor a quote
// (it assumes one). The library as built happens to report both as errors,
// but nothing promises that of undefined behaviour, and a show file is
// typed by people who write Chinese: `标题 = "…"` or `[节目]` is one slip
// away. Both are invalid TOML anyway, so they are refused here first.
struct TomlTrap {
  int line = 0;
  std::string problem;  // with the column, as toml++ words its own
};

std::optional<TomlTrap> findTomlTrap(std::string_view text) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  int line = 1;
  std::size_t line_start = 0;
  int depth = 0;           // brackets and braces open (values and headers)
  bool line_blank = true;  // nothing but whitespace yet on this line
  const auto column = [&](std::size_t at) {
    int n = 1;  // in characters, as toml++ counts
    for (std::size_t k = line_start; k < at; ++k) {
      if ((static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) ++n;
    }
    return std::to_string(n);
  };
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a BOM is allowed
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      // A string left open at the end of its line is toml++'s error to
      // report, and it stops there.
      if (in == In::kBasic || in == In::kLiteral) return std::nullopt;
      if (in == In::kComment) in = In::kCode;
      ++line;
      line_start = i + 1;
      line_blank = true;
      continue;
    }
    switch (in) {
      case In::kComment:
        continue;
      case In::kBasic:
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in = In::kCode;
        }
        continue;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        continue;
      case In::kMultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (text.substr(i, 3) == "\"\"\"") {
          i += 2;
          in = In::kCode;
        }
        continue;
      case In::kMultiLiteral:
        if (text.substr(i, 3) == "'''") {
          i += 2;
          in = In::kCode;
        }
        continue;
      case In::kCode:
        break;
    }
    if (c == '#') {
      in = In::kComment;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool triple = text.substr(i, 3) == std::string(3, c);
      in = c == '"' ? (triple ? In::kMultiBasic : In::kBasic)
                    : (triple ? In::kMultiLiteral : In::kLiteral);
      if (triple) i += 2;
      line_blank = false;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto lead = static_cast<unsigned char>(c);
      const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      const std::string_view character = text.substr(i, length);
      // Bytes that are not UTF-8 are toml++'s to report (it checks them first).
      if (!text::isValidUtf8(character)) return std::nullopt;
      return TomlTrap{line, "unexpected '" + std::string(character) + "' (column " + column(i) +
                                "): outside quotes and comments a show file is ASCII: a key is "
                                "letters, digits, '-' and '_', a text goes in quotes"};
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '[' && depth == 0 && line_blank) {
      // A table header, [name] or [[name]]: what follows the brackets (and
      // any spaces) must start a key, or be the ']' of an empty name (an
      // error toml++ reports itself).
      std::size_t j = i + 1;
      if (j < text.size() && text[j] == '[') ++j;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      const char k = j < text.size() ? text[j] : '\n';
      const bool starts_key = isAlnum(k) || k == '_' || k == '-' || k == '"' || k == '\'';
      if (!starts_key && k != ']' && static_cast<unsigned char>(k) < 0x80) {
        return TomlTrap{line,
                        "a table name must start with a letter, digit, '-', '_' or a quote "
                        "(column " +
                            column(j) + ")"};
      }
    }
    line_blank = false;
    if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// Reads one show. Holds the file name and environment so that every check
// can fail with the same context.
class ShowParser {
 public:
  ShowParser(std::string_view file, const EnvLookup& env) : file_(file), env_(env) {}

  ShowConfig parse(std::string_view text) {
    if (std::optional<TomlTrap> trap = findTomlTrap(text)) fail(trap->line, "", trap->problem);
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(file_));
    } catch (const toml::parse_error& e) {
      std::string problem(e.description());
      problem += " (column " + std::to_string(e.source().begin.column) + ")";
      fail(static_cast<int>(e.source().begin.line), "", std::move(problem));
    }
    ShowConfig config;
    config.path = file_;
    refuseUnknownKeys(
        root, "",
        {"show", "program", "sources", "destinations", "archive", "hls", "audience", "overlay"});
    readShow(root, &config.show);
    readProgram(root, &config.program);
    readSources(root, &config.sources);
    readDestinations(root, &config.destinations);
    readArchive(root, &config.archive);
    readHls(root, config.program.keyframe_interval_s, &config.hls);
    readAudience(root, &config.audience);
    readOverlay(root, &config.overlay);
    resolveProgramSources(config.sources, &config.program);
    checkPersons(config);
    return config;
  }

 private:
  [[noreturn]] void fail(int line, std::string key, std::string problem) const {
    throw ConfigError(file_, line, std::move(key), std::move(problem));
  }

  // Reports the unknown key that comes first in the file, with a guess at
  // what was meant: most unknown keys are typos of a known one.
  void refuseUnknownKeys(const toml::table& table, const std::string& path,
                         std::initializer_list<std::string_view> allowed) const {
    const toml::key* first = nullptr;
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      const auto& begin = key.source().begin;
      if (!first || begin.line < first->source().begin.line ||
          (begin.line == first->source().begin.line &&
           begin.column < first->source().begin.column)) {
        first = &key;
      }
    }
    if (!first) return;
    std::string problem = "unknown key";
    std::string_view best;
    std::size_t best_distance = 3;  // more than two edits is not a typo
    for (std::string_view candidate : allowed) {
      const std::size_t d = editDistance(first->str(), candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (!best.empty()) problem += "; did you mean " + inQuotes(best) + "?";
    problem += " (";
    problem += path.empty() ? "top level" : path;
    problem += " takes: ";
    bool comma = false;
    for (std::string_view candidate : allowed) {
      if (comma) problem += ", ";
      problem += candidate;
      comma = true;
    }
    problem += ")";
    fail(static_cast<int>(first->source().begin.line), joinPath(path, first->str()),
         std::move(problem));
  }

  // Typed lookups: nothing when the key is absent, a ConfigError when it is
  // present with another type. Values are never echoed in type errors, since
  // the same code reads stream keys.
  template <typename T>
  std::optional<T> get(const toml::table& table, const std::string& path, std::string_view key,
                       int* line = nullptr) const {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    if (line) *line = lineOf(*node);
    std::string_view wanted;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value_exact<std::string>()) return v;
      wanted = "a string";
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      if (auto v = node->value_exact<std::int64_t>()) return v;
      wanted = "an integer";
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value_exact<bool>()) return v;
      wanted = "a boolean (true or false)";
    } else if constexpr (std::is_same_v<T, double>) {
      // A gain of 1 is as good as 1.0.
      if (auto v = node->value_exact<double>()) return v;
      if (auto v = node->value_exact<std::int64_t>()) return static_cast<double>(*v);
      wanted = "a number";
    } else {
      static_assert(std::is_same_v<T, std::string>, "unsupported type");
    }
    std::string problem =
        "expected " + std::string(wanted) + "; got " + std::string(typeName(node->type()));
    if (node->is_string() && !std::is_same_v<T, std::string>) problem += " (remove the quotes)";
    fail(lineOf(*node), joinPath(path, key), std::move(problem));
  }

  const toml::table* getTable(const toml::table& parent, const std::string& parent_path,
                              std::string_view key) const {
    const toml::node* node = parent.get(key);
    if (!node) return nullptr;
    if (const toml::table* table = node->as_table()) return table;
    fail(lineOf(*node), joinPath(parent_path, key),
         "expected a table; got " + std::string(typeName(node->type())));
  }

  // An array of strings, each with its line (for messages).
  std::vector<std::pair<std::string, int>> getStringArray(const toml::table& parent,
                                                          const std::string& parent_path,
                                                          std::string_view key) const {
    std::vector<std::pair<std::string, int>> out;
    const toml::node* node = parent.get(key);
    if (!node) return out;
    const std::string path = joinPath(parent_path, key);
    const toml::array* array = node->as_array();
    if (!array) {
      fail(lineOf(*node), path,
           "expected an array of strings; got " + std::string(typeName(node->type())));
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const auto* text = element.as_string();
      if (!text) {
        fail(lineOf(element), indexPath(path, i),
             "expected a string; got " + std::string(typeName(element.type())));
      }
      out.emplace_back(text->get(), lineOf(element));
    }
    return out;
  }

  // An array of tables, written either as [[key]] blocks or as an inline
  // array of { … } tables.
  const toml::array* getTableArray(const toml::table& parent, const std::string& parent_path,
                                   std::string_view key) const {
    const toml::node* node = parent.get(key);
    if (!node) return nullptr;
    const std::string path = joinPath(parent_path, key);
    const toml::array* array = node->as_array();
    if (!array) {
      fail(lineOf(*node), path,
           "expected an array of tables ([[" + path + "]]); got " +
               std::string(typeName(node->type())));
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      if (!element.is_table()) {
        fail(lineOf(element), indexPath(path, i),
             "expected a table; got " + std::string(typeName(element.type())));
      }
    }
    return array;
  }

  int intInRange(const toml::table& table, const std::string& path, std::string_view key, int lo,
                 int hi, int fallback, Parity parity = Parity::kAny) const {
    int line = 0;
    const std::optional<std::int64_t> value = get<std::int64_t>(table, path, key, &line);
    if (!value) return fallback;
    const bool even_ok = parity == Parity::kAny || *value % 2 == 0;
    if (*value < lo || *value > hi || !even_ok) {
      fail(line, joinPath(path, key),
           std::string("expected ") + (parity == Parity::kEven ? "an even integer" : "an integer") +
               " in " + std::to_string(lo) + ".." + std::to_string(hi) + "; got " +
               std::to_string(*value));
    }
    return static_cast<int>(*value);
  }

  Person readPerson(const toml::table& table, const std::string& path) const {
    refuseUnknownKeys(table, path, {"name", "title"});
    Person person;
    person.name = get<std::string>(table, path, "name").value_or("");
    person.title = get<std::string>(table, path, "title").value_or("");
    return person;
  }

  void readShow(const toml::table& root, ShowInfo* show) const {
    const toml::table* table = getTable(root, "", "show");
    if (!table) fail(0, "show.title", "missing: the file needs a [show] table with a title");
    refuseUnknownKeys(*table, "show", {"title", "host", "guests", "duration_min"});
    int line = 0;
    const std::optional<std::string> title = get<std::string>(*table, "show", "title", &line);
    if (!title) fail(lineOf(*table), "show.title", "missing: every show needs a title");
    if (isBlank(*title)) fail(line, "show.title", "is empty");
    show->title = *title;
    show->duration_min = intInRange(*table, "show", "duration_min", 0, 24 * 60, show->duration_min);
    if (const toml::table* host = getTable(*table, "show", "host")) {
      show->host = readPerson(*host, "show.host");
    }
    if (const toml::array* guests = getTableArray(*table, "show", "guests")) {
      for (std::size_t i = 0; i < guests->size(); ++i) {
        show->guests.push_back(
            readPerson(*guests->get(i)->as_table(), indexPath("show.guests", i)));
      }
    }
  }

  void readProgram(const toml::table& root, ProgramConfig* program) {
    const toml::table* table = getTable(root, "", "program");
    if (!table) return;
    const std::string path = "program";
    refuseUnknownKeys(*table, path,
                      {"width", "height", "fps", "video_bitrate_kbps", "audio_bitrate_kbps",
                       "preset", "keyframe_interval_s", "layout", "primary", "secondary"});
    program->width = intInRange(*table, path, "width", 160, 3840, program->width, Parity::kEven);
    program->height = intInRange(*table, path, "height", 120, 2160, program->height, Parity::kEven);
    program->fps = intInRange(*table, path, "fps", 1, 60, program->fps);
    program->video_bitrate_kbps =
        intInRange(*table, path, "video_bitrate_kbps", 100, 50000, program->video_bitrate_kbps);
    program->audio_bitrate_kbps =
        intInRange(*table, path, "audio_bitrate_kbps", 32, 512, program->audio_bitrate_kbps);
    program->keyframe_interval_s =
        intInRange(*table, path, "keyframe_interval_s", 1, 10, program->keyframe_interval_s);
    int line = 0;
    if (auto preset = get<std::string>(*table, path, "preset", &line)) {
      if (!contains(kX264Presets, *preset)) {
        fail(line, "program.preset",
             "expected one of " + joined(kX264Presets) + "; got " + inQuotes(*preset));
      }
      program->preset = *preset;
    }
    if (auto layout = get<std::string>(*table, path, "layout", &line)) {
      const std::optional<streaming::Layout> parsed = streaming::parseLayout(*layout);
      if (!parsed) {
        fail(line, "program.layout",
             "expected one of single, side_by_side, pip; got " + inQuotes(*layout));
      }
      program->layout = *parsed;
    }
    if (auto primary = get<std::string>(*table, path, "primary", &primary_line_)) {
      program->primary = *primary;
    }
    if (auto secondary = get<std::string>(*table, path, "secondary", &secondary_line_)) {
      program->secondary = *secondary;
    }
  }

  // Ids end up in WebSocket messages, URLs and file names; keeping them to
  // a small alphabet avoids escaping everywhere.
  void checkIdentifier(const std::string& id, int line, const std::string& key,
                       std::map<std::string, std::pair<std::string, int>>* seen,
                       const std::string& owner) const {
    if (!isId(id)) {
      fail(line, key, "must be 1..32 characters of a-z, 0-9, '_' and '-'; got " + inQuotes(id));
    }
    const auto [it, inserted] = seen->emplace(id, std::make_pair(owner, line));
    if (!inserted) {
      fail(line, key,
           inQuotes(id) + " is already the id of " + it->second.first + " (line " +
               std::to_string(it->second.second) + ")");
    }
  }

  void readSources(const toml::table& root, std::vector<SourceConfig>* sources) const {
    const toml::array* array = getTableArray(root, "", "sources");
    if (!array) fail(0, "sources", "missing: a show needs at least one [[sources]] block");
    if (array->empty()) {
      fail(lineOf(*root.get("sources")), "sources", "is empty: a show needs at least one source");
    }
    std::map<std::string, std::pair<std::string, int>> seen;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      const std::string path = indexPath("sources", i);
      refuseUnknownKeys(table, path, {"id", "label", "uri", "gain", "muted", "person"});
      SourceConfig source;
      int line = 0;
      const std::optional<std::string> id = get<std::string>(table, path, "id", &line);
      if (!id) fail(lineOf(table), path + ".id", "missing: every source needs an id");
      checkIdentifier(*id, line, path + ".id", &seen, path);
      source.id = *id;
      source.label = get<std::string>(table, path, "label").value_or(source.id);
      const std::optional<std::string> uri = get<std::string>(table, path, "uri", &line);
      if (!uri) fail(lineOf(table), path + ".uri", "missing: every source needs a uri");
      if (auto problem = checkSourceUri(*uri, &source.kind)) fail(line, path + ".uri", *problem);
      source.uri = *uri;
      if (auto gain = get<double>(table, path, "gain", &line)) {
        if (!(*gain >= 0.0 && *gain <= 4.0)) {  // also refuses nan
          fail(line, path + ".gain", "expected a number in 0..4; got " + formatNumber(*gain));
        }
        source.gain = *gain;
      }
      source.muted = get<bool>(table, path, "muted").value_or(false);
      if (auto person = get<std::string>(table, path, "person", &line)) {
        source.person = *person;
        source.person_line = line;
      }
      sources->push_back(std::move(source));
    }
  }

  // The secret value is never part of a message here; only the name of its
  // variable, and that only when it looks like a variable name.
  void readDestinations(const toml::table& root, std::vector<DestinationConfig>* out) const {
    const toml::array* array = getTableArray(root, "", "destinations");
    if (!array) return;
    std::map<std::string, std::pair<std::string, int>> seen;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      const std::string path = indexPath("destinations", i);
      refuseUnknownKeys(table, path,
                        {"id", "name", "url", "key", "key_env", "enabled", "tls_verify"});
      DestinationConfig destination;
      int line = 0;
      const std::optional<std::string> id = get<std::string>(table, path, "id", &line);
      if (!id) fail(lineOf(table), path + ".id", "missing: every destination needs an id");
      checkIdentifier(*id, line, path + ".id", &seen, path);
      destination.id = *id;
      destination.name = get<std::string>(table, path, "name").value_or(destination.id);
      const std::optional<std::string> url = get<std::string>(table, path, "url", &line);
      if (!url) fail(lineOf(table), path + ".url", "missing: every destination needs a url");
      if (auto problem = checkDestinationUrl(*url, &destination.kind)) {
        fail(line, path + ".url", *problem);
      }
      destination.url = *url;
      destination.enabled = get<bool>(table, path, "enabled").value_or(true);
      destination.tls_verify = get<bool>(table, path, "tls_verify").value_or(true);

      int key_line = 0;
      int env_line = 0;
      const std::optional<std::string> key = get<std::string>(table, path, "key", &key_line);
      const std::optional<std::string> key_env =
          get<std::string>(table, path, "key_env", &env_line);
      if (key && key_env) {
        fail(std::max(key_line, env_line), path + (key_line > env_line ? ".key" : ".key_env"),
             "give either key or key_env, not both");
      }
      if (key) {
        if (key->empty()) fail(key_line, path + ".key", "is empty (remove it if there is no key)");
        if (hasSpaceOrControl(*key)) {
          fail(key_line, path + ".key",
               "contains a space or a control character (check what was pasted)");
        }
        destination.key = *key;
      }
      if (key_env) {
        destination.key = readSecretEnv(*key_env, env_line, path + ".key_env", 1);
      }
      out->push_back(std::move(destination));
    }
  }

  // Looks a secret up in the environment; an unset variable is an error.
  std::string readSecretEnv(const std::string& name, int line, const std::string& key,
                            std::size_t min_length) const {
    if (!isEnvName(name)) fail(line, key, kNotAnEnvName);
    const std::optional<std::string> value = env_ ? env_(name) : std::nullopt;
    if (!value || value->empty()) fail(line, key, envNameForMessage(name) + " is not set");
    if (value->size() < min_length) {
      fail(line, key,
           "the value of " + envNameForMessage(name) + " is shorter than " +
               std::to_string(min_length) + " characters");
    }
    if (hasSpaceOrControl(*value)) {
      fail(line, key,
           "the value of " + envNameForMessage(name) + " contains a space or a control character");
    }
    return *value;
  }

  void readArchive(const toml::table& root, ArchiveConfig* archive) const {
    const toml::table* table = getTable(root, "", "archive");
    if (!table) return;
    refuseUnknownKeys(*table, "archive", {"enabled"});
    archive->enabled = get<bool>(*table, "archive", "enabled").value_or(archive->enabled);
  }

  // A segment can only be cut at a keyframe, and there is one encoder for
  // every output: segments are a whole number of keyframe intervals. Left
  // out, segment_s is the shortest such length of at least the default; a
  // length the keyframes cannot give is refused (the playlist would
  // announce one length and carry another).
  void readHls(const toml::table& root, int keyframe_interval_s, HlsConfig* hls) const {
    const int shortest = std::max(hls->segment_s, keyframe_interval_s);
    hls->segment_s =
        (shortest + keyframe_interval_s - 1) / keyframe_interval_s * keyframe_interval_s;
    const toml::table* table = getTable(root, "", "hls");
    if (!table) return;
    refuseUnknownKeys(*table, "hls", {"enabled", "segment_s", "playlist_length"});
    hls->enabled = get<bool>(*table, "hls", "enabled").value_or(hls->enabled);
    int line = 0;
    if (get<std::int64_t>(*table, "hls", "segment_s", &line)) {
      hls->segment_s = intInRange(*table, "hls", "segment_s", 1, 10, hls->segment_s);
      if (hls->enabled && hls->segment_s % keyframe_interval_s != 0) {
        const std::string keyframes = std::to_string(keyframe_interval_s);
        fail(line, "hls.segment_s",
             std::to_string(hls->segment_s) + " s is not a multiple of " +
                 "program.keyframe_interval_s (" + keyframes +
                 " s): segments are cut at keyframes");
      }
    }
    hls->playlist_length =
        intInRange(*table, "hls", "playlist_length", 3, 30, hls->playlist_length);
  }

  void readOverlay(const toml::table& root, OverlayConfig* overlay) const {
    const toml::table* table = getTable(root, "", "overlay");
    if (!table) return;
    const std::string path = "overlay";
    refuseUnknownKeys(*table, path, {"theme", "bug", "clock", "qr", "ticker", "auto_lower_thirds"});
    int line = 0;
    if (auto theme = get<std::string>(*table, path, "theme", &line)) {
      overlay->theme_line = line;
      if (theme->find('/') != std::string::npos) {
        std::filesystem::path dir(*theme);
        if (dir.is_relative()) dir = std::filesystem::path(file_).parent_path() / dir;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(dir / "theme.toml", ec)) {
          fail(line, "overlay.theme", "no theme.toml in " + inQuotes(dir.string()));
        }
        overlay->theme_dir = dir.string();
        overlay->theme = dir.filename().string();
      } else {
        const bool name_ok =
            !theme->empty() && std::all_of(theme->begin(), theme->end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            });
        if (!name_ok) {
          fail(line, "overlay.theme",
               "expected a theme name such as \"default\"; got " + inQuotes(*theme));
        }
        overlay->theme = *theme;
      }
    }
    overlay->bug = get<bool>(*table, path, "bug").value_or(overlay->bug);
    overlay->clock = get<bool>(*table, path, "clock").value_or(overlay->clock);
    overlay->qr = get<bool>(*table, path, "qr").value_or(overlay->qr);
    overlay->auto_lower_thirds =
        get<bool>(*table, path, "auto_lower_thirds").value_or(overlay->auto_lower_thirds);
    if (auto ticker = get<std::string>(*table, path, "ticker", &line)) {
      const text::CleanedText cleaned = text::cleanText(*ticker, 200, false);
      if (cleaned.problem == text::TextProblem::kTooLong) {
        fail(line, "overlay.ticker", "longer than 200 characters");
      }
      overlay->ticker = cleaned.text;  // empty: no ticker at the start
    }
  }

  // A source's person names the host or one of the guests.
  void checkPersons(const ShowConfig& config) const {
    for (std::size_t i = 0; i < config.sources.size(); ++i) {
      const SourceConfig& s = config.sources[i];
      if (s.person.empty() || personIndex(config.show, s.person) >= -1) continue;
      fail(s.person_line, indexPath("sources", i) + ".person",
           "expected \"host\" or \"guest1\"…\"guest" + std::to_string(config.show.guests.size()) +
               "\"; got " + inQuotes(s.person));
    }
  }

  void readAudience(const toml::table& root, AudienceConfig* audience) const {
    const toml::table* table = getTable(root, "", "audience");
    static const toml::table kEmpty;
    if (!table) table = &kEmpty;
    const std::string path = "audience";
    refuseUnknownKeys(
        *table, path,
        {"listen", "public_url", "producer_token_env", "typist_token_env", "host_token_env",
         "question_interval_s", "question_burst", "vote_interval_s", "vote_burst",
         "max_connections_per_address", "max_question_chars", "word_list", "trusted_proxies",
         "allowed_hosts", "max_connections", "ws_ping_s"});
    int line = 0;
    if (auto interval = get<double>(*table, path, "question_interval_s", &line)) {
      if (!(*interval >= 0.0 && *interval <= 3600.0)) {
        fail(line, "audience.question_interval_s", "must be between 0 and 3600 seconds");
      }
      audience->question_interval_s = *interval;
    }
    audience->question_burst =
        intInRange(*table, path, "question_burst", 1, 1000, audience->question_burst);
    if (auto interval = get<double>(*table, path, "vote_interval_s", &line)) {
      if (!(*interval >= 0.0 && *interval <= 3600.0)) {
        fail(line, "audience.vote_interval_s", "must be between 0 and 3600 seconds");
      }
      audience->vote_interval_s = *interval;
    }
    audience->vote_burst = intInRange(*table, path, "vote_burst", 1, 1000, audience->vote_burst);
    audience->max_connections_per_address =
        intInRange(*table, path, "max_connections_per_address", 1, 100000,
                   audience->max_connections_per_address);
    audience->max_question_chars =
        intInRange(*table, path, "max_question_chars", 10, 1000, audience->max_question_chars);
    audience->max_connections =
        intInRange(*table, path, "max_connections", 0, 1000000, audience->max_connections);
    audience->ws_ping_s = intInRange(*table, path, "ws_ping_s", 0, 3600, audience->ws_ping_s);
    for (const auto& [text, item_line] : getStringArray(*table, path, "trusted_proxies")) {
      if (!server::parseNetwork(text)) {
        fail(item_line, "audience.trusted_proxies",
             "expected an IP address or network such as \"127.0.0.1\" or \"10.0.0.0/8\"; got " +
                 inQuotes(text));
      }
      audience->trusted_proxies.push_back(text);
    }
    for (const auto& [text, item_line] : getStringArray(*table, path, "allowed_hosts")) {
      if (text.empty() || streaming::checkUrlCharacters(text) ||
          text.find_first_of("/:@ ") != std::string::npos) {
        fail(item_line, "audience.allowed_hosts",
             "expected a host name such as \"studio.example.cn\"; got " + inQuotes(text));
      }
      audience->allowed_hosts.push_back(text);
    }
    if (auto list = get<std::string>(*table, path, "word_list", &line)) {
      std::filesystem::path file(*list);
      if (file.is_relative()) file = std::filesystem::path(file_).parent_path() / file;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) {
        fail(line, "audience.word_list", "no such file: " + inQuotes(file.string()));
      }
      audience->word_list = file.string();
    }
    if (auto listen = get<std::string>(*table, path, "listen", &line)) {
      if (auto problem = parseListen(*listen, audience)) fail(line, "audience.listen", *problem);
    }
    if (auto url = get<std::string>(*table, path, "public_url", &line)) {
      if (auto problem = checkPublicUrl(*url)) fail(line, "audience.public_url", *problem);
      audience->public_url = *url;
      audience->public_url_from_listen = false;
    } else {
      const bool ipv6 = audience->listen_host.find(':') != std::string::npos;
      audience->public_url = "http://" +
                             (ipv6 ? "[" + audience->listen_host + "]" : audience->listen_host) +
                             ":" + std::to_string(audience->listen_port) + "/";
      audience->public_url_from_listen = true;
    }
    line = 0;
    if (auto env_name = get<std::string>(*table, path, "producer_token_env", &line)) {
      audience->producer_token_env = *env_name;
    }
    const std::string& name = audience->producer_token_env;
    if (!isEnvName(name)) fail(line, "audience.producer_token_env", kNotAnEnvName);
    const std::optional<std::string> value = env_ ? env_(name) : std::nullopt;
    if (value && !value->empty()) {
      // Short tokens can be guessed by anyone who can reach the audience port.
      audience->producer_token =
          readSecretEnv(name, line, "audience.producer_token_env", kMinTokenChars);
      audience->producer_token_generated = false;
    } else {
      audience->producer_token = generateToken();
      audience->producer_token_generated = true;
    }
    readToken(*table, "typist_token_env", &audience->typist_token_env, &audience->typist_token,
              &audience->typist_token_generated);
    readToken(*table, "host_token_env", &audience->host_token_env, &audience->host_token,
              &audience->host_token_generated);
  }

  // A secret named by an environment variable in the show file (the key
  // holds the variable's name); generated when the variable is unset.
  void readToken(const toml::table& table, const char* key, std::string* env_field,
                 std::string* token, bool* generated) const {
    int line = 0;
    if (auto env_name = get<std::string>(table, "audience", key, &line)) *env_field = *env_name;
    const std::string full_key = std::string("audience.") + key;
    if (!isEnvName(*env_field)) fail(line, full_key, kNotAnEnvName);
    const std::optional<std::string> value = env_ ? env_(*env_field) : std::nullopt;
    if (value && !value->empty()) {
      *token = readSecretEnv(*env_field, line, full_key, kMinTokenChars);
      *generated = false;
    } else {
      *token = generateToken();
      *generated = true;
    }
  }

  static std::optional<std::string> parseListen(std::string_view listen, AudienceConfig* audience) {
    const std::string expected =
        "expected \"host:port\" such as \"127.0.0.1:8080\" (host: an IPv4 address, localhost or "
        "[IPv6]; port 0..65535, 0 picks a free one); got " +
        inQuotes(listen);
    if (streaming::checkUrlCharacters(listen)) return expected;
    const auto split = streaming::splitHostPort(listen);
    const streaming::HostPort* address = std::get_if<streaming::HostPort>(&split);
    if (!address || !address->port) return expected;
    if (!address->ipv6 && address->host != "localhost" && !isIpv4(address->host)) return expected;
    const auto port = streaming::parsePort(*address->port, 0);
    if (const auto* problem = std::get_if<streaming::UrlProblem>(&port)) return problem->text;
    audience->listen_host = std::string(address->host);
    audience->listen_port = std::get<int>(port);
    return std::nullopt;
  }

  static std::optional<std::string> checkPublicUrl(std::string_view url) {
    const auto parsed = streaming::parseWebUrl(url);
    if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
    return std::nullopt;
  }

  void resolveProgramSources(const std::vector<SourceConfig>& sources,
                             ProgramConfig* program) const {
    auto known = [&](const std::string& id) {
      return std::any_of(sources.begin(), sources.end(),
                         [&](const SourceConfig& s) { return s.id == id; });
    };
    std::string ids;
    for (const SourceConfig& s : sources) ids += (ids.empty() ? "" : ", ") + s.id;
    if (program->primary.empty() && primary_line_ == 0) {
      program->primary = sources.front().id;
    } else if (!known(program->primary)) {
      fail(primary_line_, "program.primary",
           "no source has the id " + inQuotes(program->primary) + " (sources: " + ids + ")");
    }
    if (program->secondary.empty() && secondary_line_ == 0) {
      program->secondary = sources.size() > 1 ? sources[1].id : sources.front().id;
    } else if (!known(program->secondary)) {
      fail(secondary_line_, "program.secondary",
           "no source has the id " + inQuotes(program->secondary) + " (sources: " + ids + ")");
    }
  }

  std::string file_;
  const EnvLookup& env_;
  // primary and secondary can only be checked once the sources are read;
  // their lines are kept for that message.
  int primary_line_ = 0;
  int secondary_line_ = 0;
};

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
  return ShowParser(source_name, env).parse(toml_text);
}

ShowConfig loadShowFile(const std::string& path, const EnvLookup& env) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, 0, "", "cannot read the show file: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw ConfigError(
        path, 0, "",
        "cannot read the show file: " + std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, 0, "", "cannot read the show file: read error");
  return parseShow(text.str(), path, env);
}

std::optional<std::string> checkSourceUri(std::string_view uri, SourceKind* kind) {
  if (kind) *kind = SourceKind::kInvalid;
  const auto parsed = streaming::parseSourceUrl(uri);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  if (kind) *kind = sourceKind(std::get<streaming::MediaUrl>(parsed).scheme);
  return std::nullopt;
}

std::optional<std::string> checkDestinationUrl(std::string_view url,
                                               streaming::DestinationProtocol* protocol) {
  if (protocol) *protocol = streaming::DestinationProtocol::kInvalid;
  const auto parsed = streaming::parseDestinationUrl(url);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  if (protocol) {
    *protocol = streaming::destinationProtocolOf(std::get<streaming::MediaUrl>(parsed).scheme);
  }
  return std::nullopt;
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

std::string maskSecret(std::string_view secret) {
  return secret.empty() ? std::string() : std::string("***");
}

}  // namespace yst::config
