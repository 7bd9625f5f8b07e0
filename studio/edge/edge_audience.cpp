#include "studio/edge/edge_audience.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/digest.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/desks/sign_in.h"
#include "studio/desks/transcript.h"
#include "studio/followup/followup.h"
#include "studio/protocol/message.h"

namespace yst::edge {

using core::ClientInfo;
using core::Role;
using nlohmann::json;

namespace {

constexpr const char* kLog = "edge";

// What a viewer or observer may send at an edge (hello.ok's `commands`).
const json& edgeCommands() {
  static const json commands = {"hello",          "question.submit", "question.vote",
                                "questions.mine", "transcript.list", "followup.mine",
                                "followup.rate"};
  return commands;
}

}  // namespace

EdgeAudience::EdgeAudience(Context context)
    : context_(std::move(context)),
      subjects_(context_.channel),
      limits_(context_.limits),
      ring_(protocol::FeedSink::kRingMessages, protocol::FeedSink::kRingBytes) {
  hello_timer_ = context_.make_timer([this] { answerWaitingHellos(); });
  studio_timer_ = context_.make_timer([this] { checkStudio(); });
  count_timer_ = context_.make_timer([this] { reportCounts(); });
  prune_timer_ = context_.make_timer([this] {
    const std::int64_t now = steadyNowUs();
    limits_.prune(now);
    guard_.tick(now);
    prune_timer_->start(60 * 1000);
  });
}

EdgeAudience::~EdgeAudience() = default;

void EdgeAudience::start() {
  bus::Bus& bus = *context_.bus;
  std::weak_ptr<char> alive = alive_;
  bus.subscribe(subjects_.feed, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) feedMessage(m);
  });
  bus.subscribe(subjects_.viewer, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) viewerMessage(m);
  });
  bus.subscribe(subjects_.desk, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) deskMessage(m);
  });
  bus.subscribe(subjects_.studio, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) heartbeat(m);
  });
  bus.subscribe(subjects_.received, [this, alive](bus::BusMessage m) {
    if (!alive.expired()) receivedOutcome(m);
  });
  studio_timer_->start(1000);
  count_timer_->start(kCountIntervalMs);
  prune_timer_->start(60 * 1000);
  requestSnapshot();
}

void EdgeAudience::busStateChanged(bus::BusState state) {
  bus_state_ = state;
  if (state == bus::BusState::kConnected) {
    // Anything may have happened meanwhile: start again from a snapshot.
    requestSnapshot();
  } else {
    setStudioLive(false);
  }
}

// --- replies ---

void EdgeAudience::reply(server::ClientId client, const json& message) {
  context_.server->send(client, std::make_shared<const std::string>(message.dump()));
}

void EdgeAudience::replyError(server::ClientId client, const json& request_id,
                              const std::string& code, const std::string& text, json extra) {
  json error = protocol::errorMessage(code, text, request_id);
  error.update(extra);
  reply(client, error);
}

void EdgeAudience::unavailable(server::ClientId client, const json& request_id) {
  replyError(client, request_id, "unavailable",
             "the studio cannot be reached right now; nothing was changed, try again",
             {{"retry_after_s", 2}});
}

// --- connections ---

void EdgeAudience::opened(server::ClientId client, const std::string& address) {
  clients_[client].address = address;
}

void EdgeAudience::closed(server::ClientId client) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  if (auto viewers = viewer_clients_.find(it->second.viewer); viewers != viewer_clients_.end()) {
    viewers->second.erase(client);
    if (viewers->second.empty()) viewer_clients_.erase(viewers);
  }
  clients_.erase(it);
  desks_.erase(client);
  // Its submissions still come to the studio; their outcomes, to no one here
  // (the page sends again with the same client id, and is told then).
  forgetWaiters(client);
  std::erase_if(pending_hellos_, [client](const PendingHello& h) { return h.client == client; });
}

