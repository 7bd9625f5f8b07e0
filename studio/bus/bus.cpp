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
//   with a small JSON PubAck, read here). js_PublishMsgAsync was the other
//   way: its acknowledgement handler runs on a thread of the jsCtx's own
//   reply subscription, which nats.c gives no completion callback for, so the
//   handler's closure could not be freed safely.
#include "studio/bus/bus.h"

#include <nats/nats.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/in_quotes.h"
#include "studio/base/log.h"

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

bool isSpaceOrControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

// "" when `subject` is one NATS accepts for this use, otherwise why not.
std::string subjectProblem(std::string_view subject, SubjectUse use) {
  if (subject.empty()) return "the subject is empty";
  if (subject.size() > kMaxSubjectBytes) return "the subject is longer than 1024 bytes";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = subject.find('.', start);
    const std::string_view token =
        subject.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const bool last = dot == std::string_view::npos;
    if (token.empty()) return "the subject " + inQuotes(subject) + " has an empty token";
    for (char c : token) {
      if (isSpaceOrControl(c)) {
        return "the subject " + inQuotes(subject) + " contains a space or a control character";
      }
    }
    const bool wildcard = token.find_first_of("*>") != std::string_view::npos;
    if (wildcard) {
      if (use == SubjectUse::kPublish) {
        return "the subject " + inQuotes(subject) +
               " has a wildcard (* or >): one cannot send to it";
      }
      if (token.size() != 1) {
        return "in the subject " + inQuotes(subject) + ", a wildcard must be a whole token";
      }
      if (token == ">" && !last) {
        return "in the subject " + inQuotes(subject) + ", > must be the last token";
      }
    }
    if (last) break;
    start = dot + 1;
  }
  return "";
}

// Queue groups, stream and consumer names: one token, no wildcards.
std::string nameProblem(std::string_view what, std::string_view name) {
  if (name.empty()) return std::string(what) + " is empty";
  if (name.size() > kMaxNameBytes) return std::string(what) + " is longer than 256 bytes";
  for (char c : name) {
    if (isSpaceOrControl(c) || c == '.' || c == '*' || c == '>') {
      return std::string(what) + " " + inQuotes(name) +
             " contains a space, a control character, a dot or a wildcard";
    }
  }
  return "";
}

// Nats-Msg-Id travels as a header value: a CR or LF in it would end the
// header block early and the server would drop the connection.
std::string msgIdProblem(std::string_view id) {
  if (id.empty()) return "the message id is empty (it is what deduplicates a retry)";
  if (id.size() > kMaxNameBytes) return "the message id is longer than 256 bytes";
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "the message id contains a control character";
  }
  if (id.front() == ' ' || id.back() == ' ') {
    return "the message id starts or ends with a space (header values are trimmed)";
  }
  return "";
}

// What nats-server's URL parsing in nats.c would refuse, found before any
// connection is tried: nats://, tls:// or no scheme, a host, a numeric port.
std::vector<std::string> splitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= urls.size()) {
    std::size_t comma = urls.find(',', start);
    if (comma == std::string::npos) comma = urls.size();
    std::string one = urls.substr(start, comma - start);
    const std::size_t first = one.find_first_not_of(" \t");
    const std::size_t last = one.find_last_not_of(" \t");
    one = first == std::string::npos ? "" : one.substr(first, last - first + 1);
    out.push_back(one);
    start = comma + 1;
  }
  return out;
}

// "" or why `url` is not a NATS server URL. Never quotes the URL itself: it
// may hold a user and password.
std::string urlProblem(const std::string& url) {
  if (url.empty()) return "a server URL is empty";
  std::string_view rest = url;
  const std::size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls") {
      return "a server URL has the scheme " + inQuotes(scheme) + " (nats:// or tls:// only)";
    }
    rest.remove_prefix(scheme_end + 3);
  }
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  const std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos) rest = rest.substr(0, slash);
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:4222
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "a server URL has an unclosed [";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "a server URL has something after ]";
      port = rest.substr(close + 2);
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return "a server URL has no host";
  for (char c : host) {
    if (isSpaceOrControl(c)) return "a server URL's host contains a space or a control character";
  }
  if (rest.find(':') != std::string_view::npos || !port.empty()) {
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      return "a server URL has a port that is not a number from 1 to 65535";
    }
  }
  return "";
}

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

// nats.c's words for a failed call on this thread: the status's text, and the
// detail nats.c (or the server) gave with it when that detail is about the
// same status.
std::string natsText(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  if (last == nullptr || *last == '\0' || last_status != s) return text;
  std::string_view detail = last;
  // nats.c puts where it noticed first: "(pub.c:130): Payload 2097152 ...".
  if (detail.front() == '(') {
    if (const std::size_t end = detail.find("): "); end != std::string_view::npos) {
      detail.remove_prefix(end + 3);
    }
  }
  if (detail.empty() || detail == text) return text;
  // NATS_ERR's text is just "Error"; the server's words say it all.
  if (s == NATS_ERR) return std::string(detail);
  return text + ": " + std::string(detail);
}

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

BusMessage toBusMessage(natsMsg* msg) {
  BusMessage m;
  if (const char* subject = natsMsg_GetSubject(msg)) m.subject = subject;
  const char* data = natsMsg_GetData(msg);
  const int length = natsMsg_GetDataLength(msg);
  if (data != nullptr && length > 0) m.data.assign(data, static_cast<std::size_t>(length));
  if (const char* reply = natsMsg_GetReply(msg)) m.reply = reply;
  return m;
}

