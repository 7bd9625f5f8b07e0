// The names the server and its users give to clients, requests and the
// channels events are published on. Shared by the WebSocket transport, the
// in-process clients and the controller; no dependencies.
#pragma once

#include <cstdint>

namespace yst::server {

using ClientId = std::uint64_t;   // never reused within one run; 0 is invalid
using RequestId = std::uint64_t;  // an HTTP request waiting for respond(); never reused

// Bits for publish(): which clients receive an event.
enum Channel : std::uint32_t {
  kChannelNone = 0,
  kChannelProducer = 1u << 0,
  kChannelViewer = 1u << 1,
  kChannelTypist = 1u << 2,  // the live transcript's editors
  kChannelHost = 1u << 3,    // the host's monitor
};

}  // namespace yst::server