void EdgeAudience::message(server::ClientId client, const std::string& text) {
  auto parsed = protocol::parseMessage(text);
  if (const auto* error = std::get_if<protocol::ProtocolError>(&parsed)) {
    replyError(client, json(), error->code, error->message);
    return;
  }
  const json& m = std::get<json>(parsed);
  json request_id;
  if (auto id = m.find("id"); id != m.end() && (id->is_number_integer() || id->is_string())) {
    request_id = *id;
  }
  const std::string type = m["type"].get<std::string>();
  if (type == "hello") {
    hello(client, m, request_id);
    return;
  }
  const ClientInfo& info = clients_[client];
  if (info.role == Role::kDepartment) {
    if (type.starts_with("followup.")) {
      relayFollowup(client, m, request_id);
    } else {
      replyError(client, request_id, "forbidden", "a department's desk sends followup commands");
    }
    return;
  }
  if (info.role != Role::kViewer && info.role != Role::kObserver) {
    replyError(client, request_id, "forbidden", "say hello first");
    return;
  }
  if (type == "question.submit") {
    submit(client, m, request_id);
  } else if (type == "question.vote") {
    vote(client, m, request_id);
  } else if (type == "questions.mine") {
    mine(client, request_id);
  } else if (type == "transcript.list") {
    transcript(client, request_id);
  } else if (type == "followup.mine" || type == "followup.rate") {
    relayFollowup(client, m, request_id);
  } else if (type.rfind("question", 0) == 0 || type.rfind("program.", 0) == 0 ||
             type.rfind("followup.", 0) == 0 || type.rfind("overlay.", 0) == 0 ||
             type.rfind("transcript.", 0) == 0 || type.rfind("destination.", 0) == 0) {
    replyError(client, request_id, "forbidden",
               "staff commands are taken on the studio's own address, not at an edge");
  } else {
    replyError(client, request_id, "unknown_type", "unknown message type");
  }
}

// --- hellos ---

void EdgeAudience::hello(server::ClientId client, const json& message, const json& request_id) {
  ClientInfo& info = clients_[client];
  double wait_s = 0;
  if (!info.hellos.take(
          TokenBucket::Limits::every(desks::SignIn::kHelloIntervalS, desks::SignIn::kHelloBurst),
          steadyNowUs(), &wait_s)) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(client, request_id, "rate_limited",
               "too many hellos on this connection; try again in " + std::to_string(retry) + " s",
               {{"retry_after_s", retry}});
    return;
  }
  const json role_field = message.value("role", json("viewer"));
  const std::string role = role_field.is_string() ? role_field.get<std::string>() : "";
  if (role == "producer" || role == "typist" || role == "host") {
    replyError(client, request_id, "forbidden",
               "staff sign in on the studio's own address, not at a public edge");
    return;
  }
  if (role == "department") {
    const json token = message.value("token", json());
    departmentHello(client, token.is_string() ? token.get<std::string>() : "", request_id);
    return;
  }
  if (role != "viewer" && role != "observer") {
    replyError(client, request_id, "invalid",
               "role is viewer, observer or department at a public edge");
    return;
  }
  if (info.role == Role::kDepartment) {
    replyError(client, request_id, "identity_locked",
               "this connection is a department's desk; open a new connection to watch");
    return;
  }
  if (!viewer_ids_) {
    // Never reached the studio yet: ids cannot be checked or issued.
    requestSnapshot();
    unavailable(client, request_id);
    return;
  }
  std::string claimed;
  if (auto it = message.find("viewer"); it != message.end() && it->is_string()) {
    claimed = it->get<std::string>();
  }
  const bool genuine = viewer_ids_->genuine(claimed);
  const bool fresh_viewer = info.viewer.empty() && !genuine;
  if (info.viewer.empty()) {
    info.viewer = genuine ? claimed : viewer_ids_->issue();
  } else if (genuine && claimed != info.viewer) {
    replyError(client, request_id, "identity_locked",
               "this connection already has a viewer id; open a new connection for another");
    return;
  }
  info.since = protocol::readSince(message);
  if (role == "observer") {
    const json token = message.value("token", json());
    observerHello(client, token.is_string() ? token.get<std::string>() : "", request_id);
    return;
  }
  viewerHello({client, request_id, Role::kViewer, 0, "", steadyNowUs(), fresh_viewer});
}

