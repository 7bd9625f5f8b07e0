// What a desk needs of the server to reach clients: a reply to one, a
// message to every client on some channels, and which channels a client
// hears. The ControlServer is one (its calls are thread-safe, so a desk may
// reply from the database writer's thread); a desk's test has its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "studio/server/client_id.h"

namespace yst::server {

class ClientSink {
 public:
  virtual ~ClientSink() = default;
  // One message for one client (a reply). Unknown ids are ignored.
  virtual void send(ClientId client, std::shared_ptr<const std::string> message) = 0;
  // Which channels a client receives publish()ed messages on.
  virtual void setChannels(ClientId client, std::uint32_t channels) = 0;
  // One message for every client subscribed to any of `channels`.
  virtual void publish(std::uint32_t channels, std::shared_ptr<const std::string> message) = 0;
};

}  // namespace yst::server
