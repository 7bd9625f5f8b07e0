#include "studio/desks/guests.h"

#include <algorithm>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/digest.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/desks/cues.h"
#include "studio/protocol/message.h"
#include "studio/text/text.h"

namespace yst::desks {

using core::CommandError;
using core::CommandOutcome;
using core::FieldReader;
using core::Handled;
using json = nlohmann::json;

namespace guests_desk {

constexpr std::string_view kWhipPrefix = "/whip/";
constexpr std::size_t kTokenChars = 32;
constexpr std::size_t kSessionChars = 16;

server::ApiResponse jsonAnswer(unsigned int status, const json& body) {
  server::ApiResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

server::ApiResponse errorAnswer(unsigned int status, std::string_view code,
                                std::string_view message) {
  return jsonAnswer(status, {{"error", code}, {"message", message}});
}

server::ApiResponse unauthorized(std::string_view message) {
  server::ApiResponse response = errorAnswer(401, "unauthorized", message);
  response.headers = {{"www-authenticate", "Bearer realm=\"yishiting\""}};
  return response;
}

// The token of "Authorization: Bearer <token>"; "" when there is none.
std::string bearerToken(const std::string& authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size()) return "";
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return "";
    }
  }
  std::string token = authorization.substr(kBearer.size());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

bool isSdp(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/sdp";
}

}  // namespace guests_desk

using namespace guests_desk;

Guests::Guests(Context context) : context_(std::move(context)) {
  for (const config::SourceConfig& s : context_.show->sources) {
    if (s.scheme != streaming::UrlScheme::kWebrtc) continue;
    slots_.push_back({s.id, s.label, s.whip_token, nullptr, nullptr});
  }
}

Guests::~Guests() = default;

Guests::Slot* Guests::slot(const std::string& source) {
  for (Slot& s : slots_)
    if (s.source == source) return &s;
  return nullptr;
}

const Guests::Slot* Guests::slot(const std::string& source) const {
  for (const Slot& s : slots_)
    if (s.source == source) return &s;
  return nullptr;
}

void Guests::request(server::RequestId id, server::ApiRequest request) {
  const std::string& path = request.path;
  if (path == "/api/guest") {
    guestInfo(id, request);
    return;
  }
  if (path.starts_with(kWhipPrefix)) {
    const std::string rest = path.substr(kWhipPrefix.size());
    const std::size_t slash = rest.find('/');
    const std::string source = rest.substr(0, slash);
    const std::string session = slash == std::string::npos ? "" : rest.substr(slash + 1);
    whip(id, request, source, session);
    return;
  }
  context_.respond(id, errorAnswer(404, "not_found", "no such resource"));
}

void Guests::whip(server::RequestId id, const server::ApiRequest& request,
                  const std::string& source, const std::string& session) {
  Slot* s = slot(source);
  if (!s) {
    context_.respond(id, errorAnswer(404, "not_found", "no webrtc:// source of that id"));
    return;
  }
  if (request.method == "OPTIONS") {
    server::ApiResponse response;
    response.status = 204;
    response.headers = {{"allow", "OPTIONS, POST, DELETE"}, {"accept-post", "application/sdp"}};
    context_.respond(id, std::move(response));
    return;
  }
  const std::string token = bearerToken(request.authorization);
  if (request.method == "DELETE") {
    if (session.empty() || !s->session || s->session->id != session) {
      context_.respond(id, errorAnswer(404, "not_found", "no such session (it has ended)"));
      return;
    }
    if (token.empty() || !constantTimeEquals(sha256Hex(token), s->session->token_sha256)) {
      context_.respond(id, unauthorized("send the token the session began with"));
      return;
    }
    endSession(*s, "the sender ended it");
    server::ApiResponse response;
    response.status = 200;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "session ended\n";
    context_.respond(id, std::move(response));
    return;
  }
  if (request.method != "POST" || !session.empty()) {
    server::ApiResponse response =
        errorAnswer(405, "method_not_allowed", "POST an SDP offer to /whip/<source>");
    response.headers = {{"allow", "OPTIONS, POST"}};
    context_.respond(id, std::move(response));
    return;
  }
  if (!isSdp(request.content_type)) {
    context_.respond(
        id, errorAnswer(415, "unsupported_media_type", "send the offer as application/sdp"));
    return;
  }
  if (token.empty()) {
    context_.respond(id, unauthorized("send Authorization: Bearer <the slot's token>"));
    return;
  }
  if (!s->whip_token.empty() && constantTimeEquals(token, s->whip_token)) {
    Session publisher;
    publisher.sender = Sender::kPublisher;
    publisher.name = s->label;
    publisher.token_sha256 = sha256Hex(token);
    publisher.admitted = true;  // an encoder the newsroom set up: a camera like any other
    offer(id, *s, std::move(publisher), request.body);
    return;
  }
  std::weak_ptr<int> life = life_;
  findInvitation(token, [this, life, id, source, token,
                         sdp = request.body](std::optional<store::GuestInvitation> invitation) {
    if (life.expired()) return;
    Slot* s = slot(source);
    if (!s) return;
    if (!invitation || invitation->source != source) {
      context_.respond(id, unauthorized("this token does not open this slot (revoked, expired "
                                        "or for another)"));
      return;
    }
    Session guest;
    guest.sender = Sender::kGuest;
    guest.invitation = invitation->id;
    guest.name = invitation->name;
    guest.title = invitation->title;
    guest.token_sha256 = sha256Hex(token);
    offer(id, *s, std::move(guest), sdp);
  });
}