void EdgeAudience::tokenHello(server::ClientId client, const TokenCheck& check,
                              const std::string& token, const json& request_id,
                              std::function<void(json, const std::string&)> signed_in,
                              std::function<void()> refused) {
  ClientInfo& info = clients_[client];
  const std::int64_t now = steadyNowUs();
  auto refuse = [this, client, request_id, refused](const std::string& code,
                                                    const std::string& text,
                                                    desks::SignInGuard::Refusal r, json extra) {
    replyError(client, request_id, code, text, std::move(extra));
    if (r.close_connection) {
      // The third refusal on a connection closes it (after the error), as
      // on the studio's address: guessing costs a connection every three.
      context_.close(client);
      return;
    }
    if (refused) refused();
  };
  if (const double wait_s = guard_.lockedFor(info.address, now); wait_s > 0) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    refuse("too_many_attempts", "too many wrong tokens from this address; try again later",
           guard_.lockedOut(info, now), {{"retry_after_s", retry}});
    return;
  }
  if (token.empty()) {
    refuse("forbidden", check.missing,
           guard_.wrongToken(info, check.role, "client " + std::to_string(client), now),
           json::object());
    return;
  }
  if (bus_state_ != bus::BusState::kConnected) {
    unavailable(client, request_id);
    return;
  }
  std::weak_ptr<char> alive = alive_;
  std::string hash = sha256Hex(token);
  context_.bus->request(
      check.subject, json{{"token_sha256", hash}}.dump(), kRequestTimeoutMs,
      [this, alive, client, request_id, refuse, check, hash, signed_in = std::move(signed_in)](
          std::optional<bus::BusMessage> answer, std::string) {
        if (alive.expired() || !clients_.contains(client)) return;
        ClientInfo& info = clients_[client];
        std::optional<json> found = answer ? parseBody(answer->data) : std::nullopt;
        if (!found) {
          unavailable(client, request_id);
          return;
        }
        if (check.id_of(*found) <= 0) {
          refuse("forbidden", check.unknown,
                 guard_.wrongToken(info, check.role, "client " + std::to_string(client),
                                   steadyNowUs()),
                 json::object());
          return;
        }
        guard_.signedIn(info.address);
        signed_in(std::move(*found), hash);
      });
}

void EdgeAudience::observerHello(server::ClientId client, const std::string& token,
                                 const json& request_id) {
  const TokenCheck observer = {subjects_.observer, "observer",
                               "an observer hello needs the invitation token",
                               "unknown or revoked observer invitation",
                               [](const json& found) { return countField(found, "id"); }};
  tokenHello(
      client, observer, token, request_id,
      [this, client, request_id](json found, const std::string&) {
        viewerHello({client, request_id, Role::kObserver, countField(found, "id"),
                     textField(found, "name"), steadyNowUs()});
      },
      // A refused observer carries on as a viewer.
      [this, client] {
        if (clients_.contains(client))
          viewerHello({client, json(), Role::kViewer, 0, "", steadyNowUs()});
      });
}

void EdgeAudience::departmentHello(server::ClientId client, const std::string& token,
                                   const json& request_id) {
  const TokenCheck department = {subjects_.department, "department",
                                 "a department hello needs its link's token",
                                 "unknown or revoked department link", [](const json& found) {
                                   const json d = found.value("department", json());
                                   return d.is_object() ? countField(d, "id") : 0;
                                 }};
  tokenHello(client, department, token, request_id,
             [this, client, request_id](json welcome, const std::string& hash) {
               ClientInfo& info = clients_[client];
               // A viewer that signs in as a department stops being a viewer.
               if (auto viewers = viewer_clients_.find(info.viewer);
                   viewers != viewer_clients_.end()) {
                 viewers->second.erase(client);
                 if (viewers->second.empty()) viewer_clients_.erase(viewers);
               }
               const json& d = welcome["department"];
               info.viewer.clear();
               info.role = Role::kDepartment;
               info.department_id = countField(d, "id");
               info.producer_name = textField(d, "name");
               desks_[client] = {info.department_id, hash};
               context_.server->setChannels(client, server::kChannelNone);
               welcome["type"] = "hello.ok";
               if (!request_id.is_null()) welcome["id"] = request_id;
               reply(client, welcome);
             });
}

