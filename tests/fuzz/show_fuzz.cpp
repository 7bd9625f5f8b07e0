// libFuzzer target: the show-file reader. Each input is a show file's bytes,
// parsed and checked by parseShow as `yishiting serve --show` does (TOML by
// toml++, compiled into this target so that the fuzzer sees its branches
// too, then every table, key and value of the show). A show file is written
// by a person and may come from anywhere (a mail, a shared folder): a
// refusal (ConfigError, with the file, line and key) is the expected answer
// to a bad one; any other exception, a crash or a sanitizer report is a
// finding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "studio/config/show_config.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using yst::fuzz::require;

// A fixed environment, so that a finding replays: the *_env keys of a show
// (stream keys, tokens) find a value for some names and none for others.
std::optional<std::string> fuzzEnvironment(const std::string& name) {
  if (name == "YST_FUZZ_KEY") return std::string("live_0123456789abcdef");
  if (name == "YST_FUZZ_EMPTY") return std::string();
  if (name == "YST_FUZZ_TOKEN") return std::string("fuzz-producer-token-0123456789");
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Relative paths in the show (word list, theme) resolve under a folder
  // that does not exist: only stat() is ever called on them.
  const yst::config::EnvLookup env = fuzzEnvironment;
  try {
    const yst::config::ShowConfig show =
        yst::config::parseShow(text, "/nonexistent-yst-fuzz/show.toml", env);
    require(!show.sources.empty(), "an accepted show has a source");
  } catch (const yst::config::ConfigError& e) {
    require(!e.problem().empty(), "a refusal says what is wrong");
    require(e.file() == "/nonexistent-yst-fuzz/show.toml", "a refusal names the file");
  }
  return 0;
}
