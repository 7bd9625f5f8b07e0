#include "studio/desks/cues.h"

#include "studio/base/log.h"
#include "studio/text/text.h"

namespace yst::desks {

using core::CommandError;
using core::CommandOutcome;
using core::FieldReader;
using nlohmann::json;

void Cues::registerCommands(core::CommandRegistry& commands) {
  commands.add("cue.send", core::roles({core::Role::kProducer}),
               [this](core::CommandContext& c) { return send(c.message); });
}

std::variant<std::string, CommandError> Cues::readText(const json& c) {
  FieldReader f(c);
  const json* text = f.required("text", json::value_t::string);
  if (!text) return f.error();
  const text::CleanedText cleaned = text::cleanText(text->get<std::string>(), kMaxCueChars, false);
  switch (cleaned.problem) {
    case text::TextProblem::kInvalidUtf8:
      return CommandError{"bad_message", "text: invalid UTF-8"};
    case text::TextProblem::kEmpty:
      return CommandError{"empty", "text: a cue needs words"};
    case text::TextProblem::kTooLong:
      return CommandError{"too_long",
                          "text: at most " + std::to_string(kMaxCueChars) + " characters"};
    case text::TextProblem::kNone:
      break;
  }
  return cleaned.text;
}

CommandOutcome Cues::send(const json& c) {
  std::variant<std::string, CommandError> text = readText(c);
  if (auto* error = std::get_if<CommandError>(&text)) return *error;
  last_cue_ = std::make_shared<const json>(json{{"text", std::get<std::string>(text)},
                                                {"utc", utcNowIso()},
                                                {"timeline_ms", context_.timeline_ms()}});
  context_.publish("cue", {{"cue", *last_cue_}});
  return json{{"cue", *last_cue_}};
}

json Cues::hostState() const {
  json guests = json::array();
  for (const auto& g : show_.guests) guests.push_back({{"name", g.name}, {"title", g.title}});
  json state = {
      {"type", "host.state"},
      {"show",
       {{"title", show_.title},
        {"host", {{"name", show_.host.name}, {"title", show_.host.title}}},
        {"guests", guests},
        {"duration_ms",
         show_.duration_min > 0 ? json(std::int64_t{show_.duration_min} * 60000) : json()},
        {"timeline_ms", context_.timeline_ms()}}},
      {"cue", lastCue()}};
  state.update(context_.questions());
  if (json program = context_.program(); !program.is_null()) state["program"] = std::move(program);
  return state;
}

void Cues::publishHostStateIfChanged() {
  json host = hostState();
  const std::int64_t timeline = host["show"]["timeline_ms"];
  host["show"].erase("timeline_ms");
  std::string key = host.dump();
  if (key == last_host_state_) return;
  last_host_state_ = std::move(key);
  host["show"]["timeline_ms"] = timeline;
  context_.to_hosts(std::make_shared<const std::string>(host.dump()));
}

}  // namespace yst::desks
