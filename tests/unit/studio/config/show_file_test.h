// What the show-file tests share: a fake environment, the smallest valid show
// to append a section to, the refusal a text gets, and the line a fixture's
// text is on (so that tests do not break when a fixture gains a line).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "studio/config/show_config.h"

namespace yst::config {

inline EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline const EnvLookup kNoEnv = envOf({});

// 1-based line of the first occurrence of `needle`.
inline int lineOf(std::string_view text, std::string_view needle) {
  const std::size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string_view::npos) << needle;
  int line = 1;
  for (std::size_t i = 0; i < pos; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// The ConfigError that parsing `text` (as "demo.toml") throws; a test failure
// when it is accepted.
inline ConfigError refusal(const std::string& text, const EnvLookup& env = kNoEnv) {
  try {
    parseShow(text, "demo.toml", env);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return ConfigError("", -1, "", "");
}

// The smallest valid show, and a way to append to it.
inline const std::string kMinimal = R"(
[show]
title = "T"

[[sources]]
id = "cam"
uri = "test://smpte"
)";

inline std::string withMinimal(const std::string& extra) {
  return kMinimal + extra;
}

}  // namespace yst::config
