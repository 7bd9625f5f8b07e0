// The one error of the show-file reader, shared by every section's reader:
// what is wrong, in which file, on which line and under which key. The reader
// stops at the first problem and throws it; `yishiting serve` prints what()
// and exits 2. No message ever contains a stream key or token.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace yst::config {

// A problem with the show file: `key` is the dotted path ("program.layout",
// "sources[1].uri"; indexes count from 0), `line` is 1-based. A missing key
// points at the line of the table that should hold it, or is 0 when there is
// no such table (or the file could not be read). what() reads
// `demo.toml:14: program.layout: expected one of …; got "grid"`.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, std::string problem)
      : std::runtime_error(formatWhat(file, line, key, problem)),
        file_(std::move(file)),
        line_(line),
        key_(std::move(key)),
        problem_(std::move(problem)) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }  // what() without file, line, key

 private:
  static std::string formatWhat(const std::string& file, int line, const std::string& key,
                                const std::string& problem) {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": ";
    if (!key.empty()) s += key + ": ";
    s += problem;
    return s;
  }

  std::string file_;
  int line_;
  std::string key_;
  std::string problem_;
};

}  // namespace yst::config
