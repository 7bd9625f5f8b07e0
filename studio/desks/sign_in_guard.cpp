#include "studio/desks/sign_in_guard.h"

#include <algorithm>
#include <cmath>

#include "studio/base/log.h"

namespace yst::desks {

namespace {
constexpr std::size_t kAddressesNamed = 5;  // in a summary line
}

SignInGuard::SignInGuard(LogLine log) : log_(std::move(log)) {
  if (!log_) log_ = [](const std::string& line) { logWarn("sign-in", line); };
}

double SignInGuard::lockedFor(const std::string& address, std::int64_t now_us) const {
  return static_cast<double>(addresses_.lockedForUs(address, now_us)) / 1e6;
}

SignInGuard::Refusal SignInGuard::wrongToken(ClientInfo& info, std::string_view role,
                                             const std::string& who, std::int64_t now_us) {
  ++info.refused_sign_ins;
  const int failures = addresses_.fail(info.address, now_us);
  const std::string what = "wrong " + std::string(role) + " token";
  if (!window_open_) {
    // The first one after a quiet spell, as it happens.
    log_(what + " from " + (info.address.empty() ? "an unknown address" : info.address) + " (" +
         who + ")");
    window_open_ = true;
    window_start_us_ = now_us;
  } else {
    count(what, info.address, now_us);
  }
  if (failures > kFreeFailures) count("address locked out", info.address, now_us);
  return {info.refused_sign_ins >= kRefusalsPerConnection};
}

SignInGuard::Refusal SignInGuard::lockedOut(ClientInfo& info, std::int64_t now_us) {
  ++info.refused_sign_ins;
  count("hello refused while locked out", info.address, now_us);
  return {info.refused_sign_ins >= kRefusalsPerConnection};
}

void SignInGuard::signedIn(const std::string& address) {
  addresses_.succeed(address);
}

void SignInGuard::count(std::string_view what, const std::string& address, std::int64_t now_us) {
  if (!window_open_) {
    window_open_ = true;
    window_start_us_ = now_us;
  }
  auto it = window_counts_.find(what);
  if (it == window_counts_.end()) {
    window_counts_.emplace(std::string(what), 1);
  } else {
    ++it->second;
  }
  if (window_addresses_.size() < kMaxWindowAddresses) {
    window_addresses_.insert(address);
  } else if (!window_addresses_.contains(address)) {
    ++window_more_addresses_;  // an upper bound: repeats are counted again
  }
}

void SignInGuard::tick(std::int64_t now_us) {
  if (window_open_ && now_us - window_start_us_ >= static_cast<std::int64_t>(kLogIntervalS * 1e6)) {
    if (window_counts_.empty()) {
      window_open_ = false;  // quiet: the next wrong token is logged at once
    } else {
      std::string line =
          "in the last " +
          std::to_string(static_cast<int>(std::lround((now_us - window_start_us_) / 1e6))) + " s:";
      bool first = true;
      for (const auto& [what, n] : window_counts_) {
        line += (first ? " " : ", ") + std::to_string(n) + " × " + what;
        first = false;
      }
      const std::size_t addresses = window_addresses_.size() + window_more_addresses_;
      line += "; from " + std::to_string(addresses) + (addresses == 1 ? " address" : " addresses");
      std::size_t named = 0;
      for (const std::string& a : window_addresses_) {
        if (named == kAddressesNamed) {
          line += ", …";
          break;
        }
        line += (named == 0 ? ": " : ", ") + (a.empty() ? std::string("unknown") : a);
        ++named;
      }
      log_(line);
      window_counts_.clear();
      window_addresses_.clear();
      window_more_addresses_ = 0;
      window_start_us_ = now_us;
    }
  }
  addresses_.forgetQuiet(now_us);
}

}  // namespace yst::desks
