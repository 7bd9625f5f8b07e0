// The sign-in desk: `hello`, for every role. Staff (producer, typist, host)
// sign in here with their role's token or the producer's; viewers and
// observers are handed to the audience desk, which checks observer
// invitations. Each hello is rate-limited per connection (it costs the studio
// a snapshot), and every wrong token, staff or observer, goes through this
// desk's SignInGuard: the third refusal closes the connection, an address
// that keeps guessing is locked out for longer and longer.
//
// Controller thread. Error style: refusals are sent as protocol errors
// (`rate_limited`, `forbidden`, `too_many_attempts`, `invalid`), since a
// hello's answer is a hello.ok, not a command reply.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "studio/core/clients.h"
#include "studio/core/command_registry.h"
#include "studio/desks/sign_in_guard.h"

namespace yst::desks {

class SignIn {
 public:
  struct Tokens {
    std::string producer;
    std::string typist;
    std::string host;
  };
  struct Context {
    Tokens tokens;
    // What each role may send (hello.ok's `commands`).
    const core::CommandRegistry* commands = nullptr;
    // The rest of a staff role's hello.ok: the producer's status and
    // questions, the typist's show and speakers, the host's monitor.
    std::function<nlohmann::json(core::Role role)> welcome;
    // A staff connection is signed in: it hears `channels` and is staff at
    // the server (a producer may also send more per second).
    std::function<void(server::ClientId client, core::Role role, std::uint32_t channels)> admit;
    // A viewer's or an observer's hello: the audience answers it.
    std::function<void(server::ClientId client, const nlohmann::json& message,
                       const nlohmann::json& request_id)>
        audience_hello;
    // A viewer who signs in as staff stops being a viewer.
    std::function<void(server::ClientId client)> leave_audience;
    std::function<void(server::ClientId client, const nlohmann::json& message)> reply;
    std::function<void(server::ClientId client)> close;
    // The steady clock in µs (tests bring their own).
    std::function<std::int64_t()> now_us;
    // A department's hello (问政跟踪): the follow-up desk checks its link.
    std::function<void(server::ClientId client, const nlohmann::json& message,
                       const nlohmann::json& request_id)>
        department_hello;
  };
  explicit SignIn(Context context);

  // hello, for anyone.
  void registerCommands(core::CommandRegistry& commands);

  // The guard, for the audience's observer invitations.
  SignInGuard& guard() { return guard_; }
  // A wrong staff or observer token (`role`): `forbidden`, counted, logged,
  // and the connection closed at its third refusal. True when it was closed.
  bool refuseWrongToken(server::ClientId client, core::ClientInfo& info, std::string_view role,
                        const std::string& message, const nlohmann::json& request_id);
  // A hello refused because the client's address is locked out for `wait_s`
  // more: `too_many_attempts` with `retry_after_s`, the connection closed at
  // its third refusal. True when it was closed.
  bool refuseLockedOut(server::ClientId client, core::ClientInfo& info, double wait_s,
                       const nlohmann::json& request_id);
  // Writes the guard's log summary when due and forgets quiet addresses;
  // every few seconds.
  void tick() { guard_.tick(context_.now_us()); }

  // Hellos per connection: a page says hello once per connection (twice when
  // an observer invitation turns out to be invalid); each one costs the
  // studio a snapshot, so a connection gets this many and then one per
  // kHelloIntervalS. The console, in this process, is not limited.
  static constexpr double kHelloBurst = 3;
  static constexpr double kHelloIntervalS = 20;
  // A staff member's name as shown with their edits.
  static constexpr std::size_t kMaxNameChars = 24;

 private:
  void hello(core::CommandContext& c);
  // A staff hello whose token matched: the client's role, its name as it
  // gave it (cleaned; "<role>#<id>" without one), what it hears, and its
  // hello.ok.
  void signIn(core::CommandContext& c, core::Role role, std::uint32_t channels);
  // Its role's own token, or the producer's; both compared, always.
  bool tokenMatches(const nlohmann::json& hello, const std::string& role_token) const;
  void replyError(server::ClientId client, const nlohmann::json& request_id,
                  const std::string& code, const std::string& message,
                  nlohmann::json extra = nlohmann::json::object());

  Context context_;
  SignInGuard guard_;
};

}  // namespace yst::desks
