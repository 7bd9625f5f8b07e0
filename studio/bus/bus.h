// The studio's and the edges' link to NATS (nats.c 3.4, Debian's libnats):
// core publish/subscribe and request/reply, and JetStream for what must not be
// lost (a stream deduplicated by a message id, a durable consumer with manual
// acknowledgements). nats.c runs its own threads; every callback given here
// is handed to `post`, so it runs on the owner's thread (the Qt loop in the
// studio, the edge's EventLoop), never on a NATS thread.
//
// Error style: the calls below never throw; a call that cannot be made
// returns false (or 0) or hands its callback an error string, a sentence with
// nats.c's words in it and never a password, token or credential.
// Construction throws std::invalid_argument on bad options (a URL that nats.c
// refuses, two ways of signing in, a CA file that cannot be read).
//
// Threads: call a Bus from its owner's thread (the one `post` runs closures
// on). publish(), respond(), request() and jsPublish() may also be called from
// other threads (the database writer answers after its commit), and so may
// PendingAck::ack(). `post` must only queue the closure (never run it inline,
// never block): it is called from NATS threads under a lock that stop() takes.
//
// Reconnects are nats.c's own (forever, with jitter); the first connection is
// made on the Bus's worker thread and retried in the background too, so
// start() never blocks, not even on a name that takes long to resolve. While
// the connection is down, publish(), respond() and jsPublish() fail at once
// (nothing is buffered to go out later: a viewer is told "unavailable" and
// retries, an acknowledgement never leaves without the commit behind it), and
// requests and jsPublish() calls still waiting for their answer fail when the
// connection is lost.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yst::bus {

struct BusOptions {
  // nats://host:port, tls://host:port; several, comma-separated (a cluster).
  std::string url;
  std::string name;  // the connection's name in nats-server's monitoring
  // One way of signing in, or none: user + password, a token, or a
  // credentials file (JWT + NKey seed). Callers read them from the environment.
  std::string user;
  std::string password;
  std::string token;
  std::string credentials_file;
  // TLS: the CA that signed the servers' certificates (tls:// URLs; without
  // it the system's CAs). Giving one turns TLS on for every URL.
  std::string ca_file;
  int reconnect_wait_ms = 500;    // between rounds of attempts, plus jitter (up to half, TLS all)
  int ping_interval_s = 5;        // a dead server is noticed within ~2 pings
  int connect_timeout_ms = 2000;  // one attempt at one server (TCP and TLS handshake)
  // How long jsPublish() waits for the stream's answer, and ensureStream() and
  // consume() for each JetStream API call.
  int js_timeout_ms = 5000;
  // Requests and jsPublish() calls waiting for their answer at once; more
  // fail at once ("too many").
  int max_in_flight = 10000;
  // Core messages handed to `post` and not yet run; beyond this, subscriptions'
  // messages are dropped (and counted) rather than queued without bound.
  // JetStream deliveries are bounded by the consumer's max_ack_pending instead.
  int max_queued_messages = 100000;
};

// kConnecting until the first connection; kReconnecting while nats.c
// reconnects; kClosed for good (after stop(), or once every server has
// refused our credentials: a new Bus is needed).
enum class BusState { kInvalid = 0, kConnecting, kConnected, kReconnecting, kClosed };
const char* busStateName(BusState state);

struct BusMessage {
  std::string subject;
  std::string data;
  std::string reply;  // the inbox to respond() to; "" when none (and for JetStream deliveries)
  // JetStream deliveries only: the stream's sequence and how many times this
  // message has been delivered (1 the first time).
  std::uint64_t stream_seq = 0;
  std::uint64_t delivered = 0;
};

// A JetStream delivery still waiting for its acknowledgement. Dropping it
// without ack() lets the server deliver the message again after the
// consumer's ack wait. Keeps nats.c's subscription (not the Bus) alive.
class PendingAck {
 public:
  virtual ~PendingAck() = default;
  // Any thread. True once the acknowledgement has gone out (later calls
  // return true and send nothing); false when it could not be sent (not
  // connected, the Bus stopped): call again, or let the message come back.
  virtual bool ack() = 0;
};

