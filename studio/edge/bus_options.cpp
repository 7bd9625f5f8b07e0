#include "studio/edge/bus_options.h"

namespace yst::edge {

bus::BusOptions busOptions(const config::NatsConfig& nats, const std::string& name) {
  bus::BusOptions options;
  for (const std::string& server : nats.servers) {
    if (!options.url.empty()) options.url += ',';
    options.url += server;
  }
  options.name = name;
  switch (nats.auth) {
    case config::NatsAuth::kUserPassword:
      options.user = nats.user;
      options.password = nats.password;
      break;
    case config::NatsAuth::kToken:
      options.token = nats.token;
      break;
    case config::NatsAuth::kCredentialsFile:
      options.credentials_file = nats.credentials_file;
      break;
    case config::NatsAuth::kNone:
    case config::NatsAuth::kInvalid:
      break;
  }
  options.ca_file = nats.ca_file;
  return options;
}

}  // namespace yst::edge
