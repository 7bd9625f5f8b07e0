// How often the audience may ask and vote. A question is budgeted per
// connection, per viewer id and per address (a question that came through
// the public edge per viewer id only: the edge holds the connection and sees
// the address, and budgets those itself); a vote per viewer id and per
// address (fresh viewer ids cost a connection each, and one address can hold
// many: the address's budget is what stops a flood of them). Many viewers
// can share one address (a newsroom, a mobile carrier's NAT), so an address
// gets as much as its allowed connections together. Checking costs nothing:
// a refused question or vote takes from no budget.
//
// Controller thread; the caller's clock. Idle budgets are forgotten by
// prune() (the audience desk calls it once a minute).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "studio/base/token_bucket.h"
#include "studio/config/show_config.h"

namespace yst::desks {

class AudienceLimits {
 public:
  explicit AudienceLimits(const config::LimitsConfig& config) : config_(config) {}

  // Takes one question from the connection's, the viewer's and the
  // address's budgets, or from none and says how long to wait. No
  // connection (null) or no address (""): that budget is not this studio's
  // to keep (a question from the edge).
  bool takeQuestion(TokenBucket* connection, const std::string& viewer, const std::string& address,
                    std::int64_t now_us, double* wait_s);

  // A vote in two steps, since only a vote that counts is paid for: the
  // budgets as they would be after it, or nothing (and how long to wait);
  // then spendVote() once the vote counted.
  struct VoteTicket {
    TokenBucket viewer;
    TokenBucket address;
  };
  std::optional<VoteTicket> checkVote(const std::string& viewer, const std::string& address,
                                      std::int64_t now_us, double* wait_s) const;
  void spendVote(const std::string& viewer, const std::string& address, const VoteTicket& ticket);

  // Forgets the budgets that have filled up again.
  void prune(std::int64_t now_us);
  // Budgets held (viewers and addresses, questions and votes).
  std::size_t size() const;

 private:
  struct Budget {
    TokenBucket::Limits each;     // a connection's, a viewer's
    TokenBucket::Limits address;  // an address's
  };
  Budget budget(double interval_s, double burst) const;
  Budget questionBudget() const;
  Budget voteBudget() const;

  const config::LimitsConfig& config_;
  std::unordered_map<std::string, TokenBucket> viewer_questions_;
  std::unordered_map<std::string, TokenBucket> address_questions_;
  std::unordered_map<std::string, TokenBucket> viewer_votes_;
  std::unordered_map<std::string, TokenBucket> address_votes_;
};

}  // namespace yst::desks
