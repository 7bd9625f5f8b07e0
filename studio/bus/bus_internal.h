// Private to studio/bus: what the Bus's files share. bus.cpp holds the
// lifecycle (options, connecting, state, stop), bus_messaging.cpp core
// publish/subscribe and request/reply, bus_jetstream.cpp streams, jsPublish()
// and durable consumers, bus_checks.cpp what is checked before nats.c sees it.
//
// How the Bus keeps nats.c's threads and the owner's apart:
//
// - Everything nats.c may call into (a subscription's Route, the Core behind
//   the connection's callbacks) is kept alive by a reference that only
//   nats.c's last call releases: a subscription's completion callback (run
//   after its last message callback has returned) and the connection's closed
//   callback (the last one nats.c posts for a connection). stop() waits,
//   bounded, for both.
// - Nothing reaches the owner except through Core::send(), which posts under
//   the gate's mutex while the gate is open; stop() closes the gate first, so
//   `post` is never called after it, and closures already posted see the gate
//   closed and do nothing.
// - User callbacks are called, replaced and dropped on the owner's thread only.
// - A JetStream delivery's natsMsg points at its natsSubscription without a
//   reference (nats.c 3.4.1, msg->sub), and natsMsg_Ack reads through it: the
//   subscription is released (natsSubscription_Destroy) only when the Bus and
//   every PendingAck made from it have let go (SubKeeper).
// - Requests and jsPublish() share one private wildcard inbox subscription
//   and one deadline list served by the Bus's worker thread: nothing blocks
//   per request, and jsPublish() calls are pipelined (the stream answers each
//   with a small JSON PubAck, read in bus_jetstream.cpp). js_PublishMsgAsync
//   was the other way: its acknowledgement handler runs on a thread of the
//   jsCtx's own reply subscription, which nats.c gives no completion callback
//   for, so the handler's closure could not be freed safely.
#pragma once

#include <nats/nats.h>

#include <atomic>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "studio/base/in_quotes.h"
#include "studio/base/log.h"
#include "studio/bus/bus.h"

namespace yst::bus {

// Named rather than anonymous: Bus::Impl (which has external linkage) holds
// these types, and GCC warns about that in a unity build.
namespace internal {

constexpr std::string_view kLogScope = "nats";
// A socket write that does not finish in this time means a dead link: nats.c
// then treats the connection as broken and reconnects, so publish() never
// blocks longer than this on a server that stopped reading.
constexpr int kWriteDeadlineMs = 2000;
// stop(): how long acknowledgements and publications get to reach the server
// (a PING/PONG round trip after them), and how long nats.c's threads get to
// make their last calls into us.
constexpr int kFlushOnStopMs = 1000;
constexpr int kNatsFinishWaitMs = 10000;
// Far below nats-server's max_control_line (4096), which holds the subject,
// the reply inbox and the sizes.
constexpr std::size_t kMaxSubjectBytes = 1024;
constexpr std::size_t kMaxNameBytes = 256;  // queue groups and message ids
constexpr std::int64_t kNanosPerSecond = 1000 * 1000 * 1000;

// ---------------------------------------------------------------- checks

enum class SubjectUse { kInvalid = 0, kPublish, kSubscribe };

// bus_checks.cpp: each is "" when what it is given is fine, otherwise why not
// (a sentence, never a password).
std::string subjectProblem(std::string_view subject, SubjectUse use);
std::string nameProblem(std::string_view what, std::string_view name);
std::string msgIdProblem(std::string_view id);
std::vector<std::string> splitUrls(const std::string& urls);
std::string urlProblem(const std::string& url);

// ---------------------------------------------------------------- errors

// Takes the secrets out of a text nats.c or the server wrote: the password
// and token wherever they appear, and anything between "://" and "@" (a URL
// with its user and password in it).
class Redactor {
 public:
  Redactor(std::string password, std::string token)
      : password_(std::move(password)), token_(std::move(token)) {}

