#include "streaming/send_queue.h"

#include <utility>

namespace yst::streaming {

bool SendQueue::admit(Tag tag) {
  if (!dropping_ && bytes_ > max_media_bytes_) dropping_ = true;
  if (dropping_ && tag.keyframe && bytes_ < max_media_bytes_ / 4) dropping_ = false;
  if (dropping_ && !tag.sequence_header) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void SendQueue::push(Kind kind, std::string bytes) {
  const std::uint64_t index = popped_ + entries_.size();
  if (kind == Kind::kPingAnswer) ping_answer_at_ = index;
  if (kind == Kind::kAcknowledgement) ack_at_ = index;
  bytes_ += bytes.size();
  entries_.push_back({kind, std::move(bytes)});
  if (bytes_ > peak_bytes_.load(std::memory_order_relaxed)) {
    peak_bytes_.store(bytes_, std::memory_order_relaxed);
  }
}

bool SendQueue::replaceUnsent(Kind kind, std::string bytes) {
  Entry* waiting = nullptr;
  if (kind == Kind::kPingAnswer) waiting = unsent(ping_answer_at_);
  if (kind == Kind::kAcknowledgement) waiting = unsent(ack_at_);
  if (!waiting) return false;
  bytes_ = bytes_ - waiting->bytes.size() + bytes.size();
  waiting->bytes = std::move(bytes);
  if (kind == Kind::kPingAnswer) ++unanswered_pings_;
  return true;
}

SendQueue::Entry* SendQueue::unsent(std::uint64_t index) {
  if (index == kNone || index < popped_) return nullptr;
  const std::uint64_t i = index - popped_;
  if (i >= entries_.size() || (i == 0 && front_sent_ > 0)) return nullptr;
  return &entries_[i];
}

bool SendQueue::sent(std::size_t n) {
  bytes_ -= n;
  while (n > 0) {
    const std::size_t left = entries_.front().bytes.size() - front_sent_;
    if (n < left) {
      front_sent_ += n;
      return true;
    }
    n -= left;
    if (entries_.front().kind == Kind::kPingAnswer) unanswered_pings_ = 0;
    entries_.pop_front();
    ++popped_;
    front_sent_ = 0;
  }
  return false;
}

void SendQueue::clear() {
  popped_ += entries_.size();
  entries_.clear();
  front_sent_ = 0;
  bytes_ = 0;
  ping_answer_at_ = ack_at_ = kNone;
}

}  // namespace yst::streaming