class NatsPendingAck final : public PendingAck {
 public:
  NatsPendingAck(std::shared_ptr<SubKeeper> keeper, natsMsg* msg)
      : keeper_(std::move(keeper)), msg_(msg) {}
  ~NatsPendingAck() override { natsMsg_Destroy(msg_); }
  NatsPendingAck(const NatsPendingAck&) = delete;
  NatsPendingAck& operator=(const NatsPendingAck&) = delete;

  bool ack() override {
    std::lock_guard lock(mutex_);
    if (acked_) return true;
    const natsStatus s = natsMsg_Ack(msg_, nullptr);
    if (s == NATS_OK) {
      acked_ = true;
    } else {
      logDebug(kLogScope, [&] { return "could not acknowledge a delivery: " + natsText(s); });
    }
    return acked_;
  }

 private:
  const std::shared_ptr<SubKeeper> keeper_;  // first in, last out: outlives msg_
  std::mutex mutex_;
  natsMsg* const msg_;  // Owned; natsMsg_Ack on it guarded by mutex_.
  bool acked_ = false;  // Guarded by mutex_.
};

}  // namespace internal

const char* busStateName(BusState state) {
  switch (state) {
    case BusState::kConnecting:
      return "connecting";
    case BusState::kConnected:
      return "connected";
    case BusState::kReconnecting:
      return "reconnecting";
    case BusState::kClosed:
      return "closed";
    case BusState::kInvalid:
      break;
  }
  return "invalid";
}

namespace internal {

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

JsPublishResult jsPublishFailure(std::string error) {
  JsPublishResult result;
  result.error = std::move(error);
  return result;
}

// The stream's answer to a publication: {"stream":"S","seq":7,"duplicate":true}
// or {"error":{"code":503,"err_code":10077,"description":"..."}}.
JsPublishResult readPubAck(natsMsg* msg, const std::string& subject, const Redactor& redact) {
  if (natsMsg_IsNoResponders(msg)) {
    return jsPublishFailure("no JetStream stream takes messages on " + inQuotes(subject));
  }
  const char* data = natsMsg_GetData(msg);
  const int length = natsMsg_GetDataLength(msg);
  const auto answer = nlohmann::json::parse(
      std::string_view(data == nullptr ? "" : data, static_cast<std::size_t>(length)), nullptr,
      false);
  if (answer.is_discarded() || !answer.is_object()) {
    return jsPublishFailure("the stream's answer to a message on " + inQuotes(subject) +
                            " is not JSON");
  }
  if (const auto error = answer.find("error"); error != answer.end()) {
    std::string description = "no description";
    int code = 0;
    if (error->is_object()) {
      if (const auto d = error->find("description"); d != error->end() && d->is_string()) {
        description = d->get<std::string>();
      }
      if (const auto c = error->find("err_code"); c != error->end() && c->is_number_integer()) {
        code = c->get<int>();
      }
    }
    return jsPublishFailure(redact("the stream refused a message on " + inQuotes(subject) + ": " +
                                   description + " (error " + std::to_string(code) + ")"));
  }
  const auto seq = answer.find("seq");
  if (seq == answer.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0) {
    return jsPublishFailure("the stream's answer to a message on " + inQuotes(subject) +
                            " has no sequence");
  }
  JsPublishResult result;
  result.ok = true;
  result.seq = seq->get<std::uint64_t>();
  if (const auto dup = answer.find("duplicate"); dup != answer.end() && dup->is_boolean()) {
    result.duplicate = dup->get<bool>();
  }
  return result;
}

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

// ---------------------------------------------------------------- nats.c's callbacks

std::string connectedUrl(natsConnection* nc, const Redactor& redact) {
  char url[512] = {0};
  if (natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK || url[0] == '\0') {
    return "a NATS server";
  }
  return redact(url);
}

std::string lastConnectionError(natsConnection* nc) {
  const char* text = nullptr;
  const natsStatus s = natsConnection_GetLastError(nc, &text);
  if (s == NATS_OK) return "";
  std::string out = natsStatus_GetText(s);
  if (text != nullptr && *text != '\0' && out != text) out += std::string(": ") + text;
  return out;
}

void onConnected(natsConnection* nc, void* closure) {
  Core* core = static_cast<Core*>(closure);
  std::lock_guard lock(core->state_mutex);
  core->ever_connected = true;
  if (!core->setup_done) return;
  core->noteStateLocked(BusState::kConnected, "connected to " + connectedUrl(nc, core->redact));
}

void onReconnected(natsConnection* nc, void* closure) {
  onConnected(nc, closure);
}

void onDisconnected(natsConnection* nc, void* closure) {
  Core* core = static_cast<Core*>(closure);
  const std::string why = lastConnectionError(nc);
  {
    std::lock_guard lock(core->state_mutex);
    if (core->setup_done) {
      core->noteStateLocked(
          BusState::kReconnecting,
          "lost the connection to NATS" + (why.empty() ? "" : " (" + why + ")") + "; reconnecting");
    }
  }
  core->failWaiting(0, "the connection to NATS was lost before the answer came");
}

void onClosed(natsConnection* nc, void* closure) {
  Core* core = static_cast<Core*>(closure);
  const char* text = nullptr;
  const bool refused = natsConnection_GetLastError(nc, &text) == NATS_NO_SERVER;
  const std::string why = lastConnectionError(nc);
  // Reconnecting forever, nats.c gives a server up only when it has refused
  // our credentials twice in a row (then closes with "no server").
  core->noteState(BusState::kClosed,
                  refused
                      ? "the connection to NATS is closed: no server accepted our user, "
                        "password, token or credentials (" +
                            why + ")"
                      : "the connection to NATS is closed" + (why.empty() ? "" : " (" + why + ")"));
  core->failWaiting(0, "the connection to NATS is closed");
  // The last callback nats.c posts for a connection: `core` may go now.
  core->releaseConnection();
}

void onAsyncError(natsConnection*, natsSubscription* sub, natsStatus err, void* closure) {
  Core* core = static_cast<Core*>(closure);
  std::string where;
  if (sub != nullptr) {
    if (const char* subject = natsSubscription_GetSubject(sub)) where = " on " + inQuotes(subject);
  }
  logWarn(kLogScope, core->redact(std::string(natsStatus_GetText(err)) + where));
}

void onRouteComplete(void* closure) {
  Route* route = static_cast<Route*>(closure);
  route->core->releaseRoute(route);  // may free `route`: nothing after this
}

void onCoreMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  Route* route = static_cast<Route*>(closure);
  MsgPtr owned(msg);
  if (!route->active.load()) return;
  BusMessage message = toBusMessage(msg);
  owned.reset();
  // Alive until its completion callback, which comes after this one returns;
  // the posted closure keeps its own reference.
  route->core->sendMessage(route->shared_from_this(), std::move(message));
}

void onInboxMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  Route* route = static_cast<Route*>(closure);
  MsgPtr owned(msg);
  const char* subject = natsMsg_GetSubject(msg);
  if (subject == nullptr) return;
  const std::string_view s(subject);
  // route->subject is "<inbox>.*"; the answer comes on "<inbox>.<token>".
  const std::size_t prefix = route->subject.size() - 1;
  if (s.size() <= prefix) return;
  std::uint64_t token = 0;
  const auto [end, ec] = std::from_chars(s.data() + prefix, s.data() + s.size(), token);
  if (ec != std::errc() || end != s.data() + s.size()) return;
  route->core->answer(token, msg);
}

void onJetStreamMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  Route* route = static_cast<Route*>(closure);
  std::shared_ptr<SubKeeper> keeper = route->keeper.lock();
  if (!route->active.load() || keeper == nullptr) {
    natsMsg_Destroy(msg);  // not acknowledged: the server sends it again
    return;
  }
  jsMsgMetaData* meta = nullptr;
  const natsStatus s = natsMsg_GetMetaData(&meta, msg);
  if (s != NATS_OK) {
    logWarn(kLogScope, "a delivery on " + inQuotes(route->subject) +
                           " without JetStream metadata was dropped: " + natsText(s));
    natsMsg_Destroy(msg);
    return;
  }
  BusMessage message = toBusMessage(msg);
  message.reply.clear();  // the $JS.ACK subject: acknowledged through PendingAck only
  message.stream_seq = meta->Sequence.Stream;
  message.delivered = meta->NumDelivered;
  jsMsgMetaData_Destroy(meta);
  auto ack = std::make_shared<NatsPendingAck>(std::move(keeper), msg);
  std::shared_ptr<Route> self = route->shared_from_this();
  route->core->send([self, message = std::move(message), ack = std::move(ack)] {
    if (!self->active.load()) return;
    if (const auto fn = self->on_delivery; fn && *fn) (*fn)(message, ack);
  });
}

}  // namespace internal

using namespace internal;

// ---------------------------------------------------------------- the Bus

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

