// Typed reading of the show file's TOML, in the show file's error style. Each
// section's reader (program_config, sources_config, outputs_config, …) gets its
// values through a TomlReader: a value is read with the type it must have, and
// anything else is a ConfigError naming the file, the line and the key's dotted
// path ("sources[1].gain"). Type errors never echo the value: the same getters
// read stream keys. Also here, the checks several sections share: unknown keys
// (with a guess at the typo), integers in a range, ids. Only the readers in
// this folder include this header, so toml++ stays inside the config library.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "studio/config/config_error.h"

namespace yst::config {

// 1-based line where a node starts.
int lineOf(const toml::node& node);
// A TOML type as messages name it: "a string", "an integer", "a table", …
std::string_view typeName(toml::node_type type);
// Dotted key paths: joinPath("show", "host") is "show.host" (a key that is not
// bare is quoted as TOML would: `audience."a b"`); indexPath("sources", 1) is
// "sources[1]".
std::string joinPath(std::string_view parent, std::string_view key);
std::string indexPath(std::string_view parent, std::size_t index);

// ASCII only: <cctype>'s classes follow the locale.
inline bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
inline bool isAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isAsciiDigit(c);
}

enum class Parity { kAny, kEven };

// The ids given so far in one list (sources, destinations): id → the path of
// the table that has it and its line, for the message about a second one.
using IdsSeen = std::map<std::string, std::pair<std::string, int>>;

// The text of a configuration file (`what`: "show file", "edge file"); a
// file that cannot be read is a ConfigError without a line.
std::string readConfigFile(const std::string& path, std::string_view what);

// Reads one show file's TOML. Holds the file's name so that every check fails
// with the same context.
class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // The text as a TOML table: a syntax error is a ConfigError with its line
  // (and column in the problem), and text that toml++ must not see
  // (toml_guard.h) is refused first.
  toml::table parse(std::string_view text) const;

  [[noreturn]] void fail(int line, std::string key, std::string problem) const;

  // A path given in the show file, relative to the show file's folder unless
  // it is absolute.
  std::filesystem::path besideFile(std::string_view path) const;

  // Refuses a key of `table` that is not in `allowed`: the one that comes
  // first in the file, with a guess at what was meant (most unknown keys are
  // typos of a known one).
  void refuseUnknownKeys(const toml::table& table, const std::string& path,
                         std::initializer_list<std::string_view> allowed) const;
  // The same, for a list put together from parts (a section that takes
  // another's keys as well as its own).
  void refuseUnknownKeys(const toml::table& table, const std::string& path,
                         const std::vector<std::string_view>& allowed) const;

  // Typed lookups: nothing when the key is absent, a ConfigError when it is
  // present with another type. T is std::string, std::int64_t, bool or double
  // (an integer is a fine double: a gain of 1 is as good as 1.0). `line`, when
  // given, is set to the value's line when the key is present.
  template <typename T>
  std::optional<T> get(const toml::table& table, const std::string& path, std::string_view key,
                       int* line = nullptr) const;
  // A sub-table; nothing when absent, a ConfigError when it is something else.
  const toml::table* getTable(const toml::table& parent, const std::string& parent_path,
                              std::string_view key) const;
  // An array of strings, each with its line (for messages); empty when absent.
  std::vector<std::pair<std::string, int>> getStringArray(const toml::table& parent,
                                                          const std::string& parent_path,
                                                          std::string_view key) const;
  // An array of tables, written either as [[key]] blocks or as an inline
  // array of { … } tables; every element is checked to be a table.
  const toml::array* getTableArray(const toml::table& parent, const std::string& parent_path,
                                   std::string_view key) const;
  // An integer in lo..hi (and even, when asked); `fallback` when absent.
  int intInRange(const toml::table& table, const std::string& path, std::string_view key, int lo,
                 int hi, int fallback, Parity parity = Parity::kAny) const;

  // Ids end up in WebSocket messages, URLs and file names; keeping them to a
  // small alphabet (1..32 of a-z, 0-9, '_', '-') avoids escaping everywhere.
  // Refuses a malformed id, or one already in `seen`; else records it there
  // as the id of `owner`.
  void checkId(const std::string& id, int line, const std::string& key, IdsSeen* seen,
               const std::string& owner) const;

 private:
  std::string file_;
};

extern template std::optional<std::string> TomlReader::get<std::string>(const toml::table&,
                                                                        const std::string&,
                                                                        std::string_view,
                                                                        int*) const;
extern template std::optional<std::int64_t> TomlReader::get<std::int64_t>(const toml::table&,
                                                                          const std::string&,
                                                                          std::string_view,
                                                                          int*) const;
extern template std::optional<bool> TomlReader::get<bool>(const toml::table&, const std::string&,
                                                          std::string_view, int*) const;
extern template std::optional<double> TomlReader::get<double>(const toml::table&,
                                                              const std::string&, std::string_view,
                                                              int*) const;

}  // namespace yst::config
