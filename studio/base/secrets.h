// Comparing a secret a client sent with the one the studio holds, and
// making new ones.
#pragma once

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace yst {

// Equal or not, in a time that does not tell where they differ: every byte
// of the longer one is visited (the length itself is not hidden).
inline bool constantTimeEquals(std::string_view a, std::string_view b) {
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

// `length` characters from the URL-safe alphabet (A-Z a-z 0-9 - _), 6 bits
// each, from the system's random source: tokens and ids.
inline std::string randomId(std::size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device device;  // /dev/urandom
  std::string id(length, 'x');
  for (char& c : id) c = kAlphabet[device() % 64];
  return id;
}

}  // namespace yst
