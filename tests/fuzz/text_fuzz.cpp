// libFuzzer target for people's text: cleanText, normalizeForMatch, the word
// filter and duplicate detection, each checked against what its header
// promises and, for the filter and the index, against a naive search.
//
// Input layout: byte 0 chooses the options (bit 0: keep newlines; bits 1-7:
// the character limit and the similarity threshold), the rest is the text.
// The text's first half, read as a word list, builds a second filter that is
// matched against its second half; its lines are indexed for duplicates.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "studio/text/duplicates.h"
#include "studio/text/text.h"
#include "studio/text/word_filter.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace text = yst::text;
using yst::fuzz::require;
using yst::fuzz::requireClean;

// Words from assets/words/sample.txt, plus overlapping ones that exercise the
// automaton's fail and output links.
constexpr std::string_view kWordList =
    "# fixed list\n赌博\n网赌\n代开发票\n傻逼\n他妈的\nfuck\nbullshit\n六合彩\n合彩\n彩\n"
    "he\nshe\nhers\nhis\nabcd\nbce\n";

std::vector<std::string_view> lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const std::size_t end = s.find('\n');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

// The oracle for WordFilter::matches, in normalised form: every distinct
// non-empty word key of the list, in list order, that occurs in the text.
// Normalisation removes spaces, '\r' and the byte order mark, so cutting at
// '#' is all the parsing a line needs here.
std::vector<std::u32string> naiveMatches(std::string_view list, std::string_view haystack) {
  const std::u32string normalised = text::normalizeForMatch(haystack);
  std::vector<std::u32string> keys;
  for (std::string_view line : lines(list)) {
    const std::u32string key = text::normalizeForMatch(line.substr(0, line.find('#')));
    if (key.empty() || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(key);
  }
  std::vector<std::u32string> found;
  for (const std::u32string& key : keys) {
    if (normalised.find(key) != std::u32string::npos) found.push_back(key);
  }
  return found;
}

void checkFilter(const text::WordFilter& filter, std::string_view list, std::string_view haystack) {
  std::vector<std::u32string> found;
  for (const std::string& word : filter.matches(haystack)) {
    found.push_back(text::normalizeForMatch(word));
  }
  require(found == naiveMatches(list, haystack), "the filter finds what a naive search finds");
}

void checkCleaning(std::string_view raw, std::size_t max_chars, bool keep_newlines) {
  const text::CleanedText cleaned = text::cleanText(raw, max_chars, keep_newlines);
  if (!text::isValidUtf8(raw)) {
    require(cleaned.problem == text::TextProblem::kInvalidUtf8, "invalid UTF-8 is refused");
    require(cleaned.text.empty() && cleaned.chars == 0, "nothing comes of invalid UTF-8");
    return;
  }
  require(cleaned.chars == text::countChars(cleaned.text), "chars counts the cleaned text");
  require((cleaned.problem == text::TextProblem::kEmpty) == cleaned.text.empty(),
          "kEmpty exactly when nothing is left");
  require((cleaned.problem == text::TextProblem::kTooLong) ==
              (!cleaned.text.empty() && cleaned.chars > max_chars),
          "kTooLong exactly when over the limit");
  requireClean(cleaned.text, cleaned.chars, keep_newlines);  // idempotence included
  require(text::normalizeForMatch(cleaned.text) == text::normalizeForMatch(raw),
          "cleaning does not change the matching form");
}

void checkNormalisation(std::string_view raw) {
  const std::u32string normalised = text::normalizeForMatch(raw);
  for (char32_t c : normalised) {
    require(c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'),
            "only lower-case ASCII letters and digits remain of ASCII");
    require(c != 0x3000 && c != 0xA0 && !(c >= 0xFF01 && c <= 0xFF5E),
            "no ideographic space or full-width ASCII remains");
  }
  require(text::normalizeForMatch(text::encodeUtf8(normalised)) == normalised,
          "normalisation is idempotent");
  if (text::isValidUtf8(raw)) {
    require(text::encodeUtf8(text::decodeUtf8(raw)) == raw, "UTF-8 round-trips");
  } else {
    require(text::isValidUtf8(text::encodeUtf8(text::decodeUtf8(raw))), "decoding repairs");
  }
}

// The index against a linear scan with similarity(): the most similar text at
// or above the threshold, the first added on a tie. The inputs are far below
// the lookup budget, so the two must agree exactly.
void checkDuplicates(const std::vector<std::string_view>& texts, double threshold) {
  text::DuplicateIndex index;
  std::vector<bool> live(texts.size(), true);
  for (std::size_t id = 0; id < texts.size(); ++id)
    index.add(static_cast<std::int64_t>(id), texts[id]);
  const auto agree = [&] {
    for (std::string_view query : texts) {
      std::optional<std::int64_t> expected;
      double best = 0.0;
      for (std::size_t id = 0; id < texts.size(); ++id) {
        if (!live[id]) continue;
        const double score = text::similarity(query, texts[id]);
        if (score >= threshold && score > best) {
          expected = static_cast<std::int64_t>(id);
          best = score;
        }
      }
      require(index.findSimilar(query, threshold) == expected,
              "the index finds what a linear scan finds");
    }
  };
  agree();
  std::size_t remaining = texts.size();
  for (std::size_t id = 0; id < texts.size(); id += 3) {
    index.remove(static_cast<std::int64_t>(id));
    live[id] = false;
    --remaining;
  }
  require(index.size() == remaining, "size counts what is indexed");
  agree();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const bool keep_newlines = (options & 1) != 0;
  const std::size_t max_chars = static_cast<std::size_t>(options >> 1) * 4;         // 0..508
  const double threshold = 0.05 + static_cast<double>((options >> 1) % 20) * 0.05;  // 0.05..1
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);

  checkCleaning(raw, max_chars, keep_newlines);
  checkCleaning(raw, max_chars, !keep_newlines);
  checkNormalisation(raw);

  static const text::WordFilter fixed = text::WordFilter::fromText(kWordList, "fixed");
  checkFilter(fixed, kWordList, raw);

  const std::string_view list = raw.substr(0, raw.size() / 2);
  const std::string_view haystack = raw.substr(raw.size() / 2);
  try {
    const text::WordFilter from_input = text::WordFilter::fromText(list, "input");
    checkFilter(from_input, list, haystack);
  } catch (const std::runtime_error&) {
    require(!text::isValidUtf8(list), "a list is refused only for invalid UTF-8");
  }

  std::vector<std::string_view> texts = lines(raw);
  if (texts.size() > 24) texts.resize(24);  // a linear scan per line: keep runs fast
  checkDuplicates(texts, threshold);
  return 0;
}
