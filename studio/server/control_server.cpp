// libwebsockets implementation of ControlServer. See control_server.h for the
// contract; this file is about how it is kept on lws 4.1 (Debian 12). It holds
// the lifecycle (start, the service loop, stop), the hand-over from other
// threads, socket admission and the lws callback, which passes each event to
// its part: the HTTP side (http_routes.*), the WebSocket transport
// (ws_transport.*), the in-process clients (local_clients.*).
//
// - One context, one explicit vhost, one protocol that is both the HTTP
//   handler and the default WebSocket protocol (so clients that offer no
//   subprotocol are accepted). LWS_MAX_SMP 1.
// - The event loop is libuv's (epoll), owned by the service thread and lent
//   to lws as a "foreign loop". lws's default poll() loop walks every socket
//   on every wake-up: measured here, it fell to ~300 messages/s at 5,000
//   connections, while the same server on libuv held 15,000.
// - Everything lws-related runs on the service thread. Other threads only
//   touch the Handover's fields (server_impl.h, guarded by its mutex) and
//   wake the loop with lws_cancel_service(); the loop picks the work up in
//   LWS_CALLBACK_EVENT_WAIT_CANCELLED.
// - Outgoing WebSocket messages are copied once, when they are handed over,
//   into an OutFrame with LWS_PRE bytes of headroom. A publish() shares that
//   one frame between every recipient's queue; lws writes the frame header
//   into the headroom, which is safe because only the service thread writes
//   and lws copies whatever it cannot send at once.
// - A frame for a client with nothing queued is written at once, outside
//   any WRITEABLE callback (from the loop's own turns, never from inside a
//   callback of that connection). Asking for WRITEABLE first costs, per
//   frame, four epoll_ctl() calls on libuv 1.44 (uv_poll_start() deletes
//   and re-adds the descriptor, both to arm and to disarm POLLOUT): 30 % of
//   the service thread at 10,000 viewers, measured. The queue and WRITEABLE
//   are for clients whose socket did not take the last frame whole.
// - lws does the HTTP parsing, including %-decoding and collapsing "/../";
//   on top of that we accept only a small character set per path segment and
//   check with realpath() that the file is inside its root (file_serving.*).
#include "studio/server/control_server.h"

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/server/http_routes.h"
#include "studio/server/server_impl.h"
#include "studio/server/ws_transport.h"

#include <libwebsockets.h>
#include <uv.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace yst::server {
namespace {

// lws serves files in pieces of its per-thread buffer; 4 KB (the default)
// costs a poll() round per 4 KB of an HLS segment.
constexpr unsigned int kServiceBufferBytes = 32 * 1024;
// How long stop() lets clients answer the close handshake before the context
// is destroyed under them.
constexpr auto kShutdownGrace = std::chrono::milliseconds(500);
constexpr char kProtocolName[] = "yishiting";

// lws sends at most this much per send() and copies the rest of a frame into
// a per-connection buffer; with the default (the 4 KB rx buffer) every public
// update to every viewer was cut into 4 KB pieces and mostly copied (measured:
// 1 GB of such copies at 10,000 viewers). The kernel takes far more at once.
constexpr std::size_t kTxPacketBytes = 256 * 1024;
// lws's header tables: a connection holds one from its first byte until its
// headers are parsed (a WebSocket until it is upgraded). 64 (what we had) was
// filled by 64 slowloris connections, and everyone else waited up to lws's
// 10 s hold timeout (measured: a GET took 6 s). With the per-address cap it
// takes several addresses to come near 256; each table is ~4.5 KB.
constexpr unsigned short kHeaderTables = 256;

// "Host: example.org:8443" -> "example.org"; "[::1]:80" -> "[::1]".
std::string_view hostWithoutPort(std::string_view host) {
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::string addressOf(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text,
              sizeof(text));
  }
  std::string out(text);
  if (out.starts_with("::ffff:") && out.find('.') != std::string::npos) out.erase(0, 7);
  return out.empty() ? "unknown" : out;
}

