// Locks out an address (or any key) that keeps failing: after a number of
// free failures, each further one locks it for a period doubling from a first
// one up to a ceiling; a success clears it, and a key quiet long enough is
// forgotten. Used by the staff sign-in guard (hello with a staff or observer
// token) and by the staff gate of /api/status and /metrics.
//
// One thread; the caller's steady clock (studio/base/clock.h), so that tests
// drive it with their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace yst {

class AddressBackoff {
 public:
  struct Policy {
    int free_failures = 0;             // failures in a row before the first lock
    std::int64_t first_lock_us = 0;    // the first lock; each further failure doubles it
    std::int64_t max_lock_us = 0;      // up to this
    std::int64_t forget_after_us = 0;  // quiet this long: the failures start afresh
    std::size_t max_entries = 0;       // > this many keys: the quiet ones go at once (0: no cap)
  };
  explicit AddressBackoff(Policy policy) : policy_(policy) {}

  // How long `key` must still wait before a try is looked at; 0: it may try.
  std::int64_t lockedForUs(const std::string& key, std::int64_t now_us) const;
  // A failure of `key`; returns its failures in a row, this one included.
  int fail(const std::string& key, std::int64_t now_us);
  // A success: `key` starts afresh.
  void succeed(const std::string& key) { keys_.erase(key); }
  // Forgets the keys neither locked nor failing for forget_after.
  void forgetQuiet(std::int64_t now_us);
  void clear() { keys_.clear(); }
  std::size_t size() const { return keys_.size(); }

 private:
  struct Key {
    int failures = 0;
    std::int64_t locked_until_us = 0;
    std::int64_t last_failure_us = 0;
  };
  bool quiet(const Key& key, std::int64_t now_us) const;

  Policy policy_;
  std::unordered_map<std::string, Key> keys_;
};

}  // namespace yst
