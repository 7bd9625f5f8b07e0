// The typed getters and shared checks of the show-file reader (see
// toml_reading.h). toml++ does the TOML; what is added here is the error
// style: every refusal names the file, the line and the key's dotted path.
#include "studio/config/toml_reading.h"

#include "studio/base/in_quotes.h"
#include "studio/config/toml_guard.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <type_traits>

namespace yst::config {

namespace {

// A key as it appears in a dotted path; odd keys are quoted as TOML would.
std::string pathKey(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return isAsciiAlnum(c) || c == '_' || c == '-';
  });
  return bare ? std::string(key) : inQuotes(key);
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

bool isId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || isAsciiDigit(c) || c == '_' || c == '-';
  });
}

}  // namespace

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

std::string joinPath(std::string_view parent, std::string_view key) {
  return parent.empty() ? pathKey(key) : std::string(parent) + "." + pathKey(key);
}

std::string indexPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string readConfigFile(const std::string& path, std::string_view what) {
  const std::string cannot = "cannot read the " + std::string(what) + ": ";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path, 0, "", cannot + "it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw ConfigError(path, 0, "",
                      cannot + std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, 0, "", cannot + "read error");
  return text.str();
}

toml::table TomlReader::parse(std::string_view text) const {
  if (std::optional<TomlTrap> trap = findTomlTrap(text)) fail(trap->line, "", trap->problem);
  try {
    return toml::parse(text, std::string_view(file_));
  } catch (const toml::parse_error& e) {
    std::string problem(e.description());
    problem += " (column " + std::to_string(e.source().begin.column) + ")";
    fail(static_cast<int>(e.source().begin.line), "", std::move(problem));
  }
}

void TomlReader::fail(int line, std::string key, std::string problem) const {
  throw ConfigError(file_, line, std::move(key), std::move(problem));
}

std::filesystem::path TomlReader::besideFile(std::string_view path) const {
  std::filesystem::path out(path);
  if (out.is_relative()) out = std::filesystem::path(file_).parent_path() / out;
  return out;
}

void TomlReader::refuseUnknownKeys(const toml::table& table, const std::string& path,
                                   std::initializer_list<std::string_view> allowed) const {
  refuseUnknownKeys(table, path, std::vector<std::string_view>(allowed));
}

void TomlReader::refuseUnknownKeys(const toml::table& table, const std::string& path,
                                   const std::vector<std::string_view>& allowed) const {
  const toml::key* first = nullptr;
  for (auto&& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    const auto& begin = key.source().begin;
    if (!first || begin.line < first->source().begin.line ||
        (begin.line == first->source().begin.line && begin.column < first->source().begin.column)) {
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

template <typename T>
std::optional<T> TomlReader::get(const toml::table& table, const std::string& path,
                                 std::string_view key, int* line) const {
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

template std::optional<std::string> TomlReader::get<std::string>(const toml::table&,
                                                                 const std::string&,
                                                                 std::string_view, int*) const;
template std::optional<std::int64_t> TomlReader::get<std::int64_t>(const toml::table&,
                                                                   const std::string&,
                                                                   std::string_view, int*) const;
template std::optional<bool> TomlReader::get<bool>(const toml::table&, const std::string&,
                                                   std::string_view, int*) const;
template std::optional<double> TomlReader::get<double>(const toml::table&, const std::string&,
                                                       std::string_view, int*) const;

const toml::table* TomlReader::getTable(const toml::table& parent, const std::string& parent_path,
                                        std::string_view key) const {
  const toml::node* node = parent.get(key);
  if (!node) return nullptr;
  if (const toml::table* table = node->as_table()) return table;
  fail(lineOf(*node), joinPath(parent_path, key),
       "expected a table; got " + std::string(typeName(node->type())));
}

std::vector<std::pair<std::string, int>> TomlReader::getStringArray(const toml::table& parent,
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

const toml::array* TomlReader::getTableArray(const toml::table& parent,
                                             const std::string& parent_path,
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

int TomlReader::intInRange(const toml::table& table, const std::string& path, std::string_view key,
                           int lo, int hi, int fallback, Parity parity) const {
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

void TomlReader::checkId(const std::string& id, int line, const std::string& key, IdsSeen* seen,
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

}  // namespace yst::config
