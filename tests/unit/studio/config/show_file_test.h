// What the show-file tests share: a fake environment, the smallest valid show
// to append a section to, the refusal a text gets, the line a fixture's text
// is on (so that tests do not break when a fixture gains a line), and a
// folder for files the show names relative to itself.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
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

// A folder of its own under the system's temporary folder, removed at the
// end: for what the show file names relative to itself.
class ShowFolder {
 public:
  explicit ShowFolder(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ShowFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ShowFolder(const ShowFolder&) = delete;
  ShowFolder& operator=(const ShowFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Creates a file (and its folders) inside.
  void write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace yst::config