void EdgeAudience::viewerHello(PendingHello hello) {
  if (answerHello(hello)) return;
  pending_hellos_.push_back(std::move(hello));
  requestSnapshot();
  if (!hello_timer_->active()) hello_timer_->start(kHelloWaitMs);
}

bool EdgeAudience::answerHello(const PendingHello& hello) {
  auto found = clients_.find(hello.client);
  if (found == clients_.end()) return true;  // gone: nothing to answer
  ClientInfo& info = found->second;
  // What hello.ok carries: resumed from where the page was, or a snapshot
  // and the messages since it.
  std::optional<std::vector<std::shared_ptr<const std::string>>> missed;
  bool resumed = false;
  if (info.since) {
    missed = ring_.after(*info.since);
    resumed = missed.has_value();
  }
  if (!missed && snapshot_position_) missed = ring_.after(*snapshot_position_);
  if (!missed) return false;

  info.role = hello.role;
  info.observer_id = hello.observer_id;
  info.observer_name = hello.observer_name;
  info.since.reset();
  viewer_clients_[info.viewer].insert(hello.client);
  context_.server->setChannels(hello.client, server::kChannelViewer);
  const protocol::FeedPosition at = ring_.last().seq > 0 ? ring_.last() : *snapshot_position_;
  json ok = {
      {"type", "hello.ok"},
      {"role", hello.role == Role::kObserver ? "observer" : "viewer"},
      {"viewer", info.viewer},
      {"observer", hello.role == Role::kObserver ? json(hello.observer_name) : json()},
      {"show", show_},
      {"limits", limits_view_},
      // The edge fetches them from the studio: questions.mine follows (a
      // viewer id issued just now has none: nothing follows).
      {"mine", json::array()},
      {"commands", edgeCommands()},
      {"feed", {{"epoch", at.epoch}, {"seq", at.seq}}},
      {"studio", studio_live_ ? "live" : "reconnecting"},
  };
  if (!hello.request_id.is_null()) ok["id"] = hello.request_id;
  if (resumed) {
    ok["resumed"] = true;
    reply(hello.client, ok);
  } else {
    context_.server->send(hello.client, std::make_shared<const std::string>(protocol::withRawField(
                                            ok, "public", public_snapshot_)));
  }
  for (auto& message : *missed) context_.server->send(hello.client, std::move(message));
  // Only pages coming back ask the studio: a crowd of new viewers (the show
  // begins, an edge fails over) costs it nothing.
  if (!hello.fresh_viewer) mine(hello.client, json());
  return true;
}

void EdgeAudience::answerWaitingHellos() {
  std::vector<PendingHello> waiting = std::move(pending_hellos_);
  pending_hellos_.clear();
  const std::int64_t now = steadyNowUs();
  for (PendingHello& hello : waiting) {
    if (answerHello(hello)) continue;
    if (now - hello.since_us >= std::int64_t{kHelloWaitMs} * 1000) {
      unavailable(hello.client, hello.request_id);
    } else {
      pending_hellos_.push_back(std::move(hello));
    }
  }
  if (!pending_hellos_.empty() && !hello_timer_->active()) hello_timer_->start(500);
}

// --- the studio's state ---