void Bus::Impl::buildOptions() {
  auto fail = [](const std::string& why) { throw std::invalid_argument("NATS options: " + why); };
  if (options.url.empty()) fail("no server URL");
  const std::vector<std::string> urls = splitUrls(options.url);
  bool tls_url = false;
  for (const std::string& url : urls) {
    if (std::string problem = urlProblem(url); !problem.empty()) fail(problem);
    if (url.rfind("tls://", 0) == 0) tls_url = true;
  }
  const int ways = (!options.user.empty() || !options.password.empty() ? 1 : 0) +
                   (!options.token.empty() ? 1 : 0) + (!options.credentials_file.empty() ? 1 : 0);
  if (ways > 1)
    fail("give one way of signing in: user and password, a token, or a credentials file");
  if (options.user.empty() && !options.password.empty()) fail("a password without a user");
  if (!options.credentials_file.empty() && access(options.credentials_file.c_str(), R_OK) != 0) {
    fail("cannot read the credentials file " + inQuotes(options.credentials_file));
  }
  if (options.reconnect_wait_ms <= 0 || options.ping_interval_s <= 0 ||
      options.connect_timeout_ms <= 0 || options.js_timeout_ms <= 0 || options.max_in_flight <= 0 ||
      options.max_queued_messages <= 0) {
    fail("times and limits must be positive");
  }

  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) fail("nats.c could not make its options");
  nats_options.reset(raw);
  natsOptions* o = raw;
  auto check = [&](natsStatus s, const std::string& what) {
    if (s != NATS_OK) fail(core->redact(what + ": " + natsText(s)));
  };
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  check(natsOptions_SetServers(o, servers.data(), static_cast<int>(servers.size())),
        "the server URLs");
  if (!options.name.empty()) check(natsOptions_SetName(o, options.name.c_str()), "the name");
  if (!options.user.empty()) {
    check(natsOptions_SetUserInfo(o, options.user.c_str(), options.password.c_str()),
          "the user and password");
  }
  if (!options.token.empty()) check(natsOptions_SetToken(o, options.token.c_str()), "the token");
  if (!options.credentials_file.empty()) {
    check(natsOptions_SetUserCredentialsFromFiles(o, options.credentials_file.c_str(), nullptr),
          "the credentials file");
  }
  if (tls_url || !options.ca_file.empty()) {
    check(natsOptions_SetSecure(o, true), "TLS");
    if (!options.ca_file.empty()) {
      check(natsOptions_LoadCATrustedCertificates(o, options.ca_file.c_str()),
            "the CA file " + inQuotes(options.ca_file));
    }
  }
  check(natsOptions_SetTimeout(o, options.connect_timeout_ms), "the connect timeout");
  // Forever, every reconnect_wait_ms plus up to half as much again (a whole
  // one again over TLS, whose handshakes cost the servers more), so that the
  // edges do not all come back in the same instant.
  check(natsOptions_SetMaxReconnect(o, -1), "the reconnect attempts");
  check(natsOptions_SetReconnectWait(o, options.reconnect_wait_ms), "the reconnect wait");
  check(natsOptions_SetReconnectJitter(o, std::max(1, options.reconnect_wait_ms / 2),
                                       options.reconnect_wait_ms),
        "the reconnect jitter");
  check(natsOptions_SetPingInterval(o, static_cast<std::int64_t>(options.ping_interval_s) * 1000),
        "the ping interval");
  check(natsOptions_SetMaxPingsOut(o, 2), "the pings out");
  // Nothing buffered while reconnecting: nats.c 3.4.1 refuses a publication
  // while reconnecting once the buffer holds reconnectBufSize bytes, so 0
  // refuses every one (nats.h says 0 means the 8 MB default; the code keeps
  // the 0, and the tests check the refusal).
  check(natsOptions_SetReconnectBufSize(o, 0), "the reconnect buffer");
  check(natsOptions_SetWriteDeadline(o, kWriteDeadlineMs), "the write deadline");
  // Each publication goes to the socket at once instead of through nats.c's
  // flusher thread, which waits 1 ms for more to batch. Measured here (the
  // DISABLED_Figures test, loopback, 2 cores): request/reply round trips one
  // at a time 490/s batched against 4,600/s at once, jsPublish one at a time
  // 1,000/s against 8,000/s; the price is throughput the link does not need
  // (publish to callback 500k/s against 190k/s, pipelined jsPublish 87k/s
  // against 66k/s). A question's path has four such hops.
  check(natsOptions_SetSendAsap(o, true), "sending at once");
  // JetStream API calls under way (ensureStream, consume) fail at the
  // disconnection instead of at their timeout.
  check(natsOptions_SetFailRequestsOnDisconnect(o, true), "failing requests on disconnect");
  Core* closure = core.get();
  check(natsOptions_SetRetryOnFailedConnect(o, true, onConnected, closure), "the connect retry");
  check(natsOptions_SetDisconnectedCB(o, onDisconnected, closure), "the disconnected callback");
  check(natsOptions_SetReconnectedCB(o, onReconnected, closure), "the reconnected callback");
  check(natsOptions_SetClosedCB(o, onClosed, closure), "the closed callback");
  check(natsOptions_SetErrorHandler(o, onAsyncError, closure), "the error handler");

  natsInbox* raw_inbox = nullptr;
  if (natsInbox_Create(&raw_inbox) != NATS_OK) fail("nats.c could not make an inbox");
  InboxPtr inbox_ptr(raw_inbox);
  inbox = raw_inbox;
}

Bus::Bus(BusOptions options, Post post) {
  if (!post) throw std::invalid_argument("NATS: no post function");
  impl_ = std::make_unique<Impl>(std::move(options), std::move(post));
  impl_->buildOptions();
}

Bus::~Bus() {
  stop();
}

void Bus::start(std::function<void(BusState, const std::string& detail)> on_state) {
  Impl& d = *impl_;
  if (d.started || d.stopped) return;
  d.started = true;
  d.core->on_state = std::make_shared<const std::function<void(BusState, const std::string&)>>(
      std::move(on_state));
  d.core->noteState(BusState::kConnecting, "connecting to NATS");
  d.worker = std::thread([&d] { d.run(); });
}

void Bus::Impl::run() {
  pthread_setname_np(pthread_self(), "yst-nats");
  connect();
  // Then: the deadlines of requests and jsPublish() calls.
  std::unique_lock lock(core->pending_mutex);
  while (!core->stopping) {
    if (core->deadlines.empty()) {
      core->pending_changed.wait(lock);
      continue;
    }
    const std::int64_t first_ms = core->deadlines.begin()->first;
    const std::int64_t now_ms = steadyNowMs();
    if (first_ms > now_ms) {
      core->pending_changed.wait_for(lock, std::chrono::milliseconds(first_ms - now_ms));
      continue;
    }
    lock.unlock();
    core->failWaiting(now_ms, "");
    lock.lock();
  }
}

