// Tears pipelines down off the controller thread. Taking a network pipeline to
// NULL can block for seconds (an RTSP teardown to a camera that vanished, an
// RTMP socket to a dead server); the controller thread must never wait on
// that, so dead pipelines are handed here and stopped on a worker thread.
#pragma once

#include <functional>

#include "streaming/gst_ptr.h"

namespace yst::streaming {

// Takes the pipeline to NULL and drops the reference on a worker thread.
void disposeAsync(ElementPtr pipeline);
// Runs `job` (closing a connection, say) on a worker thread.
void disposeAsync(std::function<void()> job);
// Waits for every disposal still under way (at shutdown, before gst_deinit).
void joinDisposals();

}  // namespace yst::streaming
