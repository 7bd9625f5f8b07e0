// RTMP's chunk stream (Adobe RTMP 1.0, section 5.3): messages cut into
// chunks behind a header, and reassembled from the server's chunks. The
// writer side is a template so that the publisher can put a media message's
// chunk headers beside the payload where the encoder left it, without a
// copy (rtmp_publisher.cpp); chunkBytes() makes whole commands. The reader
// takes bytes from a server we do not trust: what it holds is bounded, and it
// throws rtmp::Error (rtmp_wire.h) at what no server sends.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streaming/rtmp_wire.h"

namespace yst::streaming::rtmp {

// Message type ids.
enum : std::uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf0 = 18,
  kCommandAmf0 = 20,
};

struct Message {
  std::uint8_t type = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t stream_id = 0;
  std::string payload;
};

// The chunk header bytes of one message: a type-0 header (with the extended
// timestamp from 0xFFFFFF ms on) before the first chunk, and a type-3
// header (repeating the extended timestamp) before each further one.
// Calls header(bytes, size) and payload(offset, size) in wire order.
// csid is 2..63 here (one-byte basic header).
template <typename Header, typename Payload>
void chunk(int csid, std::uint8_t type, std::uint32_t timestamp, std::uint32_t stream_id,
           std::size_t length, std::size_t chunk_size, Header&& header, Payload&& payload) {
  const bool extended = timestamp >= 0xFFFFFF;
  const std::uint32_t ts = extended ? 0xFFFFFF : timestamp;
  std::uint8_t h[16] = {
      static_cast<std::uint8_t>(csid & 0x3F),     static_cast<std::uint8_t>(ts >> 16),
      static_cast<std::uint8_t>(ts >> 8),         static_cast<std::uint8_t>(ts),
      static_cast<std::uint8_t>(length >> 16),    static_cast<std::uint8_t>(length >> 8),
      static_cast<std::uint8_t>(length),          type,
      static_cast<std::uint8_t>(stream_id),  // the message stream id is little-endian
      static_cast<std::uint8_t>(stream_id >> 8),  static_cast<std::uint8_t>(stream_id >> 16),
      static_cast<std::uint8_t>(stream_id >> 24),
  };
  const std::uint8_t ext[4] = {
      static_cast<std::uint8_t>(timestamp >> 24), static_cast<std::uint8_t>(timestamp >> 16),
      static_cast<std::uint8_t>(timestamp >> 8), static_cast<std::uint8_t>(timestamp)};
  std::size_t size = 12;
  if (extended) {
    std::copy(ext, ext + 4, h + size);
    size += 4;
  }
  header(h, size);
  std::size_t offset = 0;
  for (;;) {
    const std::size_t n = std::min(chunk_size, length - offset);
    payload(offset, n);
    offset += n;
    if (offset >= length) return;
    std::uint8_t c[5] = {static_cast<std::uint8_t>(0xC0 | (csid & 0x3F))};
    if (extended) std::copy(ext, ext + 4, c + 1);
    header(c, extended ? 5 : 1);
  }
}

// One whole message as bytes (commands and control messages).
std::string chunkBytes(int csid, const Message& message, std::size_t chunk_size);

// Reassembles the server's messages from its chunks. Handles the four
// header types, extended timestamps, interleaved chunk streams and the
// server's Set Chunk Size. Throws Error on what no server sends: a chunk size
// of 0 or above 2^24, a message over 1 MiB, more than 64 chunk streams, or
// more than 1 MiB of messages begun and not finished on all of them together
// (64 streams of unfinished 1 MiB messages would otherwise be 64 MiB).
class ChunkReader {
 public:
  static constexpr std::size_t kMaxMessage = 1 << 20;
  static constexpr std::size_t kMaxUnfinished = 1 << 20;
  void append(const char* data, std::size_t size);
  // The next complete message, if any.
  bool next(Message& out);

 private:
  struct Stream {
    int csid = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t delta = 0;
    std::uint32_t length = 0;
    std::uint8_t type = 0;
    std::uint32_t stream_id = 0;
    bool extended = false;
    bool started = false;
    std::string partial;
  };
  Stream& stream(int csid);

  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t chunk_size_ = 128;
  std::size_t unfinished_ = 0;  // bytes in the streams' partial messages
  std::vector<Stream> streams_;
};

}  // namespace yst::streaming::rtmp
