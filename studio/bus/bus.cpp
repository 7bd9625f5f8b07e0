// The Bus's lifecycle: its options checked and given to nats.c, the first
// connection (made on the worker thread) and the state after it, nats.c's
// connection callbacks, the worker's deadlines for answers, and stop(). How
// nats.c's threads and the owner's are kept apart: bus_internal.h.
#include "studio/bus/bus.h"

#include <nats/nats.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/in_quotes.h"
#include "studio/base/log.h"
#include "studio/bus/bus_internal.h"

namespace yst::bus {

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

// ---------------------------------------------------------------- the connection's callbacks

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

}  // namespace internal

// ---------------------------------------------------------------- the Bus

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

}  // namespace yst::bus
