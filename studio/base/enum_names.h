// Enums spelled as the protocol spells them: a table of (value, name) pairs
// read both ways. Unknown values read as "", unknown names as the enum's
// zero value (kInvalid by the project's convention).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace yst {

template <typename Enum, std::size_t N>
constexpr std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
                                  Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "";
}

template <typename Enum, std::size_t N>
constexpr Enum valueOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
                       std::string_view name) {
  for (const auto& [value, n] : table) {
    if (n == name) return value;
  }
  return Enum{};
}

}  // namespace yst
