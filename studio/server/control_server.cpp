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
//   touch the fields marked "Guarded by mutex_" and wake the loop with
//   lws_cancel_service(); the loop picks the work up in
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
//   check with realpath() that the file is inside its root.
#include "studio/server/control_server.h"

#include "studio/base/address_backoff.h"
#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/base/token_bucket.h"
#include "studio/server/file_serving.h"
#include "studio/server/http_range.h"
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
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace yst::server {
namespace {

// Body bytes written per HTTP_WRITEABLE for in-memory replies.
constexpr std::size_t kHttpChunkBytes = 32 * 1024;
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

constexpr char kHtmlContentSecurityPolicy[] =
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

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
// /api/status and /metrics with a wrong token: after two free failures from
// one address, each further one refuses it for a period doubling from 1 s up
// to a minute; a minute without one, and it starts afresh.
constexpr AddressBackoff::Policy kStaffGatePolicy{.free_failures = 2,
                                                  .first_lock_us = 1000 * 1000,
                                                  .max_lock_us = 60 * 1000 * 1000,
                                                  .forget_after_us = 60 * 1000 * 1000,
                                                  .max_entries = 10000};

// "Host: example.org:8443" -> "example.org"; "[::1]:80" -> "[::1]".
std::string_view hostWithoutPort(std::string_view host) {
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
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

std::string jsonError(std::string_view code, std::string_view message) {
  std::string out = R"({"type":"error","code":")";
  out += code;
  out += R"(","message":")";
  out += message;
  out += "\"}";
  return out;
}

std::string headerValue(lws* wsi, lws_token_indexes token) {
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
std::vector<std::string> headerFragments(lws* wsi, lws_token_indexes token) {
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

std::string peerAddress(lws* wsi) {
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

struct ContextDeleter {
  void operator()(lws_context* context) const { lws_context_destroy(context); }
};
using ContextPtr = std::unique_ptr<lws_context, ContextDeleter>;

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

  // An HTTP reply whose body goes out in HTTP_WRITEABLE: from memory, or
  // a byte range of an open file. Service thread only.
  struct HttpReply {
    std::shared_ptr<const std::string> body;
    std::size_t offset = 0;
    bool close_after = false;
    std::shared_ptr<std::FILE> file;  // set: the body is file bytes [file_offset, file_end)
    std::uint64_t file_offset = 0;
    std::uint64_t file_end = 0;
  };
  // An on_request() answer, handed from any thread (Guarded by mutex_), then
  // held for the request's writable callback (service thread).
  struct Response {
    RequestId request = 0;
    unsigned int status = 0;
    std::string content_type;
    std::shared_ptr<const std::string> body;
    bool head_only = false;
  };

  // Handed from any thread to the service thread, applied in order.
  struct Outgoing {
    ClientId client = 0;  // 0: publish to `channels`
    std::uint32_t channels = kChannelNone;
    FramePtr frame;  // null: set `client`'s channels to `channels`
  };

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  static const lws_protocols kProtocols[];

  bool start(std::string* error);
  void stop();
  void serviceLoop();

  // Any thread; takes mutex_.
  void hand(Outgoing outgoing);

  // --- service thread ---
  int onHttp(lws* wsi);
  int onHttpWriteable(lws* wsi);
  int writeFileChunk(lws* wsi, std::unordered_map<lws*, HttpReply>::iterator it);
  int onConfirmUpgrade(lws* wsi, char* upgrade);
  bool filterConnection(const lws_filter_network_conn_args& args);
  void onNewSocket(lws* wsi);
  void onSocketGone(lws* wsi);
  // The client behind `wsi` (X-Forwarded-For from a trusted proxy).
  std::string clientAddress(lws* wsi);
  bool hostAllowed(lws* wsi) const;
  bool originAllowed(lws* wsi) const;
  // /api/status and /metrics: nullopt when allowed, else the reply's status
  // (401, or 429 with the seconds to wait in *retry_after_s).
  std::optional<unsigned int> checkStaffRequest(lws* wsi, std::int64_t* retry_after_s);
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

  int serveFile(lws* wsi, const std::string& path, const char* content_type);
  int reply(lws* wsi, unsigned int status, const char* content_type,
            std::shared_ptr<const std::string> body, bool head_only,
            const std::vector<std::pair<std::string, std::string>>& extra_headers = {},
            bool close_after = false);
  int replyError(lws* wsi, unsigned int status, std::string_view code, std::string_view message,
                 bool head_only);
  int refuseUpgrade(lws* wsi, unsigned int status, std::string_view code, std::string_view message);
  int serveStatic(lws* wsi, const std::string& root, std::string_view path, bool head_only);
  int redirect(lws* wsi, const std::string& location, bool head_only);
  int serveHls(lws* wsi, std::string_view name, bool head_only);
  int serveMedia(lws* wsi, const MediaMount& mount, std::string_view rest, bool head_only);
  int handRequest(lws* wsi, std::string_view path, bool head_only);
  void forgetRequest(lws* wsi);
  // Status line and headers; false when they do not fit or cannot be sent.
  bool writeHeaders(lws* wsi, unsigned int status, const char* content_type,
                    std::uint64_t content_length,
                    const std::vector<std::pair<std::string, std::string>>& extra_headers);

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

  // start()/stop() caller only. The context is created in start() and
  // destroyed at the end of serviceLoop() (so that on_close runs on the
  // service thread); the thread is joined before start() may run again.
  ContextPtr context_;
  lws_vhost* vhost_ = nullptr;
  std::thread thread_;

  mutable std::mutex mutex_;
  // Non-null while the service thread may be woken. Guarded by mutex_.
  lws_context* wake_context_ = nullptr;
  // Messages and channel changes not yet picked up by the service thread, in
  // order. Guarded by mutex_.
  std::deque<Outgoing> pending_;
  // How many entries of pending_ are messages (the bound applies to these
  // only: a channel change is never dropped). Guarded by mutex_.
  std::size_t pending_messages_ = 0;
  // Set when the pending queue overflowed; cleared when it is drained, so the
  // overflow is logged once per episode. Guarded by mutex_.
  bool pending_overflow_logged_ = false;
  // Every accepted client: the ids send(), close() and setChannels() accept
  // (channels themselves live in Client::channels, service thread only).
  // Guarded by mutex_.
  std::unordered_set<ClientId> known_clients_;
  // Guarded by mutex_.
  std::unordered_set<ClientId> close_requests_;
  // (messages per second, burst) to apply. Guarded by mutex_.
  std::unordered_map<ClientId, std::pair<double, double>> rate_requests_;
  // Guarded by mutex_.
  bool stop_requested_ = false;
  // Guarded by mutex_.
  std::shared_ptr<const std::string> status_json_;
  // Guarded by mutex_.
  std::shared_ptr<const std::string> metrics_text_;
  // Guarded by mutex_.
  std::shared_ptr<const std::string> public_status_json_;
  // Clients signed in as staff (markStaff()), to apply. Guarded by mutex_.
  std::unordered_set<ClientId> staff_marks_;
  // Answers to on_request() not yet picked up. Guarded by mutex_.
  std::vector<Response> responses_;

  // In-process clients (thread-safe, their own lock).
  LocalClients local_clients_;

  // Service thread only (and start() before the thread exists).
  std::unordered_map<ClientId, Client> clients_;
  std::unordered_map<std::string, std::size_t> connections_per_address_;
  // Every open socket (HTTP or WebSocket) → its TCP peer's address, and the
  // count per peer address that is not a trusted proxy.
  std::unordered_map<lws*, std::string> sockets_;
  std::unordered_map<std::string, std::size_t> sockets_per_address_;
  std::size_t max_sockets_ = 0;  // options_.max_connections, or derived in start()
  // The client address found at the upgrade, for LWS_CALLBACK_ESTABLISHED.
  std::unordered_map<lws*, std::pair<std::string, bool>> upgrades_;  // → (address, reserved)
  // Failed staff requests per address key.
  AddressBackoff staff_gate_{kStaffGatePolicy};
  std::unordered_map<lws*, HttpReply> http_replies_;
  // Requests handed to on_request() and not answered yet, both ways round;
  // answers waiting for their connection's writable callback.
  RequestId next_request_ = 1;
  std::unordered_map<RequestId, std::pair<lws*, bool>> requests_;  // → (wsi, head_only)
  std::unordered_map<lws*, RequestId> request_of_;
  std::unordered_map<lws*, Response> answers_;
  std::vector<unsigned char> http_buffer_;
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

  // Written by the service thread, read anywhere.
  std::atomic<int> port_{0};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> queued_messages_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> dropped_slow_{0};
  std::atomic<std::uint64_t> dropped_pending_{0};  // written under mutex_
  std::atomic<std::uint64_t> oversize_{0};
  std::atomic<std::uint64_t> rate_limited_{0};
  std::atomic<std::uint64_t> bad_messages_{0};
  std::atomic<std::uint64_t> idle_closes_{0};
  std::atomic<std::size_t> socket_count_{0};
  std::atomic<std::uint64_t> refused_sockets_{0};
  std::atomic<std::uint64_t> refused_full_{0};
  std::atomic<std::uint64_t> unauthorized_{0};
  std::atomic<std::uint64_t> refused_hosts_{0};
  std::atomic<std::uint64_t> refused_origins_{0};
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
  max_sockets_ = options_.max_connections;
  if (max_sockets_ == 0) {
    rlimit limit = {};
    const std::size_t files =
        ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
            ? static_cast<std::size_t>(limit.rlim_cur)
            : 1024;
    max_sockets_ = files > 2 * kReservedDescriptors ? files - kReservedDescriptors : files / 2;
  }

  shutting_down_ = false;
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = false;
    wake_context_ = context_.get();
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
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (wake_context_) lws_cancel_service(wake_context_);
  }
  thread_.join();
  {
    std::lock_guard lock(mutex_);
    pending_.clear();
    pending_messages_ = 0;
    close_requests_.clear();
    known_clients_.clear();
    stop_requested_ = false;
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
    std::lock_guard lock(mutex_);
    wake_context_ = nullptr;
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
  sockets_.clear();
  sockets_per_address_.clear();
  upgrades_.clear();
  staff_gate_.clear();
  socket_count_ = 0;
  http_replies_.clear();
  queued_messages_ = 0;
  connections_ = 0;
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
  std::lock_guard lock(mutex_);
  if (!wake_context_ || stop_requested_) return;
  if (outgoing.client != 0 && !known_clients_.contains(outgoing.client)) return;
  // Over the bound the oldest message goes, never a channel change: losing
  // setChannels() would leave the client outside its channels (a producer
  // who signed in hearing nothing) for the rest of its connection.
  if (outgoing.frame &&
      pending_messages_ >= std::max<std::size_t>(options_.max_pending_messages, 1)) {
    const auto oldest = std::find_if(pending_.begin(), pending_.end(),
                                     [](const Outgoing& o) { return o.frame != nullptr; });
    pending_.erase(oldest);
    --pending_messages_;
    ++dropped_pending_;
    if (!pending_overflow_logged_) {
      pending_overflow_logged_ = true;
      logError("outgoing queue full (service thread stalled?): dropping oldest messages");
    }
  }
  if (outgoing.frame) ++pending_messages_;
  pending_.push_back(std::move(outgoing));
  lws_cancel_service(wake_context_);
}

// Service thread, LWS_CALLBACK_EVENT_WAIT_CANCELLED.
void ControlServer::Impl::drainHandedOver() {
  std::deque<Outgoing> batch;
  std::unordered_set<ClientId> closes;
  std::unordered_map<ClientId, std::pair<double, double>> rates;
  std::vector<Response> responses;
  std::unordered_set<ClientId> staff;
  bool stop = false;
  {
    std::lock_guard lock(mutex_);
    staff.swap(staff_marks_);
    batch.swap(pending_);
    pending_messages_ = 0;
    responses.swap(responses_);
    closes.swap(close_requests_);
    rates.swap(rate_requests_);
    pending_overflow_logged_ = false;
    stop = stop_requested_;
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
  for (Response& response : responses) {
    auto it = requests_.find(response.request);
    if (it == requests_.end()) continue;  // the client went away
    lws* wsi = it->second.first;
    response.head_only = it->second.second;
    requests_.erase(it);
    request_of_.erase(wsi);
    answers_[wsi] = std::move(response);
    lws_callback_on_writable(wsi);  // the answer is written in its own callback
  }
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
    ++dropped_slow_;
    logDrop(client, "dropped: not reading its messages (queue full)");
    closeNow(client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
    return;
  }
  client.queued_bytes += frame->size;
  (lane == Lane::kDirect ? client.direct : client.queue).push_back(std::move(frame));
  ++queued_messages_;
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
  queued_messages_ -= client.queued();
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
  if (!hostAllowed(wsi)) {
    ++refused_hosts_;
    return refuseUpgrade(wsi, 421, "unknown_host", "this server does not answer to that host name");
  }
  if (!originAllowed(wsi)) {
    ++refused_origins_;
    return refuseUpgrade(wsi, HTTP_STATUS_FORBIDDEN, "forbidden_origin", "origin not allowed");
  }
  const std::string address = clientAddress(wsi);
  auto it = connections_per_address_.find(addressKey(address));
  if (it != connections_per_address_.end() && it->second >= options_.max_connections_per_address) {
    ++refused_;
    return refuseUpgrade(wsi, 429, "too_many_connections",
                         "too many connections from this address");
  }
  // Sockets beyond the viewers' share (this one included) are for staff:
  // the upgrade must ask for the reserve, and the client must then sign in
  // as staff (see onTimer()).
  const std::size_t viewer_share =
      max_sockets_ > options_.staff_reserve ? max_sockets_ - options_.staff_reserve : 0;
  bool reserved = false;
  if (sockets_.size() > viewer_share) {
    char staff[8] = {};
    const bool asks_staff = lws_get_urlarg_by_name(wsi, "staff", staff, sizeof(staff)) != nullptr ||
                            headerValue(wsi, WSI_TOKEN_HTTP_URI_ARGS) == "staff";
    if (!asks_staff) {
      ++refused_full_;
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
  {
    std::lock_guard lock(mutex_);
    known_clients_.insert(id);
  }
  ++connections_;
  ++accepted_;
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
    ++oversize_;
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
    ++rate_limited_;
    logDrop(*client, "closed: over its message rate");
    enqueue(*client, std::make_shared<OutFrame>(kErrorRateLimited), Lane::kDirect);
    closeAfterQueue(*client, LWS_CLOSE_STATUS_POLICY_VIOLATION, "rate limited");
    return 0;
  }
  if (client->rx_binary) {
    ++bad_messages_;
    enqueue(*client, std::make_shared<OutFrame>(kErrorTextOnly), Lane::kDirect);
    return 0;
  }
  if (!text::isValidUtf8(message)) {
    ++bad_messages_;
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
    --queued_messages_;
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
  ++idle_closes_;
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
  queued_messages_ -= it->second.queued();
  if (auto count = connections_per_address_.find(addressKey(it->second.address));
      count != connections_per_address_.end() && --count->second == 0) {
    connections_per_address_.erase(count);
  }
  if (it->second.channels != kChannelNone) rosters_.clear();
  clients_.erase(it);
  if (!destroying_) finishShutdownIfDone();
  {
    std::lock_guard lock(mutex_);
    known_clients_.erase(id);
    close_requests_.erase(id);
    rate_requests_.erase(id);
    staff_marks_.erase(id);
  }
  --connections_;
  if (handlers_.on_close) handlers_.on_close(id);
}

// ---------------------------------------------------------------------------
// HTTP (service thread)

bool ControlServer::Impl::writeHeaders(
    lws* wsi, unsigned int status, const char* content_type, std::uint64_t content_length,
    const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  unsigned char buffer[LWS_PRE + 2048];
  unsigned char* start = buffer + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer + sizeof(buffer) - 1;
  if (lws_add_http_common_headers(wsi, status, content_type, content_length, &p, end)) return false;
  for (const auto& [name, value] : extra_headers) {
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(name.c_str()),
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), &p, end)) {
      return false;
    }
  }
  if (files::isDocumentType(content_type) &&
      lws_add_http_header_by_name(
          wsi, reinterpret_cast<const unsigned char*>("content-security-policy:"),
          reinterpret_cast<const unsigned char*>(kHtmlContentSecurityPolicy),
          static_cast<int>(sizeof(kHtmlContentSecurityPolicy) - 1), &p, end)) {
    return false;
  }
  return lws_finalize_write_http_header(wsi, start, &p, end) == 0;
}

int ControlServer::Impl::reply(
    lws* wsi, unsigned int status, const char* content_type,
    std::shared_ptr<const std::string> body, bool head_only,
    const std::vector<std::pair<std::string, std::string>>& extra_headers, bool close_after) {
  if (!body) body = std::make_shared<const std::string>();
  if (!writeHeaders(wsi, status, content_type, body->size(), extra_headers)) return -1;
  if (head_only) {
    if (close_after) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
  }
  // The body goes out in HTTP_WRITEABLE, in pieces, never all at once here.
  http_replies_[wsi] = HttpReply{std::move(body), 0, close_after, nullptr, 0, 0};
  lws_callback_on_writable(wsi);
  return 0;
}

int ControlServer::Impl::replyError(lws* wsi, unsigned int status, std::string_view code,
                                    std::string_view message, bool head_only) {
  return reply(wsi, status, "application/json; charset=utf-8",
               std::make_shared<const std::string>(jsonError(code, message)), head_only,
               {{"cache-control:", "no-store"}});
}

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

int ControlServer::Impl::serveFile(lws* wsi, const std::string& path, const char* content_type) {
  std::string headers;
  {
    unsigned char buffer[1024];
    unsigned char* p = buffer;
    unsigned char* end = buffer + sizeof(buffer);
    static constexpr char kNoCache[] = "no-cache";
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("cache-control:"),
                                    reinterpret_cast<const unsigned char*>(kNoCache),
                                    sizeof(kNoCache) - 1, &p, end)) {
      return -1;
    }
    if (files::isDocumentType(content_type) &&
        lws_add_http_header_by_name(
            wsi, reinterpret_cast<const unsigned char*>("content-security-policy:"),
            reinterpret_cast<const unsigned char*>(kHtmlContentSecurityPolicy),
            static_cast<int>(sizeof(kHtmlContentSecurityPolicy) - 1), &p, end)) {
      return -1;
    }
    headers.assign(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(p - buffer));
  }
  // lws reads and sends the file a buffer at a time as the socket drains.
  const int result = lws_serve_http_file(wsi, path.c_str(), content_type, headers.data(),
                                         static_cast<int>(headers.size()));
  if (result < 0) return -1;
  if (result > 0 && lws_http_transaction_completed(wsi)) return -1;
  return 0;
}

int ControlServer::Impl::serveHls(lws* wsi, std::string_view name, bool head_only) {
  const std::optional<files::ServedFile> file = files::resolveHls(options_.hls_dir, name);
  if (!file) return replyError(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "no such file", head_only);
  return serveFile(wsi, file->path, file->content_type);
}

int ControlServer::Impl::serveMedia(lws* wsi, const MediaMount& mount, std::string_view rest,
                                    bool head_only) {
  std::optional<files::MediaFile> media = files::openMedia(mount, rest);
  if (!media) return replyError(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "no such file", head_only);
  const std::uint64_t size = media->size;
  const ByteRange range = parseByteRange(headerValue(wsi, WSI_TOKEN_HTTP_RANGE), size);
  std::vector<std::pair<std::string, std::string>> headers = {{"accept-ranges:", "bytes"},
                                                              {"cache-control:", "no-cache"}};
  if (range.kind == ByteRange::Kind::kUnsatisfiable) {
    headers.push_back({"content-range:", "bytes */" + std::to_string(size)});
    return reply(wsi, HTTP_STATUS_REQ_RANGE_NOT_SATISFIABLE, "application/json; charset=utf-8",
                 std::make_shared<const std::string>(
                     jsonError("range_not_satisfiable", "the range is outside the file")),
                 head_only, headers);
  }
  std::uint64_t first = 0;
  std::uint64_t end = size;  // exclusive
  unsigned int status = HTTP_STATUS_OK;
  if (range.kind == ByteRange::Kind::kPartial) {
    first = range.first;
    end = range.last + 1;
    status = HTTP_STATUS_PARTIAL_CONTENT;
    headers.push_back({"content-range:", "bytes " + std::to_string(range.first) + "-" +
                                             std::to_string(range.last) + "/" +
                                             std::to_string(size)});
  }
  if (!writeHeaders(wsi, status, media->content_type, end - first, headers)) return -1;
  if (head_only || first == end) return lws_http_transaction_completed(wsi) ? -1 : 0;
  http_replies_[wsi] = HttpReply{nullptr, 0, false, std::move(media->file), first, end};
  lws_callback_on_writable(wsi);
  return 0;
}

int ControlServer::Impl::handRequest(lws* wsi, std::string_view path, bool head_only) {
  if (!handlers_.on_request) {
    return replyError(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "no such resource", head_only);
  }
  if (requests_.size() >= options_.max_pending_requests) {
    return reply(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "application/json; charset=utf-8",
                 std::make_shared<const std::string>(jsonError("busy", "try again shortly")),
                 head_only, {{"retry-after:", "1"}, {"cache-control:", "no-store"}});
  }
  // lws has %-decoded each name=value pair into a fragment of its own.
  std::vector<std::pair<std::string, std::string>> args;
  for (const std::string& pair : headerFragments(wsi, WSI_TOKEN_HTTP_URI_ARGS)) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos) {
      args.emplace_back(pair, std::string());
    } else {
      args.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
    }
  }
  const RequestId id = next_request_++;
  requests_[id] = {wsi, head_only};
  request_of_[wsi] = id;
  handlers_.on_request(id, std::string(path), std::move(args));
  return 0;
}