void EdgeAudience::requestSnapshot() {
  if (snapshot_requested_ || bus_state_ != bus::BusState::kConnected) return;
  snapshot_requested_ = true;
  std::weak_ptr<char> alive = alive_;
  context_.bus->request(subjects_.snapshot, "{}", kRequestTimeoutMs,
                        [this, alive](std::optional<bus::BusMessage> answer, std::string error) {
                          if (alive.expired()) return;
                          snapshot_requested_ = false;
                          std::optional<json> snapshot =
                              answer ? parseBody(answer->data) : std::nullopt;
                          if (!snapshot) {
                            logWarn(kLog, "no snapshot from the studio: " +
                                              (answer ? std::string("not JSON") : error));
                            return;
                          }
                          snapshotArrived(*snapshot);
                        });
}

void EdgeAudience::snapshotArrived(const json& snapshot) {
  const std::optional<protocol::FeedPosition> position =
      protocol::readSince(json{{"since", snapshot.value("feed", json())}});
  const auto key = hexDecode(textField(snapshot, "viewer_key"));
  if (!position || !key || key->size() < desks::ViewerIds::kMinKeyBytes ||
      !snapshot.contains("public")) {
    logWarn(kLog, "the studio's snapshot is malformed; ignored");
    return;
  }
  if (!viewer_ids_) viewer_ids_ = std::make_unique<desks::ViewerIds>(*key);
  snapshot_position_ = position;
  show_ = snapshot.value("show", json::object());
  limits_view_ = snapshot.value("limits", json::object());
  public_snapshot_ = snapshot["public"].dump();
  // The ring goes on from the snapshot when the studio started again or
  // messages were lost: its older messages are of no use.
  if (ring_.last().epoch != position->epoch || ring_.last().seq < position->seq ||
      !ring_.after(*position)) {
    ring_.restart(*position);
  }
  studio_heard_us_ = steadyNowUs();
  setStudioLive(true);
  answerWaitingHellos();
}

void EdgeAudience::feedMessage(const bus::BusMessage& message) {
  std::optional<PublicFrame> frame = unframePublic(message.data);
  if (!frame) {
    logWarn(kLog, "a public message without its position; ignored");
    return;
  }
  auto text = std::make_shared<const std::string>(std::move(frame->message));
  if (!ring_.append(frame->position, text)) {
    // A message was lost on the way (or the studio started again): the
    // viewers notice the gap by its number and say hello again; they need a
    // snapshot from after it.
    requestSnapshot();
  } else if (snapshot_position_ &&
             (snapshot_position_->epoch != frame->position.epoch ||
              frame->position.seq - snapshot_position_->seq > kSnapshotRefreshMessages)) {
    requestSnapshot();
  }
  context_.server->publish(server::kChannelViewer, std::move(text));
}

void EdgeAudience::viewerMessage(const bus::BusMessage& message) {
  std::optional<ViewerFrame> frame = unframeViewer(message.data);
  if (!frame) return;
  auto found = viewer_clients_.find(frame->viewer);
  if (found == viewer_clients_.end()) return;
  auto text = std::make_shared<const std::string>(std::move(frame->message));
  for (server::ClientId client : found->second) context_.server->send(client, text);
}

void EdgeAudience::deskMessage(const bus::BusMessage& message) {
  std::optional<ViewerFrame> frame = unframeViewer(message.data);
  if (!frame || desks_.empty()) return;
  const std::int64_t department = std::atoll(frame->viewer.c_str());
  auto text = std::make_shared<const std::string>(std::move(frame->message));
  for (const auto& [client, desk] : desks_) {
    if (desk.department == department) context_.server->send(client, text);
  }
}

void EdgeAudience::heartbeat(const bus::BusMessage& message) {
  std::optional<json> beat = parseBody(message.data);
  if (!beat) return;
  studio_heard_us_ = steadyNowUs();
  const std::optional<protocol::FeedPosition> position =
      protocol::readSince(json{{"since", beat->value("feed", json())}});
  // Behind the studio (its last messages never came, or it started again):
  // catch up from a snapshot.
  if (position && (position->epoch != ring_.last().epoch || position->seq > ring_.last().seq)) {
    requestSnapshot();
    return;
  }
  setStudioLive(true);
}

