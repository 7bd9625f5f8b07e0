#include "studio/desks/edge_link.h"

#include <utility>

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/protocol/message.h"

namespace yst::desks {

using nlohmann::json;

namespace {

constexpr const char* kLog = "edge-link";

// The studio's own trouble (its database queue is full): the message stays
// in the stream and comes again. Every other outcome is the answer.
bool transient(const json& outcome) {
  return edge::textField(outcome, "type") == "error" && edge::textField(outcome, "code") == "busy";
}

Audience::Submission submissionOf(const json& body) {
  Audience::Submission s;
  s.asker = Audience::Asker::kViewer;
  s.viewer_id = edge::textField(body, "viewer");
  s.observer_id = edge::countField(body, "observer_id");
  s.observer_name = edge::textField(body, "observer_name");
  s.address_key = edge::textField(body, "address");
  const auto message = body.find("message");
  s.message = message != body.end() && message->is_object() ? *message : json::object();
  // The client id the stream deduplicated on is the one the desk keeps.
  s.message["client_id"] = edge::textField(body, "client_id");
  s.message["type"] = "question.submit";
  return s;
}

}  // namespace

EdgeLink::EdgeLink(Context context) : context_(std::move(context)), subjects_(context_.channel) {
  // Before any thread can answer through it (none exists yet).
  responder_->bus = context_.bus;
  heartbeat_timer_ = context_.make_timer([this] { heartbeat(); });
  setup_ = std::make_unique<WorkQueue<std::function<void()>>>(
      WorkQueue<std::function<void()>>::Options{"yst-edge-setup", 4, 1},
      [](std::vector<std::function<void()>>& jobs) {
        for (auto& job : jobs) job();
      });
}

EdgeLink::~EdgeLink() {
  // No publish reaches the bus once this returns.
  context_.feed->setOnPublic({});
  {
    std::lock_guard lock(responder_->mutex);
    responder_->bus = nullptr;
  }
  // The setup thread's job may still post its result: it finds `alive_` gone.
  alive_.reset();
  setup_.reset();
}

void EdgeLink::start() {
  bus::Bus& bus = *context_.bus;
  std::weak_ptr<char> alive = alive_;
  bus.subscribe(subjects_.edges, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) edgeCounts(m);
  });
  bus.subscribe(subjects_.snapshot, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) answer(m, context_.audience->edgeSnapshot());
  });
  bus.subscribe(subjects_.mine, [this, alive](bus::BusMessage m) {
    if (alive.expired()) return;
    const std::optional<json> body = edge::parseBody(m.data);
    const std::string viewer = body ? edge::textField(*body, "viewer") : "";
    json mine = context_.audience->mineOf(viewer);
    // The page then asks for followup.mine (as hello.ok says on the studio's
    // own address): only viewers whose questions were followed up.
    if (context_.followup && context_.followup->hasFollowup(viewer)) mine["followup"] = true;
    answer(m, mine);
  });
  bus.subscribe(subjects_.transcript, [this, alive](bus::BusMessage m) {
    if (alive.expired() || m.reply.empty()) return;
    context_.bus->respond(m, context_.transcript->viewerList());
  });
  bus.subscribe(subjects_.vote, [this, alive](bus::BusMessage m) {
    if (alive.expired()) return;
    const std::optional<json> body = edge::parseBody(m.data);
    if (!body) {
      answer(m, protocol::errorMessage("bad_message", "not a JSON object"));
      return;
    }
    context_.audience->remoteVote(edge::textField(*body, "viewer"),
                                  edge::textField(*body, "address"), *body,
                                  [this, alive, m](json reply) {
                                    if (!alive.expired()) answer(m, reply);
                                  });
  });
  bus.subscribe(subjects_.observer, [this, alive](bus::BusMessage m) {
    if (alive.expired()) return;
    const std::optional<json> body = edge::parseBody(m.data);
    const std::string hash = body ? edge::textField(*body, "token_sha256") : "";
    context_.audience->findObserver(hash,
                                    [this, alive, m](bool ok, std::int64_t id, std::string name) {
                                      if (alive.expired() || !ok)
                                        return;  // no answer: the edge says "unavailable"
                                      answer(m, {{"id", id}, {"name", std::move(name)}});
                                    });
  });
  bus.subscribe(subjects_.archive, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) archiveRequest(m);
  });
  bus.subscribe(subjects_.department, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) departmentRequest(m);
  });
  bus.subscribe(subjects_.followup, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) followupRequest(m);
  });
  bus.subscribe(subjects_.lookup, [this, alive](bus::BusMessage m) {
    if (alive.expired()) return;
    const std::optional<json> body = edge::parseBody(m.data);
    if (!body) return;
    context_.audience->intake(submissionOf(*body), [this, alive, m](json outcome) {
      if (alive.expired() || transient(outcome)) return;
      answer(m, outcome);
    });
  });
  // Every numbered public message, once, for the edges to fan out. Called
  // under the feed's lock, from whichever thread published: the bus's
  // publish is thread-safe and keeps the order.
  context_.feed->setOnPublic(
      [bus = context_.bus, subject = subjects_.feed](const protocol::FeedPosition& position,
                                                     const std::shared_ptr<const std::string>& m) {
        bus->publish(subject, edge::framePublic(position, *m));
      });
  heartbeat_timer_->start(kHeartbeatMs);
}

