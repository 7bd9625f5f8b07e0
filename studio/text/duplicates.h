// Near-duplicate questions. During a show many viewers ask the same thing in
// slightly different words; a new question that resembles an earlier one is
// flagged "duplicate" with that question's id, so a producer can merge them
// instead of reading the same question a hundred times. Resemblance is the
// Dice coefficient over the character bigrams of the normalizeForMatch form
// (text.h): it ignores punctuation, spaces and width, tolerates a word added,
// removed or moved, and needs no word segmentation, which Chinese would
// otherwise require. The index holds a session's questions (tens of
// thousands) and answers while a submission waits for its reply, so a lookup
// goes through an inverted index rather than comparing with every question.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace yst::text {

// 2·|A∩B| / (|A|+|B|) over the sets of distinct bigrams of the normalised
// texts (a one-character text is its single character): 1 for texts that
// normalise alike, 0 when nothing is shared or either normalises to nothing.
double similarity(std::string_view a, std::string_view b);

class DuplicateIndex {
 public:
  // Adding an id that is already indexed replaces its text (and makes it the
  // newest for ties).
  void add(std::int64_t id, std::string_view text);
  // Unknown ids are ignored.
  void remove(std::int64_t id);
  // The indexed text most similar to `text` with similarity >= threshold; on
  // a tie the one added first. Texts that share no bigram with `text` are
  // never returned, whatever the threshold. See kMaxPostingsPerLookup in
  // duplicates.cpp for the one case where a similar text can be missed.
  std::optional<std::int64_t> findSimilar(std::string_view text, double threshold = 0.7) const;
  std::size_t size() const { return slot_of_.size(); }

 private:
  struct Entry {
    std::int64_t id = 0;
    std::uint64_t added = 0;           // order of addition, for ties
    std::vector<std::uint64_t> grams;  // sorted, distinct; empty for a free slot
  };

  std::vector<Entry> entries_;  // by slot; freed slots are reused
  std::vector<std::uint32_t> free_slots_;
  std::unordered_map<std::int64_t, std::uint32_t> slot_of_;
  // Inverted index: gram → slots whose text contains it.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> postings_;
  std::uint64_t next_added_ = 0;
};

}  // namespace yst::text