  std::string operator()(std::string text) const {
    for (const std::string* secret : {&password_, &token_}) {
      if (secret->empty()) continue;
      for (std::size_t at = text.find(*secret); at != std::string::npos;
           at = text.find(*secret, at + 3)) {
        text.replace(at, secret->size(), "***");
      }
    }
    for (std::size_t at = text.find("://"); at != std::string::npos;
         at = text.find("://", at + 3)) {
      const std::size_t host = at + 3;
      const std::size_t end = text.find_first_of("/ ,\t\n\"'", host);
      const std::size_t sign = text.rfind('@', end == std::string::npos ? text.size() : end);
      if (sign != std::string::npos && sign >= host) text.replace(host, sign - host, "***");
    }
    return text;
  }

 private:
  const std::string password_;
  const std::string token_;
};

// nats.c's words for a failed call on this thread (bus_checks.cpp).
std::string natsText(natsStatus s);

// ---------------------------------------------------------------- RAII

// nats.c's objects, each freed by its own _Destroy function.
template <auto destroy>
struct NatsDeleter {
  template <typename T>
  void operator()(T* object) const {
    destroy(object);
  }
};
using OptionsPtr = std::unique_ptr<natsOptions, NatsDeleter<natsOptions_Destroy>>;
using MsgPtr = std::unique_ptr<natsMsg, NatsDeleter<natsMsg_Destroy>>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo_Destroy>>;
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, NatsDeleter<jsConsumerInfo_Destroy>>;
using InboxPtr = std::unique_ptr<natsInbox, NatsDeleter<natsInbox_Destroy>>;

// Our reference to a natsSubscription: natsSubscription_Destroy once the Bus
// and every PendingAck of its deliveries have let go.
struct SubKeeper {
  SubKeeper() = default;
  SubKeeper(const SubKeeper&) = delete;
  SubKeeper& operator=(const SubKeeper&) = delete;
  ~SubKeeper() { natsSubscription_Destroy(sub); }
  // Set once, by whoever subscribed, under Impl::subs_mutex; read by
  // unsubscribe() under it, and here after the last reference.
  natsSubscription* sub = nullptr;
};

// bus_messaging.cpp: a core message's subject, data and reply inbox.
BusMessage toBusMessage(natsMsg* msg);

struct Core;

// One subscription, as nats.c's message callback sees it (its closure).
struct Route : std::enable_shared_from_this<Route> {
  enum class Kind { kInvalid = 0, kCore, kInbox, kJetStream };

  Route(std::shared_ptr<Core> core_in, Kind kind_in, SubscriptionId id_in)
      : core(std::move(core_in)), kind(kind_in), id(id_in) {}

  const std::shared_ptr<Core> core;
  const Kind kind;
  const SubscriptionId id;
  std::string subject;  // set before nats.c sees the route; const after
  std::string queue;    // kCore; "" for none
  // kJetStream: what each delivery's PendingAck holds on to. Set before
  // nats.c sees the route.
  std::weak_ptr<SubKeeper> keeper;
  // False once unsubscribed or stopped: deliveries are dropped, and closures
  // already posted do nothing.
  std::atomic<bool> active{true};
  // The owner's thread only (set before subscribing, reset when it ends).
  // Shared, so that a callback that unsubscribes or stops the Bus is not
  // destroyed while it runs: the closure calling it holds a reference.
  std::shared_ptr<const std::function<void(BusMessage)>> on_message;
  std::shared_ptr<const std::function<void(BusMessage, std::shared_ptr<PendingAck>)>> on_delivery;
};

// A request or jsPublish() waiting for its answer.
struct Pending {
  enum class Kind { kInvalid = 0, kRequest, kJsPublish };
  Kind kind = Kind::kInvalid;
  std::string subject;  // where it went (for the error)
  int timeout_ms = 0;
  std::int64_t deadline_ms = 0;  // steadyNowMs()
  std::function<void(std::optional<BusMessage>, std::string)> on_reply;
  std::function<void(JsPublishResult)> on_ack;
};

// bus_jetstream.cpp: a failed jsPublish(), and the stream's answer to one.
JsPublishResult jsPublishFailure(std::string error);
JsPublishResult readPubAck(natsMsg* msg, const std::string& subject, const Redactor& redact);

// What the Bus shares with nats.c's callbacks and with the closures it posts.
struct Core : std::enable_shared_from_this<Core> {
  Core(Post post_in, Redactor redact_in, int max_queued)
      : redact(std::move(redact_in)), max_queued_messages(max_queued), post(std::move(post_in)) {}

