#include "studio/core/command_registry.h"

#include <stdexcept>
#include <utility>

namespace yst::core {

using nlohmann::json;

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kNone:
      return "none";
    case Role::kViewer:
      return "viewer";
    case Role::kObserver:
      return "observer";
    case Role::kProducer:
      return "producer";
    case Role::kTypist:
      return "typist";
    case Role::kHost:
      return "host";
    case Role::kDepartment:
      return "department";
  }
  return "none";
}

std::string rolesText(RoleSet allowed) {
  std::string text;
  for (Role role : {Role::kViewer, Role::kObserver, Role::kDepartment, Role::kTypist, Role::kHost,
                    Role::kProducer}) {
    if (!(allowed & roleBit(role))) continue;
    if (!text.empty()) text += " or ";
    text += roleName(role);
  }
  return text;
}

void CommandRegistry::add(std::string type, RoleSet allowed, Handler handler, std::string refusal) {
  if (commands_.contains(type)) throw std::logic_error("command \"" + type + "\" added twice");
  commands_.emplace(std::move(type), Entry{allowed, std::move(handler), std::move(refusal)});
  lists_.clear();
}

void CommandRegistry::addNamespace(std::string prefix, RoleSet allowed) {
  namespaces_[std::move(prefix)] = allowed;
}

CommandOutcome CommandRegistry::dispatch(CommandContext& context) const {
  const std::string& type = context.message.at("type").get_ref<const std::string&>();
  const RoleSet role = roleBit(context.info.role);
  auto unknown = [&] {
    return CommandError{"unknown_type", "unknown message type \"" + type.substr(0, 64) + "\""};
  };
  auto forbidden = [&](RoleSet allowed) {
    return CommandError{"forbidden", "\"" + type + "\" needs the " + rolesText(allowed) + " role"};
  };
  if (auto it = commands_.find(type); it != commands_.end()) {
    if (!(it->second.allowed & role)) {
      if (!it->second.refusal.empty()) return CommandError{"forbidden", it->second.refusal};
      return forbidden(it->second.allowed);
    }
    return it->second.handler(context);
  }
  for (const auto& [prefix, allowed] : namespaces_) {
    if (type.starts_with(prefix) && !(allowed & role)) return forbidden(allowed);
  }
  return unknown();
}

const json& CommandRegistry::commandsFor(Role role) const {
  auto [it, added] = lists_.try_emplace(role);
  if (added) {
    it->second = json::array();
    for (const auto& [type, entry] : commands_) {
      if (entry.allowed & roleBit(role)) it->second.push_back(type);
    }
  }
  return it->second;
}

}  // namespace yst::core