void Bus::Impl::connect() {
  natsConnection* conn = nullptr;
  // nats.c may call the connection's callbacks from the moment it exists.
  core->holdForConnection();
  const natsStatus s = natsConnection_Connect(&conn, nats_options.get());
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    // No connection, so no callback will ever come.
    const std::string why = natsText(s);
    core->releaseConnection();
    std::lock_guard lock(core->state_mutex);
    core->setup_done = true;
    core->noteStateLocked(BusState::kClosed, "cannot connect to NATS: " + why);
    return;
  }
  jsCtx* context = nullptr;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = options.js_timeout_ms;
  const natsStatus js_status = natsConnection_JetStream(&context, conn, &js_options);
  if (js_status != NATS_OK) {
    logError(kLogScope, "no JetStream context: " + core->redact(natsText(js_status)));
  }
  {
    std::unique_lock lock(conn_mutex);
    nc = conn;
    js = context;
  }
  {
    std::shared_lock conn_lock(conn_mutex);
    std::lock_guard subs_lock(subs_mutex);
    if (!closing) {
      // The inbox for every answer, then what was subscribed before now.
      auto route = std::make_shared<Route>(core, Route::Kind::kInbox, 0);
      route->subject = inbox + ".*";
      SubEntry entry{route, std::make_shared<SubKeeper>()};
      std::string error;
      if (subscribeNow(nc, entry, &error)) {
        inbox_keeper = entry.keeper;
      } else {
        logError(kLogScope, "no inbox for requests: " + error);
      }
      for (auto& [id, waiting] : subs) {
        if (waiting.keeper->sub != nullptr) continue;
        if (!subscribeNow(nc, waiting, &error)) logError(kLogScope, error);
      }
    }
  }
  // Now the callbacks may tell the owner; until now they left it to us.
  std::lock_guard lock(core->state_mutex);
  core->setup_done = true;
  switch (natsConnection_Status(conn)) {
    case NATS_CONN_STATUS_CONNECTED:
      core->ever_connected = true;
      core->noteStateLocked(BusState::kConnected,
                            "connected to " + connectedUrl(conn, core->redact));
      break;
    case NATS_CONN_STATUS_CLOSED:
      core->noteStateLocked(BusState::kClosed, "the connection to NATS is closed");
      break;
    default:
      if (core->ever_connected) {
        core->noteStateLocked(BusState::kReconnecting, "lost the connection to NATS; reconnecting");
      } else {
        core->noteStateLocked(BusState::kConnecting, "no NATS server answers yet; retrying every " +
                                                         std::to_string(options.reconnect_wait_ms) +
                                                         " ms");
      }
      break;
  }
}

bool Bus::Impl::subscribeNow(natsConnection* conn, SubEntry& entry, std::string* error) {
  Route& route = *entry.route;
  natsMsgHandler handler = route.kind == Route::Kind::kInbox ? onInboxMessage : onCoreMessage;
  core->holdRoute(entry.route);
  natsSubscription* sub = nullptr;
  const natsStatus s =
      route.queue.empty()
          ? natsConnection_Subscribe(&sub, conn, route.subject.c_str(), handler, &route)
          : natsConnection_QueueSubscribe(&sub, conn, route.subject.c_str(), route.queue.c_str(),
                                          handler, &route);
  if (s != NATS_OK) {
    core->releaseRoute(&route);
    *error = core->redact("could not subscribe to " + inQuotes(route.subject) + ": " + natsText(s));
    return false;
  }
  entry.keeper->sub = sub;
  if (natsSubscription_SetOnCompleteCB(sub, onRouteComplete, &route) != NATS_OK) {
    // Closed already (the connection with it, refused by the server):
    // better a route kept than a call into freed memory.
    core->keepRouteForever(&route);
    logWarn(kLogScope, "the subscription to " + inQuotes(route.subject) + " ended at once");
  }
  return true;
}

void Bus::stop() {
  impl_->stop();
}

void Bus::Impl::stop() {
  if (stopped) return;
  stopped = true;
  // From here no callback of ours runs and `post` is not called again.
  core->closeGate();
  {
    std::lock_guard lock(core->pending_mutex);
    core->stopping = true;
  }
  core->pending_changed.notify_all();
  if (worker.joinable()) worker.join();

  natsConnection* conn = nullptr;
  jsCtx* context = nullptr;
  {
    std::unique_lock lock(conn_mutex);
    closing = true;
    conn = nc;
    context = js;
    nc = nullptr;
    js = nullptr;
  }
  std::map<SubscriptionId, SubEntry> taken;
  std::shared_ptr<SubKeeper> taken_inbox;
  {
    std::lock_guard lock(subs_mutex);
    taken = std::move(subs);
    subs.clear();
    taken_inbox = std::move(inbox_keeper);
  }
  for (auto& [id, entry] : taken) {
    entry.route->active.store(false);
    entry.route->on_message = nullptr;
    entry.route->on_delivery = nullptr;
    // Unsubscribed before the flush, so that the server has dropped our
    // interest (a durable consumer is free for the next process to bind)
    // when the flush's PONG comes back. The durables were made by consume(),
    // not by js_Subscribe, so unsubscribing does not delete them.
    if (entry.keeper->sub != nullptr) natsSubscription_Unsubscribe(entry.keeper->sub);
  }
  if (conn != nullptr) {
    if (connected(conn)) natsConnection_FlushTimeout(conn, kFlushOnStopMs);
    // Closes every subscription too (their delivery threads end, and say so).
    natsConnection_Close(conn);
  }
  taken.clear();
  taken_inbox.reset();
  jsCtx_Destroy(context);
  natsConnection_Destroy(conn);
  {
    std::lock_guard lock(core->state_mutex);
    core->state = BusState::kClosed;
  }
  // Requests still waiting are dropped here, on the owner's thread.
  std::map<std::uint64_t, Pending> dropped;
  {
    std::lock_guard lock(core->pending_mutex);
    dropped = std::move(core->waiting);
    core->waiting.clear();
    core->deadlines.clear();
  }
  dropped.clear();
  core->on_state = nullptr;
  if (!core->waitForNats(kNatsFinishWaitMs)) {
    logError(kLogScope, "nats.c has not finished its callbacks " +
                            std::to_string(kNatsFinishWaitMs) +
                            " ms after closing; what they use is kept, not freed");
  }
}