void Guests::offer(server::RequestId id, Slot& slot, Session session, std::string sdp) {
  core::GuestSlotPort& engine = *context_.engine;
  // Read only once the sender is known: nothing is said to a stranger.
  if (const std::string problem = engine.checkOffer(sdp); !problem.empty()) {
    context_.respond(id, errorAnswer(400, "bad_offer", problem));
    return;
  }
  if (!engine.running(slot.source)) {
    server::ApiResponse response = errorAnswer(503, "not_ready", "the studio is starting");
    response.headers = {{"retry-after", "2"}};
    context_.respond(id, std::move(response));
    return;
  }
  if (slot.session) {
    const std::string state = engine.state(slot.source);
    const bool alive = state == "live" || state == "connecting";
    const bool same_guest = session.sender == Sender::kGuest &&
                            slot.session->sender == Sender::kGuest &&
                            slot.session->invitation == session.invitation;
    if (alive && !same_guest) {
      context_.respond(id, errorAnswer(409, "busy",
                                       "this slot has a sender already (" + slot.session->name +
                                           "); it must end first"));
      return;
    }
    // The same guest again (their page after a drop) keeps their place: on
    // air if they were.
    if (same_guest) session.admitted = slot.session->admitted;
  }
  // One offer at a time per slot (a page or an encoder posting in a loop
  // would rebuild the slot's input over and over). An answer comes within
  // seconds (Source's answer timeout); one that never came counts no more
  // after kNegotiationMs.
  const std::int64_t now_ms = steadyNowMs();
  if (slot.negotiating_since_ms >= 0 && now_ms - slot.negotiating_since_ms < kNegotiationMs) {
    server::ApiResponse response =
        errorAnswer(429, "busy", "an offer for this slot is being answered; try again in a second");
    response.headers = {{"retry-after", "1"}};
    context_.respond(id, std::move(response));
    return;
  }
  slot.negotiating_since_ms = now_ms;
  session.id = randomId(kSessionChars);
  const std::string session_id = session.id;
  const bool admitted = session.admitted;
  logInfo("guests", slot.source + ": " + (session.sender == Sender::kGuest ? "guest " : "") +
                        session.name + " is connecting");
  if (context_.person_changed) {
    // A guest's invitation names them; a publisher is the slot's camera.
    if (session.sender == Sender::kGuest) {
      context_.person_changed(slot.source, session.name, session.title);
    } else {
      context_.person_changed(slot.source, "", "");
    }
  }
  slot.session = std::make_unique<Session>(std::move(session));
  engine.hold(slot.source, !admitted);
  const std::string source_id = slot.source;
  std::weak_ptr<int> life = life_;
  engine.acceptOffer(
      source_id, std::move(sdp),
      [this, life, id, source_id, session_id](std::string answer, std::string error) {
        if (life.expired()) return;
        if (Slot* s = this->slot(source_id)) s->negotiating_since_ms = -1;
        if (answer.empty()) {
          Slot* s = this->slot(source_id);
          if (s && s->session && s->session->id == session_id) {
            s->session.reset();
            context_.engine->hold(source_id, false);
            if (context_.person_changed) context_.person_changed(source_id, "", "");
            changed(*s);
          }
          context_.respond(
              id, errorAnswer(400, "no_answer", "the offer could not be answered: " + error));
          return;
        }
        server::ApiResponse response;
        response.status = 201;
        response.content_type = "application/sdp";
        response.body = std::move(answer);
        response.headers = {{"location", std::string(kWhipPrefix) + source_id + "/" + session_id}};
        context_.respond(id, std::move(response));
      });
  changed(slot);
}

