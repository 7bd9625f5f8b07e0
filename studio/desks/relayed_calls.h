// Commands run at the studio for someone connected elsewhere: a department's
// desk or a viewer at a public edge (问政跟踪's followup.* commands, relayed
// by desks/edge_link.h). Each call gets a connection of its own for its one
// reply, an in-process client (server/local_clients.h) with the caller's
// role and identity, and its message goes through the same command registry
// as a WebSocket's: the same roles, checks and replies, with no second
// implementation to drift. The connection is closed when its reply comes, or
// after kGiveUpMs (the edge has told its client "unavailable" long before).
//
// Controller thread, except `deliver`, which the server calls on the thread
// that replied; it only posts.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "studio/base/timer.h"
#include "studio/core/clients.h"

namespace yst::desks {

class RelayedCalls {
 public:
  static constexpr int kGiveUpMs = 15000;
  using Deliver = std::function<void(std::shared_ptr<const std::string>)>;
  struct Context {
    // An in-process client whose messages go to `deliver`; and its end.
    std::function<server::ClientId(Deliver)> add_client;
    std::function<void(server::ClientId)> remove_client;
    core::ClientMap* clients = nullptr;
    // A message from a client, as the /ws hands it to the controller.
    std::function<void(server::ClientId, const std::string&)> dispatch;
    // Work for the controller thread, from any thread.
    std::function<void(std::function<void()>)> post;
    MakeTimer make_timer;
    // How long a call waits for its reply.
    int give_up_ms = kGiveUpMs;
  };
  // Calls at once; beyond them a call is not made (its caller times out).
  static constexpr std::size_t kMaxCalls = 1024;

  explicit RelayedCalls(Context context);
  ~RelayedCalls();
  RelayedCalls(const RelayedCalls&) = delete;
  RelayedCalls& operator=(const RelayedCalls&) = delete;

  // Runs `message` as a client described by `as` (role, viewer, department…);
  // `done` gets the reply or error it is answered with, without the request
  // id (the caller has its own). Never called when no answer came.
  void run(core::ClientInfo as, nlohmann::json message, std::function<void(nlohmann::json)> done);
  std::size_t inFlight() const { return calls_.size(); }

 private:
  struct Call {
    std::function<void(nlohmann::json)> done;
    std::int64_t deadline_us = 0;
  };
  void answered(server::ClientId client, nlohmann::json reply);
  void end(server::ClientId client);
  void sweep();

  Context context_;
  std::map<server::ClientId, Call> calls_;
  std::uint64_t next_call_ = 0;
  std::unique_ptr<Timer> sweep_timer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
};

}  // namespace yst::desks
