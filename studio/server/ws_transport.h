// The WebSocket side of the server (service thread only): which upgrades are
// accepted, the clients and their outgoing queues, publish()'s fan-out by
// channel rosters, and the limits a client meets (message size and rate,
// UTF-8, slow readers, idle and staff-reserve timers). See control_server.h
// for what a client sees, and the top of control_server.cpp for why frames
// are written at once when a client's queue is empty.
//
// ControlServer::Impl owns one, declared before the lws context: the lws
// callback also runs inside lws_context_destroy(), and CLOSED must still find
// the transport there.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "studio/base/token_bucket.h"
#include "studio/server/server_impl.h"

namespace yst::server {

class WsTransport {
 public:
  // `client_gone` runs after a client is removed and before on_close (the
  // lifecycle checks whether a shutdown is complete).
  WsTransport(const ServerOptions& options, const ControlServer::Handlers& handlers,
              Handover& handover, Admission& admission, ServerCounters& counters,
              std::function<void()> client_gone);
  // The loop's idle handle points at the transport.
  WsTransport(const WsTransport&) = delete;
  WsTransport& operator=(const WsTransport&) = delete;

  // The service thread's loop, from its start to its end: fan-out turns run on it.
  void attach(uv_loop_t* loop);
  // Closes the idle handle (the loop finishes closing it); pending
  // broadcasts are dropped.
  void detach();

  // LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: declines h2c, and refuses upgrades
  // (with an HTTP reply written here) that break a limit.
  int onConfirmUpgrade(lws* wsi, char* upgrade);
  int onEstablished(lws* wsi, SessionData* session);
  int onReceive(lws* wsi, SessionData* session, const void* in, std::size_t len);
  void onPong(SessionData* session);
  int onWriteable(lws* wsi, SessionData* session);
  int onTimer(lws* wsi, SessionData* session);
  void onClosed(SessionData* session);
  // LWS_CALLBACK_WSI_DESTROY: an upgrade that never became a client.
  void forgetUpgrade(lws* wsi) { upgrades_.erase(wsi); }

  // What drainHandedOver() picked up, in this order: messages and channel
  // changes (frames are moved out of `batch`), rates, staff marks, closes.
  void apply(std::deque<Outgoing>& batch,
             const std::unordered_map<ClientId, std::pair<double, double>>& rates,
             const std::unordered_set<ClientId>& staff, const std::unordered_set<ClientId>& closes);

  // stop(): no new clients; what was handed over still goes out, then every
  // client is closed with 1001.
  void beginShutdown();
  bool shuttingDown() const { return shutting_down_; }
  bool empty() const { return clients_.empty(); }
  // After the context is gone: ready for the next start().
  void clear();

 private:
  enum class CloseMode {
    kOpen = 0,
    kAfterQueue,  // write what is queued, then close with close_code
    kNow,         // close with close_code at the next writeable (queue dropped)
  };

  // One accepted WebSocket connection.
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

  // A publish() is fanned out to its recipients kFanOutPerTurn clients per
  // turn of the loop, not all at once: epoll hands back ready sockets oldest
  // first, so a reply to one viewer queued behind a broadcast to 10,000 would
  // wait for all 10,000 writes (measured: 0.4 s at 10,000 viewers); paced, it
  // waits for one turn.
  struct Broadcast {
    FramePtr frame;
    std::uint32_t channels = kChannelNone;
    // Who was connected and listening on the channels at publish().
    std::shared_ptr<const std::vector<ClientId>> roster;
    std::size_t next = 0;
  };

  enum class Lane { kBroadcast = 0, kDirect };

  Client* findClient(SessionData* session);
  // Why a client was cut off, for the operator; never its messages.
  void logDrop(const Client& client, const std::string& why);
  // write_now: the caller is not inside a callback of this client's
  // connection, so the frame may be written at once (see the top of
  // control_server.cpp).
  void enqueue(Client& client, FramePtr frame, Lane lane, bool write_now = false);
  void closeAfterQueue(Client& client, lws_close_status code, std::string reason);
  void closeNow(Client& client, lws_close_status code, std::string reason);
  void fanOut(std::size_t budget);
  std::shared_ptr<const std::vector<ClientId>> roster(std::uint32_t channels);

  const ServerOptions& options_;
  const ControlServer::Handlers& handlers_;
  Handover& handover_;
  Admission& admission_;
  ServerCounters& counters_;
  const std::function<void()> client_gone_;

  std::unordered_map<ClientId, Client> clients_;
  std::unordered_map<std::string, std::size_t> connections_per_address_;
  // The client address found at the upgrade, for LWS_CALLBACK_ESTABLISHED.
  std::unordered_map<lws*, std::pair<std::string, bool>> upgrades_;  // → (address, reserved)
  // From beginShutdown() until clear().
  bool shutting_down_ = false;
  std::deque<Broadcast> broadcasts_;
  // The ids of the clients listening on a channel mask, per mask published
  // to; all dropped when a client comes, goes or changes channels. A
  // broadcast to the producers walks the producers, not 10,000 viewers
  // (it did, 200 times a second under the audience benchmark).
  std::unordered_map<std::uint32_t, std::shared_ptr<const std::vector<ClientId>>> rosters_;
  uv_idle_t fan_out_idle_ = {};
  // Never reused within one ControlServer: runs are separated by thread
  // join/start, and clear() keeps it.
  ClientId next_client_id_ = 1;
};

}  // namespace yst::server
