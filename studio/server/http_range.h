// One HTTP byte range (RFC 9110 §14): what a <video> element asks for when
// it seeks. Only a single range is served; a header asking for several, or
// one that does not parse, is ignored and the whole file is sent, as the RFC
// allows.
#pragma once

#include <cstdint>
#include <string_view>

namespace yst::server {

struct ByteRange {
  enum class Kind {
    kWhole,          // no usable Range header: 200 with the whole file
    kPartial,        // 206 with bytes first..last (inclusive)
    kUnsatisfiable,  // 416: the range starts at or after the end of the file
  };
  Kind kind = Kind::kWhole;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

namespace detail {
// Decimal digits only, no overflow; false otherwise.
inline bool parseCount(std::string_view text, std::uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = value;
  return true;
}
}  // namespace detail

// `header` is the Range header's value ("bytes=0-1023", "bytes=500-",
// "bytes=-500"); `size` the file's size in bytes.
inline ByteRange parseByteRange(std::string_view header, std::uint64_t size) {
  ByteRange whole;
  constexpr std::string_view kUnit = "bytes=";
  if (!header.starts_with(kUnit)) return whole;
  std::string_view spec = header.substr(kUnit.size());
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  if (spec.find(',') != std::string_view::npos) return whole;
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view from = spec.substr(0, dash);
  const std::string_view to = spec.substr(dash + 1);
  ByteRange range{ByteRange::Kind::kPartial, 0, 0};
  if (from.empty()) {
    // The last `to` bytes.
    std::uint64_t suffix = 0;
    if (!detail::parseCount(to, &suffix)) return whole;
    if (suffix == 0 || size == 0) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
    range.first = suffix >= size ? 0 : size - suffix;
    range.last = size - 1;
    return range;
  }
  if (!detail::parseCount(from, &range.first)) return whole;
  if (to.empty()) {
    range.last = size == 0 ? 0 : size - 1;
  } else {
    if (!detail::parseCount(to, &range.last)) return whole;
    if (range.last < range.first) return whole;
  }
  if (range.first >= size) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
  if (range.last >= size) range.last = size - 1;
  return range;
}

}  // namespace yst::server
