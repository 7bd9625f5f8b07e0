// libwebsockets implementation of ControlServer. See control_server.h for the
// contract; this file is about how it is kept on lws 4.1 (Debian 12):
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
#include "studio/base/token_bucket.h"
#include "studio/server/http_routes.h"
#include "studio/server/server_impl.h"
#include "studio/text/text.h"

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
// A client we decided to drop that does not become writable in this time is
// cut off without a close frame.
constexpr int kForcedCloseTimeoutS = 2;
// A client being closed after its queue (close(), rate limit) that does not
// read what is left in this time is cut off; new messages are no longer
// queued for it meanwhile, and the idle timer no longer applies.
constexpr int kCloseAfterQueueTimeoutS = 10;

constexpr char kProtocolName[] = "yishiting";

// At most this much is written to one client per WRITEABLE turn.
constexpr std::size_t kMaxFramesPerWriteable = 32;
constexpr std::size_t kMaxBytesPerWriteable = 128 * 1024;
// lws sends at most this much per send() and copies the rest of a frame into
// a per-connection buffer; with the default (the 4 KB rx buffer) every public
// update to every viewer was cut into 4 KB pieces and mostly copied (measured:
// 1 GB of such copies at 10,000 viewers). The kernel takes far more at once.
constexpr std::size_t kTxPacketBytes = 256 * 1024;
// Clients a broadcast reaches per turn of the event loop (see Broadcast).
constexpr std::size_t kFanOutPerTurn = 256;

constexpr char kErrorTextOnly[] =
    R"({"type":"error","code":"bad_message","message":"text frames only"})";
constexpr char kErrorInvalidUtf8[] =
    R"({"type":"error","code":"bad_message","message":"invalid UTF-8"})";
constexpr char kErrorRateLimited[] =
    R"({"type":"error","code":"rate_limited","message":"too many messages; closing"})";
constexpr char kErrorStaffRequired[] =
    R"({"type":"error","code":"staff_required","message":"the staff reserve is for signed-in staff"})";