void ControlServer::Impl::forgetRequest(lws* wsi) {
  if (auto it = request_of_.find(wsi); it != request_of_.end()) {
    requests_.erase(it->second);
    request_of_.erase(it);
  }
  answers_.erase(wsi);
}

int ControlServer::Impl::redirect(lws* wsi, const std::string& location, bool head_only) {
  return reply(wsi, HTTP_STATUS_FOUND, "text/plain; charset=utf-8",
               std::make_shared<const std::string>("moved\n"), head_only,
               {{"location:", location},
                {"cache-control:", "no-store"},
                {"referrer-policy:", "no-referrer"}});
}

int ControlServer::Impl::serveStatic(lws* wsi, const std::string& root, std::string_view path,
                                     bool head_only) {
  const files::StaticTarget target = files::resolveStatic(root, path);
  switch (target.kind) {
    case files::StaticTarget::Kind::kFile:
      return serveFile(wsi, target.file.path, target.file.content_type);
    case files::StaticTarget::Kind::kAddSlash:
      // "/producer" → "/producer/" so that the page's relative URLs work.
      return reply(wsi, HTTP_STATUS_MOVED_PERMANENTLY, "text/plain; charset=utf-8",
                   std::make_shared<const std::string>("moved\n"), head_only,
                   {{"location:", std::string(path) + "/"}});
    case files::StaticTarget::Kind::kNotFound:
      break;
  }
  return replyError(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "no such file", head_only);
}