void logError(const char* what) {
  yst::logError("server", what);
}

// lws's own log lines, errors only (set in start()). They never contain
// message payloads.
void emitLwsLog(int /*level*/, const char* line) {
  std::string_view text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  yst::logError("server", std::string("lws: ") + std::string(text));
}

struct ContextDeleter {
  void operator()(lws_context* context) const { lws_context_destroy(context); }
};
using ContextPtr = std::unique_ptr<lws_context, ContextDeleter>;

}  // namespace

struct ControlServer::Impl {
  Impl(ServerOptions options_in, Handlers handlers_in)
      : options_(std::move(options_in)), handlers_(std::move(handlers_in)) {}

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  static const lws_protocols kProtocols[];

  bool start(std::string* error);
  void stop();
  void serviceLoop();

  // Any thread; takes the hand-over's mutex.
  void hand(Outgoing outgoing);

  // --- service thread ---
  void drainHandedOver();
  void beginShutdown();
  // Service thread: stops the loop once shutting down and every client is
  // gone, or the grace period is over.
  void finishShutdownIfDone();
  // Frees the context in the stages lws on a foreign loop needs.
  void destroyContext();

  // Set at construction, read-only afterwards (any thread).
  const ServerOptions options_;
  const Handlers handlers_;

  // Any thread (atomics).
  ServerCounters counters_;
  std::atomic<int> port_{0};  // written by start() and stop()
  // What other threads hand over; its fields are guarded by its mutex.
  Handover handover_;
  // In-process clients (thread-safe, their own lock).
  LocalClients local_clients_;

  // Service thread only (and start() before the thread exists). The lws
  // callback also runs inside lws_create_context() and lws_context_destroy(),
  // so everything it reaches is declared before the context.
  Admission admission_{options_, counters_};
  HttpService http_{options_, handlers_, handover_, admission_, counters_};
  WsTransport ws_{options_, handlers_, handover_, admission_, counters_, [this] {
                    if (!destroying_) finishShutdownIfDone();
                  }};
  // lws_context_destroy() is running: wsis are going away under us, so
  // nothing new is queued or scheduled.
  bool destroying_ = false;
  std::int64_t shutdown_deadline_us_ = 0;
  // The service thread's event loop; lws runs on it. The timer ends the
  // shutdown grace period. Initialised in start(), closed at the end of
  // serviceLoop().
  uv_loop_t loop_ = {};
  // The context until lws has freed all of it (lws writes NULL here).
  lws_context* live_context_ = nullptr;
  uv_timer_t shutdown_timer_ = {};
  // lws keeps a pointer to it for the vhost's life.
  lws_retry_bo_t ping_policy_ = {};

  // start()/stop() caller only. The context is created in start() and
  // destroyed at the end of serviceLoop() (so that on_close runs on the
  // service thread); the thread is joined before start() may run again.
  ContextPtr context_;
  lws_vhost* vhost_ = nullptr;
  std::thread thread_;
};

// One protocol: the HTTP handler and, being first, the vhost's default
// WebSocket protocol, chosen when a client offers no subprotocol.
const lws_protocols ControlServer::Impl::kProtocols[] = {
    {kProtocolName, &ControlServer::Impl::callback, sizeof(SessionData), 4096, 0, nullptr,
     kTxPacketBytes},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

namespace {

// Added by lws to every response it builds a status line for (our replies,
// its own errors and the file server).
const lws_protocol_vhost_options kNoSniffHeader = {nullptr, nullptr,
                                                   "x-content-type-options:", "nosniff"};

std::string describeBindFailure(const std::string& host, int port) {
  std::string message = "cannot listen on " + host + ":" + std::to_string(port);
  // lws does not tell us why; repeat the bind to find out.
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints,
                  &found) != 0 ||
      !found) {
    return message + " (not a numeric address, or see the log above)";
  }
  const int fd = ::socket(found->ai_family, found->ai_socktype, 0);
  int saved_errno = 0;
  if (fd >= 0) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) saved_errno = errno;
    ::close(fd);
  } else {
    saved_errno = errno;
  }
  freeaddrinfo(found);
  if (saved_errno != 0) message += std::string(": ") + std::strerror(saved_errno);
  return message;
}

}  // namespace