  // ---- the gate: the only way to the owner's thread

  // Posts `fn`, to run on the owner's thread if the gate is still open then.
  // False (and `fn` dropped here) once the gate is closed.
  bool send(std::function<void()> fn) {
    std::lock_guard lock(gate_mutex);
    if (!open.load()) return false;
    post([self = shared_from_this(), fn = std::move(fn)] {
      if (self->open.load()) fn();
    });
    return true;
  }
  // Runs `fn(post)` under the gate's mutex while it is open: for work that
  // must hand what it takes out of a shared list to the owner, or leave it for
  // stop() to drop on the owner's thread.
  template <class Fn>
  void withGate(Fn&& fn) {
    std::lock_guard lock(gate_mutex);
    if (open.load()) fn(post);
  }
  // stop(), on the owner's thread: `post` is not called after this, and is
  // destroyed here rather than on a NATS thread.
  void closeGate() {
    Post dropped;
    {
      std::lock_guard lock(gate_mutex);
      open.store(false);
      dropped = std::move(post);
      post = nullptr;
    }
  }
  bool isOpen() const { return open.load(); }

  // A core message for the owner, unless max_queued_messages are waiting.
  void sendMessage(const std::shared_ptr<Route>& route, BusMessage message) {
    if (queued_messages.fetch_add(1) >= max_queued_messages) {
      queued_messages.fetch_sub(1);
      const std::uint64_t dropped = dropped_messages.fetch_add(1) + 1;
      if (dropped == 1 || dropped % 1000 == 0) {
        logWarn(kLogScope, "dropped a message on " + inQuotes(route->subject) + ": " +
                               std::to_string(max_queued_messages) +
                               " are waiting for the owner's thread (" + std::to_string(dropped) +
                               " dropped so far)");
      }
      return;
    }
    const bool sent = send([route, message = std::move(message), self = shared_from_this()] {
      self->queued_messages.fetch_sub(1);
      if (!route->active.load()) return;
      if (const auto fn = route->on_message; fn && *fn) (*fn)(message);
    });
    if (!sent) queued_messages.fetch_sub(1);
  }

  // ---- the connection's state

  // Under state_mutex: the state, and the owner told when it changes. Until
  // the worker has set the connection up (the inbox, the subscriptions made
  // before), nats.c's callbacks leave the state alone, so that the owner never
  // hears "connected" before a request can be made; the worker then reads the
  // state from nats.c itself.
  void noteState(BusState next, const std::string& detail) {
    std::lock_guard lock(state_mutex);
    noteStateLocked(next, detail);
  }
  void noteStateLocked(BusState next, const std::string& detail) {
    if (next == state) return;
    state = next;
    send([self = shared_from_this(), next, detail = redact(detail)] {
      if (const auto fn = self->on_state; fn && *fn) (*fn)(next, detail);
    });
  }
  BusState currentState() const {
    std::lock_guard lock(state_mutex);
    return state;
  }

  // ---- requests and jsPublish() waiting for their answer

