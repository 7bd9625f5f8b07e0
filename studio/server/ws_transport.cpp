#include "studio/server/ws_transport.h"

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/text/text.h"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace yst::server {
namespace {

// A client we decided to drop that does not become writable in this time is
// cut off without a close frame.
constexpr int kForcedCloseTimeoutS = 2;
// A client being closed after its queue (close(), rate limit) that does not
// read what is left in this time is cut off; new messages are no longer
// queued for it meanwhile, and the idle timer no longer applies.
constexpr int kCloseAfterQueueTimeoutS = 10;

// At most this much is written to one client per WRITEABLE turn.
constexpr std::size_t kMaxFramesPerWriteable = 32;
constexpr std::size_t kMaxBytesPerWriteable = 128 * 1024;
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

// A connection admitted through the staff reserve has this long to sign in
// as staff.
constexpr std::int64_t kStaffSignInUs = 10 * 1000 * 1000;

// From HTTP_CONFIRM_UPGRADE: the reply has to be complete before we return, so
// headers and body go out in one write (h1 only; a WebSocket upgrade is h1),
// and the connection is dropped after it.
int refuseUpgrade(lws* wsi, unsigned int status, std::string_view code, std::string_view message) {
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

}  // namespace

WsTransport::WsTransport(const ServerOptions& options, const ControlServer::Handlers& handlers,
                         Handover& handover, Admission& admission, ServerCounters& counters,
                         std::function<void()> client_gone)
    : options_(options),
      handlers_(handlers),
      handover_(handover),
      admission_(admission),
      counters_(counters),
      client_gone_(std::move(client_gone)) {}

void WsTransport::attach(uv_loop_t* loop) {
  uv_idle_init(loop, &fan_out_idle_);
  fan_out_idle_.data = this;
}

void WsTransport::detach() {
  uv_idle_stop(&fan_out_idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&fan_out_idle_), nullptr);
  broadcasts_.clear();
  rosters_.clear();
}

void WsTransport::beginShutdown() {
  shutting_down_ = true;
  // What was handed over before stop() still goes out (the last event of a
  // show, say); a client that cannot take it in the grace period is cut off.
  fanOut(std::numeric_limits<std::size_t>::max());
  for (auto& [id, client] : clients_) {
    closeAfterQueue(client, LWS_CLOSE_STATUS_GOINGAWAY, "server stopping");
  }
}

void WsTransport::clear() {
  clients_.clear();
  connections_per_address_.clear();
  upgrades_.clear();
  shutting_down_ = false;
  counters_.queued_messages = 0;
  counters_.connections = 0;
}

// ---------------------------------------------------------------------------
// Handed over (service thread)

void WsTransport::apply(std::deque<Outgoing>& batch,
                        const std::unordered_map<ClientId, std::pair<double, double>>& rates,
                        const std::unordered_set<ClientId>& staff,
                        const std::unordered_set<ClientId>& closes) {
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
    uv_idle_start(&fan_out_idle_, [](uv_idle_t* idle) {
      static_cast<WsTransport*>(idle->data)->fanOut(kFanOutPerTurn);
    });
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
}

std::shared_ptr<const std::vector<ClientId>> WsTransport::roster(std::uint32_t channels) {
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
void WsTransport::fanOut(std::size_t budget) {
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

WsTransport::Client* WsTransport::findClient(SessionData* session) {
  if (!session || session->id == 0) return nullptr;
  auto it = clients_.find(session->id);
  return it == clients_.end() ? nullptr : &it->second;
}

void WsTransport::logDrop(const Client& client, const std::string& why) {
  yst::logWarn("server",
               "client " + std::to_string(client.id) + " (" + client.address + ") " + why);
}

void WsTransport::enqueue(Client& client, FramePtr frame, Lane lane, bool write_now) {
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

void WsTransport::closeAfterQueue(Client& client, lws_close_status code, std::string reason) {
  if (client.close_mode != CloseMode::kOpen) return;
  client.close_mode = CloseMode::kAfterQueue;
  client.close_code = code;
  client.close_reason = std::move(reason);
  lws_callback_on_writable(client.wsi);
  lws_set_timeout(client.wsi, PENDING_TIMEOUT_USER_OK, kCloseAfterQueueTimeoutS);
}

void WsTransport::closeNow(Client& client, lws_close_status code, std::string reason) {
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
// WebSocket callbacks (service thread)

int WsTransport::onConfirmUpgrade(lws* wsi, char* upgrade) {
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

int WsTransport::onEstablished(lws* wsi, SessionData* session) {
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

int WsTransport::onReceive(lws* wsi, SessionData* session, const void* in, std::size_t len) {
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

void WsTransport::onPong(SessionData* session) {
  if (Client* client = findClient(session)) client->last_rx_us = steadyNowUs();
}

int WsTransport::onWriteable(lws* wsi, SessionData* session) {
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

int WsTransport::onTimer(lws* wsi, SessionData* session) {
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

void WsTransport::onClosed(SessionData* session) {
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
  client_gone_();
  handover_.forget(id);
  --counters_.connections;
  if (handlers_.on_close) handlers_.on_close(id);
}

}  // namespace yst::server
