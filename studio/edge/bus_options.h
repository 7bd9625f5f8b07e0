// Error style: nothing fails here; the configuration was checked when read.
//
// How the studio's [edge] and an edge's [nats] (config::NatsConfig, secrets
// already read from the environment) become the bus's connection options.
#pragma once

#include <string>

#include "studio/bus/bus.h"
#include "studio/config/show_config.h"

namespace yst::edge {

// `name` is the connection's name in nats-server's monitoring
// ("yishiting-studio-<channel>", "yishiting-edge-<id>").
bus::BusOptions busOptions(const config::NatsConfig& nats, const std::string& name);

}  // namespace yst::edge
