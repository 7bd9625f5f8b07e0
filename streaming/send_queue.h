// What waits for a partner site that reads slower than the program comes,
// and which media is given up for it: the policy half of the RTMP client
// (rtmp_publisher.h writes the bytes; this decides what waits and what is
// dropped), as OBS keeps its drop policy in rtmp-stream.c apart from librtmp.
//
// The queue holds whole messages' chunks, in wire order, so that a control
// message queued after a media message never lands inside it. Only what the
// socket did not take waits here; what it took went out without a copy.
//
// The drop policy: once more than `max_media_bytes` wait, media tags are
// dropped until a video keyframe comes while less than a quarter of that
// waits, so that viewers of a site that cannot keep up get gaps, not an ever
// longer delay, and the stream resumes where a decoder can start. Sequence
// headers are never dropped: nothing decodes without them.
//
// Not thread-safe: the owner's lock guards it (RtmpPublisher's write_mutex_).
// dropped() and peakBytes() may be read from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace yst::streaming {

class SendQueue {
 public:
  enum class Kind { kInvalid = 0, kMedia, kPingAnswer, kAcknowledgement, kCommand };

  // What a tag is to the drop policy. FLV flags an AVC sequence header as a
  // keyframe, so it is both.
  struct Tag {
    bool keyframe = false;         // a video keyframe
    bool sequence_header = false;  // AVC or AAC codec data
  };

  explicit SendQueue(std::size_t max_media_bytes) : max_media_bytes_(max_media_bytes) {}
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Whether the tag goes out (to the socket, or to wait here) or is dropped;
  // asked once for each media tag before it is written. Counts the drops.
  bool admit(Tag tag);
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Appends `bytes` (one or more whole messages' chunks) as one entry.
  void push(Kind kind, std::string bytes);
  // A kPingAnswer or kAcknowledgement replaces the one of its kind still
  // waiting wholly unsent, where it stands (only the newest timestamp or
  // count matters to the server): true. False, and nothing done, when none
  // waits unsent; push() it then.
  bool replaceUnsent(Kind kind, std::string bytes);
  // Ping answers replaced since one last went out: a server that pings
  // while it reads none of the answers.
  int unansweredPings() const { return unanswered_pings_; }

  // Calls piece(const char* data, std::size_t size) for the first
  // `max_entries` entries, in order, the first from where the socket cut it.
  template <typename Piece>
  void gather(std::size_t max_entries, Piece&& piece) const {
    std::size_t count = 0;
    for (auto it = entries_.begin(); it != entries_.end() && count < max_entries; ++it, ++count) {
      const std::size_t skip = count == 0 ? front_sent_ : 0;
      piece(it->bytes.data() + skip, it->bytes.size() - skip);
    }
  }
  // The socket took `n` bytes of what gather() offered. True when it cut an
  // entry (it is full for now).
  bool sent(std::size_t n);
  // Forgets everything waiting (the connection is dropped or closed).
  void clear();

  bool empty() const { return entries_.empty(); }
  std::size_t bytes() const { return bytes_; }  // unsent bytes waiting
  // The most that waited at once (bytes).
  std::size_t peakBytes() const { return peak_bytes_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    Kind kind = Kind::kInvalid;
    std::string bytes;
  };
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  // The entry `index` counts from the first ever pushed, or null when it has
  // gone or is partly sent.
  Entry* unsent(std::uint64_t index);

  const std::size_t max_media_bytes_;
  // A deque of entries, so that sending never copies what waits.
  std::deque<Entry> entries_;
  std::size_t front_sent_ = 0;  // bytes of the front entry sent
  std::size_t bytes_ = 0;       // unsent bytes in entries_
  std::uint64_t popped_ = 0;    // entries ever sent in full (or cleared)
  // The waiting ping answer and acknowledgement (popped_-based index), or kNone.
  std::uint64_t ping_answer_at_ = kNone;
  std::uint64_t ack_at_ = kNone;
  int unanswered_pings_ = 0;
  bool dropping_ = false;  // dropping until the next keyframe
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::size_t> peak_bytes_{0};
};

}  // namespace yst::streaming
