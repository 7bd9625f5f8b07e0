// The sensitive-word filter: flags a question that contains a word from the
// newsroom's list (gambling, fraud, fake invoices, abuse, …) so that a
// producer looks at it before it is approved; it flags and never rejects, the
// decision stays with a person. Words and texts are compared in their
// normalizeForMatch form (text.h), so spaces, punctuation, emoji, case and
// full-width letters do not hide a word. The price is that a short Latin word
// also matches inside longer words, so a list should prefer unambiguous
// entries (assets/words/sample.txt says how to write one). One Aho–Corasick
// automaton over code points finds every word in a single pass over the text,
// however long the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace yst::text {

class WordFilter {
 public:
  // Matches nothing: the state of a show without a word list.
  WordFilter() = default;

  // A list is UTF-8, one word per line; '#' starts a comment (normalisation
  // removes '#' anyway, so no word can need one), blank lines and a leading
  // byte order mark are ignored. Words that normalise to nothing ("!!!") are
  // skipped; a word that normalises like an earlier one ("FUCK" after "fuck")
  // is the same word and keeps the earlier spelling. Throws
  // std::runtime_error naming the file and line for an unreadable file or
  // invalid UTF-8.
  static WordFilter fromFile(const std::string& path);
  // `name` stands for the file in error messages.
  static WordFilter fromText(std::string_view text, std::string_view name);

  // The distinct list words found in `text` (normalised), as written in the
  // list and in list order. Invalid UTF-8 in `text` is ignored.
  std::vector<std::string> matches(std::string_view text) const;
  // Words in the list, after comments, empty words and repeats are skipped.
  std::size_t size() const { return words_.size(); }

 private:
  std::int32_t child(std::int32_t node, char32_t c) const;

  std::vector<std::string> words_;  // as written, in list order
  // The trie: node 0 is the root; an edge is keyed by (node << 21 | code
  // point), since a code point fits in 21 bits. One hash map for all edges
  // keeps thousands of sparse nodes small.
  std::unordered_map<std::uint64_t, std::int32_t> edges_;
  std::vector<std::int32_t> fail_;         // longest proper suffix that is a trie node
  std::vector<std::int32_t> word_at_;      // index in words_ of the word ending here, or -1
  std::vector<std::int32_t> output_link_;  // nearest node on the fail chain ending a word, or -1
};

}  // namespace yst::text
