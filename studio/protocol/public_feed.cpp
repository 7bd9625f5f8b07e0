#include "studio/protocol/public_feed.h"

#include <utility>

namespace yst::protocol {

bool isIdToken(std::string_view text, std::size_t max_size) {
  if (text.empty() || text.size() > max_size) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string stampFeed(std::string_view message, const FeedPosition& position) {
  std::string text(message);
  if (text.size() < 2 || text.back() != '}') return text;  // not an object: left alone
  text.pop_back();
  text.reserve(text.size() + position.epoch.size() + 48);
  if (text.size() > 1) text += ',';
  // The epoch is one of ours ([A-Za-z0-9_-]): no escaping needed.
  text += "\"feed\":{\"epoch\":\"";
  text += position.epoch;
  text += "\",\"seq\":";
  text += std::to_string(position.seq);
  text += "}}";
  return text;
}

std::optional<FeedPosition> readSince(const nlohmann::json& hello) {
  const auto since = hello.find("since");
  if (since == hello.end() || !since->is_object()) return std::nullopt;
  const auto epoch = since->find("epoch");
  const auto seq = since->find("seq");
  if (epoch == since->end() || !epoch->is_string()) return std::nullopt;
  if (seq == since->end() || !seq->is_number_unsigned()) return std::nullopt;
  FeedPosition position{epoch->get<std::string>(), seq->get<std::uint64_t>()};
  if (!isIdToken(position.epoch, 32)) return std::nullopt;
  return position;
}

PublicRing::PublicRing(std::size_t max_messages, std::size_t max_bytes)
    : max_messages_(max_messages == 0 ? 1 : max_messages), max_bytes_(max_bytes) {}

void PublicRing::clear() {
  messages_.clear();
  bytes_ = 0;
}

void PublicRing::restart(const FeedPosition& position) {
  clear();
  epoch_ = position.epoch;
  last_seq_ = position.seq;
}

bool PublicRing::append(const FeedPosition& position, std::shared_ptr<const std::string> message) {
  bool follows = true;
  if (position.epoch != epoch_) {
    clear();
    epoch_ = position.epoch;
    follows = last_seq_ == 0;  // the first message ever is no gap
  } else if (position.seq != last_seq_ + 1) {
    clear();
    follows = false;
  }
  last_seq_ = position.seq;
  bytes_ += message->size();
  messages_.push_back(std::move(message));
  while (messages_.size() > max_messages_ || (bytes_ > max_bytes_ && messages_.size() > 1)) {
    bytes_ -= messages_.front()->size();
    messages_.pop_front();
  }
  return follows;
}

std::optional<std::vector<std::shared_ptr<const std::string>>> PublicRing::after(
    const FeedPosition& since) const {
  if (since.epoch != epoch_ || epoch_.empty()) return std::nullopt;
  if (since.seq > last_seq_) return std::nullopt;  // ahead of us: not ours to judge
  const std::uint64_t missed = last_seq_ - since.seq;
  if (missed > messages_.size()) return std::nullopt;  // older than the ring
  std::vector<std::shared_ptr<const std::string>> out(
      messages_.end() - static_cast<std::ptrdiff_t>(missed), messages_.end());
  return out;
}

FeedSink::FeedSink(server::ClientSink* local, std::string epoch)
    : local_(local), ring_(kRingMessages, kRingBytes), epoch_(std::move(epoch)) {}

void FeedSink::send(server::ClientId client, std::shared_ptr<const std::string> message) {
  local_->send(client, std::move(message));
}

void FeedSink::setChannels(server::ClientId client, std::uint32_t channels) {
  local_->setChannels(client, channels);
}

void FeedSink::publish(std::uint32_t channels, std::shared_ptr<const std::string> message) {
  if ((channels & server::kChannelViewer) == 0) {
    local_->publish(channels, std::move(message));
    return;
  }
  std::lock_guard lock(mutex_);
  const FeedPosition position{epoch_, ++seq_};
  auto stamped = std::make_shared<const std::string>(stampFeed(*message, position));
  ring_.append(position, stamped);
  local_->publish(channels, stamped);
  if (on_public_) on_public_(position, stamped);
}

void FeedSink::setOnPublic(
    std::function<void(const FeedPosition&, const std::shared_ptr<const std::string>&)> on_public) {
  std::lock_guard lock(mutex_);
  on_public_ = std::move(on_public);
}

FeedPosition FeedSink::position() const {
  std::lock_guard lock(mutex_);
  return {epoch_, seq_};
}

std::optional<std::vector<std::shared_ptr<const std::string>>> FeedSink::after(
    const FeedPosition& since) const {
  std::lock_guard lock(mutex_);
  return ring_.after(since);
}

FeedSink::Resume FeedSink::resume(const std::optional<FeedPosition>& since) const {
  std::lock_guard lock(mutex_);
  Resume resume{{epoch_, seq_}, std::nullopt};
  if (since) resume.missed = ring_.after(*since);
  return resume;
}

}  // namespace yst::protocol