void Guests::endSession(Slot& slot, const std::string& why) {
  if (!slot.session) return;
  logInfo("guests", slot.source + ": " + slot.session->name + "'s session ended (" + why + ")");
  slot.session.reset();
  setTalkback(slot, false);  // the next guest in the slot starts without it
  context_.engine->hold(slot.source, false);
  context_.engine->endSession(slot.source);
  if (context_.person_changed) context_.person_changed(slot.source, "", "");
  changed(slot);
}

void Guests::guestInfo(server::RequestId id, const server::ApiRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    context_.respond(id, errorAnswer(405, "method_not_allowed", "GET only"));
    return;
  }
  const std::string token = bearerToken(request.authorization);
  if (token.empty()) {
    context_.respond(id, unauthorized("send Authorization: Bearer <the invitation's token>"));
    return;
  }
  std::weak_ptr<int> life = life_;
  findInvitation(token, [this, life, id](std::optional<store::GuestInvitation> invitation) {
    if (life.expired()) return;
    const Slot* s = invitation ? slot(invitation->source) : nullptr;
    if (!s) {
      context_.respond(id, unauthorized("this invitation is not valid (revoked or expired)"));
      return;
    }
    const bool theirs = s->session && s->session->sender == Sender::kGuest &&
                        s->session->invitation == invitation->id;
    json body = {{"source", s->source},
                 {"name", invitation->name},
                 {"title", invitation->title},
                 {"show", context_.show->show.title},
                 {"whip", std::string(kWhipPrefix) + s->source},
                 {"state", theirs ? slotState(*s) : "waiting"},
                 {"slot_taken", s->session != nullptr && !theirs},
                 {"expires_at", invitation->expires_at},
                 {"cue", s->cue},
                 {"talkback", s->talkback},
                 {"ice_servers", iceServers("guest" + std::to_string(invitation->id))}};
    context_.respond(id, jsonAnswer(200, body));
  });
}

void Guests::findInvitation(const std::string& token,
                            std::function<void(std::optional<store::GuestInvitation>)> found) {
  auto result = std::make_shared<std::optional<store::GuestInvitation>>();
  const std::string hash = sha256Hex(token);
  const std::int64_t now = context_.now_s();
  const bool queued = context_.store->submit(
      [result, hash, now](sqlite3* db) { *result = store::guestByToken(db, hash, now); },
      [result, found = std::move(found)](bool ok, const std::string&) {
        found(ok ? *result : std::nullopt);
      });
  if (!queued) found(std::nullopt);
}

json Guests::iceServers(const std::string& who) const {
  const config::WebrtcConfig& webrtc = context_.show->webrtc;
  json servers = json::array();
  if (!webrtc.stun_server.empty()) servers.push_back({{"urls", webrtc.stun_server}});
  if (!webrtc.turn_url.empty()) {
    const std::int64_t expires = context_.now_s() + webrtc.turn_credential_hours * 3600;
    const std::string username = std::to_string(expires) + ":" + who;
    servers.push_back({{"urls", webrtc.turn_url},
                       {"username", username},
                       {"credential", turnPassword(webrtc.turn_secret, username)}});
  }
  return servers;
}

std::string Guests::slotState(const Slot& slot) const {
  if (!slot.session) return "waiting";
  const std::string state = context_.engine->state(slot.source);
  if (state == "live") return slot.session->admitted ? "live" : "green_room";
  if (state == "connecting" || state == "retrying") return state;
  return "waiting";
}

json Guests::slotJson(const std::string& source) const {
  const Slot* s = slot(source);
  if (!s) return nullptr;
  json out = {
      {"state", slotState(*s)}, {"whip", !s->whip_token.empty()}, {"talkback", s->talkback}};
  if (s->session) {
    out["kind"] = s->session->sender == Sender::kGuest ? "guest" : "publisher";
    out["guest"] = s->session->name;
    out["title"] = s->session->title;
    out["admitted"] = s->session->admitted;
  }
  return out;
}

