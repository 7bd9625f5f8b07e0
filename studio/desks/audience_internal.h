// What the Audience's source files (audience.cpp, audience_hello.cpp,
// audience_edge.cpp) share, and nothing else includes: a limit of the
// submission form and how a command names its question.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>

namespace yst::desks::detail {

constexpr std::size_t kMaxNicknameChars = 20;

enum class IdAlias { kNo = 0, kYes };

// The question a command names: `key`. For commands that must name one,
// an integer `id` stands in when `question` is absent (scripts written as
// {"type":"question.approve","id":5}); commands where the question is
// optional (off_air, answered) never read `id`, which is then only the
// request id.
inline std::int64_t questionField(const nlohmann::json& message, const char* key, IdAlias alias) {
  auto it = message.find(key);
  if (it != message.end() && it->is_number_integer()) return it->get<std::int64_t>();
  if (alias == IdAlias::kYes && it == message.end()) {
    auto id = message.find("id");
    if (id != message.end() && id->is_number_integer()) return id->get<std::int64_t>();
  }
  return 0;
}

}  // namespace yst::desks::detail
