// A command's outcome: ok, or an error code from the protocol and a message
// for people. Shared by the controller and the parts it routes commands to.
#pragma once

#include <string>

namespace yst::core {

struct CommandError {
  std::string code;  // forbidden, bad_message, unknown_type, not_found, invalid, busy, key_required
  std::string message;
};

}  // namespace yst::core