// lws's header tables: a connection holds one from its first byte until its
// headers are parsed (a WebSocket until it is upgraded). 64 (what we had) was
// filled by 64 slowloris connections, and everyone else waited up to lws's
// 10 s hold timeout (measured: a GET took 6 s). With the per-address cap it
// takes several addresses to come near 256; each table is ~4.5 KB.
constexpr unsigned short kHeaderTables = 256;
// A connection admitted through the staff reserve has this long to sign in
// as staff.
constexpr std::int64_t kStaffSignInUs = 10 * 1000 * 1000;
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

  enum class CloseMode {
    kOpen = 0,
    kAfterQueue,  // write what is queued, then close with close_code
    kNow,         // close with close_code at the next writeable (queue dropped)
  };

  // One accepted WebSocket connection. Service thread only.
  struct Client {
    lws* wsi = nullptr;
    ClientId id = 0;
    std::string address;
    // Replies and errors for this client go out before broadcasts, so that
    // an acknowledgement never waits behind a flood of public updates.
    // Together at most options_.max_queued_messages ...
    std::deque<FramePtr> direct;
    std::deque<FramePtr> queue;    // broadcasts
    std::size_t queued_bytes = 0;  // ... and options_.max_queued_bytes of payload
    std::size_t queued() const { return direct.size() + queue.size(); }
    std::string rx;            // text message being reassembled
    std::size_t rx_bytes = 0;  // size of the message being received (text or binary)
    bool rx_binary = false;
    std::uint32_t channels = kChannelNone;  // what publish() sends it
    TokenBucket messages;                   // incoming messages, under these limits (from the
    TokenBucket::Limits message_limits;     // options, or setMessageRate())
    std::int64_t last_rx_us = 0;
    // Admitted through the staff reserve: closed unless markStaff() comes
    // before staff_deadline_us.
    bool reserved = false;
    bool staff = false;
    std::int64_t staff_deadline_us = 0;
    CloseMode close_mode = CloseMode::kOpen;
    lws_close_status close_code = LWS_CLOSE_STATUS_NORMAL;
    std::string close_reason;
  };

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  static const lws_protocols kProtocols[];

  bool start(std::string* error);
  void stop();
  void serviceLoop();

  // Any thread; takes the hand-over's mutex.
  void hand(Outgoing outgoing);

  // --- service thread ---
  int onConfirmUpgrade(lws* wsi, char* upgrade);
  int onEstablished(lws* wsi, SessionData* session);
  int onReceive(lws* wsi, SessionData* session, const void* in, std::size_t len);
  int onServerWriteable(lws* wsi, SessionData* session);
  int onTimer(lws* wsi, SessionData* session);
  void onClosed(SessionData* session);
  void drainHandedOver();
  void beginShutdown();
  // Service thread: stops the loop once shutting down and every client is
  // gone, or the grace period is over.
  void finishShutdownIfDone();

  int refuseUpgrade(lws* wsi, unsigned int status, std::string_view code, std::string_view message);
  Client* findClient(SessionData* session);
  // Why a client was cut off, for the operator; never its messages.
  void logDrop(const Client& client, const std::string& why);
  enum class Lane { kBroadcast = 0, kDirect };
  // write_now: the caller is not inside a callback of this client's
  // connection, so the frame may be written at once (see the top).
  void enqueue(Client& client, FramePtr frame, Lane lane, bool write_now = false);
  void closeAfterQueue(Client& client, lws_close_status code, std::string reason);
  void closeNow(Client& client, lws_close_status code, std::string reason);

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
  std::unordered_map<ClientId, Client> clients_;
  std::unordered_map<std::string, std::size_t> connections_per_address_;
  // The client address found at the upgrade, for LWS_CALLBACK_ESTABLISHED.
  std::unordered_map<lws*, std::pair<std::string, bool>> upgrades_;  // → (address, reserved)
  bool shutting_down_ = false;
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
  void destroyContext();
  uv_timer_t shutdown_timer_ = {};
  // lws keeps a pointer to it for the vhost's life.
  lws_retry_bo_t ping_policy_ = {};

  // A publish() is fanned out to its recipients kFanOutPerTurn clients per
  // turn of the loop, not all at once: epoll hands back ready sockets oldest
  // first, so a reply to one viewer queued behind a broadcast to 10,000 would
  // wait for all 10,000 writes (measured: 0.4 s at 10,000 viewers); paced, it
  // waits for one turn. Service thread only.
  struct Broadcast {
    FramePtr frame;
    std::uint32_t channels = kChannelNone;
    // Who was connected and listening on the channels at publish().
    std::shared_ptr<const std::vector<ClientId>> roster;
    std::size_t next = 0;
  };
  std::deque<Broadcast> broadcasts_;
  // The ids of the clients listening on a channel mask, per mask published
  // to; all dropped when a client comes, goes or changes channels. A
  // broadcast to the producers walks the producers, not 10,000 viewers
  // (it did, 200 times a second under the audience benchmark).
  std::unordered_map<std::uint32_t, std::shared_ptr<const std::vector<ClientId>>> rosters_;
  uv_idle_t fan_out_idle_ = {};
  void fanOut(std::size_t budget);
  std::shared_ptr<const std::vector<ClientId>> roster(std::uint32_t channels);
  // Never reused within one ControlServer; only the service thread increments
  // it, and runs are separated by thread join/start.
  ClientId next_client_id_ = 1;

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

  shutting_down_ = false;
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
  uv_idle_init(&loop_, &fan_out_idle_);
  fan_out_idle_.data = this;
  // Runs until finishShutdownIfDone() stops it.
  uv_run(&loop_, UV_RUN_DEFAULT);
  {
    std::lock_guard lock(handover_.mutex);
    handover_.wake_context = nullptr;
  }
  uv_timer_stop(&shutdown_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_timer_), nullptr);
  uv_idle_stop(&fan_out_idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&fan_out_idle_), nullptr);
  broadcasts_.clear();
  rosters_.clear();
  // Closes what is left (LWS_CALLBACK_CLOSED → on_close, on this thread);
  // lws finishes closing its handles when the loop runs once more.
  destroying_ = true;
  destroyContext();
  if (uv_loop_close(&loop_) != 0) logError("event loop closed with handles still open");
  destroying_ = false;
  clients_.clear();
  connections_per_address_.clear();
  admission_.clear();
  upgrades_.clear();
  http_.clear();
  counters_.queued_messages = 0;
  counters_.connections = 0;
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
  shutting_down_ = true;
  shutdown_deadline_us_ =
      steadyNowUs() + std::chrono::duration_cast<std::chrono::microseconds>(kShutdownGrace).count();
  uv_timer_start(
      &shutdown_timer_,
      // The grace period is over: whoever is left is cut off.
      [](uv_timer_t* timer) { uv_stop(timer->loop); },
      static_cast<std::uint64_t>(kShutdownGrace.count()), 0);
  // What was handed over before stop() still goes out (the last event of a
  // show, say); a client that cannot take it in the grace period is cut off.
  fanOut(std::numeric_limits<std::size_t>::max());
  for (auto& [id, client] : clients_) {
    closeAfterQueue(client, LWS_CLOSE_STATUS_GOINGAWAY, "server stopping");
  }
  finishShutdownIfDone();
}