// ---------------------------------------------------------------------------
// Lifecycle (start()/stop() caller thread)

bool ControlServer::Impl::start(std::string* error) {
  auto fail = [error](std::string message) {
    if (error) *error = std::move(message);
    return false;
  };
  if (thread_.joinable()) return fail("server already running");

  // Process-wide: silence lws's notices, keep its errors.
  lws_set_log_level(LLL_ERR, emitLwsLog);

  if (uv_loop_init(&loop_) != 0) return fail("cannot create the event loop (libuv)");
  void* foreign_loops[1] = {&loop_};
  lws_context_creation_info info = {};
  info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_LIBUV;
  info.foreign_loops = foreign_loops;
  info.pcontext = &live_context_;
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.user = this;
  info.count_threads = 1;
  info.pt_serv_buf_size = kServiceBufferBytes;
  info.max_http_header_pool = kHeaderTables;
  info.server_string = "yishiting";
  info.timeout_secs = 10;
  context_.reset(lws_create_context(&info));
  live_context_ = context_.get();
  if (!context_) {
    uv_loop_close(&loop_);
    return fail("cannot create the libwebsockets context (is its libuv plugin installed?)");
  }

  const bool ipv4_host = options_.host.find(':') == std::string::npos;
  lws_context_creation_info vhost_info = {};
  vhost_info.vhost_name = "audience";
  vhost_info.port = options_.port;
  vhost_info.iface = options_.host.empty() ? nullptr : options_.host.c_str();
  vhost_info.protocols = kProtocols;
  vhost_info.headers = &kNoSniffHeader;
  vhost_info.user = this;
  vhost_info.keepalive_timeout = 5;
  vhost_info.timeout_secs_ah_idle =
      static_cast<unsigned int>(std::max(1, options_.header_timeout_s));
  // Pings when a WebSocket is otherwise silent; lws hangs up on one that has
  // shown no sign of life (data or pong) for twice the interval.
  if (options_.ping_interval_s > 0) {
    ping_policy_ = {};
    ping_policy_.secs_since_valid_ping = static_cast<std::uint16_t>(options_.ping_interval_s);
    ping_policy_.secs_since_valid_hangup = static_cast<std::uint16_t>(2 * options_.ping_interval_s);
    vhost_info.retry_and_idle_policy = &ping_policy_;
  }
  vhost_info.options =
      LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND | (ipv4_host ? LWS_SERVER_OPTION_DISABLE_IPV6 : 0);
  vhost_ = lws_create_vhost(context_.get(), &vhost_info);
  const int bound_port = vhost_ ? lws_get_vhost_listen_port(vhost_) : 0;
  if (!vhost_ || bound_port <= 0) {
    vhost_ = nullptr;
    destroyContext();
    uv_loop_close(&loop_);
    return fail(describeBindFailure(options_.host, options_.port));
  }
  port_ = bound_port;
  std::size_t max_sockets = options_.max_connections;
  if (max_sockets == 0) {
    rlimit limit = {};
    const std::size_t files =
        ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
            ? static_cast<std::size_t>(limit.rlim_cur)
            : 1024;
    max_sockets = files > 2 * kReservedDescriptors ? files - kReservedDescriptors : files / 2;
  }
  admission_.setMaxSockets(max_sockets);

  {
    std::lock_guard lock(handover_.mutex);
    handover_.stop_requested = false;
    handover_.wake_context = context_.get();
  }
  thread_ = std::thread([this] { serviceLoop(); });
  return true;
}

