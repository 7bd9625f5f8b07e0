// What the three parts of the RTMP client share (amf0.h, the values of
// commands; rtmp_chunks.h, messages cut into chunks; rtmp_publisher.h, the
// connection): the one error type they throw, with the reason the publisher
// reports to its owner, and integers as the wire carries them (big-endian).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace yst::streaming::rtmp {

// Why a publisher gave up, as OBS's output stop codes: the owner and the
// tests tell failures apart without parsing the text.
enum class Failure {
  kInvalid = 0,
  kBadUrl,        // the URL names no host, application or stream
  kConnect,       // DNS, TCP or TLS
  kTimeout,       // not publishing within the setup deadline
  kRefused,       // the server said no (connect, createStream, publish) or ended the stream
  kProtocol,      // malformed chunks or AMF0, no usable stream id
  kDisconnected,  // the server or the network closed the connection
  kBacklogFull,   // more waiting for the server than RtmpPublisher::kMaxBacklogTotal
  kPingFlood,     // ping requests far faster than the server reads the answers
};

// A protocol violation or refusal; what() is for the producer (no secrets
// are added here, the caller masks the stream key anyway). The AMF0 decoder
// and the chunk reader throw it with kProtocol.
struct Error : std::runtime_error {
  explicit Error(const std::string& what, Failure why = Failure::kProtocol)
      : std::runtime_error(what), failure(why) {}
  Failure failure;
};

// The unsigned big-endian integer in `bytes` (1 to 4) bytes at `p`.
inline std::uint32_t readBigEndian(const std::uint8_t* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

// Appends the low `bytes` (1 to 4) bytes of `v`, most significant first.
inline void appendBigEndian(std::string& out, std::uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace yst::streaming::rtmp