void EdgeAudience::checkStudio() {
  studio_timer_->start(1000);
  if (studio_live_ && steadyNowUs() - studio_heard_us_ > std::int64_t{kStudioSilentMs} * 1000) {
    setStudioLive(false);
  }
  if (!viewer_ids_ || !snapshot_position_) requestSnapshot();
}

void EdgeAudience::setStudioLive(bool live) {
  if (live == studio_live_) return;
  studio_live_ = live;
  logInfo(kLog, live ? "the studio is reachable" : "the studio is out of reach");
  // Not part of the numbered feed: it is the edge's own news.
  context_.server->publish(
      server::kChannelViewer,
      std::make_shared<const std::string>(
          json{{"type", "studio.state"}, {"state", live ? "live" : "reconnecting"}}.dump()));
}

void EdgeAudience::reportCounts() {
  count_timer_->start(kCountIntervalMs);
  std::size_t viewers = 0;
  std::size_t observers = 0;
  for (const auto& [id, info] : clients_) {
    if (info.role == Role::kViewer) ++viewers;
    if (info.role == Role::kObserver) ++observers;
  }
  context_.bus->publish(
      subjects_.edges,
      json{{"edge", context_.edge_id}, {"viewers", viewers}, {"observers", observers}}.dump());
}

// --- questions ---

void EdgeAudience::submit(server::ClientId client, const json& message, const json& request_id) {
  ClientInfo& info = clients_[client];
  std::string client_id;
  if (auto field = message.find("client_id"); field != message.end() && !field->is_null()) {
    if (!field->is_string() || field->get<std::string>().size() < 8 ||
        !protocol::isIdToken(field->get<std::string>(), 64)) {
      replyError(client, request_id, "bad_message", "client_id: expected [A-Za-z0-9_-]{8,64}");
      return;
    }
    client_id = field->get<std::string>();
  } else {
    // An older page: the edge names the submission (a retry of it is then a
    // new question, as it was before client ids).
    client_id = "edge-" + randomId(22);
  }
  // What the studio would refuse is refused here already, in its words.
  auto parsed = protocol::parseSubmission(
      message, {static_cast<std::size_t>(context_.limits.max_question_chars), 20});
  if (const auto* error = std::get_if<protocol::ProtocolError>(&parsed)) {
    replyError(client, request_id, error->code, error->message);
    return;
  }
  const bool retry = waiting_.contains(client_id);
  if (!retry && waiting_.size() >= kMaxWaitingSubmissions) {
    // The studio has not answered this many: it is not keeping up, or gone.
    unavailable(client, request_id);
    return;
  }
  if (!retry) {
    double wait_s = 0;
    if (!limits_.takeQuestion(&info.questions, info.viewer, info.address, steadyNowUs(), &wait_s)) {
      const int after = std::max(1, static_cast<int>(std::ceil(wait_s)));
      replyError(client, request_id, "rate_limited",
                 "too many questions; try again in " + std::to_string(after) + " s",
                 {{"retry_after_s", after}});
      return;
    }
  }
  if (bus_state_ != bus::BusState::kConnected) {
    unavailable(client, request_id);
    return;
  }
  waiting_[client_id].push_back({client, request_id});
  waiting_by_client_[client].insert(client_id);
  json body = {{"client_id", client_id},
               {"viewer", info.viewer},
               {"observer_id", info.observer_id},
               {"observer_name", info.observer_name},
               {"address", info.address},
               {"edge", context_.edge_id},
               {"message",
                {{"text", message.value("text", json())},
                 {"nickname", message.value("nickname", json())},
                 {"category", message.value("category", json())}}}};
  std::weak_ptr<char> alive = alive_;
  auto submission = std::make_shared<const std::string>(body.dump());
  context_.bus->jsPublish(
      subjects_.intake, *submission, client_id,
      [this, alive, client_id, client, request_id, submission](bus::JsPublishResult result) {
        if (alive.expired()) return;
        if (!result.ok) {
          // Not in the stream: this viewer retries; others waiting on the
          // same id (a retry from another tab) keep waiting.
          auto waiters = waiting_.find(client_id);
          if (waiters != waiting_.end()) {
            std::erase_if(waiters->second, [&](const Waiter& w) {
              return w.client == client && w.request_id == request_id;
            });
            if (waiters->second.empty()) waiting_.erase(waiters);
          }
          forgetWaiter(client, client_id);
          if (clients_.contains(client)) unavailable(client, request_id);
          return;
        }
        if (!result.duplicate) return;  // the outcome comes on `received`
        // Already in the stream: it may be committed long ago (its outcome
        // went out before this viewer came back). Ask with the whole
        // submission: the studio answers with the question its client id
        // made, or takes it in now if the stream has not brought it yet.
        context_.bus->request(
            subjects_.lookup, *submission, kRequestTimeoutMs,
            [this, alive, client_id](std::optional<bus::BusMessage> answer, std::string) {
              if (alive.expired() || !answer) return;  // still pending: it comes on `received`
              std::optional<json> outcome = parseBody(answer->data);
              if (!outcome) return;
              deliverOutcome(client_id, std::move(*outcome));
            });
      });
}