void EdgeLink::busStateChanged(bus::BusState state) {
  bus_state_ = state;
  if (state == bus::BusState::kConnected) {
    setUpIntake();
    heartbeat();
  }
}

void EdgeLink::setUpIntake() {
  if (intake_consuming_ || intake_setting_up_) return;
  intake_setting_up_ = true;
  std::weak_ptr<char> alive = alive_;
  bus::Bus* bus = context_.bus;
  const edge::Subjects subjects = subjects_;
  const std::string channel = context_.channel;
  const int replicas = context_.replicas;
  const bus::Post post = context_.post;
  const bool queued = setup_->post([this, alive, bus, subjects, channel, replicas, post] {
    std::string error;
    bus::StreamSpec stream;
    stream.name = subjects.intake_stream;
    stream.subjects = {subjects.intake};
    stream.replicas = replicas;
    bool ok = bus->ensureStream(stream, &error);
    bus::SubscriptionId id = 0;
    if (ok) {
      bus::ConsumerSpec consumer;
      consumer.stream = subjects.intake_stream;
      consumer.durable = "studio-" + channel;
      consumer.filter_subject = subjects.intake;
      // What JetStream delivered into a link that then went silent comes
      // again only when its ack wait runs out, counted from that delivery:
      // a short wait brings those questions within a few seconds of the
      // link's return (the 10 s, with the reconnect). A commit that
      // takes longer than that (a studio far past its load) is delivered
      // twice, which the desk's client-id check makes the same question.
      consumer.ack_wait_s = 4;
      id = bus->consume(
          consumer,
          [this, alive](bus::BusMessage m, std::shared_ptr<bus::PendingAck> ack) {
            if (!alive.expired()) intakeMessage(m, std::move(ack));
          },
          &error);
      ok = id != 0;
    }
    post([this, alive, ok, error] {
      if (alive.expired()) return;
      intake_setting_up_ = false;
      intake_consuming_ = ok;
      if (!ok && error != intake_error_) {
        logWarn(kLog, "the question intake is not consumed yet: " + error);
      } else if (ok) {
        logInfo(kLog, "consuming the viewers' questions from " + subjects_.intake_stream);
      }
      intake_error_ = ok ? "" : error;
    });
  });
  if (!queued) intake_setting_up_ = false;
}

void EdgeLink::intakeMessage(const bus::BusMessage& message, std::shared_ptr<bus::PendingAck> ack) {
  if (message.delivered > 1) ++intake_redelivered_;
  const std::optional<json> body = edge::parseBody(message.data);
  if (!body || edge::textField(*body, "client_id").empty()) {
    logWarn(kLog, "a malformed submission in the intake was dropped");
    ack->ack();
    return;
  }
  const std::string client_id = edge::textField(*body, "client_id");
  const std::string viewer = edge::textField(*body, "viewer");
  std::weak_ptr<char> alive = alive_;
  context_.audience->intake(
      submissionOf(*body), [this, alive, client_id, viewer, ack](json outcome) {
        if (alive.expired()) return;
        if (transient(outcome)) return;  // not acknowledged: delivered again after the ack wait
        // Committed (or refused for good): every edge hears the outcome, the
        // one holding the viewer answers it; then the stream may forget it.
        context_.bus->publish(
            subjects_.received,
            json{{"client_id", client_id}, {"viewer", viewer}, {"outcome", outcome}}.dump());
        ++intake_committed_;
        ack->ack();
      });
}

