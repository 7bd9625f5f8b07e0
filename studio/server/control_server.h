// Error style: start() returns false with a message; callbacks return lws codes; nothing throws.
//
// The studio's network face: one libwebsockets HTTP + WebSocket server on the
// audience address, run on its own service thread.
//
//   GET /api/status   the latest status JSON the controller published  } staff only:
//   GET /metrics      the latest Prometheus text the controller published } "Authorization:
//                     Bearer <a staff token>", else 401 (and 429 after repeated failures)
//   GET /api/public-status   what the public may see of the status (HLS state, title)
//   GET /hls/<file>   files from the HLS directory (playlist and segments)
//   GET <request prefix>…   answered asynchronously by Handlers::on_request
//                     and respond() (the archive's JSON API)
//   GET <media prefix><folder>/<name>   listed files of a folder's subfolders,
//                     with byte ranges (a <video> seeks with them)
//   GET /<file>       static files from the web root (when one is set)
//   /ws               WebSocket: JSON text messages, handed to the controller
//
// Threads: the server never calls into the controller directly. Incoming
// WebSocket messages are handed to `Handlers::on_message` on the service
// thread; the controller's implementation of that queues them to its own
// thread. Replies and events come back through send()/publish(), which are
// thread-safe: they push onto a bounded queue and wake the service thread with
// lws_cancel_service(); the service thread writes a message at once when
// the client has nothing queued, otherwise in LWS_CALLBACK_SERVER_WRITEABLE.
// A client whose outgoing queue is full (a slow reader) is dropped, so no
// client can grow the studio's memory.
//
// Limits, as a client sees them:
//   message over max_message_bytes      close 1009 "message too big"
//   binary message                      {"type":"error","code":"bad_message",
//                                        "message":"text frames only"}, stays open
//   invalid UTF-8                       same, "message":"invalid UTF-8", stays open
//   over messages_per_second/burst      {"type":"error","code":"rate_limited",...},
//                                       then close 1008 "rate limited"
//   over max_connections_per_address    upgrade refused: HTTP 429 with
//                                       {"type":"error","code":"too_many_connections",...}
//   Origin neither allowed_origins nor  upgrade refused: HTTP 403
//     the request's own (checked) Host
//   Host not allowed (DNS rebinding)    any request: HTTP 421 {"code":"unknown_host"}
//   over max_connections (sockets)      the connection is closed at once
//   WebSocket clients over              upgrade refused: HTTP 503 "server_full", unless the
//     max_connections - staff_reserve   upgrade asks for /ws?staff (a staff page), which must
//                                       then be a signed-in staff client (the controller's job)
//   over max_http_connections_per_address (TCP, peers that are not trusted proxies): closed
//   headers not complete in header_timeout_s   the connection is closed
//   silent (no pong) for 2 × ping_interval_s   the connection is closed
//   upgrade on a path other than /ws    upgrade refused: HTTP 404
//   not reading (queue over its limits) close 1008 "too slow", or cut off without a
//                                       close frame when its socket is full
//   silent for idle_timeout_s           close 1000 "idle timeout"
//   close(id)                           queued messages, then close 1000
//   stop()                              queued messages, then close 1001
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "studio/server/client_address.h"
#include "studio/server/client_id.h"
#include "studio/server/client_sink.h"
#include "studio/server/local_clients.h"