void EdgeAudience::receivedOutcome(const bus::BusMessage& message) {
  std::optional<json> received = parseBody(message.data);
  if (!received) return;
  const std::string client_id = textField(*received, "client_id");
  if (!waiting_.contains(client_id)) return;  // another edge's viewer
  json outcome = received->value("outcome", json());
  if (!outcome.is_object()) return;
  deliverOutcome(client_id, std::move(outcome));
}

void EdgeAudience::deliverOutcome(const std::string& client_id, json outcome) {
  auto waiters = waiting_.find(client_id);
  if (waiters == waiting_.end()) return;
  std::vector<Waiter> to_tell = std::move(waiters->second);
  waiting_.erase(waiters);
  for (const Waiter& w : to_tell) {
    forgetWaiter(w.client, client_id);
    if (!clients_.contains(w.client)) continue;
    json copy = outcome;
    if (!w.request_id.is_null()) copy["id"] = w.request_id;
    reply(w.client, copy);
  }
}

void EdgeAudience::forgetWaiter(server::ClientId client, const std::string& client_id) {
  auto mine = waiting_by_client_.find(client);
  if (mine == waiting_by_client_.end()) return;
  // Another request of this connection may wait on the same id still.
  const auto still = waiting_.find(client_id);
  if (still != waiting_.end() &&
      std::any_of(still->second.begin(), still->second.end(),
                  [client](const Waiter& w) { return w.client == client; })) {
    return;
  }
  mine->second.erase(client_id);
  if (mine->second.empty()) waiting_by_client_.erase(mine);
}

void EdgeAudience::forgetWaiters(server::ClientId client) {
  auto mine = waiting_by_client_.find(client);
  if (mine == waiting_by_client_.end()) return;
  for (const std::string& client_id : mine->second) {
    auto waiters = waiting_.find(client_id);
    if (waiters == waiting_.end()) continue;
    std::erase_if(waiters->second, [client](const Waiter& w) { return w.client == client; });
    if (waiters->second.empty()) waiting_.erase(waiters);
  }
  waiting_by_client_.erase(mine);
}

void EdgeAudience::vote(server::ClientId client, const json& message, const json& request_id) {
  const ClientInfo& info = clients_[client];
  const json question = message.value("question", json());
  if (!question.is_number_integer()) {
    replyError(client, request_id, "bad_message", "question: expected a question id");
    return;
  }
  double wait_s = 0;
  auto ticket = limits_.checkVote(info.viewer, info.address, steadyNowUs(), &wait_s);
  if (!ticket) {
    const int after = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(client, request_id, "rate_limited",
               "too many votes; try again in " + std::to_string(after) + " s",
               {{"retry_after_s", after}});
    return;
  }
  forward(subjects_.vote,
          {{"viewer", info.viewer}, {"address", info.address}, {"question", question}}, client,
          request_id,
          [this, viewer = info.viewer, address = info.address, ticket = *ticket](json& answer) {
            if (textField(answer, "type") == "vote" && flagField(answer, "voted")) {
              limits_.spendVote(viewer, address, ticket);
            }
          });
}

