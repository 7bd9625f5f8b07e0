// JetStream: ensureStream(), jsPublish() (sent like a request, its PubAck read
// here) and consume(), a durable push consumer whose deliveries carry a
// PendingAck.
#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "studio/base/in_quotes.h"
#include "studio/base/log.h"
#include "studio/bus/bus.h"
#include "studio/bus/bus_internal.h"

namespace yst::bus {

namespace internal {

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
