// Error style: start() returns false with a sentence; nothing throws after
// the configuration was read.
//
// `yishiting edge`: one show's viewers served far from the studio, without
// the engine, Qt or GStreamer. Three parts, one thread of logic:
//
//   ControlServer (lws service thread) ─┐ viewers' messages, opens, closes
//   Bus (nats.c's threads) ─────────────┼─► EventLoop "yst-edge": EdgeAudience
//   timers ─────────────────────────────┘
//
// The server answers the viewer page (/ and /q), observer links (/o/…), the
// pages' scripts and hls.js, /api/public-status (the show's title, whether
// the studio is on air and where the page finds the HLS: the edge's hls_url)
// and /ws for viewers and observers; staff roles are refused (they sign in on
// the studio's LAN address), and /api/status and /metrics answer 401 here.
// The HLS itself is not served by the edge: nginx in front serves it from its
// cache, or hls_url points at a CDN.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "studio/base/event_loop.h"
#include "studio/bus/bus.h"
#include "studio/config/edge_config.h"
#include "studio/edge/edge_archive.h"
#include "studio/edge/edge_audience.h"
#include "studio/server/control_server.h"

namespace yst::edge {

class EdgeServer {
 public:
  // `assets` is the folder of web pages (core's assetDir()).
  EdgeServer(config::EdgeConfig config, std::string assets);
  ~EdgeServer();  // stop()
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  // Binds the listener and begins connecting to NATS (viewers who arrive
  // before the studio is reached are told to wait). False, with why, when
  // the address cannot be bound.
  bool start(std::string* error);
  // Closes the viewers' connections, then the bus, then the loop. Idempotent.
  void stop();
  int port() const;

  // The server's options for an edge's file (for tests and the README's
  // table of what an edge serves).
  static server::ServerOptions serverOptions(const config::EdgeConfig& config,
                                             const std::string& assets);

 private:
  void publishStatus();

  config::EdgeConfig config_;
  std::string assets_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<server::ControlServer> server_;
  std::unique_ptr<EdgeAudience> audience_;
  std::unique_ptr<EdgeArchive> archive_;
  std::unique_ptr<Timer> status_timer_;
  bool started_ = false;
  // Viewers' messages refused because the loop was full (service thread).
  std::atomic<std::uint64_t> dropped_messages_{0};
};

}  // namespace yst::edge