void EdgeLink::toViewer(const std::string& viewer, const std::string& message) {
  context_.bus->publish(subjects_.viewer, edge::frameViewer(viewer, message));
}

void EdgeLink::toDepartment(std::int64_t department, const std::string& message) {
  context_.bus->publish(subjects_.desk, edge::frameViewer(std::to_string(department), message));
}

void EdgeLink::answer(const bus::BusMessage& request, const json& body) {
  if (request.reply.empty()) return;
  context_.bus->respond(request, body.dump());
}

void EdgeLink::edgeCounts(const bus::BusMessage& message) {
  const std::optional<json> body = edge::parseBody(message.data);
  if (!body) return;
  const std::string edge_id = edge::textField(*body, "edge");
  if (edge_id.empty() || edge_id.size() > 64) return;
  if (!edges_.contains(edge_id) && edges_.size() >= kMaxEdges) return;
  EdgeSeen& seen = edges_[edge_id];
  const EdgeSeen before = seen;
  seen.viewers = static_cast<std::size_t>(edge::countField(*body, "viewers"));
  seen.observers = static_cast<std::size_t>(edge::countField(*body, "observers"));
  seen.seen_us = steadyNowUs();
  if ((before.viewers != seen.viewers || before.observers != seen.observers) &&
      context_.counts_changed) {
    context_.counts_changed();
  }
}

void EdgeLink::heartbeat() {
  heartbeat_timer_->start(kHeartbeatMs);
  const std::int64_t now = steadyNowUs();
  const std::size_t before = edges_.size();
  std::erase_if(edges_, [now](const auto& entry) {
    return now - entry.second.seen_us > std::int64_t{kEdgeForgetMs} * 1000;
  });
  if (edges_.size() != before && context_.counts_changed) context_.counts_changed();
  if (bus_state_ != bus::BusState::kConnected) return;
  const protocol::FeedPosition at = context_.feed->position();
  const Counts c = counts();
  context_.bus->publish(subjects_.studio, json{{"feed", {{"epoch", at.epoch}, {"seq", at.seq}}},
                                               {"viewers", c.viewers + c.observers}}
                                              .dump());
  if (!intake_consuming_) setUpIntake();
}

EdgeLink::Counts EdgeLink::counts() const {
  Counts c;
  const std::int64_t now = steadyNowUs();
  for (const auto& [edge, seen] : edges_) {
    if (now - seen.seen_us > std::int64_t{kEdgeForgetMs} * 1000) continue;
    ++c.edges;
    c.viewers += seen.viewers;
    c.observers += seen.observers;
  }
  return c;
}

json EdgeLink::status() const {
  json edges = json::array();
  const std::int64_t now = steadyNowUs();
  for (const auto& [edge, seen] : edges_) {
    if (now - seen.seen_us > std::int64_t{kEdgeForgetMs} * 1000) continue;
    edges.push_back({{"edge", edge}, {"viewers", seen.viewers}, {"observers", seen.observers}});
  }
  return {{"bus", bus::busStateName(bus_state_)},
          {"channel", context_.channel},
          {"edges", std::move(edges)},
          {"intake",
           {{"consuming", intake_consuming_},
            {"committed", intake_committed_},
            {"redelivered", intake_redelivered_}}}};
}

