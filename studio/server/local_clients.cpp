#include "studio/server/local_clients.h"

#include <utility>

namespace yst::server {

ClientId LocalClients::add(Deliver deliver) {
  std::lock_guard lock(mutex_);
  const ClientId id = kBit | next_id_++;
  clients_[id] = {kChannelNone, std::move(deliver)};
  return id;
}

void LocalClients::remove(ClientId client) {
  std::lock_guard lock(mutex_);
  clients_.erase(client);
}

bool LocalClients::send(ClientId client, std::shared_ptr<const std::string> message) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  it->second.deliver(std::move(message));
  return true;
}

bool LocalClients::setChannels(ClientId client, std::uint32_t channels) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  it->second.channels = channels;
  return true;
}

void LocalClients::publish(std::uint32_t channels,
                           const std::shared_ptr<const std::string>& message) {
  std::lock_guard lock(mutex_);
  for (auto& [id, client] : clients_) {
    if (client.channels & channels) client.deliver(message);
  }
}

}  // namespace yst::server