namespace yst::server {

// Files served with byte ranges: <prefix><folder>/<name> is
// <dir>/<folder>/<name>, for the names listed only (one folder per show:
// the video is public, the question spreadsheet beside it is not).
struct MediaMount {
  std::string prefix;  // "/archive/media/"
  std::string dir;
  std::vector<std::string> names;  // "program.mp4", "poster.jpg", …
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: pick a free port (see ControlServer::port())
  std::string hls_dir;   // served at /hls/; empty: /hls/ is 404
  std::string web_root;  // served at /; empty: only the routes above
  // Extra directories served under a URL prefix ("/vendor/" → a folder of
  // npm packages' files); the same path checks as the web root.
  std::vector<std::pair<std::string, std::string>> mounts;
  // Exact paths answered with 302 to a location ("/q" → "/").
  std::vector<std::pair<std::string, std::string>> redirects;
  // Paths under a prefix answered with 302 to a location plus the rest of
  // the path, which must be one safe segment ("/o/" → "/#o=": invitation
  // links whose token ends up in a fragment, never in a server log).
  std::vector<std::pair<std::string, std::string>> prefix_redirects;
  // GET and HEAD requests under these prefixes ("/api/archive/") go to
  // Handlers::on_request; the connection waits for respond().
  std::vector<std::string> request_prefixes;
  // Requests under these prefixes ("/whip/", "/api/guest") with GET, POST,
  // DELETE or OPTIONS go to Handlers::on_api with their Authorization and
  // body; the connection waits for respond(RequestId, ApiResponse). A POST
  // must say its Content-Length (else 411), at most max_api_body_bytes (else
  // 413). An address whose tokens were answered 401 twice is refused (429)
  // for a period doubling from 1 s up to a minute, as at the staff gate.
  std::vector<std::string> api_prefixes;
  std::size_t max_api_body_bytes = 64 * 1024;
  // Requests waiting for respond() at once; over it: 503 "busy".
  std::size_t max_pending_requests = 64;
  std::vector<MediaMount> media_mounts;
  std::size_t max_message_bytes = 4096;    // a larger WebSocket message closes the connection
  std::size_t max_queued_messages = 1024;  // per client; over it the client is dropped
  // Per client, payload bytes waiting to be written (frames are shared
  // between clients, so this bounds what one slow reader can pin, not a copy).
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  std::size_t max_connections_per_address = 16;  // WebSocket connections from one IP
  double messages_per_second = 20;               // per connection, token bucket ...
  double message_burst = 40;                     // ... of this depth; over it: error + close
  int idle_timeout_s = 300;                      // a WebSocket silent this long is closed; 0: never
  // Messages handed over by send()/publish() that the service thread has not
  // picked up yet. Only reached when the service thread is stalled; over it the
  // oldest are dropped (counted in ServerStats::dropped_pending_messages).
  // setChannels() changes wait in the same order but are never dropped.
  std::size_t max_pending_messages = 8192;
  // Browser pages from other sites may open WebSockets to us (lws does not
  // check Origin). Non-empty: an upgrade whose Origin header is present and not
  // listed here ("http://studio.local:8080") is refused with 403. Clients that
  // send no Origin (not browsers) are not affected.
  // Besides these, an Origin equal to http(s)://<the request's Host> is
  // allowed (a page of this server), but only for a Host that passed the
  // Host check below.
  std::vector<std::string> allowed_origins;
  // DNS rebinding: a page on evil.example whose name the attacker points at
  // 127.0.0.1 reaches a studio bound there with "Host: evil.example". A
  // request's Host (without port) must be an IP literal, "localhost", or one
  // of these (the public URL's host, the listen host); otherwise 421.
  std::vector<std::string> allowed_hosts;
  // Origins besides this server's own that its pages may load media from
  // ("https://live.example.cn": an edge's HLS on a CDN): added to the pages'
  // Content-Security-Policy for fetches and media, nothing else.
  std::vector<std::string> media_origins;
  // Tokens that unlock /api/status and /metrics (Authorization: Bearer).
  // Empty: those two answer 401 to everyone.
  std::vector<std::string> staff_tokens;
  // Peers whose X-Forwarded-For is believed (see client_address.h). The
  // address every per-address limit and on_open() use is the real client's.
  TrustedProxies trusted_proxies;
  // Open sockets (HTTP and WebSocket) at once; further connections are
  // closed as they arrive, so that viewers can never take the descriptors
  // the recording, the destinations and SQLite need. 0: derived from
  // RLIMIT_NOFILE at start() (the limit less kReservedDescriptors).
  std::size_t max_connections = 0;
  // WebSocket upgrades beyond max_connections - staff_reserve are refused
  // unless they ask for /ws?staff.
  std::size_t staff_reserve = 32;
  // Sockets open at once from one address that is not a trusted proxy,
  // counted before any header arrives: a slowloris from one address cannot
  // take lws's header tables (max_http_header_pool) from everyone else.
  std::size_t max_http_connections_per_address = 32;
  // The request headers must be complete this soon after the connection
  // (or the previous request on it) began.
  int header_timeout_s = 5;
  // WebSocket pings this often when a client is otherwise silent (below
  // nginx's default 60 s proxy_read_timeout); a client that answers nothing
  // for twice as long is dropped. 0: no pings.
  int ping_interval_s = 30;
};

// Descriptors kept out of max_connections' reach when it is derived from
// RLIMIT_NOFILE: the pipelines, the recording, RTMP sockets, SQLite files.
inline constexpr std::size_t kReservedDescriptors = 256;

// Raises the soft RLIMIT_NOFILE to the hard limit (once, at start-up, before
// any thread). Returns the soft limit in force afterwards.
std::size_t raiseFileLimit();

// Counters for /metrics and tests; a snapshot, each field read atomically.
struct ServerStats {
  std::size_t connections = 0;                 // WebSocket clients connected now
  std::size_t queued_messages = 0;             // in all per-client queues now
  std::uint64_t accepted_connections = 0;      // since start
  std::uint64_t refused_connections = 0;       // over max_connections_per_address
  std::uint64_t dropped_slow_clients = 0;      // queue over max_queued_messages or _bytes
  std::uint64_t dropped_pending_messages = 0;  // over max_pending_messages
  std::uint64_t oversize_closes = 0;           // message over max_message_bytes
  std::uint64_t rate_limited_closes = 0;       // over the token bucket
  std::uint64_t bad_messages = 0;              // binary or invalid UTF-8
  std::uint64_t idle_closes = 0;               // silent for idle_timeout_s
  std::size_t sockets = 0;                     // TCP connections open now (HTTP and WebSocket)
  std::uint64_t refused_sockets = 0;           // over max_connections or the per-address cap
  std::uint64_t refused_full = 0;              // upgrades refused over max_connections - reserve
  std::uint64_t unauthorized_requests = 0;     // /api/status or /metrics without a valid token
  std::uint64_t refused_hosts = 0;             // Host not allowed
  std::uint64_t refused_origins = 0;           // Origin not allowed
};

// A request under one of ServerOptions::api_prefixes (WHIP publishers, the
// guest page), with what its handler needs to authorise and answer it.
struct ApiRequest {
  std::string method;         // "GET", "HEAD", "POST", "DELETE" or "OPTIONS"
  std::string path;           // from its '/', %-decoded, without the query
  std::string authorization;  // the Authorization header as sent; "" if none
  std::string content_type;   // POST: its Content-Type
  std::string body;           // POST: the whole body
  std::string address;        // the client's IP (behind a trusted proxy, the forwarded one)
};

struct ApiResponse {
  unsigned int status = 0;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Extra headers, names without the colon ("location", "/whip/remote1/3").
  std::vector<std::pair<std::string, std::string>> headers;
};

class ControlServer : public ClientSink {
 public:
  struct Handlers {
    // Service thread. A complete text message (never larger than
    // max_message_bytes, always valid UTF-8: invalid UTF-8 gets an error reply
    // from the server itself and is not passed on). Must not block.
    std::function<void(ClientId, std::string message)> on_message;
    // Service thread. The connection is gone; its id will not be seen again.
    std::function<void(ClientId)> on_close;
    // Service thread, optional. A WebSocket client was accepted; on_close
    // follows exactly once for every id seen here. `peer_address` is the
    // client's numeric IP (behind a trusted proxy, the one it forwarded for),
    // for logs; per-address limits key on addressKey() of it.
    std::function<void(ClientId, const std::string& peer_address)> on_open;
    // Service thread, optional. A GET or HEAD under one of request_prefixes;
    // `args` are the query string's name=value pairs, %-decoded. Must not
    // block: answer later with respond(), from any thread. A request whose
    // client went away meanwhile is answered into the void.
    std::function<void(RequestId, std::string path,
                       std::vector<std::pair<std::string, std::string>> args)>
        on_request;
    // Service thread, optional. A request under one of api_prefixes, body
    // complete. Must not block: answer later with respond(RequestId,
    // ApiResponse), from any thread.
    std::function<void(RequestId, ApiRequest)> on_api;
  };

