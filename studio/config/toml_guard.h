// What the show file's text must not hand the TOML parser. toml++ 3.3 (Debian
// 12's) has undefined behaviour on two kinds of invalid TOML: a character
// beyond ASCII where a key may start (its whitespace table ends in
// "unreachable") and a table header whose name starts with neither a key
// character nor a quote (it assumes one). The library as built happens to
// report both as errors, but nothing promises that of undefined behaviour, and
// a show file is typed by people who write Chinese: `标题 = "…"` or `[节目]` is
// one slip away. Both are invalid TOML anyway, so TomlReader::parse refuses
// them here first (found by tests/fuzz/show_fuzz).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yst::config {

struct TomlTrap {
  int line = 0;         // 1-based
  std::string problem;  // with the column, as toml++ words its own
};

// The first trap in the text, or nothing. Text that is invalid in another way
// (a string left open, bytes that are not UTF-8) is left to toml++, which
// reports it without harm.
std::optional<TomlTrap> findTomlTrap(std::string_view text);

}  // namespace yst::config