BusState Bus::state() const {
  return impl_->core->currentState();
}

std::uint64_t Bus::droppedMessages() const {
  return impl_->core->dropped_messages.load();
}

bool Bus::publish(const std::string& subject, const std::string& data) {
  if (std::string problem = subjectProblem(subject, SubjectUse::kPublish); !problem.empty()) {
    logWarn(kLogScope, "not published: " + problem);
    return false;
  }
  std::shared_lock lock(impl_->conn_mutex);
  natsConnection* conn = impl_->nc;
  // Refused before the first connection too: nats.c 3.4.1 mishandles a
  // publication (one with headers above all) made before it has the
  // server's INFO.
  if (!impl_->connected(conn)) return false;
  const natsStatus s =
      natsConnection_Publish(conn, subject.c_str(), data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) {
    logWarn(kLogScope,
            impl_->core->redact("not published on " + inQuotes(subject) + ": " + natsText(s)));
    return false;
  }
  return true;
}

bool Bus::respond(const BusMessage& request, const std::string& data) {
  if (request.reply.empty()) {
    logWarn(kLogScope, "no reply inbox to answer a message on " + inQuotes(request.subject));
    return false;
  }
  return publish(request.reply, data);
}

SubscriptionId Bus::subscribe(const std::string& subject,
                              std::function<void(BusMessage message)> on_message,
                              const std::string& queue_group) {
  Impl& d = *impl_;
  if (std::string problem = subjectProblem(subject, SubjectUse::kSubscribe); !problem.empty()) {
    logWarn(kLogScope, "not subscribed: " + problem);
    return 0;
  }
  if (!queue_group.empty()) {
    if (std::string problem = nameProblem("the queue group", queue_group); !problem.empty()) {
      logWarn(kLogScope, "not subscribed to " + inQuotes(subject) + ": " + problem);
      return 0;
    }
  }
  std::shared_lock conn_lock(d.conn_mutex);
  if (d.closing || d.stopped) return 0;
  std::lock_guard subs_lock(d.subs_mutex);
  const SubscriptionId id = ++d.next_id;
  auto route = std::make_shared<Route>(d.core, Route::Kind::kCore, id);
  route->subject = subject;
  route->queue = queue_group;
  route->on_message =
      std::make_shared<const std::function<void(BusMessage)>>(std::move(on_message));
  Impl::SubEntry entry{route, std::make_shared<SubKeeper>()};
  if (d.nc != nullptr) {
    std::string error;
    if (!d.subscribeNow(d.nc, entry, &error)) {
      logWarn(kLogScope, error);
      return 0;
    }
  }
  // Without a connection yet, the worker subscribes it once there is one.
  d.subs.emplace(id, std::move(entry));
  return id;
}

void Bus::unsubscribe(SubscriptionId id) {
  Impl& d = *impl_;
  std::shared_lock conn_lock(d.conn_mutex);
  Impl::SubEntry entry;
  {
    std::lock_guard subs_lock(d.subs_mutex);
    const auto it = d.subs.find(id);
    if (it == d.subs.end()) return;
    entry = std::move(it->second);
    d.subs.erase(it);
    entry.route->active.store(false);
    if (entry.keeper->sub != nullptr) natsSubscription_Unsubscribe(entry.keeper->sub);
  }
  entry.route->on_message = nullptr;
  entry.route->on_delivery = nullptr;
}

std::string Bus::Impl::sendAwaitingAnswer(natsConnection* conn, Pending pending,
                                          const std::string& subject, const std::string& data,
                                          const std::string& msg_id) {
  std::uint64_t token = 0;
  {
    std::lock_guard lock(core->pending_mutex);
    if (core->waiting.size() >= static_cast<std::size_t>(options.max_in_flight)) {
      return "too many requests are waiting for their answer (" +
             std::to_string(options.max_in_flight) + ")";
    }
    token = ++core->next_token;
    pending.deadline_ms = steadyNowMs() + pending.timeout_ms;
    const bool earliest =
        core->deadlines.empty() || pending.deadline_ms < core->deadlines.begin()->first;
    core->deadlines.emplace(pending.deadline_ms, token);
    core->waiting.emplace(token, std::move(pending));
    if (earliest) core->pending_changed.notify_all();
  }
  const std::string reply = inbox + "." + std::to_string(token);
  natsStatus s = NATS_OK;
  if (msg_id.empty()) {
    s = natsConnection_PublishRequest(conn, subject.c_str(), reply.c_str(), data.data(),
                                      static_cast<int>(data.size()));
  } else {
    natsMsg* raw = nullptr;
    s = natsMsg_Create(&raw, subject.c_str(), reply.c_str(), data.data(),
                       static_cast<int>(data.size()));
    MsgPtr msg(raw);
    if (s == NATS_OK) s = natsMsgHeader_Set(raw, "Nats-Msg-Id", msg_id.c_str());
    if (s == NATS_OK) s = natsConnection_PublishMsg(conn, raw);
  }
  if (s == NATS_OK) return "";
  const std::string why = natsText(s);
  {
    std::lock_guard lock(core->pending_mutex);
    const auto it = core->waiting.find(token);
    if (it == core->waiting.end()) return "";  // answered or failed meanwhile: told already
    core->deadlines.erase({it->second.deadline_ms, token});
    core->waiting.erase(it);
  }
  return "could not send on " + inQuotes(subject) + ": " + why;
}