std::string Guests::onAirRefusal(const std::string& source) const {
  const Slot* s = slot(source);
  if (!s || !s->session || s->session->admitted) return "";
  return source + ": " + s->session->name +
         " is in the green room; admit them first (guests.admit) / 嘉宾还在等候室，请先接入";
}

void Guests::sourceChanged(const std::string& source) {
  if (Slot* s = slot(source)) changed(*s);
}

void Guests::changed(const Slot& slot) {
  context_.publish("guests.changed", {{"source", slot.source}, {"slot", slotJson(slot.source)}});
  if (context_.status_changed) context_.status_changed();
}

void Guests::registerCommands(core::CommandRegistry& commands) {
  const core::RoleSet producers = core::roles({core::Role::kProducer});
  commands.add("guests.admit", producers,
               [this](core::CommandContext& c) { return admit(c.message, true); });
  commands.add("guests.hold", producers,
               [this](core::CommandContext& c) { return admit(c.message, false); });
  commands.add("guests.end", producers, [this](core::CommandContext& c) { return end(c.message); });
  commands.add("guests.invite", producers, [this](core::CommandContext& c) {
    return invite(c.message, c.client, c.request_id);
  });
  commands.add("guests.list", producers,
               [this](core::CommandContext& c) { return list(c.client, c.request_id); });
  commands.add("guests.cue", producers, [this](core::CommandContext& c) { return cue(c.message); });
  commands.add("guests.talk", producers,
               [this](core::CommandContext& c) { return talk(c.message); });
}

CommandOutcome Guests::talk(const json& c) {
  FieldReader f(c);
  const json* source = f.optional("source", json::value_t::string);
  const json* on = f.required("on", json::value_t::boolean);
  if (f.failed()) return f.error();
  const auto& sources = context_.show->sources;
  if (std::none_of(sources.begin(), sources.end(),
                   [](const config::SourceConfig& s) { return s.talkback; })) {
    return CommandError{"not_found",
                        "the show has no talkback microphone ([[sources]] talkback = true)"};
  }
  if (source && !slot(source->get<std::string>())) {
    return CommandError{"not_found", "source: no webrtc:// slot of that id"};
  }
  json to = json::array();
  for (Slot& s : slots_) {
    if (source && s.source != source->get<std::string>()) continue;
    to.push_back(s.source);
    setTalkback(s, on->get<bool>());
  }
  return json{{"talkback", on->get<bool>()}, {"to", to}};
}

void Guests::setTalkback(Slot& slot, bool on) {
  if (slot.talkback == on) return;
  slot.talkback = on;
  context_.engine->talkback(slot.source, on);
  logInfo("guests", slot.source + ": talkback " + (on ? "on" : "off"));
  changed(slot);
}

CommandOutcome Guests::cue(const json& c) {
  FieldReader f(c);
  const json* source = f.optional("source", json::value_t::string);
  if (f.failed()) return f.error();
  std::variant<std::string, CommandError> text = Cues::readText(c);
  if (auto* error = std::get_if<CommandError>(&text)) return *error;
  if (source && !slot(source->get<std::string>())) {
    return CommandError{"not_found", "source: no webrtc:// slot of that id"};
  }
  const json given = {{"text", std::get<std::string>(text)}, {"utc", store::utcNowIso()}};
  json to = json::array();
  for (Slot& s : slots_) {
    if (source && s.source != source->get<std::string>()) continue;
    s.cue = given;
    to.push_back(s.source);
  }
  return json{{"cue", given}, {"to", to}};
}

CommandOutcome Guests::admit(const json& c, bool admitted) {
  FieldReader f(c);
  const json* source = f.required("source", json::value_t::string);
  if (!source) return f.error();
  Slot* s = slot(source->get<std::string>());
  if (!s) return CommandError{"not_found", "source: no webrtc:// slot of that id"};
  if (!s->session) return CommandError{"not_found", "source: nobody is in this slot"};
  if (s->session->admitted != admitted) {
    s->session->admitted = admitted;
    context_.engine->hold(s->source, !admitted);
    logInfo("guests", s->source + ": " + s->session->name +
                          (admitted ? " admitted to air" : " back in the green room"));
    changed(*s);
  }
  return json{{"source", s->source}, {"slot", slotJson(s->source)}};
}

CommandOutcome Guests::end(const json& c) {
  FieldReader f(c);
  const json* source = f.required("source", json::value_t::string);
  if (!source) return f.error();
  Slot* s = slot(source->get<std::string>());
  if (!s) return CommandError{"not_found", "source: no webrtc:// slot of that id"};
  endSession(*s, "the producer ended it");
  return json{{"source", s->source}, {"slot", slotJson(s->source)}};
}

