// What goes back to remote guests on their own peer connection (the return
// feed): the program's picture, encoded once for every guest (VP8 at
// 640×360, a low bitrate: they watch it to follow the show, not to judge
// it), and for each guest the program's sound without their own voice
// (mix-minus: a guest who heard themselves back a few hundred milliseconds
// late could not speak), encoded for that guest (Opus).
//
// The program publishes into it from its streaming threads; each guest's
// input pipeline subscribes for as long as it runs. A guest's peer that
// loses a packet of the picture asks for a keyframe (PLI); those requests
// reach the one encoder at most once a second, so that a guest on a poor
// network cannot make the picture every guest gets a string of keyframes.
//
// Thread-safe: every function may be called from any thread.
#pragma once

#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace yst::streaming {

class ReturnFeed {
 public:
  // A buffer for one subscriber; called on the program's streaming threads,
  // must not block (appsrc's push). The buffer is the caller's.
  using Sink = std::function<void(GstBuffer* buffer)>;

  static constexpr int kWidth = 640;
  static constexpr int kHeight = 360;
  static constexpr int kVideoBitrateKbps = 800;
  static constexpr int kAudioBitrateKbps = 64;
  static constexpr std::chrono::milliseconds kKeyframeInterval{1000};

  // A guest's input: the picture and its mix-minus. A keyframe is asked for
  // at once, so that the guest's picture starts without waiting for the
  // next one. Returns an id for unsubscribe().
  int subscribe(const std::string& guest, Sink video, Sink audio);
  void unsubscribe(int id);
  // A guest's peer lost part of the picture (or has just started).
  void requestKeyframe();

  // The program's side. `request` asks its encoder for a keyframe; null
  // while no program runs.
  void setKeyframeRequester(std::function<void()> request);
  void pushVideo(GstBuffer* buffer);
  void pushAudio(const std::string& guest, GstBuffer* buffer);
  std::size_t subscribers() const;
  std::uint64_t keyframesRequested() const;

 private:
  struct Subscriber {
    std::string guest;
    Sink video;
    Sink audio;
  };
  mutable std::mutex mutex_;
  std::map<int, Subscriber> subscribers_;                  // Guarded by mutex_.
  int next_id_ = 1;                                        // Guarded by mutex_.
  std::function<void()> request_keyframe_;                 // Guarded by mutex_.
  std::chrono::steady_clock::time_point last_keyframe_{};  // Guarded by mutex_.
  bool keyframe_pending_ = false;  // a request that came too soon; Guarded by mutex_.
  std::uint64_t keyframes_ = 0;    // Guarded by mutex_.
};

}  // namespace yst::streaming