std::string ControlServer::Impl::clientAddress(lws* wsi) {
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

bool ControlServer::Impl::hostAllowed(lws* wsi) const {
  const std::string host_header = headerValue(wsi, WSI_TOKEN_HOST);
  // HTTP/1.0 clients may send none; they are not browsers running a page.
  if (host_header.empty()) return true;
  const std::string_view host = hostWithoutPort(host_header);
  if (isIpLiteral(host) || equalsIgnoreCase(host, "localhost")) return true;
  return std::any_of(options_.allowed_hosts.begin(), options_.allowed_hosts.end(),
                     [&](const std::string& allowed) { return equalsIgnoreCase(host, allowed); });
}

bool ControlServer::Impl::originAllowed(lws* wsi) const {
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

std::optional<unsigned int> ControlServer::Impl::checkStaffRequest(lws* wsi,
                                                                   std::int64_t* retry_after_s) {
  const std::string key = addressKey(clientAddress(wsi));
  const std::int64_t now = steadyNowUs();
  if (const std::int64_t wait_us = staff_gate_.lockedForUs(key, now); wait_us > 0) {
    *retry_after_s = (wait_us + 999999) / 1000000;
    return 429u;
  }
  const std::string authorization = headerValue(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  constexpr std::string_view kBearer = "Bearer ";
  bool ok = false;
  if (authorization.size() > kBearer.size() &&
      equalsIgnoreCase(std::string_view(authorization).substr(0, kBearer.size()), kBearer)) {
    const std::string_view token = std::string_view(authorization).substr(kBearer.size());
    for (const std::string& staff : options_.staff_tokens) {
      ok |= !staff.empty() && constantTimeEquals(token, staff);
    }
  }
  if (ok) {
    staff_gate_.succeed(key);
    return std::nullopt;
  }
  ++unauthorized_;
  // Only requests that tried a token count as failures: a browser that
  // simply opens the URL gets 401 as often as it likes.
  if (authorization.empty()) return HTTP_STATUS_UNAUTHORIZED;
  if (const int failures = staff_gate_.fail(key, now); failures > kStaffGatePolicy.free_failures) {
    yst::logWarn("server", "wrong staff tokens from " + key + " (" + std::to_string(failures) +
                               " in a row): refused for a while");
  }
  return HTTP_STATUS_UNAUTHORIZED;
}

// Service thread, before anything is read from the socket.
bool ControlServer::Impl::filterConnection(const lws_filter_network_conn_args& args) {
  if (sockets_.size() >= max_sockets_) {
    ++refused_sockets_;
    return false;
  }
  const std::string address = addressOf(args.cli_addr);
  if (!options_.trusted_proxies.trusts(address)) {
    auto it = sockets_per_address_.find(addressKey(address));
    if (it != sockets_per_address_.end() &&
        it->second >= options_.max_http_connections_per_address) {
      ++refused_sockets_;
      return false;
    }
  }
  return true;
}

void ControlServer::Impl::onNewSocket(lws* wsi) {
  const std::string key = addressKey(peerAddress(wsi));
  if (!sockets_.emplace(wsi, key).second) return;
  if (!options_.trusted_proxies.trusts(peerAddress(wsi))) ++sockets_per_address_[key];
  socket_count_ = sockets_.size();
}

void ControlServer::Impl::onSocketGone(lws* wsi) {
  upgrades_.erase(wsi);
  auto it = sockets_.find(wsi);
  if (it == sockets_.end()) return;
  if (auto count = sockets_per_address_.find(it->second);
      count != sockets_per_address_.end() && --count->second == 0) {
    sockets_per_address_.erase(count);
  }
  sockets_.erase(it);
  socket_count_ = sockets_.size();
}

int ControlServer::Impl::onHttp(lws* wsi) {
  char* uri = nullptr;
  int uri_length = 0;
  const int method = lws_http_get_uri_and_method(wsi, &uri, &uri_length);
  if (method != LWSHUMETH_GET && method != LWSHUMETH_HEAD) {
    return reply(
        wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, "application/json; charset=utf-8",
        std::make_shared<const std::string>(jsonError("method_not_allowed", "only GET and HEAD")),
        false, {{"allow:", "GET, HEAD"}}, /*close_after=*/true);
  }
  const bool head_only = method == LWSHUMETH_HEAD;
  // lws has already %-decoded the path and collapsed "." and ".." segments
  // (and refuses %00); the checks below do not rely on that.
  const std::string_view path =
      uri ? std::string_view(uri, static_cast<std::size_t>(uri_length)) : std::string_view();
  if (path.empty() || path.front() != '/') {
    return replyError(wsi, HTTP_STATUS_BAD_REQUEST, "bad_request", "bad path", head_only);
  }
  if (!hostAllowed(wsi)) {
    ++refused_hosts_;
    return replyError(wsi, 421, "unknown_host", "this server does not answer to that host name",
                      head_only);
  }

  if (path == "/api/public-status") {
    std::shared_ptr<const std::string> body;
    {
      std::lock_guard lock(mutex_);
      body = public_status_json_;
    }
    if (!body) {
      return replyError(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "not_ready",
                        "status not available yet", head_only);
    }
    return reply(wsi, HTTP_STATUS_OK, "application/json; charset=utf-8", std::move(body), head_only,
                 {{"cache-control:", "no-store"}});
  }
  if (path == "/api/status" || path == "/metrics") {
    const bool status = path == "/api/status";
    std::int64_t retry_after_s = 0;
    if (const std::optional<unsigned int> refused = checkStaffRequest(wsi, &retry_after_s)) {
      if (*refused == HTTP_STATUS_UNAUTHORIZED) {
        return reply(
            wsi, HTTP_STATUS_UNAUTHORIZED, "application/json; charset=utf-8",
            std::make_shared<const std::string>(jsonError(
                "unauthorized", "staff only: send Authorization: Bearer <producer token>")),
            head_only,
            {{"www-authenticate:", "Bearer realm=\"yishiting\""}, {"cache-control:", "no-store"}});
      }
      return reply(
          wsi, 429, "application/json; charset=utf-8",
          std::make_shared<const std::string>(
              jsonError("too_many_failures", "too many wrong tokens; try again later")),
          head_only,
          {{"retry-after:", std::to_string(retry_after_s)}, {"cache-control:", "no-store"}});
    }
    std::shared_ptr<const std::string> body;
    {
      std::lock_guard lock(mutex_);
      body = status ? status_json_ : metrics_text_;
    }
    if (!body && status) {
      return replyError(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "not_ready",
                        "status not available yet", head_only);
    }
    if (!body) {
      return reply(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                   std::make_shared<const std::string>("# metrics not available yet\n"), head_only,
                   {{"cache-control:", "no-store"}});
    }
    return reply(
        wsi, HTTP_STATUS_OK,
        status ? "application/json; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8",
        std::move(body), head_only, {{"cache-control:", "no-store"}});
  }
  if (path == "/ws") {
    return replyError(wsi, 426, "upgrade_required", "WebSocket only", head_only);
  }
  if (path.starts_with("/hls/")) return serveHls(wsi, path.substr(5), head_only);
  for (const std::string& prefix : options_.request_prefixes) {
    if (path.starts_with(prefix)) return handRequest(wsi, path, head_only);
  }
  for (const MediaMount& mount : options_.media_mounts) {
    if (path.starts_with(mount.prefix)) {
      return serveMedia(wsi, mount, path.substr(mount.prefix.size()), head_only);
    }
  }
  for (const auto& [from, to] : options_.redirects) {
    if (path == from) return redirect(wsi, to, head_only);
  }
  for (const auto& [prefix, to] : options_.prefix_redirects) {
    if (path.starts_with(prefix)) {
      const std::string_view rest = path.substr(prefix.size());
      if (!files::isSafeSegment(rest)) {
        return replyError(wsi, HTTP_STATUS_NOT_FOUND, "not_found", "no such link", head_only);
      }
      return redirect(wsi, to + std::string(rest), head_only);
    }
  }
  for (const auto& [prefix, dir] : options_.mounts) {
    if (path.starts_with(prefix)) {
      return serveStatic(wsi, dir, path.substr(prefix.size() - 1), head_only);
    }
  }
  return serveStatic(wsi, options_.web_root, path, head_only);
}

int ControlServer::Impl::onHttpWriteable(lws* wsi) {
  if (auto answer = answers_.find(wsi); answer != answers_.end()) {
    Response response = std::move(answer->second);
    answers_.erase(answer);
    return reply(wsi, response.status, response.content_type.c_str(), std::move(response.body),
                 response.head_only, {{"cache-control:", "no-store"}});
  }
  auto it = http_replies_.find(wsi);
  if (it == http_replies_.end()) return 0;
  HttpReply& pending = it->second;
  if (pending.file) return writeFileChunk(wsi, it);
  const std::size_t remaining = pending.body->size() - pending.offset;
  const std::size_t chunk = std::min(remaining, kHttpChunkBytes);
  const bool last = chunk == remaining;
  if (http_buffer_.size() < LWS_PRE + chunk) http_buffer_.resize(LWS_PRE + chunk);
  if (chunk > 0) {
    std::memcpy(http_buffer_.data() + LWS_PRE, pending.body->data() + pending.offset, chunk);
  }
  const int written = lws_write(wsi, http_buffer_.data() + LWS_PRE, chunk,
                                last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < 0 || static_cast<std::size_t>(written) < chunk) {
    http_replies_.erase(it);
    return -1;
  }
  pending.offset += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  const bool close_after = pending.close_after;
  http_replies_.erase(it);
  if (close_after) return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int ControlServer::Impl::writeFileChunk(lws* wsi,
                                        std::unordered_map<lws*, HttpReply>::iterator it) {
  HttpReply& pending = it->second;
  const std::uint64_t remaining = pending.file_end - pending.file_offset;
  const std::size_t chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(remaining, kHttpChunkBytes));
  const bool last = chunk == remaining;
  if (http_buffer_.size() < LWS_PRE + chunk) http_buffer_.resize(LWS_PRE + chunk);
  const ssize_t got = ::pread(::fileno(pending.file.get()), http_buffer_.data() + LWS_PRE, chunk,
                              static_cast<off_t>(pending.file_offset));
  if (got != static_cast<ssize_t>(chunk)) {
    // The file shrank or vanished under us (re-exported): the promised
    // length cannot be kept, so the connection goes.
    http_replies_.erase(it);
    return -1;
  }
  const int written = lws_write(wsi, http_buffer_.data() + LWS_PRE, chunk,
                                last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < 0 || static_cast<std::size_t>(written) < chunk) {
    http_replies_.erase(it);
    return -1;
  }
  pending.file_offset += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  http_replies_.erase(it);
  return lws_http_transaction_completed(wsi) ? -1 : 0;
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
      return self->onHttp(wsi);
    case LWS_CALLBACK_HTTP_WRITEABLE:
      return self->onHttpWriteable(wsi);
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
      return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
      return self->onConfirmUpgrade(wsi, static_cast<char*>(in));
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
      if (!user || self->destroying_) return 0;
      return self->filterConnection(*static_cast<const lws_filter_network_conn_args*>(user)) ? 0
                                                                                             : -1;
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
      self->onNewSocket(wsi);
      return 0;
    case LWS_CALLBACK_CLOSED_HTTP:
      self->http_replies_.erase(wsi);
      self->forgetRequest(wsi);
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      self->http_replies_.erase(wsi);
      self->forgetRequest(wsi);
      self->onSocketGone(wsi);
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
  std::lock_guard lock(impl_->mutex_);
  impl_->status_json_ = std::move(json);
}

void ControlServer::setMetricsText(std::shared_ptr<const std::string> text) {
  std::lock_guard lock(impl_->mutex_);
  impl_->metrics_text_ = std::move(text);
}

void ControlServer::setPublicStatusJson(std::shared_ptr<const std::string> json) {
  std::lock_guard lock(impl_->mutex_);
  impl_->public_status_json_ = std::move(json);
}

void ControlServer::markStaff(ClientId client) {
  if (isLocalClient(client)) return;
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->wake_context_ || !impl_->known_clients_.contains(client)) return;
  impl_->staff_marks_.insert(client);
  lws_cancel_service(impl_->wake_context_);
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
    std::lock_guard lock(impl_->mutex_);
    if (!impl_->known_clients_.contains(client)) return;
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
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->wake_context_) return;
  impl_->responses_.push_back(
      {request, http_status, std::move(content_type), std::move(body), false});
  lws_cancel_service(impl_->wake_context_);
}

void ControlServer::close(ClientId client) {
  if (isLocalClient(client)) return;  // its owner removes it
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->wake_context_ || !impl_->known_clients_.contains(client)) return;
  impl_->close_requests_.insert(client);
  lws_cancel_service(impl_->wake_context_);
}

