// What the desks' tests share: a command sent to a registry as a producer
// would send it over the socket.
#pragma once

#include <nlohmann/json.hpp>

#include "studio/core/command_registry.h"

namespace yst::desks {

inline core::CommandOutcome sendAsProducer(const core::CommandRegistry& commands,
                                           const nlohmann::json& message) {
  core::ClientInfo producer;
  producer.role = core::Role::kProducer;
  const nlohmann::json no_request_id;
  core::CommandContext context{1, producer, message, no_request_id};
  return commands.dispatch(context);
}

}  // namespace yst::desks