CommandOutcome Guests::invite(const json& c, server::ClientId client, const json& request_id) {
  FieldReader f(c);
  const json* source = f.required("source", json::value_t::string);
  const json* name = f.required("name", json::value_t::string);
  const json* title = f.optional("title", json::value_t::string);
  const json* hours = f.optional("hours", json::value_t::number_integer);
  if (f.failed()) return f.error();
  const Slot* s = slot(source->get<std::string>());
  if (!s) return CommandError{"not_found", "source: no webrtc:// slot of that id"};
  const text::CleanedText cleaned_name =
      text::cleanText(name->get<std::string>(), kMaxNameChars, false);
  if (cleaned_name.problem != text::TextProblem::kNone) {
    return CommandError{"invalid", "name: 1 to " + std::to_string(kMaxNameChars) + " characters"};
  }
  std::string cleaned_title;
  if (title) {
    const text::CleanedText t = text::cleanText(title->get<std::string>(), kMaxTitleChars, false);
    if (t.problem != text::TextProblem::kNone && t.problem != text::TextProblem::kEmpty) {
      return CommandError{"invalid",
                          "title: at most " + std::to_string(kMaxTitleChars) + " characters"};
    }
    cleaned_title = t.text;
  }
  const int h = hours ? hours->get<int>() : kDefaultInvitationHours;
  if (h < 1 || h > kMaxInvitationHours) {
    return CommandError{"invalid", "hours: 1…" + std::to_string(kMaxInvitationHours)};
  }
  const std::string token = randomId(kTokenChars);
  const std::int64_t expires = context_.now_s() + std::int64_t{h} * 3600;
  auto id = std::make_shared<std::int64_t>(0);
  std::weak_ptr<int> life = life_;
  const std::string slot_id = s->source;
  const bool queued = context_.store->submit(
      [id, slot_id, n = cleaned_name.text, t = cleaned_title, hash = sha256Hex(token),
       expires](sqlite3* db) { *id = store::addGuest(db, slot_id, n, t, hash, expires); },
      [this, life, id, client, request_id, token, slot_id, n = cleaned_name.text, expires](
          bool ok, const std::string& error) {
        if (life.expired()) return;
        if (!ok) {
          logError("guests", "could not store an invitation: " + error);
          context_.send(
              client, protocol::errorMessage("storage_failed", "the invitation could not be stored",
                                             request_id));
          return;
        }
        json out = {{"type", "reply"},       {"ok", true},           {"command", "guests.invite"},
                    {"invitation", *id},     {"source", slot_id},    {"name", n},
                    {"expires_at", expires}, {"path", "/g/" + token}};
        if (context_.public_url) {
          std::string base = context_.public_url();
          if (!base.empty() && base.back() != '/') base += '/';
          if (!base.empty()) out["link"] = base + "g/" + token;
        }
        if (!request_id.is_null()) out["id"] = request_id;
        // The link is shown to the producer who asked, once; only its hash is kept.
        context_.send(client, out);
      });
  if (!queued) return CommandError{"busy", "the studio is busy; try again"};
  return Handled{};
}

CommandOutcome Guests::list(server::ClientId client, const json& request_id) {
  auto result = std::make_shared<std::vector<store::GuestInvitation>>();
  std::weak_ptr<int> life = life_;
  const std::int64_t now = context_.now_s();
  const bool queued = context_.store->submit(
      [result, now](sqlite3* db) { *result = store::listGuests(db, false, now); },
      [this, life, result, client, request_id](bool ok, const std::string&) {
        if (life.expired()) return;
        json invitations = json::array();
        if (ok) {
          for (const store::GuestInvitation& g : *result) {
            invitations.push_back({{"invitation", g.id},
                                   {"source", g.source},
                                   {"name", g.name},
                                   {"title", g.title},
                                   {"expires_at", g.expires_at}});
          }
        }
        json out = {{"type", "reply"},
                    {"ok", ok},
                    {"command", "guests.list"},
                    {"invitations", invitations}};
        if (!request_id.is_null()) out["id"] = request_id;
        context_.send(client, out);
      });
  if (!queued) return CommandError{"busy", "the studio is busy; try again"};
  return Handled{};
}

}  // namespace yst::desks