void ControlServer::setMessageRate(ClientId client, double messages_per_second, double burst) {
  if (isLocalClient(client)) return;  // in-process: trusted, not rate limited
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->wake_context_ || !impl_->known_clients_.contains(client)) return;
  impl_->rate_requests_[client] = {messages_per_second, burst};
  lws_cancel_service(impl_->wake_context_);
}

std::size_t ControlServer::connectionCount() const {
  return impl_->connections_;
}

ServerStats ControlServer::stats() const {
  ServerStats stats;
  stats.connections = impl_->connections_;
  stats.queued_messages = impl_->queued_messages_;
  stats.accepted_connections = impl_->accepted_;
  stats.refused_connections = impl_->refused_;
  stats.dropped_slow_clients = impl_->dropped_slow_;
  stats.dropped_pending_messages = impl_->dropped_pending_;
  stats.oversize_closes = impl_->oversize_;
  stats.rate_limited_closes = impl_->rate_limited_;
  stats.bad_messages = impl_->bad_messages_;
  stats.idle_closes = impl_->idle_closes_;
  stats.sockets = impl_->socket_count_;
  stats.refused_sockets = impl_->refused_sockets_;
  stats.refused_full = impl_->refused_full_;
  stats.unauthorized_requests = impl_->unauthorized_;
  stats.refused_hosts = impl_->refused_hosts_;
  stats.refused_origins = impl_->refused_origins_;
  return stats;
}

}  // namespace yst::server