void ControlServer::Impl::finishShutdownIfDone() {
  if (shutting_down_ && (clients_.empty() || steadyNowUs() >= shutdown_deadline_us_))
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
  for (Outgoing& outgoing : batch) {
    if (!outgoing.frame) {
      if (auto it = clients_.find(outgoing.client); it != clients_.end()) {
        if (it->second.channels != outgoing.channels) rosters_.clear();
        it->second.channels = outgoing.channels;
      }
    } else if (outgoing.client != 0) {
      if (auto it = clients_.find(outgoing.client); it != clients_.end()) {
        enqueue(it->second, std::move(outgoing.frame), Lane::kDirect, true);
      }
    } else {
      broadcasts_.push_back(
          {std::move(outgoing.frame), outgoing.channels, roster(outgoing.channels), 0});
    }
  }
  if (!broadcasts_.empty() && !uv_is_active(reinterpret_cast<uv_handle_t*>(&fan_out_idle_))) {
    uv_idle_start(&fan_out_idle_,
                  [](uv_idle_t* idle) { static_cast<Impl*>(idle->data)->fanOut(kFanOutPerTurn); });
  }
  for (const auto& [id, rate] : rates) {
    if (auto it = clients_.find(id); it != clients_.end()) {
      // A larger allowance (a producer who just signed in) starts full: the
      // console's first burst must not be cut by what the anonymous
      // connection had used up before it signed in.
      if (rate.second > it->second.message_limits.burst) {
        it->second.messages.fill(rate.second, steadyNowUs());
      }
      it->second.message_limits = TokenBucket::Limits::perSecond(rate.first, rate.second);
    }
  }
  for (ClientId id : staff) {
    if (auto it = clients_.find(id); it != clients_.end() && !it->second.staff) {
      it->second.staff = true;
      // Back to the idle timer (the staff deadline's timer was pending).
      if (it->second.reserved && options_.idle_timeout_s > 0) {
        lws_set_timer_usecs(it->second.wsi,
                            static_cast<lws_usec_t>(options_.idle_timeout_s) * LWS_US_PER_SEC);
      }
    }
  }
  for (ClientId id : closes) {
    if (auto it = clients_.find(id); it != clients_.end()) {
      closeAfterQueue(it->second, LWS_CLOSE_STATUS_NORMAL, "closed by server");
    }
  }
  http_.applyResponses(std::move(responses));
  if (stop && !shutting_down_) beginShutdown();
}

std::shared_ptr<const std::vector<ClientId>> ControlServer::Impl::roster(std::uint32_t channels) {
  auto& roster = rosters_[channels];
  if (!roster) {
    auto ids = std::make_shared<std::vector<ClientId>>();
    for (const auto& [id, client] : clients_) {
      if ((client.channels & channels) != 0) ids->push_back(id);
    }
    roster = std::move(ids);
  }
  return roster;
}