void ControlServer::Impl::stop() {
  if (!thread_.joinable()) return;
  if (std::this_thread::get_id() == thread_.get_id()) {
    logError("stop() called from a handler on the service thread; ignored");
    return;
  }
  {
    std::lock_guard lock(handover_.mutex);
    handover_.stop_requested = true;
    if (handover_.wake_context) lws_cancel_service(handover_.wake_context);
  }
  thread_.join();
  {
    std::lock_guard lock(handover_.mutex);
    handover_.pending.clear();
    handover_.pending_messages = 0;
    handover_.close_requests.clear();
    handover_.known_clients.clear();
    handover_.stop_requested = false;
  }
  vhost_ = nullptr;
  port_ = 0;
}

// Service thread for its whole life.
void ControlServer::Impl::serviceLoop() {
  uv_timer_init(&loop_, &shutdown_timer_);
  ws_.attach(&loop_);
  // Runs until finishShutdownIfDone() stops it.
  uv_run(&loop_, UV_RUN_DEFAULT);
  {
    std::lock_guard lock(handover_.mutex);
    handover_.wake_context = nullptr;
  }
  uv_timer_stop(&shutdown_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
  ws_.detach();
  // Closes what is left (LWS_CALLBACK_CLOSED → on_close, on this thread);
  // lws finishes closing its handles when the loop runs once more.
  destroying_ = true;
  destroyContext();
  if (uv_loop_close(&loop_) != 0) logError("event loop closed with handles still open");
  destroying_ = false;
  ws_.clear();
  admission_.clear();
  http_.clear();
}

// lws on a foreign loop destroys its context in stages: the first call closes
// its handles, the loop must run for their close callbacks, and a further call
// frees the rest (its fd tables among them: 350 KB leaked per server
// otherwise, found by LeakSanitizer). lws clears live_context_ when done.
void ControlServer::Impl::destroyContext() {
  lws_context* context = context_.release();
  if (!context) return;
  lws_context_destroy(context);
  uv_run(&loop_, UV_RUN_DEFAULT);
  for (int round = 0; live_context_ && round < 3; ++round) {
    lws_context_destroy(live_context_);
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  live_context_ = nullptr;
}

// Service thread: asks every client to go away, then lets the loop run
// until they are gone or the grace period is over.
void ControlServer::Impl::beginShutdown() {
  shutdown_deadline_us_ =
      steadyNowUs() + std::chrono::duration_cast<std::chrono::microseconds>(kShutdownGrace).count();
  uv_timer_start(
      &shutdown_timer_,
      // The grace period is over: whoever is left is cut off.
      [](uv_timer_t* timer) { uv_stop(timer->loop); },
      static_cast<std::uint64_t>(kShutdownGrace.count()), 0);
  ws_.beginShutdown();
  finishShutdownIfDone();
}

void ControlServer::Impl::finishShutdownIfDone() {
  if (ws_.shuttingDown() && (ws_.empty() || steadyNowUs() >= shutdown_deadline_us_))
    uv_stop(&loop_);
}

// ---------------------------------------------------------------------------
// Cross-thread hand-over

void ControlServer::Impl::hand(Outgoing outgoing) {
  std::lock_guard lock(handover_.mutex);
  if (!handover_.wake_context || handover_.stop_requested) return;
  if (outgoing.client != 0 && !handover_.known_clients.contains(outgoing.client)) return;
  // Over the bound the oldest message goes, never a channel change: losing
  // setChannels() would leave the client outside its channels (a producer
  // who signed in hearing nothing) for the rest of its connection.
  if (outgoing.frame &&
      handover_.pending_messages >= std::max<std::size_t>(options_.max_pending_messages, 1)) {
    const auto oldest = std::find_if(handover_.pending.begin(), handover_.pending.end(),
                                     [](const Outgoing& o) { return o.frame != nullptr; });
    handover_.pending.erase(oldest);
    --handover_.pending_messages;
    ++counters_.dropped_pending;
    if (!handover_.pending_overflow_logged) {
      handover_.pending_overflow_logged = true;
      logError("outgoing queue full (service thread stalled?): dropping oldest messages");
    }
  }
  if (outgoing.frame) ++handover_.pending_messages;
  handover_.pending.push_back(std::move(outgoing));
  lws_cancel_service(handover_.wake_context);
}

// Service thread, LWS_CALLBACK_EVENT_WAIT_CANCELLED.
void ControlServer::Impl::drainHandedOver() {
  std::deque<Outgoing> batch;
  std::unordered_set<ClientId> closes;
  std::unordered_map<ClientId, std::pair<double, double>> rates;
  std::vector<AsyncResponse> responses;
  std::unordered_set<ClientId> staff;
  bool stop = false;
  {
    std::lock_guard lock(handover_.mutex);
    staff.swap(handover_.staff_marks);
    batch.swap(handover_.pending);
    handover_.pending_messages = 0;
    responses.swap(handover_.responses);
    closes.swap(handover_.close_requests);
    rates.swap(handover_.rate_requests);
    handover_.pending_overflow_logged = false;
    stop = handover_.stop_requested;
  }
  // Outside the lock: a publish to thousands of viewers must not hold up the
  // threads handing over the next messages.
  ws_.apply(batch, rates, staff, closes);
  http_.applyResponses(std::move(responses));
  if (stop && !ws_.shuttingDown()) beginShutdown();
}

// ---------------------------------------------------------------------------
// Socket admission (service thread), shared by HTTP and WebSocket

std::string Admission::clientAddress(lws* wsi) const {
  const std::string peer = peerAddress(wsi);
  if (options_.trusted_proxies.empty()) return peer;
  // lws keeps repeated X-Forwarded-For headers as fragments; a proxy chain
  // that sends several is read as one list in order.
  std::string forwarded;
  for (const std::string& fragment : headerFragments(wsi, WSI_TOKEN_X_FORWARDED_FOR)) {
    if (!forwarded.empty()) forwarded += ',';
    forwarded += fragment;
  }
  return options_.trusted_proxies.clientAddress(peer, forwarded);
}

bool Admission::hostAllowed(lws* wsi) const {
  const std::string host_header = headerValue(wsi, WSI_TOKEN_HOST);
  // HTTP/1.0 clients may send none; they are not browsers running a page.
  if (host_header.empty()) return true;
  const std::string_view host = hostWithoutPort(host_header);
  if (isIpLiteral(host) || equalsIgnoreCase(host, "localhost")) return true;
  return std::any_of(options_.allowed_hosts.begin(), options_.allowed_hosts.end(),
                     [&](const std::string& allowed) { return equalsIgnoreCase(host, allowed); });
}

bool Admission::originAllowed(lws* wsi) const {
  const std::string origin = headerValue(wsi, WSI_TOKEN_ORIGIN);
  if (origin.empty()) return true;  // not a browser
  for (const std::string& allowed : options_.allowed_origins) {
    if (equalsIgnoreCase(origin, allowed)) return true;
  }
  // A page of this very server: the Host (already checked) is the origin's.
  const std::string host = headerValue(wsi, WSI_TOKEN_HOST);
  if (host.empty()) return false;
  return equalsIgnoreCase(origin, "http://" + host) || equalsIgnoreCase(origin, "https://" + host);
}

bool Admission::filter(const lws_filter_network_conn_args& args) {
  if (sockets_.size() >= max_sockets_) {
    ++counters_.refused_sockets;
    return false;
  }
  const std::string address = addressOf(args.cli_addr);
  if (!options_.trusted_proxies.trusts(address)) {
    auto it = sockets_per_address_.find(addressKey(address));
    if (it != sockets_per_address_.end() &&
        it->second >= options_.max_http_connections_per_address) {
      ++counters_.refused_sockets;
      return false;
    }
  }
  return true;
}

void Admission::onNewSocket(lws* wsi) {
  const std::string key = addressKey(peerAddress(wsi));
  if (!sockets_.emplace(wsi, key).second) return;
  if (!options_.trusted_proxies.trusts(peerAddress(wsi))) ++sockets_per_address_[key];
  counters_.sockets = sockets_.size();
}

void Admission::onSocketGone(lws* wsi) {
  auto it = sockets_.find(wsi);
  if (it == sockets_.end()) return;
  if (auto count = sockets_per_address_.find(it->second);
      count != sockets_per_address_.end() && --count->second == 0) {
    sockets_per_address_.erase(count);
  }
  sockets_.erase(it);
  counters_.sockets = sockets_.size();
}

void Admission::clear() {
  sockets_.clear();
  sockets_per_address_.clear();
  counters_.sockets = 0;
}

// ---------------------------------------------------------------------------
// The lws callback (service thread, or the thread running
// lws_create_context()/lws_context_destroy(), which is never concurrent with it)

int ControlServer::Impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                  std::size_t len) {
  lws_context* context = lws_get_context(wsi);
  auto* self = context ? static_cast<Impl*>(lws_context_user(context)) : nullptr;
  if (!self) return 0;
  auto* session = static_cast<SessionData*>(user);
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      if (!self->destroying_) self->drainHandedOver();
      return 0;

    case LWS_CALLBACK_HTTP:
      return self->http_.onHttp(wsi);
    case LWS_CALLBACK_HTTP_BODY:
      return self->http_.onBody(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      return self->http_.onBodyComplete(wsi);
    case LWS_CALLBACK_HTTP_WRITEABLE:
      return self->http_.onWriteable(wsi);
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
      return self->ws_.onConfirmUpgrade(wsi, static_cast<char*>(in));
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
      if (!user || self->destroying_) return 0;
      return self->admission_.filter(*static_cast<const lws_filter_network_conn_args*>(user)) ? 0
                                                                                              : -1;
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
      self->admission_.onNewSocket(wsi);
      return 0;
    case LWS_CALLBACK_CLOSED_HTTP:
      self->http_.forget(wsi);
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      self->http_.forget(wsi);
      self->ws_.forgetUpgrade(wsi);
      self->admission_.onSocketGone(wsi);
      return 0;

    case LWS_CALLBACK_ESTABLISHED:
      return self->ws_.onEstablished(wsi, session);
    case LWS_CALLBACK_RECEIVE:
      return self->ws_.onReceive(wsi, session, in, len);
    case LWS_CALLBACK_RECEIVE_PONG:
      self->ws_.onPong(session);
      return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      return self->ws_.onWriteable(wsi, session);
    case LWS_CALLBACK_TIMER:
      return self->ws_.onTimer(wsi, session);
    case LWS_CALLBACK_CLOSED:
      self->ws_.onClosed(session);
      return 0;

    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------
// ControlServer

ControlServer::ControlServer(ServerOptions options, Handlers handlers)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers))) {}

