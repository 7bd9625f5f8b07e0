// The guests desk: who is in each webrtc:// slot, and how they got there.
//
// Two kinds of sender fill a slot, both over one HTTP exchange (WHIP,
// RFC 9725): POST /whip/<source> with an SDP offer and a bearer token, 201
// with the answer and a Location to DELETE when done.
//   - a publisher (OBS, a hardware encoder, a field unit) with the slot's
//     WHIP token (whip_token_env): on air as soon as its picture comes, like
//     a camera;
//   - a remote guest, from the page an invitation link opens (/g/<token>),
//     with the invitation's token: into the green room, where the producer
//     sees and meters them in the multiview and the preview while the
//     program holds them off air (a black tile, no sound), until
//     guests.admit.
// A slot takes one sender at a time: another while one is live is 409. The
// same invitation (a guest's page coming back after a drop) or a publisher
// into a slot whose sender has gone replaces the session.
//
// GET /api/guest (the invitation's token as bearer) tells the guest's page
// who it is, the slot's state (waiting, green_room, live, retrying) and the
// ICE servers to use (STUN, and TURN with credentials that expire).
//
// Controller thread. Error style: HTTP answers through Context::respond;
// commands return a CommandOutcome.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "studio/config/show_config.h"
#include "studio/core/command_registry.h"
#include "studio/core/engine.h"
#include "studio/server/control_server.h"
#include "studio/store/guests_table.h"
#include "studio/store/store.h"

namespace yst::desks {

class Guests {
 public:
  struct Context {
    const config::ShowConfig* show = nullptr;
    store::Store* store = nullptr;
    core::GuestSlotPort* engine = nullptr;
    std::function<void(const std::string& type, nlohmann::json payload)> publish;
    std::function<void(server::RequestId, server::ApiResponse)> respond;
    // A reply to one client (guests.invite and guests.list answer after the database).
    std::function<void(server::ClientId, const nlohmann::json& message)> send;
    std::function<void()> status_changed;
    // Unix seconds now (the tests' clock may differ).
    std::function<std::int64_t()> now_s;
    // A guest's name and title now stand for the slot's person (lower-third,
    // name bar); "" and "": nobody's. Optional.
    std::function<void(const std::string& source, const std::string& name,
                       const std::string& title)>
        person_changed;
    // The address viewers open (…/ with its port), for an invitation's whole
    // link. Optional: without it a reply carries the path only.
    std::function<std::string()> public_url;
  };
  explicit Guests(Context context);
  ~Guests();

  // /whip/… and /api/guest, from the server (already on this thread).
  void request(server::RequestId id, server::ApiRequest request);

  // guests.admit, guests.hold, guests.end, guests.invite, guests.list,
  // guests.cue and guests.talk, for producers.
  void registerCommands(core::CommandRegistry& commands);

  // For the switcher: why `source` may not go on air ("" when it may).
  std::string onAirRefusal(const std::string& source) const;
  // A source's state changed: a slot whose sender went is no longer held.
  void sourceChanged(const std::string& source);

  // Status for a webrtc:// slot: {"state","kind","guest","title","admitted"};
  // null for other sources.
  nlohmann::json slotJson(const std::string& source) const;

  // The longest an invitation lasts, and the default.
  static constexpr int kMaxInvitationHours = 24 * 30;
  static constexpr int kDefaultInvitationHours = 48;
  static constexpr std::size_t kMaxNameChars = 40;
  static constexpr std::size_t kMaxTitleChars = 80;
  static constexpr std::int64_t kNegotiationMs = 10000;

 private:
  enum class Sender { kNone = 0, kGuest, kPublisher };
  struct Session {
    std::string id;  // in the Location
    Sender sender = Sender::kNone;
    std::int64_t invitation = 0;  // kGuest
    std::string name;
    std::string title;
    std::string token_sha256;  // the bearer that may DELETE it
    bool admitted = false;
  };
  struct Slot {
    std::string source;
    std::string label;
    std::string whip_token;  // secret; "" none
    std::unique_ptr<Session> session;
    // The producer's last cue to this slot's guest ({"text","utc"}; null: none).
    nlohmann::json cue;
    bool talkback = false;  // the producer talking into this slot's return feed
    // When the offer being answered came (steady ms), or -1: one at a time
    // per slot, since each rebuilds the slot's input and gathers ICE.
    std::int64_t negotiating_since_ms = -1;
  };

  void whip(server::RequestId id, const server::ApiRequest& request, const std::string& source,
            const std::string& session);
  void guestInfo(server::RequestId id, const server::ApiRequest& request);
  // The offer, from an authorised sender, into the slot.
  void offer(server::RequestId id, Slot& slot, Session session, std::string sdp);
  void endSession(Slot& slot, const std::string& why);
  void setTalkback(Slot& slot, bool on);
  // Runs `found` with the invitation the token opens (on this thread).
  void findInvitation(const std::string& token,
                      std::function<void(std::optional<store::GuestInvitation>)> found);
  std::string slotState(const Slot& slot) const;
  nlohmann::json iceServers(const std::string& who) const;
  Slot* slot(const std::string& source);
  const Slot* slot(const std::string& source) const;
  void changed(const Slot& slot);

  core::CommandOutcome admit(const nlohmann::json& command, bool admitted);
  core::CommandOutcome end(const nlohmann::json& command);
  core::CommandOutcome invite(const nlohmann::json& command, server::ClientId client,
                              const nlohmann::json& request_id);
  core::CommandOutcome list(server::ClientId client, const nlohmann::json& request_id);
  // A cue to one slot's guest, or to every guest: their page shows it.
  core::CommandOutcome cue(const nlohmann::json& command);
  // The producer's talkback to one slot's guest, or to every guest, on or off.
  core::CommandOutcome talk(const nlohmann::json& command);

  Context context_;
  std::vector<Slot> slots_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  // store callbacks check it
};

}  // namespace yst::desks
