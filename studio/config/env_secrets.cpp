// Reading secrets named by environment variables, and masking them (see
// env_secrets.h).
#include "studio/config/env_secrets.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>

namespace yst::config {

namespace {

// Whether an environment variable's name may be shown. People sometimes put
// the key itself where its variable's name belongs; conventional names are
// upper case, stream keys rarely are, so only those are echoed.
bool isShowableEnvName(std::string_view name) {
  return isEnvName(name) &&
         std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

std::string envNameForMessage(std::string_view name) {
  return isShowableEnvName(name) ? "environment variable " + std::string(name)
                                 : std::string("the environment variable named here");
}

bool isEnvName(std::string_view name) {
  if (name.empty() || isAsciiDigit(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return isAsciiAlnum(c) || c == '_'; });
}

bool hasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c <= 0x20 || c == 0x7f;
  });
}

std::string readSecretEnv(const TomlReader& reader, const EnvLookup& env, const std::string& name,
                          int line, const std::string& key, std::size_t min_length) {
  if (!isEnvName(name)) reader.fail(line, key, kNotAnEnvName);
  const std::optional<std::string> value = env ? env(name) : std::nullopt;
  if (!value || value->empty()) reader.fail(line, key, envNameForMessage(name) + " is not set");
  if (value->size() < min_length) {
    reader.fail(line, key,
                "the value of " + envNameForMessage(name) + " is shorter than " +
                    std::to_string(min_length) + " characters");
  }
  if (hasSpaceOrControl(*value)) {
    reader.fail(
        line, key,
        "the value of " + envNameForMessage(name) + " contains a space or a control character");
  }
  return *value;
}

StaffToken readStaffToken(const TomlReader& reader, const EnvLookup& env,
                          const std::string& env_name, int line, const std::string& key) {
  if (!isEnvName(env_name)) reader.fail(line, key, kNotAnEnvName);
  const std::optional<std::string> value = env ? env(env_name) : std::nullopt;
  if (value && !value->empty()) {
    // Short tokens can be guessed by anyone who can reach the audience port.
    return {readSecretEnv(reader, env, env_name, line, key, kMinTokenChars), false};
  }
  return {generateToken(), true};
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

std::string maskSecret(std::string_view secret) {
  return secret.empty() ? std::string() : std::string("***");
}

}  // namespace yst::config
