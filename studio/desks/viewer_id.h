// Viewer ids the studio issues and signs.
//
// A viewer id names one viewer for the show: their own questions ("mine")
// and one vote per question hang on it. When a page could make ids up, one
// connection could say hello again with a new id and vote again, as often
// as it liked. Now the studio issues every id and signs it: 22 random
// characters, then 22 characters of HMAC-SHA256 over them with a key kept in
// the database (so that an id outlives a restart and a page reload). A hello
// whose id does not verify gets a fresh one; nobody can make up ids that the
// studio takes for its own.
//
// Both halves are [A-Za-z0-9_-], so an id still fits the protocol's
// `[A-Za-z0-9_-]{16,64}`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yst::desks {

// HMAC-SHA256 (RFC 2104) of `message` under `key`: 32 raw bytes.
class ViewerIds {
 public:
  static constexpr std::size_t kRandomChars = 22;  // 132 bits
  static constexpr std::size_t kMacChars = 22;     // 128 bits of the HMAC, base64url
  static constexpr std::size_t kIdChars = kRandomChars + kMacChars;
  static constexpr std::size_t kMinKeyBytes = 32;

  // `key`: at least kMinKeyBytes secret bytes (std::invalid_argument otherwise).
  explicit ViewerIds(std::string key);

  // A fresh id, signed.
  std::string issue() const;
  // True when `id` is one this key signed (compared in constant time).
  bool genuine(std::string_view id) const;

 private:
  std::string mac(std::string_view random_part) const;
  std::string key_;
};

}  // namespace yst::desks
