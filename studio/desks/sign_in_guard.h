// Limits the guessing of the tokens that sign staff (producer, typist,
// host) and citizen observers in.
//
// - Per connection: the third refused sign-in closes it, so that guessing
//   costs a new connection every three tries (ClientInfo::refused_sign_ins).
// - Per address: after kFreeFailures wrong tokens, each further one locks the
//   address out for a growing period (1 s, doubling up to 60 s). While it is
//   locked out, a hello with a token from it is refused (`too_many_attempts`
//   with `retry_after_s`) without the token being looked at: a guesser gets
//   about one try a minute per address. A right token clears the address; an
//   address quiet for kForgetAfterS is forgotten.
// - The log: the first wrong token after a quiet spell is logged at once,
//   the rest as one summary line per kLogIntervalS, so that a flood of wrong
//   tokens is not a flood of log lines.
//
// Controller thread; pure bookkeeping (no Qt, no I/O but the log), so tests
// drive it with their own clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "studio/base/address_backoff.h"
#include "studio/core/clients.h"

namespace yst::desks {

using core::ClientInfo;

class SignInGuard {
 public:
  static constexpr int kRefusalsPerConnection = 3;
  static constexpr int kFreeFailures = 5;  // per address, before any lock-out
  static constexpr double kFirstLockS = 1;
  static constexpr double kMaxLockS = 60;
  static constexpr double kForgetAfterS = 15 * 60;
  static constexpr double kLogIntervalS = 10;

  // Where log lines go (default: logWarn under "sign-in").
  using LogLine = std::function<void(const std::string&)>;
  explicit SignInGuard(LogLine log = {});

  // Seconds `address` must still wait before a token from it is looked at;
  // 0 when it may try now.
  double lockedFor(const std::string& address, std::int64_t now_us) const;

  struct Refusal {
    bool close_connection = false;  // the connection's third refusal
  };
  // A wrong (or missing) token: `role` is "producer", "typist", "host" or
  // "observer", `who` names the client in the log ("client 12").
  Refusal wrongToken(ClientInfo& info, std::string_view role, const std::string& who,
                     std::int64_t now_us);
  // A sign-in refused unlooked-at because the address is locked out.
  Refusal lockedOut(ClientInfo& info, std::int64_t now_us);
  // A right token: the address starts afresh.
  void signedIn(const std::string& address);

  // Writes the summary when one is due and forgets quiet addresses. Call it
  // every few seconds.
  void tick(std::int64_t now_us);

  std::size_t trackedAddresses() const { return addresses_.size(); }

 private:
  void count(std::string_view what, const std::string& address, std::int64_t now_us);

  LogLine log_;
  AddressBackoff addresses_{{.free_failures = kFreeFailures,
                             .first_lock_us = static_cast<std::int64_t>(kFirstLockS * 1e6),
                             .max_lock_us = static_cast<std::int64_t>(kMaxLockS * 1e6),
                             .forget_after_us = static_cast<std::int64_t>(kForgetAfterS * 1e6),
                             .max_entries = 0}};
  // The current log interval: open from the line logged at once until a
  // summary finds nothing more to say.
  bool window_open_ = false;
  std::int64_t window_start_us_ = 0;
  std::map<std::string, int, std::less<>> window_counts_;  // "wrong producer token" → n
  std::set<std::string> window_addresses_;                 // at most kMaxWindowAddresses
  std::size_t window_more_addresses_ = 0;
  static constexpr std::size_t kMaxWindowAddresses = 1000;
};

}  // namespace yst::desks
