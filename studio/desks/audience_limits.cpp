#include "studio/desks/audience_limits.h"

#include <algorithm>

namespace yst::desks {

AudienceLimits::Budget AudienceLimits::budget(double interval_s, double burst) const {
  const double per_address = std::max(1, config_.max_connections_per_address);
  return {TokenBucket::Limits::every(interval_s, burst),
          TokenBucket::Limits::every(interval_s / per_address, burst * per_address)};
}

AudienceLimits::Budget AudienceLimits::questionBudget() const {
  return budget(config_.question_interval_s, config_.question_burst);
}

AudienceLimits::Budget AudienceLimits::voteBudget() const {
  return budget(config_.vote_interval_s, config_.vote_burst);
}

bool AudienceLimits::takeQuestion(TokenBucket* connection, const std::string& viewer,
                                  const std::string& address, std::int64_t now_us, double* wait_s) {
  const Budget budget = questionBudget();
  if (budget.each.unlimited()) return true;
  TokenBucket& by_viewer = viewer_questions_[viewer];
  TokenBucket* by_address = address.empty() ? nullptr : &address_questions_[address];
  // Check all three before taking from any, so a refusal costs nothing.
  TokenBucket c = connection ? *connection : TokenBucket{};
  TokenBucket v = by_viewer;
  TokenBucket a = by_address ? *by_address : TokenBucket{};
  double wait_c = 0, wait_v = 0, wait_a = 0;
  const bool ok_c = !connection || c.take(budget.each, now_us, &wait_c);
  const bool ok_v = v.take(budget.each, now_us, &wait_v);
  const bool ok_a = !by_address || a.take(budget.address, now_us, &wait_a);
  if (ok_c && ok_v && ok_a) {
    if (connection) *connection = c;
    by_viewer = v;
    if (by_address) *by_address = a;
    return true;
  }
  *wait_s = std::max({ok_c ? 0 : wait_c, ok_v ? 0 : wait_v, ok_a ? 0 : wait_a});
  return false;
}

std::optional<AudienceLimits::VoteTicket> AudienceLimits::checkVote(const std::string& viewer,
                                                                    const std::string& address,
                                                                    std::int64_t now_us,
                                                                    double* wait_s) const {
  const Budget budget = voteBudget();
  auto bucketOf = [](const auto& buckets, const std::string& key) {
    auto it = buckets.find(key);
    return it == buckets.end() ? TokenBucket{} : it->second;
  };
  VoteTicket ticket{bucketOf(viewer_votes_, viewer), bucketOf(address_votes_, address)};
  double wait_v = 0, wait_a = 0;
  const bool ok_v = ticket.viewer.take(budget.each, now_us, &wait_v);
  const bool ok_a = ticket.address.take(budget.address, now_us, &wait_a);
  if (!ok_v || !ok_a) {
    *wait_s = std::max(ok_v ? 0 : wait_v, ok_a ? 0 : wait_a);
    return std::nullopt;
  }
  return ticket;
}

void AudienceLimits::spendVote(const std::string& viewer, const std::string& address,
                               const VoteTicket& ticket) {
  if (voteBudget().each.unlimited()) return;  // nothing to remember
  viewer_votes_[viewer] = ticket.viewer;
  address_votes_[address] = ticket.address;
}

void AudienceLimits::prune(std::int64_t now_us) {
  auto forget_full = [now_us](auto& buckets, const TokenBucket::Limits& limits) {
    std::erase_if(buckets, [&](const auto& entry) { return entry.second.full(limits, now_us); });
  };
  const Budget questions = questionBudget();
  forget_full(viewer_questions_, questions.each);
  forget_full(address_questions_, questions.address);
  const Budget votes = voteBudget();
  forget_full(viewer_votes_, votes.each);
  forget_full(address_votes_, votes.address);
}

std::size_t AudienceLimits::size() const {
  return viewer_questions_.size() + address_questions_.size() + viewer_votes_.size() +
         address_votes_.size();
}

}  // namespace yst::desks