struct StreamSpec {
  std::string name;                   // "YST_INTAKE_show1"
  std::vector<std::string> subjects;  // "yst.show1.intake"
  int max_age_s = 7 * 24 * 3600;      // messages older than this are removed
  int duplicate_window_s = 120;       // Nats-Msg-Id deduplication window
  std::int64_t max_msgs = 1000000;
  std::int64_t max_bytes = 1024 * 1024 * 1024;
  int replicas = 1;  // 3 on a three-node cluster; a stream's replicas cannot exceed its nodes
};

struct ConsumerSpec {
  std::string stream;
  std::string durable;         // survives restarts of the consumer and the server
  std::string filter_subject;  // "" for every subject of the stream
  int ack_wait_s = 10;         // redelivered if not acknowledged this soon
  int max_ack_pending = 1000;  // deliveries outstanding at once
};

struct JsPublishResult {
  bool ok = false;
  bool duplicate = false;  // the stream already held a message with this id
  std::uint64_t seq = 0;   // its sequence in the stream
  std::string error;       // when !ok: a sentence, never a credential
};

using Post = std::function<void(std::function<void()>)>;
using SubscriptionId = std::uint64_t;

class Bus {
 public:
  Bus(BusOptions options, Post post);
  ~Bus();  // stop()
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // Begins connecting (on the worker thread) and returns; `on_state` hears
  // every change (on the owner's thread), kConnecting first. Once only.
  void start(std::function<void(BusState, const std::string& detail)> on_state);
  // Unsubscribes, flushes what was published (up to a second), closes. No
  // callback runs after stop() returns (those already posted see a flag and
  // do nothing) and `post` is not called again. Waits for a first connection
  // attempt still under way (at most connect_timeout_ms per server).
  void stop();
  BusState state() const;
  // Subscriptions' messages dropped because max_queued_messages were waiting.
  std::uint64_t droppedMessages() const;

  // Core NATS. False when not connected, the subject is invalid (empty,
  // spaces, empty tokens, wildcards) or the payload is over the server's
  // max_payload. At most once: a message out just as the link breaks is lost.
  bool publish(const std::string& subject, const std::string& data);
  // `on_message` runs on the owner's thread. Subscriptions may be made before
  // the connection is up; nats.c re-makes them after reconnects. Wildcards
  // ("yst.*.vote", "yst.>") allowed. 0 when it could not subscribe. The
  // server has it a moment later: what this Bus publishes afterwards matches
  // it, another connection's message sent at once may not.
  SubscriptionId subscribe(const std::string& subject,
                           std::function<void(BusMessage message)> on_message,
                           const std::string& queue_group = "");
  // No on_message (or consume's) runs for it once this returns. A durable
  // consumer is kept on the server (its unacknowledged messages wait).
  void unsubscribe(SubscriptionId id);
  // `done` gets the reply, or nullopt and why (timeout, no responders, not
  // connected, the connection lost meanwhile). Always through `post`, never
  // before request() returns.
  void request(const std::string& subject, const std::string& data, int timeout_ms,
               std::function<void(std::optional<BusMessage> reply, std::string error)> done);
  // Answers a request (publishes to its reply inbox). False as publish().
  bool respond(const BusMessage& request, const std::string& data);

  // JetStream. Creates the stream (file storage, limits retention), or
  // updates it to the spec when it exists. Blocking (round trips of up to
  // js_timeout_ms): call it where blocking is fine, or before the loop.
  bool ensureStream(const StreamSpec& spec, std::string* error);
  // Publishes with a message id (1-256 bytes, no control characters;
  // deduplicated by the stream within its window); `done` hears the stream's
  // answer on the owner's thread. An error means the message may or may not
  // be stored: publishing again with the same id is safe.
  void jsPublish(const std::string& subject, const std::string& data, const std::string& msg_id,
                 std::function<void(JsPublishResult)> done);
  // A durable push consumer with explicit acknowledgements, from the first
  // message not yet acknowledged, in stream order. Creates the durable, or
  // updates its ack wait, max ack pending and filter to the spec. Blocking
  // like ensureStream(), and needs the connection up. `on_message` runs on
  // the owner's thread. 0 when it could not subscribe (error says why; a
  // durable still bound to a connection the server has not yet seen die says
  // "already bound": try again later).
  SubscriptionId consume(const ConsumerSpec& spec,
                         std::function<void(BusMessage, std::shared_ptr<PendingAck>)> on_message,
                         std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yst::bus