void EdgeAudience::mine(server::ClientId client, const json& request_id) {
  const ClientInfo& info = clients_[client];
  forward(subjects_.mine, {{"viewer", info.viewer}}, client, request_id);
}

void EdgeAudience::transcript(server::ClientId client, const json& request_id) {
  ClientInfo& info = clients_[client];
  double wait_s = 0;
  if (!info.lists.take(TokenBucket::Limits::every(desks::Transcript::kListIntervalS,
                                                  desks::Transcript::kListBurst),
                       steadyNowUs(), &wait_s)) {
    const int after = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(client, request_id, "rate_limited",
               "transcript.list: too often; try again in " + std::to_string(after) + " s",
               {{"retry_after_s", after}});
    return;
  }
  forward(subjects_.transcript, json::object(), client, request_id);
}

void EdgeAudience::relayFollowup(server::ClientId client, json message, const json& request_id) {
  ClientInfo& info = clients_[client];
  const auto desk = desks_.find(client);
  const bool is_desk = info.role == Role::kDepartment && desk != desks_.end();
  const TokenBucket::Limits limits =
      is_desk ? TokenBucket::Limits::every(followup::kDeskIntervalS, followup::kDeskBurst)
              : TokenBucket::Limits::every(followup::kCitizenIntervalS, followup::kCitizenBurst);
  double wait_s = 0;
  if (!info.followups.take(limits, steadyNowUs(), &wait_s)) {
    const int after = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(client, request_id, "rate_limited",
               "too often; try again in " + std::to_string(after) + " s",
               {{"retry_after_s", after}});
    return;
  }
  message.erase("id");
  json body = {{"message", std::move(message)}};
  if (is_desk) {
    body["as"] = "department";
    body["token_sha256"] = desk->second.token_sha256;
  } else {
    body["as"] = "viewer";
    body["viewer"] = info.viewer;
    body["address"] = info.address;
    body["observer_id"] = info.observer_id;
  }
  forward(subjects_.followup, body, client, request_id);
}

void EdgeAudience::forward(const std::string& subject, const json& body, server::ClientId client,
                           const json& request_id, std::function<void(json&)> on_reply) {
  if (bus_state_ != bus::BusState::kConnected) {
    unavailable(client, request_id);
    return;
  }
  std::weak_ptr<char> alive = alive_;
  context_.bus->request(subject, body.dump(), kRequestTimeoutMs,
                        [this, alive, client, request_id, on_reply = std::move(on_reply)](
                            std::optional<bus::BusMessage> answer, std::string) {
                          if (alive.expired() || !clients_.contains(client)) return;
                          std::optional<json> reply_body =
                              answer ? parseBody(answer->data) : std::nullopt;
                          if (!reply_body) {
                            unavailable(client, request_id);
                            return;
                          }
                          if (on_reply) on_reply(*reply_body);
                          if (!request_id.is_null()) (*reply_body)["id"] = request_id;
                          reply(client, *reply_body);
                        });
}

json EdgeAudience::status() const {
  std::size_t viewers = 0;
  std::size_t observers = 0;
  for (const auto& [id, info] : clients_) {
    if (info.role == Role::kViewer) ++viewers;
    if (info.role == Role::kObserver) ++observers;
  }
  const protocol::FeedPosition at = ring_.last();
  return {{"edge", context_.edge_id},
          {"channel", context_.channel},
          {"studio", studio_live_ ? "live" : "reconnecting"},
          {"bus", bus::busStateName(bus_state_)},
          {"viewers", viewers},
          {"observers", observers},
          {"departments", desks_.size()},
          {"waiting_submissions", waiting_.size()},
          {"feed", {{"epoch", at.epoch}, {"seq", at.seq}}}};
}

}  // namespace yst::edge