// Service thread, once per turn of the loop while broadcasts are pending.
void ControlServer::Impl::fanOut(std::size_t budget) {
  while (budget > 0 && !broadcasts_.empty()) {
    Broadcast& b = broadcasts_.front();
    const std::vector<ClientId>& ids = *b.roster;
    for (; b.next < ids.size() && budget > 0; ++b.next, --budget) {
      auto it = clients_.find(ids[b.next]);
      if (it != clients_.end() && (it->second.channels & b.channels) != 0) {
        enqueue(it->second, b.frame, Lane::kBroadcast, true);
      }
    }
    if (b.next == ids.size()) broadcasts_.pop_front();
  }
  if (broadcasts_.empty()) uv_idle_stop(&fan_out_idle_);
}

// ---------------------------------------------------------------------------
// Per-client helpers (service thread)

ControlServer::Impl::Client* ControlServer::Impl::findClient(SessionData* session) {
  if (!session || session->id == 0) return nullptr;
  auto it = clients_.find(session->id);
  return it == clients_.end() ? nullptr : &it->second;
}

void ControlServer::Impl::logDrop(const Client& client, const std::string& why) {
  yst::logWarn("server",
               "client " + std::to_string(client.id) + " (" + client.address + ") " + why);
}

void ControlServer::Impl::enqueue(Client& client, FramePtr frame, Lane lane, bool write_now) {
  if (client.close_mode != CloseMode::kOpen) return;
  const bool was_idle = client.queued() == 0;
  if (write_now && was_idle && !lws_partial_buffered(client.wsi)) {
    // lws sends what the socket takes and keeps the rest (then asks for
    // POLLOUT itself); later frames queue until that is gone.
    if (lws_write(client.wsi, frame->payload(), frame->size, LWS_WRITE_TEXT) < 0) {
      // The socket is broken: no close frame can follow.
      client.close_mode = CloseMode::kNow;
      lws_set_timeout(client.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    return;
  }
  if (client.queued() >= options_.max_queued_messages ||
      client.queued_bytes + frame->size > options_.max_queued_bytes) {
    ++counters_.dropped_slow;
    logDrop(client, "dropped: not reading its messages (queue full)");
    closeNow(client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
    return;
  }
  client.queued_bytes += frame->size;
  (lane == Lane::kDirect ? client.direct : client.queue).push_back(std::move(frame));
  ++counters_.queued_messages;
  // A client with frames queued has asked for WRITEABLE already (and asks
  // again after each turn): one request per idle → busy, not per frame.
  if (was_idle) lws_callback_on_writable(client.wsi);
}

void ControlServer::Impl::closeAfterQueue(Client& client, lws_close_status code,
                                          std::string reason) {
  if (client.close_mode != CloseMode::kOpen) return;
  client.close_mode = CloseMode::kAfterQueue;
  client.close_code = code;
  client.close_reason = std::move(reason);
  lws_callback_on_writable(client.wsi);
  lws_set_timeout(client.wsi, PENDING_TIMEOUT_USER_OK, kCloseAfterQueueTimeoutS);
}

void ControlServer::Impl::closeNow(Client& client, lws_close_status code, std::string reason) {
  if (client.close_mode == CloseMode::kNow) return;
  counters_.queued_messages -= client.queued();
  client.direct.clear();
  client.queue.clear();
  client.queued_bytes = 0;
  client.close_mode = CloseMode::kNow;
  client.close_code = code;
  client.close_reason = std::move(reason);
  if (lws_send_pipe_choked(client.wsi)) {
    // It is not reading: a close frame would sit behind what it has not read.
    lws_set_timeout(client.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  } else {
    lws_callback_on_writable(client.wsi);
    lws_set_timeout(client.wsi, PENDING_TIMEOUT_USER_OK, kForcedCloseTimeoutS);
  }
}

// ---------------------------------------------------------------------------
// WebSocket (service thread)

int ControlServer::Impl::onConfirmUpgrade(lws* wsi, char* upgrade) {
  if (upgrade && strcasecmp(upgrade, "h2c") == 0) {
    // Decline HTTP/2 cleartext, as RFC 7540 section 3.2 allows: with lws 4.1.6
    // the body of a static file never arrived over h2c (measured with
    // curl --http2), and browsers only speak h2 over TLS. lws compares this
    // very string after we return; blanking it makes lws carry on with the
    // request as plain HTTP/1.1.
    upgrade[0] = '\0';
    return 0;
  }
  if (!upgrade || strcasecmp(upgrade, "websocket") != 0) return 0;
  if (headerValue(wsi, WSI_TOKEN_GET_URI) != "/ws") {
    return refuseUpgrade(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "WebSocket is at /ws");
  }
  if (shutting_down_) {
    return refuseUpgrade(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "stopping", "server stopping");
  }
  // The Host was checked in onHttp()'s place for upgrades: here.
  if (!admission_.hostAllowed(wsi)) {
    ++counters_.refused_hosts;
    return refuseUpgrade(wsi, 421, "unknown_host", "this server does not answer to that host name");
  }
  if (!admission_.originAllowed(wsi)) {
    ++counters_.refused_origins;
    return refuseUpgrade(wsi, HTTP_STATUS_FORBIDDEN, "forbidden_origin", "origin not allowed");
  }
  const std::string address = admission_.clientAddress(wsi);
  auto it = connections_per_address_.find(addressKey(address));
  if (it != connections_per_address_.end() && it->second >= options_.max_connections_per_address) {
    ++counters_.refused;
    return refuseUpgrade(wsi, 429, "too_many_connections",
                         "too many connections from this address");
  }
  // Sockets beyond the viewers' share (this one included) are for staff:
  // the upgrade must ask for the reserve, and the client must then sign in
  // as staff (see onTimer()).
  const std::size_t max_sockets = admission_.maxSockets();
  const std::size_t viewer_share =
      max_sockets > options_.staff_reserve ? max_sockets - options_.staff_reserve : 0;
  bool reserved = false;
  if (admission_.sockets() > viewer_share) {
    char staff[8] = {};
    const bool asks_staff = lws_get_urlarg_by_name(wsi, "staff", staff, sizeof(staff)) != nullptr ||
                            headerValue(wsi, WSI_TOKEN_HTTP_URI_ARGS) == "staff";
    if (!asks_staff) {
      ++counters_.refused_full;
      return refuseUpgrade(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "server_full",
                           "the studio has as many viewers as it can take; try again shortly");
    }
    reserved = true;
  }
  upgrades_[wsi] = {address, reserved};
  return 0;
}

int ControlServer::Impl::onEstablished(lws* wsi, SessionData* session) {
  if (!session) return -1;
  const ClientId id = next_client_id_++;
  session->id = id;
  Client& client = clients_[id];
  client.wsi = wsi;
  client.id = id;
  if (auto it = upgrades_.find(wsi); it != upgrades_.end()) {
    client.address = it->second.first;
    client.reserved = it->second.second;
    upgrades_.erase(it);
  } else {
    client.address = peerAddress(wsi);
  }
  client.message_limits =
      TokenBucket::Limits::perSecond(options_.messages_per_second, options_.message_burst);
  client.last_rx_us = steadyNowUs();
  ++connections_per_address_[addressKey(client.address)];
  handover_.admit(id);
  ++counters_.connections;
  ++counters_.accepted;
  if (client.reserved) {
    client.staff_deadline_us = client.last_rx_us + kStaffSignInUs;
    lws_set_timer_usecs(wsi, kStaffSignInUs);
  } else if (options_.idle_timeout_s > 0) {
    lws_set_timer_usecs(wsi, static_cast<lws_usec_t>(options_.idle_timeout_s) * LWS_US_PER_SEC);
  }
  if (handlers_.on_open) handlers_.on_open(id, client.address);
  return 0;
}

int ControlServer::Impl::onReceive(lws* wsi, SessionData* session, const void* in,
                                   std::size_t len) {
  Client* client = findClient(session);
  if (!client) return -1;
  client->last_rx_us = steadyNowUs();
  if (client->close_mode != CloseMode::kOpen) return 0;  // on its way out: ignore input

  if (lws_is_first_fragment(wsi)) {
    client->rx.clear();
    client->rx_bytes = 0;
    client->rx_binary = lws_frame_is_binary(wsi) != 0;
  }
  client->rx_bytes += len;
  if (client->rx_bytes > options_.max_message_bytes) {
    ++counters_.oversize;
    logDrop(*client,
            "closed: message over " + std::to_string(options_.max_message_bytes) + " bytes");
    static constexpr char kReason[] = "message too big";
    lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                     reinterpret_cast<unsigned char*>(const_cast<char*>(kReason)),
                     sizeof(kReason) - 1);
    return -1;
  }
  if (!client->rx_binary && len > 0) client->rx.append(static_cast<const char*>(in), len);
  if (!lws_is_final_fragment(wsi)) return 0;

  std::string message = std::move(client->rx);
  client->rx.clear();
  client->rx_bytes = 0;
  if (!client->messages.take(client->message_limits, steadyNowUs())) {
    ++counters_.rate_limited;
    logDrop(*client, "closed: over its message rate");
    enqueue(*client, std::make_shared<OutFrame>(kErrorRateLimited), Lane::kDirect);
    closeAfterQueue(*client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "rate limited");
    return 0;
  }
  if (client->rx_binary) {
    ++counters_.bad_messages;
    enqueue(*client, std::make_shared<OutFrame>(kErrorTextOnly), Lane::kDirect);
    return 0;
  }
  if (!text::isValidUtf8(message)) {
    ++counters_.bad_messages;
    enqueue(*client, std::make_shared<OutFrame>(kErrorInvalidUtf8), Lane::kDirect);
    return 0;
  }
  if (handlers_.on_message) handlers_.on_message(session->id, std::move(message));
  return 0;
}

int ControlServer::Impl::onServerWriteable(lws* wsi, SessionData* session) {
  Client* client = findClient(session);
  if (!client) return -1;
  // The close itself happens in the timer callback: on the libuv loop,
  // lws 4.1 never sends the close frame when WRITEABLE returns -1 (the frame
  // waits for a POLLOUT that is not re-armed from inside a POLLOUT), while a
  // -1 from TIMER closes properly.
  auto close_soon = [&] {
    lws_set_timer_usecs(wsi, 1);
    return 0;
  };
  if (client->close_mode == CloseMode::kNow) return close_soon();
  if (client->queued() == 0) {
    return client->close_mode == CloseMode::kAfterQueue ? close_soon() : 0;
  }
  // Several frames per turn while the socket takes them: with thousands of
  // viewers, one frame per turn would let a busy client (a producer at a
  // few hundred events a second) fall behind while the loop visits everyone.
  std::size_t frames = 0;
  std::size_t bytes = 0;
  while (client->queued() > 0) {
    std::deque<FramePtr>& lane = client->direct.empty() ? client->queue : client->direct;
    FramePtr frame = std::move(lane.front());
    lane.pop_front();
    client->queued_bytes -= frame->size;
    --counters_.queued_messages;
    const int written = lws_write(wsi, frame->payload(), frame->size, LWS_WRITE_TEXT);
    if (written < 0 || static_cast<std::size_t>(written) < frame->size) return -1;
    bytes += frame->size;
    if (++frames >= kMaxFramesPerWriteable || bytes >= kMaxBytesPerWriteable ||
        client->queued() == 0 || lws_send_pipe_choked(wsi)) {
      break;
    }
  }
  if (client->queued() > 0 || client->close_mode == CloseMode::kAfterQueue) {
    lws_callback_on_writable(wsi);
  }
  return 0;
}

int ControlServer::Impl::onTimer(lws* wsi, SessionData* session) {
  Client* client = findClient(session);
  if (!client) return 0;
  if (client->close_mode == CloseMode::kNow ||
      (client->close_mode == CloseMode::kAfterQueue && client->queued() == 0)) {
    lws_close_reason(wsi, client->close_code,
                     reinterpret_cast<unsigned char*>(client->close_reason.data()),
                     std::min<std::size_t>(client->close_reason.size(), 120));
    return -1;
  }
  if (client->close_mode != CloseMode::kOpen) return 0;
  if (client->reserved && !client->staff) {
    const std::int64_t left_us = client->staff_deadline_us - steadyNowUs();
    if (left_us > 0) {
      lws_set_timer_usecs(wsi, left_us);
      return 0;
    }
    logDrop(*client, "closed: took a staff place without signing in as staff");
    enqueue(*client, std::make_shared<OutFrame>(kErrorStaffRequired), Lane::kDirect);
    closeAfterQueue(*client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "staff sign-in required");
    return 0;
  }
  if (options_.idle_timeout_s <= 0) return 0;
  const std::int64_t timeout_us =
      static_cast<std::int64_t>(options_.idle_timeout_s) * LWS_US_PER_SEC;
  const std::int64_t idle_us = steadyNowUs() - client->last_rx_us;
  if (idle_us < timeout_us) {
    // Re-armed lazily here rather than on every message: lws keeps timers in
    // a sorted list, so re-inserting per message would cost O(clients).
    lws_set_timer_usecs(wsi, timeout_us - idle_us);
    return 0;
  }
  ++counters_.idle_closes;
  static constexpr char kReason[] = "idle timeout";
  lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
                   reinterpret_cast<unsigned char*>(const_cast<char*>(kReason)),
                   sizeof(kReason) - 1);
  return -1;
}

void ControlServer::Impl::onClosed(SessionData* session) {
  if (!session || session->id == 0) return;
  const ClientId id = session->id;
  session->id = 0;
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  counters_.queued_messages -= it->second.queued();
  if (auto count = connections_per_address_.find(addressKey(it->second.address));
      count != connections_per_address_.end() && --count->second == 0) {
    connections_per_address_.erase(count);
  }
  if (it->second.channels != kChannelNone) rosters_.clear();
  clients_.erase(it);
  if (!destroying_) finishShutdownIfDone();
  handover_.forget(id);
  --counters_.connections;
  if (handlers_.on_close) handlers_.on_close(id);
}

// ---------------------------------------------------------------------------
// HTTP (service thread)

// From HTTP_CONFIRM_UPGRADE: the reply has to be complete before we return, so
// headers and body go out in one write (h1 only; a WebSocket upgrade is h1),
// and the connection is dropped after it.
int ControlServer::Impl::refuseUpgrade(lws* wsi, unsigned int status, std::string_view code,
                                       std::string_view message) {
  const std::string body = jsonError(code, message);
  unsigned char buffer[LWS_PRE + 2048];
  unsigned char* start = buffer + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer + sizeof(buffer) - 1;
  static constexpr char kClose[] = "close";
  static constexpr char kNoStore[] = "no-store";
  if (lws_add_http_common_headers(wsi, status, "application/json; charset=utf-8", body.size(), &p,
                                  end) ||
      lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("connection:"),
                                  reinterpret_cast<const unsigned char*>(kClose),
                                  sizeof(kClose) - 1, &p, end) ||
      lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("cache-control:"),
                                  reinterpret_cast<const unsigned char*>(kNoStore),
                                  sizeof(kNoStore) - 1, &p, end) ||
      lws_finalize_http_header(wsi, &p, end) || static_cast<std::size_t>(end - p) < body.size()) {
    return -1;
  }
  std::memcpy(p, body.data(), body.size());
  p += body.size();
  lws_write(wsi, start, static_cast<std::size_t>(p - start), LWS_WRITE_HTTP);
  return -1;  // hang up; lws flushes what is still buffered first
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
    case LWS_CALLBACK_HTTP_WRITEABLE:
      return self->http_.onWriteable(wsi);
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
      return self->onConfirmUpgrade(wsi, static_cast<char*>(in));
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
      self->upgrades_.erase(wsi);
      self->admission_.onSocketGone(wsi);
      return 0;

    case LWS_CALLBACK_ESTABLISHED:
      return self->onEstablished(wsi, session);
    case LWS_CALLBACK_RECEIVE:
      return self->onReceive(wsi, session, in, len);
    case LWS_CALLBACK_RECEIVE_PONG:
      if (Impl::Client* client = self->findClient(session)) client->last_rx_us = steadyNowUs();
      return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      return self->onServerWriteable(wsi, session);
    case LWS_CALLBACK_TIMER:
      return self->onTimer(wsi, session);
    case LWS_CALLBACK_CLOSED:
      self->onClosed(session);
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

ServerStats ServerCounters::snapshot() const {
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

}  // namespace yst::server