  // The inbox subscription's thread: the answer to `token`.
  void answer(std::uint64_t token, natsMsg* msg) {
    withGate([&](const Post& post_fn) {
      Pending pending;
      {
        std::lock_guard lock(pending_mutex);
        const auto it = waiting.find(token);
        if (it == waiting.end()) return;  // timed out, or failed, already
        pending = std::move(it->second);
        deadlines.erase({pending.deadline_ms, token});
        waiting.erase(it);
      }
      postAnswer(post_fn, std::move(pending), msg);
    });
  }
  void postAnswer(const Post& post_fn, Pending pending, natsMsg* msg) {
    auto self = shared_from_this();
    if (pending.kind == Pending::Kind::kJsPublish) {
      post_fn([self, done = std::move(pending.on_ack),
               result = readPubAck(msg, pending.subject, redact)] {
        if (self->isOpen() && done) done(result);
      });
      return;
    }
    if (natsMsg_IsNoResponders(msg)) {
      post_fn([self, done = std::move(pending.on_reply), subject = pending.subject] {
        if (self->isOpen() && done)
          done(std::nullopt, "no one answers requests on " + inQuotes(subject));
      });
      return;
    }
    post_fn([self, done = std::move(pending.on_reply), reply = toBusMessage(msg)] {
      if (self->isOpen() && done) done(reply, "");
    });
  }
  // Fails every request still waiting whose deadline is at or before
  // `now_ms` (every one when `why` is given: the connection was lost).
  void failWaiting(std::int64_t now_ms, const std::string& why) {
    withGate([&](const Post& post_fn) {
      std::vector<Pending> failed;
      {
        std::lock_guard lock(pending_mutex);
        while (!deadlines.empty() && (!why.empty() || deadlines.begin()->first <= now_ms)) {
          const std::uint64_t token = deadlines.begin()->second;
          deadlines.erase(deadlines.begin());
          const auto it = waiting.find(token);
          if (it == waiting.end()) continue;
          failed.push_back(std::move(it->second));
          waiting.erase(it);
        }
      }
      auto self = shared_from_this();
      for (Pending& pending : failed) {
        std::string error = !why.empty() ? why
                            : pending.kind == Pending::Kind::kJsPublish
                                ? "no answer from the stream for a message on " +
                                      inQuotes(pending.subject) + " within " +
                                      std::to_string(pending.timeout_ms) + " ms"
                                : "no answer to a request on " + inQuotes(pending.subject) +
                                      " within " + std::to_string(pending.timeout_ms) + " ms";
        if (pending.kind == Pending::Kind::kJsPublish) {
          post_fn([self, done = std::move(pending.on_ack), error] {
            if (self->isOpen() && done) done(jsPublishFailure(error));
          });
        } else {
          post_fn([self, done = std::move(pending.on_reply), error] {
            if (self->isOpen() && done) done(std::nullopt, error);
          });
        }
      }
    });
  }

  // ---- what nats.c holds

  // A route nats.c may call from now on, until its completion callback.
  void holdRoute(const std::shared_ptr<Route>& route) {
    std::lock_guard lock(refs_mutex);
    routes_in_nats.emplace(route.get(), route);
  }
  // nats.c will not say when it is done with `route` (its subscription
  // closed before the completion callback could be set): it stays allocated
  // for good, and stop() does not wait for it.
  void keepRouteForever(Route* route) {
    std::lock_guard lock(refs_mutex);
    const auto it = routes_in_nats.find(route);
    if (it == routes_in_nats.end()) return;
#if defined(__SANITIZE_ADDRESS__)
    // Kept on purpose, and with it this Core (the route refers to it): the
    // leak checker is told so, or a test where a subscription meets a
    // closing connection fails now and then (LSan found the cycle).
    __lsan_ignore_object(route);
#endif
    routes_kept.push_back(std::move(it->second));
    routes_in_nats.erase(it);
    refs_changed.notify_all();
  }
  void releaseRoute(Route* route) {
    std::shared_ptr<Route> last;
    {
      std::lock_guard lock(refs_mutex);
      const auto it = routes_in_nats.find(route);
      if (it == routes_in_nats.end()) return;
      last = std::move(it->second);
      routes_in_nats.erase(it);
      refs_changed.notify_all();
    }
  }
  void holdForConnection() {
    std::lock_guard lock(refs_mutex);
    held_by_connection = shared_from_this();
  }
  void releaseConnection() {
    std::shared_ptr<Core> last;
    {
      std::lock_guard lock(refs_mutex);
      last = std::move(held_by_connection);
      refs_changed.notify_all();
    }
  }
  // stop(): true once nats.c has made its last call into every route and
  // into the connection's callbacks.
  bool waitForNats(int timeout_ms) {
    std::unique_lock lock(refs_mutex);
    return refs_changed.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] {
      return routes_in_nats.empty() && held_by_connection == nullptr;
    });
  }

  const Redactor redact;
  const int max_queued_messages;
  std::atomic<int> queued_messages{0};
  std::atomic<std::uint64_t> dropped_messages{0};

  std::mutex gate_mutex;
  std::atomic<bool> open{true};  // Written under gate_mutex.
  Post post;                     // Guarded by gate_mutex; emptied by closeGate().

