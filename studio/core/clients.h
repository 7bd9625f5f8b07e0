// Who is connected, as the controller thread knows them: each client's role
// and what is counted per connection. The desks read and update it; the
// controller owns the map.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "studio/base/token_bucket.h"
#include "studio/protocol/public_feed.h"
#include "studio/server/control_server.h"

namespace yst::core {

// kDepartment: a department answering its follow-up items (问政跟踪) through
// its own sign-in link.
enum class Role { kNone = 0, kViewer, kObserver, kProducer, kTypist, kHost, kDepartment };
// "viewer", "producer", …; "none" for kNone.
std::string_view roleName(Role role);

// What the controller knows about one WebSocket client. Controller thread.
struct ClientInfo {
  Role role = Role::kNone;
  std::string address;  // numeric IP, for per-address limits
  std::string viewer;   // viewer id (viewers and observers)
  std::int64_t observer_id = 0;
  std::string observer_name;
  std::string producer_name;       // shown with a producer's edits and actions
  std::int64_t department_id = 0;  // kDepartment: which one (its name is producer_name)
  TokenBucket questions;           // per connection
  TokenBucket hellos;              // per connection: a hello is the most expensive message
  TokenBucket lists;               // per connection: a viewer's transcript.list
  TokenBucket followups;           // per connection: a viewer's followup.mine and followup.rate
  int refused_sign_ins = 0;        // wrong tokens and lock-outs (SignInGuard)
  // Where the viewer's page was in the public feed (its last hello's
  // "since"): what it missed is replayed instead of a snapshot.
  std::optional<protocol::FeedPosition> since;
};
using ClientMap = std::map<server::ClientId, ClientInfo>;

}  // namespace yst::core
