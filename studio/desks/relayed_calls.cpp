#include "studio/desks/relayed_calls.h"

#include <utility>

#include "studio/base/clock.h"

namespace yst::desks {

using nlohmann::json;

RelayedCalls::RelayedCalls(Context context) : context_(std::move(context)) {
  sweep_timer_ = context_.make_timer([this] { sweep(); });
}

RelayedCalls::~RelayedCalls() {
  alive_.reset();
  for (const auto& [client, call] : calls_) {
    context_.remove_client(client);
    context_.clients->erase(client);
  }
}

void RelayedCalls::run(core::ClientInfo as, json message, std::function<void(json)> done) {
  if (calls_.size() >= kMaxCalls) return;
  // The reply is told from the other messages the connection may get (a
  // department's followup.changed) by this id.
  const std::string request_id = "relayed-" + std::to_string(++next_call_);
  message["id"] = request_id;
  std::weak_ptr<char> alive = alive_;
  auto self = std::make_shared<server::ClientId>(0);
  const server::ClientId client = context_.add_client(
      [this, alive, request_id, self, post = context_.post](std::shared_ptr<const std::string> m) {
        // The server's thread: look at the id only, then hand over.
        json reply = json::parse(*m, nullptr, false);
        if (reply.is_discarded() || !reply.is_object() || reply.value("id", json()) != request_id) {
          return;
        }
        post([this, alive, self, reply = std::move(reply)]() mutable {
          if (!alive.expired()) answered(*self, std::move(reply));
        });
      });
  if (client == 0) return;
  *self = client;
  calls_[client] = {std::move(done), steadyNowUs() + std::int64_t{context_.give_up_ms} * 1000};
  (*context_.clients)[client] = std::move(as);
  if (!sweep_timer_->active()) sweep_timer_->start(context_.give_up_ms);
  context_.dispatch(client, message.dump());
}

void RelayedCalls::answered(server::ClientId client, json reply) {
  auto call = calls_.find(client);
  if (call == calls_.end()) return;  // answered already, or given up on
  std::function<void(json)> done = std::move(call->second.done);
  end(client);
  reply.erase("id");
  done(std::move(reply));
}

void RelayedCalls::end(server::ClientId client) {
  calls_.erase(client);
  context_.remove_client(client);
  context_.clients->erase(client);
}

void RelayedCalls::sweep() {
  const std::int64_t now = steadyNowUs();
  for (auto it = calls_.begin(); it != calls_.end();) {
    const server::ClientId client = it->first;
    const bool expired = it->second.deadline_us <= now;
    ++it;
    if (expired) end(client);
  }
  if (!calls_.empty()) sweep_timer_->start(1000);
}

}  // namespace yst::desks