  mutable std::mutex state_mutex;
  BusState state = BusState::kInvalid;  // Guarded by state_mutex.
  bool setup_done = false;              // Guarded by state_mutex: see noteState().
  bool ever_connected = false;          // Guarded by state_mutex.
  // The owner's thread only (shared for the reason Route's callbacks are).
  std::shared_ptr<const std::function<void(BusState, const std::string&)>> on_state;

  std::mutex pending_mutex;
  std::condition_variable pending_changed;   // the worker: an earlier deadline, or stopping
  std::map<std::uint64_t, Pending> waiting;  // Guarded by pending_mutex.
  std::set<std::pair<std::int64_t, std::uint64_t>> deadlines;  // Guarded by pending_mutex.
  std::uint64_t next_token = 0;                                // Guarded by pending_mutex.
  bool stopping = false;                                       // Guarded by pending_mutex.

  std::mutex refs_mutex;
  std::condition_variable refs_changed;
  std::map<Route*, std::shared_ptr<Route>> routes_in_nats;  // Guarded by refs_mutex.
  std::vector<std::shared_ptr<Route>> routes_kept;          // Guarded by refs_mutex.
  std::shared_ptr<Core> held_by_connection;                 // Guarded by refs_mutex.
};

// bus_messaging.cpp: a subscription's completion callback (core and
// JetStream), which releases its Route.
void onRouteComplete(void* closure);

}  // namespace internal

using namespace internal;

// Its lifecycle (buildOptions, run, connect, stop) is in bus.cpp;
// subscribeNow() and sendAwaitingAnswer() are in bus_messaging.cpp.
struct Bus::Impl {
  struct SubEntry {
    std::shared_ptr<Route> route;
    std::shared_ptr<SubKeeper> keeper;
  };

  Impl(BusOptions options_in, Post post)
      : options(std::move(options_in)),
        core(std::make_shared<Core>(std::move(post), Redactor(options.password, options.token),
                                    options.max_queued_messages)) {}

  void buildOptions();
  void run();
  void connect();
  // Subscribes `entry` on `nc` (a shared hold of conn_mutex and subs_mutex
  // held). False, and why, when nats.c refuses.
  bool subscribeNow(natsConnection* conn, SubEntry& entry, std::string* error);
  void stop();
  bool connected(natsConnection* conn) const {
    return conn != nullptr && natsConnection_Status(conn) == NATS_CONN_STATUS_CONNECTED;
  }
  void failLater(std::function<void(std::optional<BusMessage>, std::string)> done,
                 std::string error) {
    if (!done) return;
    core->send([done = std::move(done), error = core->redact(std::move(error))] {
      done(std::nullopt, error);
    });
  }
  void failLater(std::function<void(JsPublishResult)> done, std::string error) {
    if (!done) return;
    core->send([done = std::move(done), error = core->redact(std::move(error))] {
      done(jsPublishFailure(error));
    });
  }
  // Registers a request or jsPublish() and sends `msg` with its reply inbox.
  // "" or why not (the caller's callback not yet told).
  // A message id adds the Nats-Msg-Id header (jsPublish).
  std::string sendAwaitingAnswer(natsConnection* conn, Pending pending, const std::string& subject,
                                 const std::string& data, const std::string& msg_id);

  const BusOptions options;
  const std::shared_ptr<Core> core;
  OptionsPtr nats_options;
  std::string inbox;  // "_INBOX.<nuid>", made in the constructor; const after

  std::thread worker;
  bool started = false;  // the owner's thread only
  bool stopped = false;  // the owner's thread only

  // Shared while the connection is used, exclusive to set it or take it away.
  mutable std::shared_mutex conn_mutex;
  natsConnection* nc = nullptr;  // Guarded by conn_mutex.
  jsCtx* js = nullptr;           // Guarded by conn_mutex.
  bool closing = false;          // Guarded by conn_mutex: stop() has begun.

  std::mutex subs_mutex;                    // after conn_mutex
  std::map<SubscriptionId, SubEntry> subs;  // Guarded by subs_mutex.
  SubscriptionId next_id = 0;               // Guarded by subs_mutex.
  std::shared_ptr<SubKeeper> inbox_keeper;  // Guarded by subs_mutex.
};

}  // namespace yst::bus