ControlServer::~ControlServer() {
  stop();
}

bool ControlServer::start(std::string* error) {
  return impl_->start(error);
}

void ControlServer::stop() {
  impl_->stop();
}

int ControlServer::port() const {
  return impl_->port_;
}

void ControlServer::setStatusJson(std::shared_ptr<const std::string> json) {
  std::lock_guard lock(impl_->handover_.mutex);
  impl_->handover_.status_json = std::move(json);
}

void ControlServer::setMetricsText(std::shared_ptr<const std::string> text) {
  std::lock_guard lock(impl_->handover_.mutex);
  impl_->handover_.metrics_text = std::move(text);
}

void ControlServer::setPublicStatusJson(std::shared_ptr<const std::string> json) {
  std::lock_guard lock(impl_->handover_.mutex);
  impl_->handover_.public_status_json = std::move(json);
}

void ControlServer::markStaff(ClientId client) {
  if (isLocalClient(client)) return;
  Handover& handover = impl_->handover_;
  std::lock_guard lock(handover.mutex);
  if (!handover.wake_context || !handover.known_clients.contains(client)) return;
  handover.staff_marks.insert(client);
  lws_cancel_service(handover.wake_context);
}

std::size_t raiseFileLimit() {
  rlimit limit = {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<std::size_t>::max()
                                         : static_cast<std::size_t>(limit.rlim_cur);
}

ClientId ControlServer::addLocalClient(
    std::function<void(std::shared_ptr<const std::string>)> deliver) {
  return impl_->local_clients_.add(std::move(deliver));
}

void ControlServer::removeLocalClient(ClientId client) {
  impl_->local_clients_.remove(client);
}

void ControlServer::send(ClientId client, std::shared_ptr<const std::string> message) {
  if (client == 0 || !message) return;
  if (isLocalClient(client)) {
    impl_->local_clients_.send(client, std::move(message));
    return;
  }
  // Copied into its frame before taking the lock.
  impl_->hand({client, kChannelNone, std::make_shared<OutFrame>(*message)});
}

void ControlServer::setChannels(ClientId client, std::uint32_t channels) {
  if (isLocalClient(client)) {
    impl_->local_clients_.setChannels(client, channels);
    return;
  }
  {
    std::lock_guard lock(impl_->handover_.mutex);
    if (!impl_->handover_.known_clients.contains(client)) return;
  }
  // In line with the messages: a publish() after this reaches the client,
  // one before it does not.
  impl_->hand({client, channels, nullptr});
}

void ControlServer::publish(std::uint32_t channels, std::shared_ptr<const std::string> message) {
  if (channels == kChannelNone || !message) return;
  impl_->local_clients_.publish(channels, message);
  impl_->hand({0, channels, std::make_shared<OutFrame>(*message)});
}

void ControlServer::respond(RequestId request, unsigned int http_status,
                            std::shared_ptr<const std::string> body, std::string content_type) {
  Handover& handover = impl_->handover_;
  std::lock_guard lock(handover.mutex);
  if (!handover.wake_context) return;
  handover.responses.push_back(
      {request, http_status, std::move(content_type), std::move(body), false});
  lws_cancel_service(handover.wake_context);
}

void ControlServer::respond(RequestId request, ApiResponse response) {
  Handover& handover = impl_->handover_;
  std::lock_guard lock(handover.mutex);
  if (!handover.wake_context) return;
  handover.responses.push_back({request, response.status, std::move(response.content_type),
                                std::make_shared<const std::string>(std::move(response.body)),
                                false, std::move(response.headers)});
  lws_cancel_service(handover.wake_context);
}

void ControlServer::close(ClientId client) {
  if (isLocalClient(client)) return;  // its owner removes it
  Handover& handover = impl_->handover_;
  std::lock_guard lock(handover.mutex);
  if (!handover.wake_context || !handover.known_clients.contains(client)) return;
  handover.close_requests.insert(client);
  lws_cancel_service(handover.wake_context);
}

void ControlServer::setMessageRate(ClientId client, double messages_per_second, double burst) {
  if (isLocalClient(client)) return;  // in-process: trusted, not rate limited
  Handover& handover = impl_->handover_;
  std::lock_guard lock(handover.mutex);
  if (!handover.wake_context || !handover.known_clients.contains(client)) return;
  handover.rate_requests[client] = {messages_per_second, burst};
  lws_cancel_service(handover.wake_context);
}

std::size_t ControlServer::connectionCount() const {
  return impl_->counters_.connections;
}

ServerStats ControlServer::stats() const {
  return impl_->counters_.snapshot();
}

}  // namespace yst::server
