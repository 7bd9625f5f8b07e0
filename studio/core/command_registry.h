// The one list of commands a client may send. Each desk (sign-in, questions,
// transcript, graphics, the switcher and the rest of the controller) adds the
// message types it handles, the roles that may send each, and a handler; the
// controller routes every message through here. The list is what `hello.ok`
// tells each client it may send (`commands`), so no page keeps its own copy.
//
// Error style: a handler returns a CommandOutcome (command_error.h) and never
// throws for bad input.
//
// Controller thread only.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "studio/core/clients.h"
#include "studio/core/command_error.h"

namespace yst::core {

using RoleSet = std::uint32_t;
constexpr RoleSet roleBit(Role role) {
  return RoleSet{1} << static_cast<unsigned>(role);
}
constexpr RoleSet roles(std::initializer_list<Role> list) {
  RoleSet set = 0;
  for (Role role : list) set |= roleBit(role);
  return set;
}
// Anyone, a connection that has not said hello included.
inline constexpr RoleSet kAnyone = ~RoleSet{0};

struct CommandContext {
  server::ClientId client;
  ClientInfo& info;
  const nlohmann::json& message;     // parsed and checked: an object with a string "type"
  const nlohmann::json& request_id;  // the client's "id", or null
};
class CommandRegistry {
 public:
  using Handler = std::function<CommandOutcome(CommandContext&)>;

  // A second handler for one type is a programming error: std::logic_error.
  // `refusal` replaces forbidden's "\"T\" needs the R role" when the rule
  // is better said another way ("say hello as a viewer before voting").
  void add(std::string type, RoleSet allowed, Handler handler, std::string refusal = {});
  // Types under `prefix` that no one added are refused to other roles as
  // forbidden (the namespace is theirs) and to `allowed` as unknown.
  void addNamespace(std::string prefix, RoleSet allowed);

  // The outcome of one message: its handler's, or unknown_type / forbidden.
  CommandOutcome dispatch(CommandContext& context) const;

  // The types `role` may send, sorted: hello.ok's `commands`.
  const nlohmann::json& commandsFor(Role role) const;

 private:
  struct Entry {
    RoleSet allowed;
    Handler handler;
    std::string refusal;
  };
  std::map<std::string, Entry, std::less<>> commands_;
  std::map<std::string, RoleSet, std::less<>> namespaces_;
  mutable std::map<Role, nlohmann::json> lists_;  // commandsFor, built on first use
};

// "producer", "typist or producer": who may send a command (forbidden's text).
std::string rolesText(RoleSet allowed);

}  // namespace yst::core