void Bus::request(const std::string& subject, const std::string& data, int timeout_ms,
                  std::function<void(std::optional<BusMessage> reply, std::string error)> done) {
  Impl& d = *impl_;
  if (std::string problem = subjectProblem(subject, SubjectUse::kPublish); !problem.empty()) {
    d.failLater(std::move(done), "request not sent: " + problem);
    return;
  }
  if (timeout_ms <= 0) {
    d.failLater(std::move(done), "request not sent: the timeout must be positive");
    return;
  }
  std::shared_lock lock(d.conn_mutex);
  if (!d.connected(d.nc)) {
    d.failLater(std::move(done), "not connected to NATS");
    return;
  }
  Pending pending;
  pending.kind = Pending::Kind::kRequest;
  pending.subject = subject;
  pending.timeout_ms = timeout_ms;
  pending.on_reply = done;
  std::string error = d.sendAwaitingAnswer(d.nc, std::move(pending), subject, data, "");
  if (!error.empty()) d.failLater(std::move(done), std::move(error));
}

void Bus::jsPublish(const std::string& subject, const std::string& data, const std::string& msg_id,
                    std::function<void(JsPublishResult)> done) {
  Impl& d = *impl_;
  std::string problem = subjectProblem(subject, SubjectUse::kPublish);
  if (problem.empty()) problem = msgIdProblem(msg_id);
  if (!problem.empty()) {
    d.failLater(std::move(done), "not published: " + problem);
    return;
  }
  std::shared_lock lock(d.conn_mutex);
  if (!d.connected(d.nc)) {
    d.failLater(std::move(done), "not connected to NATS");
    return;
  }
  Pending pending;
  pending.kind = Pending::Kind::kJsPublish;
  pending.subject = subject;
  pending.timeout_ms = d.options.js_timeout_ms;
  pending.on_ack = done;
  std::string error = d.sendAwaitingAnswer(d.nc, std::move(pending), subject, data, msg_id);
  if (!error.empty()) d.failLater(std::move(done), std::move(error));
}

bool Bus::ensureStream(const StreamSpec& spec, std::string* error) {
  Impl& d = *impl_;
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = d.core->redact(why);
    return false;
  };
  if (std::string problem = nameProblem("the stream name", spec.name); !problem.empty()) {
    return fail(problem);
  }
  if (spec.subjects.empty()) return fail("the stream " + inQuotes(spec.name) + " has no subjects");
  for (const std::string& subject : spec.subjects) {
    if (std::string problem = subjectProblem(subject, SubjectUse::kSubscribe); !problem.empty()) {
      return fail("the stream " + inQuotes(spec.name) + ": " + problem);
    }
  }
  if (spec.max_age_s < 0 || spec.duplicate_window_s <= 0 || spec.max_msgs == 0 ||
      spec.max_bytes == 0 || spec.replicas < 1) {
    return fail("the stream " + inQuotes(spec.name) +
                ": the duplicate window and the replicas must be positive, the maximum age "
                "0 (none) or more, the maximum messages and bytes -1 (none) or positive");
  }
  std::shared_lock lock(d.conn_mutex);
  if (!d.connected(d.nc) || d.js == nullptr) return fail("not connected to NATS");

  std::vector<const char*> subjects;
  for (const std::string& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = spec.name.c_str();
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Retention = js_LimitsPolicy;
  config.Storage = js_FileStorage;
  config.Discard = js_DiscardOld;
  config.MaxAge = static_cast<std::int64_t>(spec.max_age_s) * kNanosPerSecond;
  config.Duplicates = static_cast<std::int64_t>(spec.duplicate_window_s) * kNanosPerSecond;
  config.MaxMsgs = spec.max_msgs;
  config.MaxBytes = spec.max_bytes;
  config.Replicas = spec.replicas;

  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw, d.js, spec.name.c_str(), nullptr, &code);
  StreamInfoPtr info(raw);
  const char* verb = "update";
  if (s == NATS_OK) {
    raw = nullptr;
    s = js_UpdateStream(&raw, d.js, &config, nullptr, &code);
    info.reset(raw);
  } else if (s == NATS_NOT_FOUND) {
    verb = "create";
    raw = nullptr;
    s = js_AddStream(&raw, d.js, &config, nullptr, &code);
    info.reset(raw);
  } else {
    verb = "look up";
  }
  if (s != NATS_OK) {
    return fail(std::string("could not ") + verb + " the JetStream stream " + inQuotes(spec.name) +
                ": " + natsText(s));
  }
  return true;
}

