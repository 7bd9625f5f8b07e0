#include "streaming/return_feed.h"

#include <utility>
#include <vector>

namespace yst::streaming {

int ReturnFeed::subscribe(const std::string& guest, Sink video, Sink audio) {
  int id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    subscribers_[id] = {guest, std::move(video), std::move(audio)};
  }
  requestKeyframe();
  return id;
}

void ReturnFeed::unsubscribe(int id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

void ReturnFeed::requestKeyframe() {
  std::function<void()> request;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_keyframe_ < kKeyframeInterval) {
      // Too soon after the last: the next frame pushed asks again once the
      // interval has passed.
      keyframe_pending_ = true;
      return;
    }
    last_keyframe_ = now;
    keyframe_pending_ = false;
    if (!request_keyframe_) return;
    request = request_keyframe_;
    ++keyframes_;
  }
  request();
}

void ReturnFeed::setKeyframeRequester(std::function<void()> request) {
  std::lock_guard lock(mutex_);
  request_keyframe_ = std::move(request);
}

void ReturnFeed::pushVideo(GstBuffer* buffer) {
  std::vector<Sink> sinks;
  bool ask = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscribers_) sinks.push_back(s.video);
    ask =
        keyframe_pending_ && std::chrono::steady_clock::now() - last_keyframe_ >= kKeyframeInterval;
  }
  for (const Sink& sink : sinks) sink(buffer);
  if (ask) requestKeyframe();
}

void ReturnFeed::pushAudio(const std::string& guest, GstBuffer* buffer) {
  std::vector<Sink> sinks;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscribers_) {
      if (s.guest == guest) sinks.push_back(s.audio);
    }
  }
  for (const Sink& sink : sinks) sink(buffer);
}

std::size_t ReturnFeed::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::uint64_t ReturnFeed::keyframesRequested() const {
  std::lock_guard lock(mutex_);
  return keyframes_;
}

}  // namespace yst::streaming
