#include "studio/base/address_backoff.h"

#include <algorithm>

namespace yst {

std::int64_t AddressBackoff::lockedForUs(const std::string& key, std::int64_t now_us) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.locked_until_us <= now_us) return 0;
  return it->second.locked_until_us - now_us;
}

int AddressBackoff::fail(const std::string& key, std::int64_t now_us) {
  if (policy_.max_entries > 0 && keys_.size() > policy_.max_entries) {
    std::erase_if(keys_, [&](const auto& entry) { return quiet(entry.second, now_us); });
  }
  Key& k = keys_[key];
  if (k.failures > 0 && now_us - k.last_failure_us > policy_.forget_after_us) k.failures = 0;
  ++k.failures;
  k.last_failure_us = now_us;
  if (k.failures > policy_.free_failures) {
    // Doublings counted only as far as the ceiling needs: no overflow.
    std::int64_t lock = policy_.first_lock_us;
    for (int i = policy_.free_failures + 1; i < k.failures && lock < policy_.max_lock_us; ++i) {
      lock *= 2;
    }
    k.locked_until_us = now_us + std::min(lock, policy_.max_lock_us);
  }
  return k.failures;
}

void AddressBackoff::forgetQuiet(std::int64_t now_us) {
  std::erase_if(keys_, [&](const auto& entry) {
    return entry.second.locked_until_us <= now_us &&
           now_us - entry.second.last_failure_us >= policy_.forget_after_us;
  });
}

bool AddressBackoff::quiet(const Key& key, std::int64_t now_us) const {
  return now_us - key.last_failure_us > policy_.forget_after_us;
}

}  // namespace yst