SubscriptionId Bus::consume(const ConsumerSpec& spec,
                            std::function<void(BusMessage, std::shared_ptr<PendingAck>)> on_message,
                            std::string* error) {
  Impl& d = *impl_;
  auto fail = [&](const std::string& why) -> SubscriptionId {
    if (error != nullptr) *error = d.core->redact(why);
    return 0;
  };
  if (std::string problem = nameProblem("the stream name", spec.stream); !problem.empty()) {
    return fail(problem);
  }
  if (std::string problem = nameProblem("the durable name", spec.durable); !problem.empty()) {
    return fail(problem);
  }
  if (!spec.filter_subject.empty()) {
    if (std::string problem = subjectProblem(spec.filter_subject, SubjectUse::kSubscribe);
        !problem.empty()) {
      return fail("the filter: " + problem);
    }
  }
  if (spec.ack_wait_s <= 0 || spec.max_ack_pending <= 0) {
    return fail("the ack wait and max ack pending must be positive");
  }
  const std::string what =
      "the durable " + inQuotes(spec.durable) + " on the stream " + inQuotes(spec.stream);
  std::shared_lock conn_lock(d.conn_mutex);
  if (!d.connected(d.nc) || d.js == nullptr) return fail("not connected to NATS");

  // The durable is made (or brought to the spec) here rather than by
  // js_Subscribe: nats.c deletes a consumer that js_Subscribe made when the
  // subscription is unsubscribed, and refuses one whose ack wait differs.
  const std::int64_t ack_wait_ns = static_cast<std::int64_t>(spec.ack_wait_s) * kNanosPerSecond;
  const char* filter = spec.filter_subject.empty() ? nullptr : spec.filter_subject.c_str();
  jsConsumerInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&raw, d.js, spec.stream.c_str(), spec.durable.c_str(), nullptr, &code);
  ConsumerInfoPtr info(raw);
  if (s == NATS_NOT_FOUND) {
    natsInbox* deliver = nullptr;
    if (natsInbox_Create(&deliver) != NATS_OK) return fail("nats.c could not make an inbox");
    InboxPtr deliver_ptr(deliver);
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = spec.durable.c_str();
    config.DeliverSubject = deliver;
    config.DeliverPolicy = js_DeliverAll;
    config.AckPolicy = js_AckExplicit;
    config.AckWait = ack_wait_ns;
    config.MaxAckPending = spec.max_ack_pending;
    config.FilterSubject = filter;
    raw = nullptr;
    s = js_AddConsumer(&raw, d.js, spec.stream.c_str(), &config, nullptr, &code);
    info.reset(raw);
    if (s != NATS_OK) return fail("could not create " + what + ": " + natsText(s));
  } else if (s == NATS_OK) {
    const jsConsumerConfig* have = info->Config;
    if (have == nullptr) return fail(what + " came without its configuration");
    if (have->DeliverSubject == nullptr || *have->DeliverSubject == '\0') {
      return fail(what + " is a pull consumer; consume() needs a push consumer");
    }
    const std::string have_filter = have->FilterSubject == nullptr ? "" : have->FilterSubject;
    if (have->AckWait != ack_wait_ns || have->MaxAckPending != spec.max_ack_pending ||
        have_filter != spec.filter_subject) {
      jsConsumerConfig config = *have;  // its strings point into `info`, alive below
      config.AckWait = ack_wait_ns;
      config.MaxAckPending = spec.max_ack_pending;
      config.FilterSubject = filter;
      raw = nullptr;
      s = js_UpdateConsumer(&raw, d.js, spec.stream.c_str(), &config, nullptr, &code);
      ConsumerInfoPtr updated(raw);
      if (s != NATS_OK) return fail("could not update " + what + ": " + natsText(s));
    }
  } else {
    return fail("could not look up " + what + ": " + natsText(s));
  }

  std::lock_guard subs_lock(d.subs_mutex);
  const SubscriptionId id = ++d.next_id;
  auto route = std::make_shared<Route>(d.core, Route::Kind::kJetStream, id);
  route->subject = spec.stream + "/" + spec.durable;
  route->on_delivery =
      std::make_shared<const std::function<void(BusMessage, std::shared_ptr<PendingAck>)>>(
          std::move(on_message));
  auto keeper = std::make_shared<SubKeeper>();
  route->keeper = keeper;
  d.core->holdRoute(route);
  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = spec.stream.c_str();
  sub_options.Consumer = spec.durable.c_str();
  sub_options.ManualAck = true;
  natsSubscription* sub = nullptr;
  s = js_Subscribe(&sub, d.js, filter, onJetStreamMessage, route.get(), nullptr, &sub_options,
                   &code);
  if (s != NATS_OK) {
    d.core->releaseRoute(route.get());
    return fail("could not consume " + what + ": " + natsText(s));
  }
  keeper->sub = sub;
  if (natsSubscription_SetOnCompleteCB(sub, onRouteComplete, route.get()) != NATS_OK) {
    d.core->keepRouteForever(route.get());
    logWarn(kLogScope, "the consumer of " + what + " ended at once");
  }
  d.subs.emplace(id, Impl::SubEntry{std::move(route), std::move(keeper)});
  return id;
}

}  // namespace yst::bus
