// In-process clients (the Qt Quick console): they speak the same JSON
// protocol as a WebSocket client, but what the server sends them is handed
// to a `deliver` function instead of a socket. Their ids carry kBit, so they
// never collide with WebSocket clients' (which count up from 1).
//
// Thread-safe. `deliver` runs on the thread that sent or published (the
// controller's; the database writer's for a question's acknowledgement),
// under the mutex: each client gets its messages in the order they were
// sent, and `deliver` must not call back into the server.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "studio/server/client_id.h"

namespace yst::server {

class LocalClients {
 public:
  using Deliver = std::function<void(std::shared_ptr<const std::string>)>;

  static constexpr ClientId kBit = ClientId{1} << 62;
  static bool isLocal(ClientId client) { return (client & kBit) != 0; }

  // A new client, on no channel.
  ClientId add(Deliver deliver);
  // Its deliver is not called again once this returns.
  void remove(ClientId client);
  // False when there is no such local client (removed, or never added).
  bool send(ClientId client, std::shared_ptr<const std::string> message);
  // Which channels publish() reaches the client on; false when there is no
  // such client.
  bool setChannels(ClientId client, std::uint32_t channels);
  // Every client on any of `channels`, in the order of their ids.
  void publish(std::uint32_t channels, const std::shared_ptr<const std::string>& message);

 private:
  struct Client {
    std::uint32_t channels = kChannelNone;
    Deliver deliver;
  };
  std::mutex mutex_;
  std::map<ClientId, Client> clients_;  // Guarded by mutex_.
  ClientId next_id_ = 1;                // Guarded by mutex_.
};

}  // namespace yst::server
