#include "studio/edge/subjects.h"

#include <algorithm>
#include <charconv>
#include <climits>

namespace yst::edge {

bool validChannel(std::string_view channel) {
  if (channel.empty() || channel.size() > 32) return false;
  for (char c : channel) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

Subjects::Subjects(const std::string& channel) {
  const std::string base = "yst." + channel + ".";
  intake = base + "intake";
  // Stream names may not contain '.', '*', '>' or spaces; a channel has none.
  intake_stream = "YST_INTAKE_" + channel;
  received = base + "received";
  feed = base + "feed";
  viewer = base + "viewer";
  studio = base + "studio";
  desk = base + "desk";
  edges = base + "edges";
  snapshot = base + "snapshot";
  keys = base + "keys";
  mine = base + "mine";
  vote = base + "vote";
  observer = base + "observer";
  lookup = base + "lookup";
  transcript = base + "transcript";
  archive = base + "archive";
  department = base + "department";
  followup = base + "followup";
}

bool publicReadPath(std::string_view path) {
  return path.starts_with(kArchiveApiPrefix) || path.starts_with(kFollowupApiPrefix) ||
         path == kFollowupFeedPath;
}

std::string framePublic(const protocol::FeedPosition& position, std::string_view message) {
  std::string out;
  out.reserve(position.epoch.size() + 24 + message.size());
  out += position.epoch;
  out += ' ';
  out += std::to_string(position.seq);
  out += '\n';
  out += message;
  return out;
}

std::optional<PublicFrame> unframePublic(std::string_view data) {
  const std::size_t space = data.find(' ');
  const std::size_t newline = data.find('\n');
  if (space == std::string_view::npos || newline == std::string_view::npos || space > newline) {
    return std::nullopt;
  }
  const std::string_view epoch = data.substr(0, space);
  const std::string_view seq_text = data.substr(space + 1, newline - space - 1);
  if (!protocol::isIdToken(epoch, 32) || seq_text.empty()) return std::nullopt;
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size() || seq == 0) {
    return std::nullopt;
  }
  const std::string_view message = data.substr(newline + 1);
  if (message.empty()) return std::nullopt;
  return PublicFrame{{std::string(epoch), seq}, std::string(message)};
}

std::string frameViewer(std::string_view viewer, std::string_view message) {
  std::string out;
  out.reserve(viewer.size() + 1 + message.size());
  out += viewer;
  out += '\n';
  out += message;
  return out;
}

std::optional<ViewerFrame> unframeViewer(std::string_view data) {
  const std::size_t newline = data.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  const std::string_view viewer = data.substr(0, newline);
  if (!protocol::isIdToken(viewer, 64)) return std::nullopt;
  const std::string_view message = data.substr(newline + 1);
  if (message.empty()) return std::nullopt;
  return ViewerFrame{std::string(viewer), std::string(message)};
}

std::optional<nlohmann::json> parseBody(std::string_view data) {
  nlohmann::json parsed = nlohmann::json::parse(data, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::string textField(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t countField(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_number_integer()) return 0;
  if (it->is_number_unsigned()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), INT64_MAX));
  }
  return std::max<std::int64_t>(0, it->get<std::int64_t>());
}

bool flagField(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace yst::edge