void EdgeLink::archiveRequest(const bus::BusMessage& message) {
  if (message.reply.empty() || !context_.archive) return;
  auto refuse = [&](const std::string& why) {
    (void)context_.bus->respond(
        message,
        json{{"status", 400}, {"body", protocol::errorMessage("bad_request", why).dump()}}.dump());
  };
  const std::optional<json> body = edge::parseBody(message.data);
  const std::string path = body ? edge::textField(*body, "path") : "";
  if (!edge::publicReadPath(path) || path.size() > kMaxArchiveArgBytes) {
    refuse("not a public read path");
    return;
  }
  std::vector<std::pair<std::string, std::string>> args;
  const json& given = body->contains("args") ? (*body)["args"] : json();
  if (!given.is_null() && (!given.is_array() || given.size() > kMaxArchiveArgs)) {
    refuse("args: at most " + std::to_string(kMaxArchiveArgs) + " [name, value] pairs");
    return;
  }
  for (const json& pair : given.is_array() ? given : json::array()) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string() ||
        pair[0].get_ref<const std::string&>().size() > kMaxArchiveArgBytes ||
        pair[1].get_ref<const std::string&>().size() > kMaxArchiveArgBytes) {
      refuse("args: at most " + std::to_string(kMaxArchiveArgs) + " [name, value] pairs");
      return;
    }
    args.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  context_.archive(path, std::move(args),
                   [responder = responder_, message](unsigned int status,
                                                     std::shared_ptr<const std::string> answer,
                                                     const std::string& content_type) {
                     json reply = {{"status", status}, {"body", *answer}};
                     if (!content_type.empty()) reply["content_type"] = content_type;
                     std::lock_guard lock(responder->mutex);
                     if (!responder->bus) return;
                     (void)responder->bus->respond(
                         message, reply.dump(-1, ' ', false, json::error_handler_t::replace));
                   });
}

// --- 问政跟踪 at the edges ---

void EdgeLink::departmentRequest(const bus::BusMessage& message) {
  if (message.reply.empty() || !context_.followup) return;
  const std::optional<json> body = edge::parseBody(message.data);
  const std::string hash = body ? edge::textField(*body, "token_sha256") : "";
  std::weak_ptr<char> alive = alive_;
  context_.followup->findDepartment(hash, [this, alive, message](std::optional<json> found) {
    if (alive.expired() || !found) return;  // no answer: the edge says "unavailable"
    answer(message, found->is_null() ? json{{"department", nullptr}}
                                     : context_.followup->departmentWelcome(*found));
  });
}

void EdgeLink::followupRequest(const bus::BusMessage& message) {
  if (message.reply.empty() || !context_.followup || !context_.relayed) return;
  const std::optional<json> body = edge::parseBody(message.data);
  const json command = body ? body->value("message", json()) : json();
  if (!command.is_object() || !edge::textField(command, "type").starts_with("followup.")) {
    answer(message, protocol::errorMessage("bad_message", "only followup commands are relayed"));
    return;
  }
  std::weak_ptr<char> alive = alive_;
  auto run = [this, alive, message, command](core::ClientInfo as) {
    context_.relayed->run(std::move(as), command, [this, alive, message](json reply) {
      if (!alive.expired()) answer(message, reply);
    });
  };
  const std::string as = edge::textField(*body, "as");
  if (as == "viewer") {
    core::ClientInfo info;
    info.viewer = edge::textField(*body, "viewer");
    if (!context_.audience->genuineViewer(info.viewer)) {
      answer(message, protocol::errorMessage("forbidden", "not a viewer id of this studio"));
      return;
    }
    info.observer_id = edge::countField(*body, "observer_id");
    info.role = info.observer_id > 0 ? core::Role::kObserver : core::Role::kViewer;
    info.address = edge::textField(*body, "address");
    run(std::move(info));
  } else if (as == "department") {
    // The link is checked again for every command: a revoked link stops at
    // once, at every edge.
    context_.followup->findDepartment(
        edge::textField(*body, "token_sha256"),
        [this, alive, message, run](std::optional<json> found) {
          if (alive.expired() || !found) return;
          if (found->is_null()) {
            answer(message,
                   protocol::errorMessage("forbidden", "unknown or revoked department link"));
            return;
          }
          core::ClientInfo info;
          info.role = core::Role::kDepartment;
          info.department_id = (*found)["id"].get<std::int64_t>();
          info.producer_name = (*found)["name"].get<std::string>();
          run(std::move(info));
        });
  } else {
    answer(message, protocol::errorMessage("bad_message", "as: viewer or department"));
  }
}

}  // namespace yst::desks
