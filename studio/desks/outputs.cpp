#include "studio/desks/outputs.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "streaming/media_url.h"
#include "studio/config/show_config.h"

namespace yst::desks {

using core::CommandError;
using core::CommandOutcome;
using core::FieldReader;
using nlohmann::json;

namespace {

bool validId(const std::string& id) {
  static const std::regex pattern("[a-z0-9_-]{1,32}");
  return std::regex_match(id, pattern);
}

bool running(const core::OutputPort* output) {
  return output && output->stats().state != streaming::OutputState::kStopped;
}

// What the pages show for a file or HLS output: running covers connecting.
const char* fileStateName(streaming::OutputState state, const char* running_name) {
  switch (state) {
    case streaming::OutputState::kConnecting:
    case streaming::OutputState::kLive:
      return running_name;
    case streaming::OutputState::kRetrying:
      return "retrying";
    case streaming::OutputState::kFailed:
      return "failed";
    default:
      return "stopped";
  }
}

}  // namespace

Outputs::~Outputs() = default;

void Outputs::registerCommands(core::CommandRegistry& commands) {
  const core::RoleSet producer = core::roles({core::Role::kProducer});
  commands.add("destination.add", producer,
               [this](core::CommandContext& c) { return add(c.message); });
  for (const char* action : {"start", "stop", "remove", "update"}) {
    commands.add(
        "destination." + std::string(action), producer,
        [this, action](core::CommandContext& c) { return destination(action, c.message); });
  }
  commands.add("recording.start", producer,
               [this](core::CommandContext&) { return recording(true); });
  commands.add("recording.stop", producer,
               [this](core::CommandContext&) { return recording(false); });
}

// --- running ---

void Outputs::addDestination(streaming::DestinationSpec spec, bool enabled) {
  Destination entry;
  entry.spec = spec;
  entry.enabled = enabled;
  entry.output = makeOutput(std::move(spec));
  // Started before it is listed: its first change (connecting) is told by
  // whoever added it, once.
  if (enabled) entry.output->start();
  destinations_.push_back(std::move(entry));
}

std::unique_ptr<core::OutputPort> Outputs::makeOutput(streaming::DestinationSpec spec) {
  const std::string id = spec.id;
  return context_.factory->destination(std::move(spec), [this, id] { destinationChanged(id); });
}

void Outputs::destinationChanged(const std::string& id) {
  for (const Destination& d : destinations_) {
    if (d.spec.id == id && d.output) {
      context_.publish("destination.changed", {{"destination", destinationJson(d)}});
    }
  }
}

void Outputs::startRecording() {
  if (running(recording_.get())) return;
  recording_ = context_.factory->recording([this] { recordingChanged(); });
  recording_->start();
}

void Outputs::stopRecording() {
  // The change to stopped ends the part being recorded.
  if (recording_) recording_->stop(streaming::StopMode::kFinalize);
}

void Outputs::recordingChanged() {
  if (recording_->stats().state == streaming::OutputState::kLive) {
    recording_path_ = recording_->currentPath();
    context_.part_started(recording_path_, recording_->stats().media_duration_ms);
  } else if (!recording_path_.empty()) {
    // The package then says how the part ended, not that the studio was killed.
    const std::string ended = std::move(recording_path_);
    recording_path_.clear();
    context_.part_ended(ended);
  }
  context_.publish("recording.changed", {{"recording", recordingJson()}});
}

void Outputs::startHls() {
  if (running(hls_.get())) return;
  hls_ = context_.factory->hls([this] {
    context_.publish("hls.changed", {{"state", streaming::outputStateName(hls_->stats().state)}});
  });
  hls_->start();
}

void Outputs::suspend() {
  for (Destination& d : destinations_) {
    if (!running(d.output.get())) continue;
    if (std::find(suspended_.begin(), suspended_.end(), d.spec.id) == suspended_.end()) {
      suspended_.push_back(d.spec.id);
    }
    d.output->stop(streaming::StopMode::kImmediate);
  }
  if (running(hls_.get())) {
    suspended_hls_ = true;
    hls_->stop(streaming::StopMode::kImmediate);
  }
  if (running(recording_.get())) {
    suspended_recording_ = true;
    stopRecording();
  }
}

void Outputs::resume() {
  for (const std::string& id : suspended_) {
    for (Destination& d : destinations_) {
      if (d.spec.id == id) d.output->start();
    }
  }
  suspended_.clear();
  if (suspended_hls_ && hls_) hls_->start();
  suspended_hls_ = false;
  // In a new part: the timeline of the old one has ended.
  if (suspended_recording_) startRecording();
  suspended_recording_ = false;
}

void Outputs::stopAll() {
  suspended_.clear();
  suspended_hls_ = suspended_recording_ = false;
  for (Destination& d : destinations_) d.output->stop(streaming::StopMode::kImmediate);
  stopRecording();
  if (hls_) hls_->stop(streaming::StopMode::kFinalize);
}

// --- commands ---

CommandOutcome Outputs::add(const json& c) {
  FieldReader f(c);
  // The destination's id travels as "destination": "id" is the request id.
  const json* id = f.required("destination", json::value_t::string);
  const json* url = id ? f.required("url", json::value_t::string) : nullptr;
  if (!url) return f.error();
  const json* name = f.optional("name", json::value_t::string);
  const json* key = f.optional("key", json::value_t::string);
  const json* enabled = f.optional("enabled", json::value_t::boolean);
  const json* tls_verify = f.optional("tls_verify", json::value_t::boolean);
  if (f.failed()) return f.error();
  if (!validId(*id)) {
    return CommandError{"invalid", "destination is 1–32 characters of a-z, 0-9, _ and -"};
  }
  for (const Destination& d : destinations_) {
    if (d.spec.id == *id) {
      return CommandError{"invalid",
                          "a destination \"" + id->get<std::string>() + "\" exists already"};
    }
  }
  streaming::DestinationProtocol kind{};
  if (auto problem = config::checkDestinationUrl(url->get<std::string>(), &kind)) {
    return CommandError{"invalid", "url: " + *problem};
  }
  streaming::DestinationSpec spec{*id, name ? name->get<std::string>() : id->get<std::string>(),
                                  *url, key ? key->get<std::string>() : "",
                                  tls_verify ? tls_verify->get<bool>() : true};
  addDestination(std::move(spec), enabled ? enabled->get<bool>() : true);
  const json d = destinationJson(destinations_.back());
  context_.publish("destination.changed", {{"destination", d}});
  return json{{"destination", d}};
}

CommandOutcome Outputs::destination(const std::string& action, const json& c) {
  FieldReader f(c);
  const json* id = f.required("destination", json::value_t::string);
  if (!id) return f.error();
  auto it = std::find_if(destinations_.begin(), destinations_.end(),
                         [&](const Destination& d) { return d.spec.id == *id; });
  if (it == destinations_.end()) {
    return CommandError{"not_found",
                        "no destination \"" + id->get<std::string>().substr(0, 64) + "\""};
  }
  if (action == "start") {
    it->enabled = true;
    it->output->start();
  } else if (action == "stop") {
    it->enabled = false;
    it->output->stop(streaming::StopMode::kImmediate);
  } else if (action == "update") {
    // New settings take a new connection: the old one is closed, the
    // destination keeps its place, id and started/stopped state. A key
    // left out is kept (the studio never sends keys out to be sent back),
    // but only for the same partner: whoever may edit a destination must
    // not be able to send its key to a server of their choosing. The URL's
    // own secrets (its query, an RTMP stream in the path) are never carried
    // over: a new URL is taken whole.
    const json* name = f.optional("name", json::value_t::string);
    const json* url = f.optional("url", json::value_t::string);
    const json* key = f.optional("key", json::value_t::string);
    const json* tls_verify = f.optional("tls_verify", json::value_t::boolean);
    if (f.failed()) return f.error();
    streaming::DestinationSpec spec = it->spec;
    if (url) {
      streaming::DestinationProtocol kind{};
      if (auto problem = config::checkDestinationUrl(url->get<std::string>(), &kind)) {
        return CommandError{"invalid", "url: " + *problem};
      }
      if (!key && !spec.key.empty() &&
          streaming::destinationEndpoint(url->get<std::string>()) !=
              streaming::destinationEndpoint(spec.url)) {
        return CommandError{
            "key_required",
            "key: the new url points at another server (scheme, host or port); give the "
            "stream key for it again"};
      }
      spec.url = *url;
    }
    if (name) spec.name = name->get<std::string>().empty() ? spec.id : name->get<std::string>();
    if (key) spec.key = *key;
    if (tls_verify) spec.tls_verify = *tls_verify;
    it->output->stop(streaming::StopMode::kImmediate);
    it->spec = spec;
    it->output = makeOutput(std::move(spec));
    if (it->enabled) it->output->start();
  } else {  // remove
    it->output->stop(streaming::StopMode::kImmediate);
    const std::string removed = it->spec.id;
    destinations_.erase(it);
    context_.publish("destination.removed", {{"destination", removed}});
    return json{{"destination", removed}};
  }
  const json d = destinationJson(*it);
  context_.publish("destination.changed", {{"destination", d}});
  return json{{"destination", d}};
}

CommandOutcome Outputs::recording(bool start) {
  if (start) {
    startRecording();
  } else {
    stopRecording();
  }
  const json r = recordingJson();
  context_.publish("recording.changed", {{"recording", r}});
  return json{{"recording", r}};
}

// --- status ---

json Outputs::destinationJson(const Destination& d) const {
  const streaming::OutputStats st = d.output->stats();
  return {{"id", d.spec.id},
          {"name", d.spec.name},
          {"url", streaming::maskedDestinationUrl(d.spec)},
          {"key_masked", config::maskSecret(d.spec.key)},
          {"enabled", d.enabled},
          {"tls_verify", d.spec.tls_verify},
          {"state", streaming::outputStateName(st.state)},
          {"bytes_sent", st.bytes_sent},
          {"bitrate_kbps", st.bitrate_kbps},
          {"reconnects", st.reconnects},
          {"last_error", st.last_error}};
}

json Outputs::recordingJson() const {
  if (!recording_) {
    return {{"state", "stopped"}, {"path", nullptr}, {"bytes", 0}, {"duration_ms", 0}};
  }
  const streaming::OutputStats st = recording_->stats();
  // What the file holds, not how long ago recording was asked for: the
  // difference (pipeline start, waiting for a keyframe) would overstate it.
  std::error_code ec;
  const std::string path = recording_->currentPath();
  return {{"state", fileStateName(st.state, "recording")},
          {"path", path.empty() ? json() : json(std::filesystem::absolute(path, ec).string())},
          {"bytes", st.bytes_sent},
          {"duration_ms", st.media_duration_ms},
          {"last_error", st.last_error}};
}

json Outputs::hlsJson() const {
  if (!hls_) return {{"state", "stopped"}, {"playlist", nullptr}};
  return {{"state", fileStateName(hls_->stats().state, "running")},
          {"playlist", "/hls/program.m3u8"}};
}

void Outputs::addStatus(json* status) const {
  json destinations = json::array();
  for (const Destination& d : destinations_) destinations.push_back(destinationJson(d));
  (*status)["destinations"] = std::move(destinations);
  (*status)["recording"] = recordingJson();
  (*status)["hls"] = hlsJson();
}

}  // namespace yst::desks
