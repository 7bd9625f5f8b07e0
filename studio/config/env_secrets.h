// Secrets in the show file: a stream key or a staff token is not written in
// the file but read from an environment variable whose name the file holds
// (`key_env`, `producer_token_env`, …). What is checked here is shared by the
// destinations' and the audience's readers, and so is the rule that no
// message shows a secret: a variable's name is echoed only when it looks like
// one, since people sometimes paste the key itself where its name belongs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// The problem with a *_env key that holds no variable name.
inline constexpr const char* kNotAnEnvName =
    "is not an environment variable name (letters, digits and '_'); it should name the variable "
    "that holds the secret, not the secret itself";

// Letters, digits and '_', not starting with a digit.
bool isEnvName(std::string_view name);

// "environment variable YST_NATS_TOKEN" for a conventional (upper-case) name;
// otherwise "the environment variable named here", in case the key holds the
// secret itself.
std::string envNameForMessage(std::string_view name);

// Whether a pasted secret has a space or a control character in it (a space
// copied with it, a line break).
bool hasSpaceOrControl(std::string_view s);

// The secret held by environment variable `name`, which must be set, not
// empty, at least min_length long and without spaces or control characters;
// otherwise a ConfigError at `line` and `key` (the show file's key naming the
// variable) that never shows the value.
std::string readSecretEnv(const TomlReader& reader, const EnvLookup& env, const std::string& name,
                          int line, const std::string& key, std::size_t min_length);

// A staff token: the value of the variable `env_name` when it is set and not
// empty (checked as readSecretEnv does, at least kMinTokenChars long),
// otherwise a new one (generated: true) that the studio prints once at start.
struct StaffToken {
  std::string value;  // secret
  bool generated = false;
};
StaffToken readStaffToken(const TomlReader& reader, const EnvLookup& env,
                          const std::string& env_name, int line, const std::string& key);

// 32 hex digits from the kernel's CSPRNG.
std::string generateToken();

}  // namespace yst::config
