// Hands a pipeline's bus messages to the controller thread.
//
// GStreamer posts bus messages from its streaming threads; nothing in the
// studio may be called from those. A sync handler on the bus takes each
// interesting message off the bus and queues a call onto the Qt
// application's thread, where `handler` runs; every other message is
// released at once (nothing piles up on a bus nobody reads). The handler holds only a
// weak_ptr to its owner's lifetime token, so a message that arrives after the
// owner is gone is dropped on the controller thread, never delivered to freed
// memory.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <memory>

namespace yst::streaming {

using BusHandler = std::function<void(GstMessage*)>;
using LifeToken = std::shared_ptr<int>;

// Forwards ERROR, WARNING, EOS and ELEMENT messages (and STATE_CHANGED of the
// pipeline itself) to `handler` on the application thread while `life` lives.
void relayBus(GstElement* pipeline, const LifeToken& life, BusHandler handler);
// Stops forwarding (before the pipeline is disposed of).
void unrelayBus(GstElement* pipeline);

}  // namespace yst::streaming
