// Private to studio/server: what the server's parts share. ControlServer::Impl
// (control_server.cpp) owns one of each and lends references to the HTTP side
// (http_routes.*) and the WebSocket transport (ws_transport.*).
//
// Everything here runs on the service thread (or inside
// lws_create_context()/lws_context_destroy(), never concurrently with it),
// except what says otherwise: the Handover's fields, guarded by its mutex, and
// the counters, read from any thread.
#pragma once

#include <libwebsockets.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "studio/server/control_server.h"

namespace yst::server {

// --- lws helpers --------------------------------------------------------------

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// {"type":"error","code":…,"message":…}; code and message are our own text.
inline std::string jsonError(std::string_view code, std::string_view message) {
  std::string out = R"({"type":"error","code":")";
  out += code;
  out += R"(","message":")";
  out += message;
  out += "\"}";
  return out;
}

inline std::string headerValue(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<std::size_t>(length) + 1, '\0');
  const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
  if (copied < 0) return {};
  value.resize(static_cast<std::size_t>(copied));
  return value;
}

// Each fragment lws keeps of a header: the name=value pairs of the query,
// or the values of a header sent more than once.
inline std::vector<std::string> headerFragments(lws* wsi, lws_token_indexes token) {
  std::vector<std::string> out;
  const int total = lws_hdr_total_length(wsi, token);
  if (total <= 0) return out;
  std::string fragment(static_cast<std::size_t>(total) + 1, '\0');
  for (int i = 0;; ++i) {
    const int n = lws_hdr_copy_fragment(wsi, fragment.data(), total + 1, token, i);
    if (n < 0) break;  // no more
    out.emplace_back(fragment.data(), static_cast<std::size_t>(n));
  }
  return out;
}

inline std::string peerAddress(lws* wsi) {
  char buffer[128] = {};
  if (!lws_get_peer_simple(wsi, buffer, sizeof(buffer))) return "unknown";
  std::string address(buffer);
  // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d; count them
  // as the IPv4 address they are.
  if (address.starts_with("::ffff:") && address.find('.') != std::string::npos) {
    address.erase(0, 7);
  }
  return address;
}

// One outgoing WebSocket message with the headroom lws_write() needs. Shared
// (read-only payload) between the queues of all its recipients.
struct OutFrame {
  explicit OutFrame(std::string_view payload)
      : bytes(std::make_unique_for_overwrite<unsigned char[]>(LWS_PRE + payload.size())),
        size(payload.size()) {
    if (!payload.empty()) std::memcpy(bytes.get() + LWS_PRE, payload.data(), payload.size());
  }
  unsigned char* payload() { return bytes.get() + LWS_PRE; }

  std::unique_ptr<unsigned char[]> bytes;  // LWS_PRE headroom, then the payload
  std::size_t size;                        // payload bytes
};
using FramePtr = std::shared_ptr<OutFrame>;

// lws's per-session data (zeroed by lws). 0: not an accepted WebSocket client.
struct SessionData {
  ClientId id;
};

// --- what other threads hand to the service thread ----------------------------

// A message or a channel change, applied in order.
struct Outgoing {
  ClientId client = 0;  // 0: publish to `channels`
  std::uint32_t channels = kChannelNone;
  FramePtr frame;  // null: set `client`'s channels to `channels`
};

// An on_request() answer, handed from any thread, then held for the
// request's writable callback.
struct AsyncResponse {
  RequestId request = 0;
  unsigned int status = 0;
  std::string content_type;
  std::shared_ptr<const std::string> body;
  bool head_only = false;
  // on_api() answers: extra headers, names without the colon.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The facade's calls (any thread) leave their work here and wake the service
// thread with lws_cancel_service(); it picks everything up in
// LWS_CALLBACK_EVENT_WAIT_CANCELLED (ControlServer::Impl::drainHandedOver).
struct Handover {
  // Service thread: a WebSocket client was accepted, or is gone (then
  // nothing handed over for it is kept).
  void admit(ClientId id) {
    std::lock_guard lock(mutex);
    known_clients.insert(id);
  }
  void forget(ClientId id) {
    std::lock_guard lock(mutex);
    known_clients.erase(id);
    close_requests.erase(id);
    rate_requests.erase(id);
    staff_marks.erase(id);
  }

