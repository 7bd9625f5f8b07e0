#include "studio/desks/sign_in.h"

#include <algorithm>
#include <cmath>

#include "studio/base/secrets.h"
#include "studio/protocol/message.h"
#include "studio/text/text.h"

namespace yst::desks {

using core::ClientInfo;
using core::Role;
using nlohmann::json;

namespace {

std::string clientName(server::ClientId client) {
  return "client " + std::to_string(client);
}

}  // namespace

SignIn::SignIn(Context context) : context_(std::move(context)) {}

void SignIn::registerCommands(core::CommandRegistry& commands) {
  commands.add("hello", core::kAnyone, [this](core::CommandContext& c) -> core::CommandOutcome {
    hello(c);
    return core::Handled{};
  });
}

void SignIn::replyError(server::ClientId client, const json& request_id, const std::string& code,
                        const std::string& message, json extra) {
  json error = protocol::errorMessage(code, message, request_id);
  error.update(extra);
  context_.reply(client, error);
}

void SignIn::hello(core::CommandContext& c) {
  const bool local = server::ControlServer::isLocalClient(c.client);
  double wait_s = 0;
  if (!local && !c.info.hellos.take(TokenBucket::Limits::every(kHelloIntervalS, kHelloBurst),
                                    context_.now_us(), &wait_s)) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(c.client, c.request_id, "rate_limited",
               "too many hellos on this connection; try again in " + std::to_string(retry) + " s",
               {{"retry_after_s", retry}});
    return;
  }
  const json role_field = c.message.value("role", json("viewer"));
  const std::string role = role_field.is_string() ? role_field.get<std::string>() : "";
  if (role == "viewer" || role == "observer") {
    context_.audience_hello(c.client, c.message, c.request_id);
    return;
  }
  if (role == "department") {
    if (c.info.role == Role::kProducer || c.info.role == Role::kTypist ||
        c.info.role == Role::kHost) {
      replyError(c.client, c.request_id, "invalid", "already signed in as staff");
      return;
    }
    if (context_.department_hello) {
      context_.department_hello(c.client, c.message, c.request_id);
    } else {
      replyError(c.client, c.request_id, "invalid", "no departments here");
    }
    return;
  }
  if (role != "producer" && role != "typist" && role != "host") {
    replyError(c.client, c.request_id, "invalid",
               "role is viewer, observer, department, producer, typist or host");
    return;
  }
  // A typist's or host's own token, or the producer's (a producer may do
  // their work too). Guessing is slowed down by the guard.
  if (!local) {
    if (const double locked_s = guard_.lockedFor(c.info.address, context_.now_us()); locked_s > 0) {
      refuseLockedOut(c.client, c.info, locked_s, c.request_id);
      return;
    }
  }
  const std::string& own_token = role == "producer" ? context_.tokens.producer
                                 : role == "typist" ? context_.tokens.typist
                                                    : context_.tokens.host;
  if (!tokenMatches(c.message, own_token)) {
    refuseWrongToken(c.client, c.info, role, "wrong or missing " + role + " token", c.request_id);
    return;
  }
  if (!local) guard_.signedIn(c.info.address);
  if (role == "producer") {
    signIn(c, Role::kProducer, server::kChannelProducer | server::kChannelTypist);
  } else if (role == "typist") {
    signIn(c, Role::kTypist, server::kChannelTypist);
  } else {
    // The host's monitor reads the show (question on air, the next ones,
    // cues) and commands nothing.
    signIn(c, Role::kHost, server::kChannelHost);
  }
}

bool SignIn::tokenMatches(const json& hello, const std::string& role_token) const {
  auto it = hello.find("token");
  if (it == hello.end() || !it->is_string()) return false;
  const std::string& token = it->get_ref<const std::string&>();
  // Both compared, always: the time taken says nothing about which matched.
  const bool own = constantTimeEquals(token, role_token);
  const bool producer = constantTimeEquals(token, context_.tokens.producer);
  return own || producer;
}

void SignIn::signIn(core::CommandContext& c, Role role, std::uint32_t channels) {
  std::string name;
  if (auto it = c.message.find("name"); it != c.message.end() && it->is_string()) {
    auto cleaned = text::cleanText(it->get<std::string>(), kMaxNameChars, false);
    if (cleaned.problem == text::TextProblem::kNone) name = cleaned.text;
  }
  // A viewer who signs in as staff stops being a viewer.
  if (!c.info.viewer.empty()) context_.leave_audience(c.client);
  c.info.role = role;
  c.info.producer_name =
      name.empty() ? std::string(core::roleName(role)) + "#" + std::to_string(c.client) : name;
  context_.admit(c.client, role, channels);
  json ok = context_.welcome(role);
  ok["type"] = "hello.ok";
  ok["role"] = std::string(core::roleName(role));
  ok["commands"] = context_.commands->commandsFor(role);
  if (!c.request_id.is_null()) ok["id"] = c.request_id;
  context_.reply(c.client, ok);
}

bool SignIn::refuseWrongToken(server::ClientId client, ClientInfo& info, std::string_view role,
                              const std::string& message, const json& request_id) {
  // The console is in this process: nobody guesses through it.
  if (server::ControlServer::isLocalClient(client)) {
    replyError(client, request_id, "forbidden", message);
    return false;
  }
  const SignInGuard::Refusal refusal =
      guard_.wrongToken(info, role, clientName(client), context_.now_us());
  if (refusal.close_connection) {
    replyError(client, request_id, "forbidden",
               message + "; " + std::to_string(SignInGuard::kRefusalsPerConnection) +
                   " refused sign-ins close the connection");
    context_.close(client);
    return true;
  }
  replyError(client, request_id, "forbidden", message);
  return false;
}

bool SignIn::refuseLockedOut(server::ClientId client, ClientInfo& info, double wait_s,
                             const json& request_id) {
  const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
  const SignInGuard::Refusal refusal = guard_.lockedOut(info, context_.now_us());
  replyError(
      client, request_id, "too_many_attempts",
      "too many wrong tokens from this address; try again in " + std::to_string(retry) + " s",
      {{"retry_after_s", retry}});
  if (refusal.close_connection) {
    context_.close(client);
    return true;
  }
  return false;
}

}  // namespace yst::desks
