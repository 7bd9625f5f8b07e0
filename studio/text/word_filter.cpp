#include "studio/text/word_filter.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "studio/text/text.h"

namespace yst::text {
namespace {

std::uint64_t edgeKey(std::int32_t node, char32_t c) {
  return (static_cast<std::uint64_t>(node) << 21) | static_cast<std::uint64_t>(c);
}

std::string_view trimAsciiSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\v\f";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

std::int32_t WordFilter::child(std::int32_t node, char32_t c) const {
  const auto it = edges_.find(edgeKey(node, c));
  return it == edges_.end() ? -1 : it->second;
}

WordFilter WordFilter::fromFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw std::runtime_error(path + ": cannot read the word list: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path + ": cannot read the word list: " + std::strerror(errno));
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read the word list");
  return fromText(content, path);
}

WordFilter WordFilter::fromText(std::string_view text, std::string_view name) {
  // Notepad on Windows, where newsroom lists are often typed, writes one.
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());

  WordFilter filter;
  // Children per node, only while building: the fail links are computed
  // breadth first, which needs to enumerate them.
  std::vector<std::vector<std::pair<char32_t, std::int32_t>>> children(1);
  filter.word_at_.push_back(-1);

  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    if (!isValidUtf8(line)) {
      throw std::runtime_error(std::string(name) + ":" + std::to_string(line_number) +
                               ": invalid UTF-8");
    }
    line = trimAsciiSpace(line.substr(0, line.find('#')));
    const std::u32string key = normalizeForMatch(line);
    if (key.empty()) continue;

    std::int32_t node = 0;
    for (char32_t c : key) {
      std::int32_t next = filter.child(node, c);
      if (next < 0) {
        next = static_cast<std::int32_t>(filter.word_at_.size());
        filter.edges_.emplace(edgeKey(node, c), next);
        children[node].emplace_back(c, next);
        children.emplace_back();
        filter.word_at_.push_back(-1);
      }
      node = next;
    }
    if (filter.word_at_[node] >= 0) continue;  // same word as an earlier line
    filter.word_at_[node] = static_cast<std::int32_t>(filter.words_.size());
    filter.words_.emplace_back(line);
  }

  const std::size_t nodes = filter.word_at_.size();
  filter.fail_.assign(nodes, 0);
  filter.output_link_.assign(nodes, -1);
  std::vector<std::int32_t> queue;
  queue.reserve(nodes);
  for (const auto& [c, next] : children[0]) queue.push_back(next);
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::int32_t node = queue[head];
    const std::int32_t fail = filter.fail_[node];
    filter.output_link_[node] = filter.word_at_[fail] >= 0 ? fail : filter.output_link_[fail];
    for (const auto& [c, next] : children[node]) {
      std::int32_t f = fail;
      while (f != 0 && filter.child(f, c) < 0) f = filter.fail_[f];
      const std::int32_t target = filter.child(f, c);
      filter.fail_[next] = target >= 0 ? target : 0;
      queue.push_back(next);
    }
  }
  return filter;
}

std::vector<std::string> WordFilter::matches(std::string_view text) const {
  if (words_.empty()) return {};
  std::vector<std::int32_t> found;
  std::int32_t node = 0;
  for (char32_t c : normalizeForMatch(text)) {
    std::int32_t next = child(node, c);
    while (next < 0 && node != 0) {
      node = fail_[node];
      next = child(node, c);
    }
    node = next < 0 ? 0 : next;
    for (std::int32_t n = word_at_[node] >= 0 ? node : output_link_[node]; n >= 0;
         n = output_link_[n]) {
      found.push_back(word_at_[n]);
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<std::string> result;
  result.reserve(found.size());
  for (std::int32_t index : found) result.push_back(words_[index]);
  return result;
}

}  // namespace yst::text
