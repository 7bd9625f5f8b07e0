#include "studio/text/duplicates.h"

#include <algorithm>

#include "studio/text/text.h"

namespace yst::text {
namespace {

// Two bounds keep a lookup near a tenth of a millisecond with 20,000 indexed
// questions of up to 300 characters, even when most of them contain "请问"
// or "医保" (measured with Zipf-distributed text at -O2: 0.14 ms, against
// 0.23 ms with a budget of 20,000). First, the
// posting lists of the query's grams are visited rarest first until this many
// slots have been visited; the remaining, most common grams are skipped.
// Second, when grams were skipped, the shared count of a candidate is only a
// lower bound, and at most kMaxCandidatesVerified candidates (those sharing
// the most rare grams) are checked against the skipped grams. The cost: a
// text whose only shared grams are the skipped common ones is never a
// candidate, and a similar text can lose its place among the verified
// candidates to as many texts that share more of the query's rare grams. Both
// need a query made mostly of the session's commonest bigrams; a text that
// repeats the query's wording shares its rare grams too, which is what a
// near-duplicate is (300 edited queries against that index: no difference
// from a linear scan).
constexpr std::size_t kMaxPostingsPerLookup = 8192;
constexpr std::size_t kMaxCandidatesVerified = 256;

// A character that is not a code point, so that the single character of a
// one-character text never equals a bigram.
constexpr std::uint64_t kNoSecondChar = 0xFFFFFFFF;

std::vector<std::uint64_t> gramsOf(std::string_view text) {
  const std::u32string chars = normalizeForMatch(text);
  std::vector<std::uint64_t> grams;
  if (chars.size() == 1) {
    grams.push_back(static_cast<std::uint64_t>(chars[0]) << 32 | kNoSecondChar);
  }
  for (std::size_t i = 1; i < chars.size(); ++i) {
    grams.push_back(static_cast<std::uint64_t>(chars[i - 1]) << 32 | chars[i]);
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

std::size_t sharedCount(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::size_t shared = 0;
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++shared;
      ++i;
      ++j;
    }
  }
  return shared;
}

double dice(std::size_t shared, std::size_t a_size, std::size_t b_size) {
  if (a_size + b_size == 0) return 0.0;
  return 2.0 * static_cast<double>(shared) / static_cast<double>(a_size + b_size);
}

}  // namespace

double similarity(std::string_view a, std::string_view b) {
  const std::vector<std::uint64_t> grams_a = gramsOf(a);
  const std::vector<std::uint64_t> grams_b = gramsOf(b);
  return dice(sharedCount(grams_a, grams_b), grams_a.size(), grams_b.size());
}

void DuplicateIndex::add(std::int64_t id, std::string_view text) {
  remove(id);
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Entry& entry = entries_[slot];
  entry.id = id;
  entry.added = next_added_++;
  entry.grams = gramsOf(text);
  for (std::uint64_t gram : entry.grams) postings_[gram].push_back(slot);
  slot_of_.emplace(id, slot);
}

void DuplicateIndex::remove(std::int64_t id) {
  const auto found = slot_of_.find(id);
  if (found == slot_of_.end()) return;
  const std::uint32_t slot = found->second;
  slot_of_.erase(found);
  Entry& entry = entries_[slot];
  // Linear in the posting list; removals (a rejection, a merge) are rare next
  // to lookups, which is what the lists are laid out for.
  for (std::uint64_t gram : entry.grams) {
    const auto list = postings_.find(gram);
    if (list == postings_.end()) continue;
    std::vector<std::uint32_t>& slots = list->second;
    const auto it = std::find(slots.begin(), slots.end(), slot);
    if (it != slots.end()) {
      *it = slots.back();
      slots.pop_back();
    }
    if (slots.empty()) postings_.erase(list);
  }
  entry = Entry{};
  free_slots_.push_back(slot);
}

std::optional<std::int64_t> DuplicateIndex::findSimilar(std::string_view text,
                                                        double threshold) const {
  const std::vector<std::uint64_t> grams = gramsOf(text);
  if (grams.empty()) return std::nullopt;

  // Grams that no indexed text contains can be shared by none: leave them out.
  std::vector<const std::vector<std::uint32_t>*> lists;
  std::vector<std::uint64_t> list_grams;
  std::vector<std::size_t> order;
  for (std::uint64_t gram : grams) {
    const auto it = postings_.find(gram);
    if (it == postings_.end()) continue;
    order.push_back(lists.size());
    lists.push_back(&it->second);
    list_grams.push_back(gram);
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return lists[a]->size() < lists[b]->size(); });

  std::vector<std::uint32_t> counts(entries_.size(), 0);
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint64_t> skipped;
  std::size_t visited = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::vector<std::uint32_t>& slots = *lists[order[k]];
    // The rarest gram is always visited, so that a query has candidates.
    if (k > 0 && visited + slots.size() > kMaxPostingsPerLookup) {
      skipped.push_back(list_grams[order[k]]);
      continue;
    }
    visited += slots.size();
    for (std::uint32_t slot : slots) {
      if (counts[slot]++ == 0) candidates.push_back(slot);
    }
  }
  std::sort(skipped.begin(), skipped.end());

  std::optional<std::int64_t> best;
  double best_score = 0.0;
  std::uint64_t best_added = 0;
  const auto consider = [&](const Entry& entry, std::size_t shared) {
    const double score = dice(shared, grams.size(), entry.grams.size());
    if (score < threshold) return;
    if (!best || score > best_score || (score == best_score && entry.added < best_added)) {
      best = entry.id;
      best_score = score;
      best_added = entry.added;
    }
  };

  std::vector<std::uint32_t> unverified;
  for (std::uint32_t slot : candidates) {
    const Entry& entry = entries_[slot];
    const std::size_t shared = counts[slot];
    if (skipped.empty()) {
      consider(entry, shared);  // the count is exact
      continue;
    }
    // Even if it shared every skipped gram it could hold, it would fall short.
    const std::size_t at_most = shared + std::min(skipped.size(), entry.grams.size() - shared);
    if (dice(at_most, grams.size(), entry.grams.size()) >= threshold) unverified.push_back(slot);
  }
  if (unverified.size() > kMaxCandidatesVerified) {
    const auto more_shared = [&](std::uint32_t a, std::uint32_t b) {
      if (counts[a] != counts[b]) return counts[a] > counts[b];
      return entries_[a].added < entries_[b].added;
    };
    std::nth_element(unverified.begin(), unverified.begin() + kMaxCandidatesVerified,
                     unverified.end(), more_shared);
    unverified.resize(kMaxCandidatesVerified);
  }
  for (std::uint32_t slot : unverified) {
    const Entry& entry = entries_[slot];
    consider(entry, counts[slot] + sharedCount(skipped, entry.grams));
  }
  return best;
}

}  // namespace yst::text
