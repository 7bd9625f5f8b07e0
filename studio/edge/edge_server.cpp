#include "studio/edge/edge_server.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/edge/bus_options.h"
#include "studio/server/client_address.h"
#include "studio/server/public_address.h"

namespace yst::edge {

using nlohmann::json;

namespace {

constexpr const char* kEdgeLog = "edge";
// /api/public-status is refreshed this often (the title, whether the studio
// is on air).
constexpr int kStatusIntervalMs = 1000;

}  // namespace

EdgeServer::EdgeServer(config::EdgeConfig config, std::string assets)
    : config_(std::move(config)), assets_(std::move(assets)) {}

EdgeServer::~EdgeServer() {
  stop();
}

server::ServerOptions EdgeServer::serverOptions(const config::EdgeConfig& config,
                                                const std::string& assets) {
  const config::LimitsConfig& limits = config.limits;
  server::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.web_root = assets + "/web";
  options.mounts = {{"/vendor/", assets + "/../node_modules/hls.js/dist"}};
  options.redirects = {{"/q", "/"}};
  // The archive's API, asked of the studio (EdgeArchive); its package files
  // are the cloud's (deploy/nginx/yishiting-edges.conf), not served here.
  options.request_prefixes = {kArchiveApiPrefix, kFollowupApiPrefix, kFollowupFeedPath};
  options.prefix_redirects = {{"/o/", "/#o="}, {"/d/", "/dept/#d="}};
  options.max_connections_per_address =
      static_cast<std::size_t>(limits.max_connections_per_address);
  options.max_connections = static_cast<std::size_t>(limits.max_connections);
  options.max_http_connections_per_address = options.max_connections_per_address + 16;
  options.ping_interval_s = limits.ws_ping_s;
  // No staff here: /api/status and /metrics answer 401 to everyone, and no
  // connection is admitted through the staff reserve.
  options.staff_tokens = {};
  options.staff_reserve = 0;
  server::setPublicAddress(&options, config.trusted_proxies, config.listen_host, config.public_url,
                           config.allowed_hosts);
  // The HLS on a CDN: the viewer page may fetch and play it.
  if (const std::optional<std::string> hls = server::urlOrigin(config.hls_url)) {
    options.media_origins.push_back(*hls);
  }
  return options;
}

bool EdgeServer::start(std::string* error) {
  if (started_) {
    *error = "the edge is already running";
    return false;
  }
  loop_ = std::make_unique<EventLoop>(EventLoop::Options{"yst-edge", 65536});
  EventLoop* loop = loop_.get();
  // The bus's callbacks answer what the edge asked (a studio's outcome, a
  // snapshot): queued even when the loop is full.
  bus_ = std::make_unique<bus::Bus>(
      busOptions(config_.nats, "yishiting-edge-" + config_.id), [loop](std::function<void()> job) {
        (void)loop->post(std::move(job), EventLoop::IfFull::kQueueAnyway);
      });
  server::ControlServer::Handlers handlers;
  // An open is followed by its close: neither may be lost.
  handlers.on_open = [this, loop](server::ClientId client, const std::string& address) {
    (void)loop->post([this, client, address] { audience_->opened(client, address); },
                     EventLoop::IfFull::kQueueAnyway);
  };
  // Viewers' messages arrive unbidden: refused when the loop is full (the
  // page sends again; a question is acknowledged only after the commit). A
  // line at the 1st, 2nd, 4th, 8th… drop: an overloaded edge is not also
  // made to write a line per message.
  handlers.on_message = [this, loop](server::ClientId client, std::string message) {
    if (loop->post([this, client, m = std::move(message)] { audience_->message(client, m); })) {
      return;
    }
    const std::uint64_t dropped = ++dropped_messages_;
    if (std::has_single_bit(dropped)) {
      logWarn(kEdgeLog, "the edge's loop is full: " + std::to_string(dropped) +
                            " viewer messages dropped so far");
    }
  };
  handlers.on_close = [this, loop](server::ClientId client) {
    (void)loop->post([this, client] { audience_->closed(client); },
                     EventLoop::IfFull::kQueueAnyway);
  };
  handlers.on_request = [this, loop](server::RequestId id, std::string path,
                                     EdgeArchive::Args args) {
    if (loop->post([this, id, path = std::move(path), args = std::move(args)] {
          archive_->request(id, path, args);
        })) {
      return;
    }
    server_->respond(id, 503,
                     std::make_shared<const std::string>(
                         R"({"type":"error","code":"busy","message":"try again shortly"})"));
  };
  server_ =
      std::make_unique<server::ControlServer>(serverOptions(config_, assets_), std::move(handlers));
  archive_ = std::make_unique<EdgeArchive>(
      EdgeArchive::Context{bus_.get(), Subjects(config_.channel).archive,
                           [server = server_.get()](server::RequestId id, unsigned int status,
                                                    std::shared_ptr<const std::string> body,
                                                    const std::string& content_type) {
                             if (content_type.empty()) {
                               server->respond(id, status, std::move(body));
                             } else {
                               server->respond(id, status, std::move(body), content_type);
                             }
                           },
                           [] { return steadyNowUs() / 1000; }});
  EdgeAudience::Context context;
  context.server = server_.get();
  context.close = [server = server_.get()](server::ClientId client) { server->close(client); };
  context.bus = bus_.get();
  context.make_timer = loop_->makeTimer();
  context.edge_id = config_.id;
  context.channel = config_.channel;
  context.limits = config_.limits;
  audience_ = std::make_unique<EdgeAudience>(std::move(context));
  status_timer_ = loop_->makeTimer()([this] { publishStatus(); });

  // The desk is set up on its own thread before any message can reach it.
  bool started = false;
  std::string server_error;
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  (void)loop->post(
      [&] {
        audience_->start();
        bus_->start([this](bus::BusState state, const std::string& detail) {
          if (state == bus::BusState::kConnected) {
            logInfo(kEdgeLog, "connected to NATS; serving channel " + config_.channel);
          } else if (state == bus::BusState::kReconnecting) {
            logWarn(kEdgeLog, "lost NATS (" + detail + "); reconnecting");
          }
          audience_->busStateChanged(state);
        });
        publishStatus();
        started = server_->start(&server_error);
        std::lock_guard lock(mutex);
        done = true;
        cv.notify_one();
      },
      EventLoop::IfFull::kQueueAnyway);
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return done; });
  if (!started) {
    *error = server_error;
    lock.unlock();
    stop();
    return false;
  }
  started_ = true;
  logInfo(kEdgeLog, "edge " + config_.id + " listening on " + config_.listen_host + ":" +
                        std::to_string(server_->port()) + " for " + config_.public_url);
  return true;
}

void EdgeServer::publishStatus() {
  status_timer_->start(kStatusIntervalMs);
  const json status = audience_->status();
  const bool live = status.value("studio", std::string()) == "live";
  const json& show = audience_->show();
  json body = {
      {"show", {{"title", show.is_object() && show.contains("title") ? show["title"] : json("")}}},
      // The studio on air is what the edge can know; the player also asks
      // for the playlist itself before it plays.
      {"hls", {{"state", live ? "running" : "stopped"}, {"playlist", config_.hls_url}}},
      {"studio", live ? "live" : "reconnecting"}};
  server_->setPublicStatusJson(std::make_shared<const std::string>(body.dump()));
}

void EdgeServer::stop() {
  if (!loop_) return;
  // Viewers first (their closes are posted to the loop), then the bus (no
  // callback runs after its stop()), then the loop runs what is queued.
  if (server_) server_->stop();
  if (bus_) bus_->stop();
  loop_->stop();
  status_timer_.reset();
  archive_.reset();
  audience_.reset();
  server_.reset();
  bus_.reset();
  loop_.reset();
  started_ = false;
}

int EdgeServer::port() const {
  return server_ ? server_->port() : 0;
}

}  // namespace yst::edge
