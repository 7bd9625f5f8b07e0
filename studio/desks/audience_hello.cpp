// The Audience's hellos: viewers and observers signing in (observer
// invitations looked up in a list read again at most once a second), what
// hello.ok carries (the show, the limits, the viewer's own questions, the
// shared public snapshot or the feed missed since), and a closed
// connection's viewer forgotten. The rest of the desk is in audience.cpp.
#include "studio/desks/audience.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/digest.h"
#include "studio/base/log.h"
#include "studio/desks/audience_internal.h"
#include "studio/protocol/message.h"
#include "studio/server/local_clients.h"
#include "studio/store/questions_table.h"

namespace yst::desks {

using detail::kMaxNicknameChars;
using nlohmann::json;
using questions::Question;

void Audience::hello(server::ClientId client, const json& message, const json& request_id) {
  ClientInfo& info = (*context_.clients)[client];
  if (info.role == Role::kProducer) {
    replyError(client, request_id, "invalid", "already signed in as a producer");
    return;
  }
  // The connection's viewer id is the one it first said hello with (or was
  // given with a question sent before any hello); otherwise the page's kept
  // one when the studio signed it, otherwise a fresh one. A connection that
  // could take another id could vote again with each.
  std::string claimed;
  if (auto it = message.find("viewer"); it != message.end() && it->is_string()) {
    claimed = it->get<std::string>();
  }
  const bool genuine = viewer_ids_.genuine(claimed);
  if (info.viewer.empty()) {
    info.viewer = genuine ? claimed : viewer_ids_.issue();
  } else if (genuine && claimed != info.viewer) {
    replyError(client, request_id, "identity_locked",
               "this connection already has a viewer id; open a new connection for another");
    return;
  }
  info.since = protocol::readSince(message);
  if (message.value("role", std::string("viewer")) == "viewer") {
    viewerHello(client, Role::kViewer, 0, "", request_id);
    return;
  }
  // observer
  const std::string token = message.contains("token") && message["token"].is_string()
                                ? message["token"].get<std::string>()
                                : std::string();
  const bool local = server::LocalClients::isLocal(client);
  if (!local) {
    if (const double wait_s = context_.sign_in->guard().lockedFor(info.address, steadyNowUs());
        wait_s > 0) {
      // Not looked at, but still a viewer.
      if (!context_.sign_in->refuseLockedOut(client, info, wait_s, request_id)) {
        viewerHello(client, Role::kViewer, 0, "", json());
      }
      return;
    }
  }
  if (token.empty()) {
    context_.sign_in->refuseWrongToken(client, info, "observer",
                                       "an observer hello needs the invitation token", request_id);
    return;
  }
  const std::string token_sha256 = sha256Hex(token);
  queueObserverLookup({token_sha256, [this, client, token_sha256, request_id](bool ok) {
                         if (!context_.clients->contains(client)) return;
                         if (ok) {
                           answerObserverHello(client, token_sha256, request_id);
                         } else {
                           replyError(client, request_id, "busy", "the studio is busy; try again");
                         }
                       }});
}

void Audience::queueObserverLookup(ObserverHello hello) {
  observer_hellos_.push_back(std::move(hello));
  if (!observer_reload_running_ && !observer_reload_timer_->active()) {
    const std::int64_t since_ms = (steadyNowUs() - observer_reload_started_us_) / 1000;
    if (observer_reload_started_us_ == 0 || since_ms >= kObserverReloadMs) {
      reloadObservers();
    } else {
      observer_reload_timer_->start(static_cast<int>(kObserverReloadMs - since_ms));
    }
  }
}

void Audience::reloadObservers() {
  if (observer_reload_running_ || observer_hellos_.empty()) return;
  observer_reload_running_ = true;
  observer_reload_started_us_ = steadyNowUs();
  // The hellos that arrived before this read began; later ones wait for the next.
  auto batch = std::make_shared<std::vector<ObserverHello>>(std::move(observer_hellos_));
  observer_hellos_.clear();
  auto loaded = std::make_shared<std::vector<store::Observer>>();
  std::weak_ptr<char> alive = alive_;
  const bool queued = context_.store->submit(
      [loaded](sqlite3* db) { *loaded = store::listObservers(db, false); },
      [this, alive, loaded, batch](bool ok, const std::string& error) {
        if (alive.expired()) return;
        observer_reload_running_ = false;
        if (ok) {
          observers_.clear();
          for (const store::Observer& o : *loaded) observers_[o.token_sha256] = {o.id, o.name};
        } else {
          logError("questions", "could not read the observer invitations: " + error);
        }
        for (const ObserverHello& hello : *batch) hello.answer(ok);
        if (!observer_hellos_.empty() && !observer_reload_timer_->active()) {
          const std::int64_t since_ms = (steadyNowUs() - observer_reload_started_us_) / 1000;
          observer_reload_timer_->start(
              static_cast<int>(std::max<std::int64_t>(0, kObserverReloadMs - since_ms)));
        }
      });
  if (!queued) {
    observer_reload_running_ = false;
    for (const ObserverHello& hello : *batch) hello.answer(false);
  }
}

void Audience::answerObserverHello(server::ClientId client, const std::string& token_sha256,
                                   const json& request_id) {
  ClientInfo& info = context_.clients->at(client);
  auto found = observers_.find(token_sha256);
  if (found == observers_.end()) {
    // Refused, but still a viewer (the page carries on as one).
    if (!context_.sign_in->refuseWrongToken(client, info, "observer",
                                            "unknown or revoked observer invitation", request_id)) {
      viewerHello(client, Role::kViewer, 0, "", json());
    }
    return;
  }
  if (!server::LocalClients::isLocal(client)) context_.sign_in->guard().signedIn(info.address);
  viewerHello(client, Role::kObserver, found->second.first, found->second.second, request_id);
}

void Audience::viewerHello(server::ClientId client, Role role, std::int64_t observer_id,
                           const std::string& observer_name, const json& request_id) {
  ClientInfo& info = (*context_.clients)[client];
  if (info.role == Role::kProducer) {
    replyError(client, request_id, "invalid", "already signed in as a producer");
    return;
  }
  info.role = role;
  info.observer_id = observer_id;
  info.observer_name = observer_name;
  viewer_clients_[info.viewer].insert(client);
  context_.server->setChannels(client, server::kChannelViewer);

  json mine = json::array();
  for (std::int64_t id : desk_.askedBy(info.viewer)) {
    if (const Question* q = desk_.find(id)) mine.push_back(ownView(*q));
  }
  json ok = {
      {"type", "hello.ok"},
      {"role", role == Role::kObserver ? "observer" : "viewer"},
      {"viewer", info.viewer},
      {"observer", role == Role::kObserver ? json(observer_name) : json()},
      {"show", showView()},
      {"limits", limitsView()},
      {"mine", mine},
      {"commands", context_.commands ? context_.commands->commandsFor(role) : json::array()},
  };
  if (context_.has_followup && context_.has_followup(info.viewer)) ok["followup"] = true;
  if (!request_id.is_null()) ok["id"] = request_id;
  if (context_.feed) {
    // A page that says where it was in the feed gets what it missed, when
    // the ring still holds all of it; otherwise (and a new page) a snapshot
    // of the public list, which is current up to the position it carries.
    const std::optional<protocol::FeedPosition> since = std::exchange(info.since, std::nullopt);
    protocol::FeedSink::Resume resume = context_.feed->resume(since);
    ok["feed"] = {{"epoch", resume.position.epoch}, {"seq", resume.position.seq}};
    if (resume.missed) {
      ok["resumed"] = true;
      context_.server->send(client, std::make_shared<const std::string>(ok.dump()));
      for (auto& message : *resume.missed) context_.server->send(client, std::move(message));
      return;
    }
  }
  // The public part (up to 250 questions) is serialised once per change of
  // the public list, not once per hello.
  context_.server->send(client, std::make_shared<const std::string>(
                                    protocol::withRawField(ok, "public", publicSnapshot())));
}

json Audience::showView() const {
  json guests = json::array();
  for (const config::Person& g : show_.show.guests) {
    guests.push_back({{"name", g.name}, {"title", g.title}});
  }
  return {{"title", show_.show.title},
          {"host", {{"name", show_.show.host.name}, {"title", show_.show.host.title}}},
          {"guests", guests}};
}

json Audience::limitsView() const {
  return {{"max_chars", show_.audience.max_question_chars},
          {"max_nickname_chars", kMaxNicknameChars},
          {"question_interval_s", show_.audience.question_interval_s},
          {"question_burst", show_.audience.question_burst}};
}

const std::string& Audience::publicSnapshot() {
  if (!public_snapshot_) {
    public_snapshot_ = json{{"questions", publicList()}, {"on_air", onAirPublic()}}.dump();
  }
  return *public_snapshot_;
}

void Audience::clientClosed(server::ClientId client) {
  auto info = context_.clients->find(client);
  if (info == context_.clients->end()) return;
  auto it = viewer_clients_.find(info->second.viewer);
  if (it != viewer_clients_.end()) {
    it->second.erase(client);
    if (it->second.empty()) viewer_clients_.erase(it);
  }
}

}  // namespace yst::desks
