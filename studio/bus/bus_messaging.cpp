// Core NATS: publish(), subscribe() (and nats.c's message callbacks for it and
// for the requests' inbox), respond(), and request(), whose answers come on
// the one wildcard inbox and wait in Core's list (sendAwaitingAnswer(), which
// jsPublish() shares).
#include <nats/nats.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/in_quotes.h"
#include "studio/base/log.h"
#include "studio/bus/bus.h"
#include "studio/bus/bus_internal.h"

namespace yst::bus {

namespace internal {

BusMessage toBusMessage(natsMsg* msg) {
  BusMessage m;
  if (const char* subject = natsMsg_GetSubject(msg)) m.subject = subject;
  const char* data = natsMsg_GetData(msg);
  const int length = natsMsg_GetDataLength(msg);
  if (data != nullptr && length > 0) m.data.assign(data, static_cast<std::size_t>(length));
  if (const char* reply = natsMsg_GetReply(msg)) m.reply = reply;
  return m;
}

// ---------------------------------------------------------------- nats.c's message callbacks

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

}  // namespace internal

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

}  // namespace yst::bus