  ControlServer(ServerOptions options, Handlers handlers);
  ~ControlServer() override;  // stop()s
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and starts the service thread. False with a message in *error when
  // the address cannot be bound (or the server is already running).
  bool start(std::string* error);
  // Closes every connection (what was already handed over is still written,
  // then close 1001; clients get ~0.5 s before they are cut off), destroys the
  // lws context and joins the service thread; on_close runs for every open
  // client before it returns. Idempotent. Must not be called from a handler
  // (it would join its own thread).
  void stop();
  // The bound port (useful with port 0). Valid after start().
  int port() const;

  // --- thread-safe ---
  void setStatusJson(std::shared_ptr<const std::string> json);
  void setMetricsText(std::shared_ptr<const std::string> text);
  void setPublicStatusJson(std::shared_ptr<const std::string> json);
  // Queue one message for one client (a reply). Unknown ids are ignored.
  void send(ClientId client, std::shared_ptr<const std::string> message) override;
  // Which channels a client receives publish()ed messages on (default none).
  void setChannels(ClientId client, std::uint32_t channels) override;
  // Queue one message for every client subscribed to any of `channels`.
  void publish(std::uint32_t channels, std::shared_ptr<const std::string> message) override;
  // In-process clients (the Qt Quick console): they speak the same JSON
  // protocol as a WebSocket client — their messages go to the controller
  // like any other, send() and publish() reach them by their channels — but
  // `deliver` is called instead of a socket write, on the thread that sent
  // or published (the controller's; the database writer's for a question's
  // acknowledgement), in order. Their ids never collide with WebSocket
  // clients'. A local client is not counted in connectionCount().
  ClientId addLocalClient(std::function<void(std::shared_ptr<const std::string>)> deliver);
  void removeLocalClient(ClientId client);
  static bool isLocalClient(ClientId client) { return LocalClients::isLocal(client); }

  // The answer to an on_request(). Unknown or gone requests are ignored.
  void respond(RequestId request, unsigned int http_status, std::shared_ptr<const std::string> body,
               std::string content_type = "application/json; charset=utf-8");
  // The answer to an on_api(); a 401 counts against the request's address.
  void respond(RequestId request, ApiResponse response);
  // Close a client after its queued messages are written.
  void close(ClientId client);
  // A different incoming-message allowance for one client (a signed-in
  // producer's console sends bursts: a bulk approve, a reorder).
  void setMessageRate(ClientId client, double messages_per_second, double burst);
  // The client signed in as staff: a connection admitted through the staff
  // reserve keeps its place (see ServerOptions::staff_reserve).
  void markStaff(ClientId client);

  // Counters for /metrics and tests.
  std::size_t connectionCount() const;
  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yst::server