  mutable std::mutex mutex;
  // Non-null while the service thread may be woken. Guarded by mutex.
  lws_context* wake_context = nullptr;
  // Messages and channel changes not yet picked up by the service thread, in
  // order. Guarded by mutex.
  std::deque<Outgoing> pending;
  // How many entries of pending are messages (the bound applies to these
  // only: a channel change is never dropped). Guarded by mutex.
  std::size_t pending_messages = 0;
  // Set when the pending queue overflowed; cleared when it is drained, so the
  // overflow is logged once per episode. Guarded by mutex.
  bool pending_overflow_logged = false;
  // Every accepted client: the ids send(), close() and setChannels() accept
  // (channels themselves live with the transport's clients, service thread
  // only). Guarded by mutex.
  std::unordered_set<ClientId> known_clients;
  // Guarded by mutex.
  std::unordered_set<ClientId> close_requests;
  // (messages per second, burst) to apply. Guarded by mutex.
  std::unordered_map<ClientId, std::pair<double, double>> rate_requests;
  // Clients signed in as staff (markStaff()), to apply. Guarded by mutex.
  std::unordered_set<ClientId> staff_marks;
  // Answers to on_request() not yet picked up. Guarded by mutex.
  std::vector<AsyncResponse> responses;
  // Guarded by mutex.
  bool stop_requested = false;
  // The documents the controller publishes, served over HTTP. Guarded by mutex.
  std::shared_ptr<const std::string> status_json;
  std::shared_ptr<const std::string> metrics_text;
  std::shared_ptr<const std::string> public_status_json;
};

// Counters for stats(): written by the service thread, read anywhere.
struct ServerCounters {
  ServerStats snapshot() const {
    ServerStats stats;
    stats.connections = connections;
    stats.queued_messages = queued_messages;
    stats.accepted_connections = accepted;
    stats.refused_connections = refused;
    stats.dropped_slow_clients = dropped_slow;
    stats.dropped_pending_messages = dropped_pending;
    stats.oversize_closes = oversize;
    stats.rate_limited_closes = rate_limited;
    stats.bad_messages = bad_messages;
    stats.idle_closes = idle_closes;
    stats.sockets = sockets;
    stats.refused_sockets = refused_sockets;
    stats.refused_full = refused_full;
    stats.unauthorized_requests = unauthorized;
    stats.refused_hosts = refused_hosts;
    stats.refused_origins = refused_origins;
    return stats;
  }

  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> queued_messages{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> dropped_slow{0};
  std::atomic<std::uint64_t> dropped_pending{0};  // written under the Handover's mutex
  std::atomic<std::uint64_t> oversize{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> bad_messages{0};
  std::atomic<std::uint64_t> idle_closes{0};
  std::atomic<std::size_t> sockets{0};
  std::atomic<std::uint64_t> refused_sockets{0};
  std::atomic<std::uint64_t> refused_full{0};
  std::atomic<std::uint64_t> unauthorized{0};
  std::atomic<std::uint64_t> refused_hosts{0};
  std::atomic<std::uint64_t> refused_origins{0};
};

// Who may connect and from where, for HTTP and WebSocket alike: the socket
// caps (in all and per address, counted before any header arrives), the
// client's real address, the Host and Origin checks. Service thread.
class Admission {
 public:
  Admission(const ServerOptions& options, ServerCounters& counters)
      : options_(options), counters_(counters) {}

  // start(): the cap on open sockets (options.max_connections, or derived).
  void setMaxSockets(std::size_t max_sockets) { max_sockets_ = max_sockets; }
  std::size_t maxSockets() const { return max_sockets_; }
  std::size_t sockets() const { return sockets_.size(); }

  // Before anything is read from the socket: false closes it.
  bool filter(const lws_filter_network_conn_args& args);
  void onNewSocket(lws* wsi);
  void onSocketGone(lws* wsi);
  // The client behind `wsi` (X-Forwarded-For from a trusted proxy).
  std::string clientAddress(lws* wsi) const;
  // DNS rebinding: the Host must be an IP literal, localhost or allowed.
  bool hostAllowed(lws* wsi) const;
  // A WebSocket's Origin: none (not a browser), allowed, or this server's own.
  bool originAllowed(lws* wsi) const;
  // After the context is gone.
  void clear();

 private:
  const ServerOptions& options_;
  ServerCounters& counters_;
  // Every open socket (HTTP or WebSocket) → its TCP peer's address key, and
  // the count per peer address that is not a trusted proxy.
  std::unordered_map<lws*, std::string> sockets_;
  std::unordered_map<std::string, std::size_t> sockets_per_address_;
  std::size_t max_sockets_ = 0;
};

}  // namespace yst::server
