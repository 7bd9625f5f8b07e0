#include "studio/core/controller.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "streaming/reaper.h"
#include "streaming/uri_secrets.h"
#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/protocol/message.h"
#include "studio/text/text.h"

namespace yst::core {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kMaxJsonDepth = 8;
constexpr double kProducerMessagesPerSecond = 1000;
constexpr double kProducerMessageBurst = 2000;

bool validId(const std::string& id) {
  static const std::regex pattern("[a-z0-9_-]{1,32}");
  return std::regex_match(id, pattern);
}

std::string sessionStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

streaming::DestinationSpec toSpec(const config::DestinationConfig& d) {
  return streaming::DestinationSpec{d.id, d.name, d.url, d.key, d.tls_verify};
}

// "https://Studio.Example.cn:8443/live?x" -> "https://studio.example.cn:8443"
// (scheme and host lower-cased, as browsers send Origin); the show-file
// reader has checked the URL already.
std::optional<std::string> urlOrigin(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, authority_end);
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // The default port is left out of an Origin.
  if (origin.starts_with("http://") && origin.ends_with(":80")) origin.resize(origin.size() - 3);
  if (origin.starts_with("https://") && origin.ends_with(":443")) origin.resize(origin.size() - 4);
  return origin;
}

// The host of an origin, without port ("[::1]" keeps its brackets).
std::string urlHost(const std::string& origin) {
  std::string host = origin.substr(origin.find("://") + 3);
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

}  // namespace

std::string assetDir() {
  if (const char* env = std::getenv("YST_ASSETS"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/yishiting → <checkout>/assets
    const fs::path beside = exe.parent_path().parent_path() / "assets";
    if (fs::is_directory(beside / "web", ec)) return beside.string();
  }
  return YST_SOURCE_DIR "/assets";
}

Controller::Controller(config::ShowConfig show, std::string data_dir, SessionMode session_mode,
                       QObject* parent)
    : QObject(parent),
      show_(std::move(show)),
      data_dir_(std::move(data_dir)),
      session_mode_(session_mode),
      last_status_(std::make_shared<const json>()) {
  status_timer_.setInterval(1000);
  connect(&status_timer_, &QTimer::timeout, this, &Controller::publishStatus);
  status_soon_.setSingleShot(true);
  status_soon_.setInterval(100);
  connect(&status_soon_, &QTimer::timeout, this, &Controller::publishStatus);
}

Controller::~Controller() {
  shutdown();
}

bool Controller::start(std::string* error) {
  try {
    fs::create_directories(data_dir_);
    store_ = std::make_unique<store::Store>(data_dir_ + "/yishiting.db");
  } catch (const std::exception& e) {
    *error = std::string("cannot open the data directory: ") + e.what();
    return false;
  }
  // The show as loaded, without secrets, so that a session says what ran.
  json show_record = {
      {"title", show_.show.title},
      {"host", {{"name", show_.show.host.name}, {"title", show_.show.host.title}}},
      {"guests", json::array()},
      {"program",
       {{"width", show_.program.width},
        {"height", show_.program.height},
        {"fps", show_.program.fps},
        {"video_bitrate_kbps", show_.program.video_bitrate_kbps}}},
  };
  for (const auto& g : show_.show.guests) {
    show_record["guests"].push_back({{"name", g.name}, {"title", g.title}});
  }
  // A show the studio was killed in (power, kill -9) is continued, not
  // started again: its questions, queue and timeline carry on. Only a recent
  // one: last week's crashed show is history, not this show.
  constexpr std::int64_t kResumeWithinMs = 12LL * 3600 * 1000;
  if (session_mode_ == SessionMode::kResumeUnfinished) {
    const auto [unfinished, started_at] = store_->unfinishedSession(show_.show.title);
    const std::int64_t age_ms = unfinished ? store::msSinceIso(started_at) : -1;
    if (unfinished && age_ms >= 0 && age_ms < kResumeWithinMs) {
      session_id_ = unfinished;
      timeline_base_ms_ = age_ms;
      logWarn("studio",
              "resuming session " + std::to_string(session_id_) + ", which did not end cleanly");
    }
  }
  if (session_id_ == 0) session_id_ = store_->beginSession(show_.show.title, show_record.dump());
  session_stamp_ = sessionStamp();
  try {
    audience_ = std::make_unique<Audience>(
        show_, Audience::Context{nullptr, store_.get(), &clients_, session_id_,
                                 [this] { return timelineMs(); }, [this] { requestStatus(); },
                                 nullptr, &commands_});
    audience_->load();
  } catch (const std::exception& e) {
    *error = std::string("questions: ") + e.what();
    return false;
  }
  try {
    graphics_ = std::make_unique<Graphics>(
        show_, Graphics::Context{[this](const std::string& type, json payload) {
                                   publishEvent(type, std::move(payload));
                                 },
                                 [this] { requestStatus(); },
                                 [this](bool silence) {
                                   if (program_) program_->setProgramSilenced(silence);
                                 }});
  } catch (const std::exception& e) {
    *error = std::string("graphics: ") + e.what();
    return false;
  }
  try {
    transcript_ = std::make_unique<Transcript>(
        show_,
        Transcript::Context{nullptr, store_.get(), session_id_, [this] { return timelineMs(); }});
    transcript_->load();
  } catch (const std::exception& e) {
    *error = std::string("transcript: ") + e.what();
    return false;
  }
  // The question card and the transcript's question line follow the
  // question on air (also one restored on air).
  program_port_ = std::make_unique<ProgramAdapter>(program_, sources_);
  switcher_ = std::make_unique<desks::Switcher>(desks::Switcher::Context{
      program_port_.get(),
      [this](const std::string& type, json payload) { publishEvent(type, std::move(payload)); },
      [this](const streaming::Scene& scene) { graphics_->programChanged(scene); }});
  cues_ = std::make_unique<desks::Cues>(
      show_.show,
      desks::Cues::Context{
          [this] { return timelineMs(); }, [this] { return audience_->hostView(3); },
          [this] { return program_ ? desks::Switcher::sceneJson(program_->scene()) : json(); },
          [this](const std::string& type, json payload) { publishEvent(type, std::move(payload)); },
          [this](std::shared_ptr<const std::string> message) {
            server_->publish(server::kChannelHost, std::move(message));
          }});
  registerCommands();
  audience_->setOnAirChanged([this](const questions::Question* q) {
    transcript_->questionOnAir(q);
    if (!q) {
      graphics_->setQuestionOnAir(std::nullopt);
      return;
    }
    graphics_->setQuestionOnAir(overlay::QuestionCardContent{
        q->id, q->text(), q->nickname, std::string(protocol::categoryName(q->category)),
        q->observer_name});
  });

  // Server first: a port already in use should fail before cameras start.
  server::ServerOptions options;
  options.host = show_.audience.listen_host;
  options.port = show_.audience.listen_port;
  options.hls_dir = data_dir_ + "/hls";
  const std::string assets = assetDir();
  options.web_root = assets + "/web";
  // hls.js as npm installs it (scripts/setup), next to the assets.
  options.mounts = {{"/vendor/", assets + "/../node_modules/hls.js/dist"}};
  options.redirects = {{"/q", "/"}};
  options.prefix_redirects = {{"/o/", "/#o="}};
  // The public archive of past shows (/archive): its API and package files.
  archive_service_ = std::make_unique<ArchiveService>(ArchiveService::Options{
      data_dir_, session_id_, true,
      [this](server::RequestId id, unsigned int status, std::shared_ptr<const std::string> body) {
        server_->respond(id, status, std::move(body));
      }});
  options.request_prefixes = {ArchiveService::kApiPrefix};
  options.media_mounts = {{ArchiveService::kMediaPrefix, ArchiveService::packagesDir(data_dir_),
                           ArchiveService::publicFiles()}};
  options.max_connections_per_address =
      static_cast<std::size_t>(show_.audience.max_connections_per_address);
  options.max_connections = static_cast<std::size_t>(show_.audience.max_connections);
  // Sockets before any header: the WebSockets one address may have plus
  // room for its page, script and HLS requests (32 by default).
  options.max_http_connections_per_address = options.max_connections_per_address + 16;
  options.ping_interval_s = show_.audience.ws_ping_s;
  // /api/status and /metrics carry the cue to the host, paths, camera hosts
  // and destinations: staff only (the producer token, as a bearer token).
  options.staff_tokens = {show_.audience.producer_token};
  {
    std::vector<server::IpNetwork> proxies;
    for (const std::string& text : show_.audience.trusted_proxies) {
      if (auto network = server::parseNetwork(text)) proxies.push_back(*network);
    }
    options.trusted_proxies = server::TrustedProxies(std::move(proxies));
  }
  // The names this studio answers to (DNS rebinding): the public URL's host
  // and the listen host, plus those the show file adds; IP literals and
  // localhost always. Browser pages from the public URL's origin may open
  // WebSockets (behind a proxy that does not pass Host on).
  options.allowed_hosts = show_.audience.allowed_hosts;
  options.allowed_hosts.push_back(show_.audience.listen_host);
  if (const std::optional<std::string> origin = urlOrigin(show_.audience.public_url)) {
    options.allowed_origins.push_back(*origin);
    options.allowed_hosts.push_back(urlHost(*origin));
  }
  server_ = std::make_unique<server::ControlServer>(
      options,
      server::ControlServer::Handlers{
          [this](server::ClientId id, std::string text) { postClientMessage(id, std::move(text)); },
          [this](server::ClientId id) { postClientClosed(id); },
          [this](server::ClientId id, const std::string& address) {
            postClientOpened(id, address);
          },
          [this](server::RequestId id, std::string path, ArchiveService::Args args) {
            archive_service_->request(id, std::move(path), std::move(args));
          }});
  std::string server_error;
  if (!server_->start(&server_error)) {
    *error = "cannot listen on " + show_.audience.listen_host + ":" +
             std::to_string(show_.audience.listen_port) + ": " + server_error;
    server_.reset();
    return false;
  }
  audience_->setServer(server_.get());
  transcript_->setServer(server_.get());
  archive_service_->start();
  if (show_.audience.public_url_from_listen) {
    // Port 0 in the show file: the QR code needs the port the server got.
    const bool ipv6 = show_.audience.listen_host.find(':') != std::string::npos;
    graphics_->setPublicUrl(
        "http://" + (ipv6 ? "[" + show_.audience.listen_host + "]" : show_.audience.listen_host) +
        ":" + std::to_string(server_->port()) + "/");
  }

  const streaming::VideoFormat format{show_.program.width, show_.program.height, show_.program.fps};
  std::vector<streaming::ProgramSourceInput> inputs;
  for (const config::SourceConfig& s : show_.sources) {
    auto source = std::make_unique<streaming::Source>(
        streaming::SourceSpec{s.id, s.label, s.uri, graphics_->signalLostSlate(s.label)}, format);
    connect(source.get(), &streaming::Source::stateChanged, this, [this, src = source.get()] {
      publishEvent("source.changed", {{"source", sourceJson(*src)}});
    });
    inputs.push_back({s.id, source->channel(), s.gain, s.muted});
    sources_.push_back(std::move(source));
  }

  streaming::EncoderSettings settings;
  settings.video = format;
  settings.video_bitrate_kbps = show_.program.video_bitrate_kbps;
  settings.audio_bitrate_kbps = show_.program.audio_bitrate_kbps;
  settings.preset = show_.program.preset;
  settings.keyframe_interval_s = show_.program.keyframe_interval_s;
  program_ = std::make_unique<streaming::Program>(settings, inputs);
  program_->setGraphicsLayer(graphics_->layer());
  program_->setScene({show_.program.layout, show_.program.primary, show_.program.secondary},
                     streaming::Transition::kCut, 0);
  program_->setPreviewScene({show_.program.layout, show_.program.secondary, show_.program.primary});
  connect(program_.get(), &streaming::Program::levelsChanged, this, [this] {
    json levels = json::object();
    for (const auto& [id, level] : program_->levels()) {
      levels[id] = {{"peak_db", level.peak_db}, {"rms_db", level.rms_db}};
    }
    server_->publish(server::kChannelProducer,
                     std::make_shared<const std::string>(
                         json{{"type", "audio.levels"}, {"levels", levels}}.dump()));
  });
  connect(program_.get(), &streaming::Program::failed, this, [this](const QString& reason) {
    publishEvent("program.failed", {{"reason", reason.toStdString()}});
    // Nothing in the program pipeline depends on the outside world, so an
    // error there is a bug or a resource problem: rebuild it after a pause
    // rather than leave the show black.
    QTimer::singleShot(1000, this, &Controller::restartProgram);
  });
  std::string program_error;
  if (!program_->start(&program_error)) {
    *error = "the program could not start: " + program_error;
    return false;
  }
  for (auto& source : sources_) source->start();

  if (show_.hls.enabled) {
    // A fresh directory: stale segments from an earlier run must not be served.
    const std::string hls_dir = data_dir_ + "/hls";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(hls_dir, ec)) fs::remove(entry.path(), ec);
    hls_ =
        std::make_unique<streaming::Hls>(hls_dir, show_.hls.segment_s, show_.hls.playlist_length);
    connect(hls_.get(), &streaming::Output::stateChanged, this, [this] {
      publishEvent("hls.changed", {{"state", streaming::outputStateName(hls_->state())}});
    });
    program_->addConsumer(hls_.get());
    hls_->start();
  }
  if (show_.archive.enabled) startArchive();
  for (const config::DestinationConfig& d : show_.destinations)
    addDestination(toSpec(d), d.enabled);

  started_ = true;
  status_timer_.start();
  publishStatus();
  logInfo("studio",
          "show \"" + show_.show.title + "\" is running, session " + std::to_string(session_id_));
  return true;
}

void Controller::shutdown() {
  if (shut_down_) return;
  if (!started_) {
    // A start that failed half-way: undo what it did, close the session.
    shut_down_ = true;
    if (server_) server_->stop();
    if (program_) program_->stop();
    if (store_ && session_id_ > 0) {
      try {
        store_->endSession(session_id_);
      } catch (const std::exception& e) {
        logError("studio", std::string("could not close the session: ") + e.what());
      }
    }
    // Drained while the server is still there: acknowledgements are sent
    // from the writer thread.
    store_.reset();
    return;
  }
  shut_down_ = true;
  status_timer_.stop();
  logInfo("studio", "ending the show");
  // Outputs first, so that nothing is fed into a half-stopped muxer.
  for (DestinationEntry& d : destinations_) {
    program_->removeConsumer(d.output.get());
    d.output->stop(streaming::Output::StopMode::kImmediate);
  }
  stopArchive();
  if (hls_) {
    program_->removeConsumer(hls_.get());
    hls_->stop(streaming::Output::StopMode::kFinalize);
  }
  for (auto& s : sources_) s->stop();
  program_->stop();
  if (server_) server_->stop();
  streaming::joinDisposals();
  try {
    store_->endSession(session_id_);
  } catch (const std::exception& e) {
    logError("studio", std::string("could not close the session: ") + e.what());
  }
  store_.reset();  // drains the writer
  // The post-show package (text record, video, clips) for the archive page
  // and the newsroom.
  std::string package_error;
  if (!archive_service_->packageLiveSession(&package_error)) {
    logError("archive", "the show's package was not made: " + package_error);
  }
  archive_service_.reset();
  logInfo("studio", "show ended cleanly");
}

void Controller::restartProgram() {
  if (shut_down_ || !program_) return;
  logWarn("program", "restarting the program pipeline");
  // The encoder's timeline starts again: every output restarts with it (the
  // archive in a new file part), so no muxer sees time run backwards.
  std::vector<streaming::Output*> running;
  for (DestinationEntry& d : destinations_) {
    if (d.output->state() != streaming::OutputState::kStopped) running.push_back(d.output.get());
  }
  if (hls_ && hls_->state() != streaming::OutputState::kStopped) running.push_back(hls_.get());
  const bool recording = archive_ && archive_->state() != streaming::OutputState::kStopped;
  for (streaming::Output* o : running) o->stop();
  if (recording) stopArchive();
  program_->stop();
  std::string error;
  if (!program_->start(&error)) {
    logError("program", "could not restart: " + error + "; trying again");
    QTimer::singleShot(5000, this, &Controller::restartProgram);
    return;
  }
  for (streaming::Output* o : running) o->start();
  if (recording) startArchive();
}

int Controller::serverPort() const {
  return server_ ? server_->port() : 0;
}

void Controller::startArchive() {
  if (archive_ && archive_->state() != streaming::OutputState::kStopped) return;
  const std::string dir = data_dir_ + "/recordings";
  archive_ = std::make_unique<streaming::Archive>(
      dir, session_stamp_ + "-s" + std::to_string(session_id_));
  connect(archive_.get(), &streaming::Output::stateChanged, this, [this] {
    if (archive_->state() == streaming::OutputState::kLive) {
      recording_path_ = archive_->currentPath();
      // Where the part's first frame is on the show's timeline: it counts as
      // recording a while after that frame.
      const auto media_ms = static_cast<std::int64_t>(archive_->stats().media_duration_ms);
      store_->recordingStarted(session_id_, recording_path_,
                               std::max<std::int64_t>(0, timelineMs() - media_ms));
    } else if (!recording_path_.empty()) {
      // The part that was recording has ended: the show's end, a stop, or a
      // write error (a full disk; the next part starts when it clears). The
      // package then says how it ended, not that the studio was killed.
      std::error_code ec;
      const std::uintmax_t bytes = fs::file_size(recording_path_, ec);
      store_->recordingEnded(recording_path_, ec ? 0 : bytes);
      recording_path_.clear();
    }
    publishEvent("recording.changed", {{"recording", recordingJson()}});
  });
  program_->addConsumer(archive_.get());
  archive_->start();
}

void Controller::stopArchive() {
  if (!archive_) return;
  program_->removeConsumer(archive_.get());
  // The state change to stopped stores the end of the part being recorded.
  archive_->stop(streaming::Output::StopMode::kFinalize);
}

void Controller::addDestination(streaming::DestinationSpec spec, bool enabled) {
  DestinationEntry entry;
  entry.spec = spec;
  entry.enabled = enabled;
  entry.output = makeDestinationOutput(std::move(spec));
  if (enabled) entry.output->start();
  destinations_.push_back(std::move(entry));
}

std::unique_ptr<streaming::Destination> Controller::makeDestinationOutput(
    streaming::DestinationSpec spec) {
  const std::string id = spec.id;
  auto output = std::make_unique<streaming::Destination>(std::move(spec));
  connect(output.get(), &streaming::Output::stateChanged, this, [this, id] {
    for (const DestinationEntry& d : destinations_) {
      if (d.spec.id == id)
        publishEvent("destination.changed", {{"destination", destinationJson(d)}});
    }
  });
  program_->addConsumer(output.get());
  return output;
}

// --- messages ---

void Controller::postClientMessage(server::ClientId client, std::string text) {
  QMetaObject::invokeMethod(
      this, [this, client, text = std::move(text)] { onClientMessage(client, text); },
      Qt::QueuedConnection);
}

void Controller::postClientClosed(server::ClientId client) {
  QMetaObject::invokeMethod(
      this,
      [this, client] {
        if (audience_) audience_->clientClosed(client);
        clients_.erase(client);
      },
      Qt::QueuedConnection);
}

void Controller::postClientOpened(server::ClientId client, std::string address) {
  QMetaObject::invokeMethod(
      this, [this, client, address = std::move(address)] { clients_[client].address = address; },
      Qt::QueuedConnection);
}

std::int64_t Controller::timelineMs() const {
  return timeline_base_ms_ + (program_ ? program_->runningTimeMs() : 0);
}

void Controller::reply(server::ClientId client, const json& message) {
  if (server_) server_->send(client, std::make_shared<const std::string>(message.dump()));
}

bool Controller::staffTokenMatches(const json& hello, const std::string& role_token) const {
  auto it = hello.find("token");
  if (it == hello.end() || !it->is_string()) return false;
  const std::string& token = it->get_ref<const std::string&>();
  // Both compared, always: the time taken says nothing about which matched.
  const bool own = constantTimeEquals(token, role_token);
  const bool producer = constantTimeEquals(token, show_.audience.producer_token);
  return own || producer;
}

void Controller::signIn(server::ClientId client, ClientInfo& c, const json& hello, Role role,
                        const char* label, std::uint32_t channels) {
  std::string name;
  if (auto it = hello.find("name"); it != hello.end() && it->is_string()) {
    auto cleaned = text::cleanText(it->get<std::string>(), 24, false);
    if (cleaned.problem == text::TextProblem::kNone) name = cleaned.text;
  }
  // A viewer who signs in as staff stops being a viewer.
  if (audience_ && !c.viewer.empty()) audience_->clientClosed(client);
  c.role = role;
  c.producer_name = name.empty() ? std::string(label) + "#" + std::to_string(client) : name;
  server_->setChannels(client, channels);
  server_->markStaff(client);
}

void Controller::onClientMessage(server::ClientId client, const std::string& text) {
  auto parsed = protocol::parseMessage(text, kMaxJsonDepth);
  if (auto* problem = std::get_if<protocol::ProtocolError>(&parsed)) {
    reply(client, protocol::errorMessage(problem->code, problem->message));
    return;
  }
  const json& message = std::get<json>(parsed);
  json request_id = message.contains("id") ? message["id"] : json();
  if (!request_id.is_null() && !request_id.is_number_integer() && !request_id.is_string()) {
    request_id = json();
  }
  CommandContext context{client, clients_[client], message, request_id};
  const CommandOutcome outcome = commands_.dispatch(context);
  if (const CommandError* error = outcome.error()) {
    reply(client, protocol::errorMessage(error->code, error->message, request_id));
    return;
  }
  if (const json* fields = outcome.fields()) {
    json ok = {{"type", "reply"}, {"ok", true}, {"command", message["type"]}};
    if (!request_id.is_null()) ok["id"] = request_id;
    for (auto& [k, v] : fields->items()) ok[k] = v;
    reply(client, ok);
  }
}

void Controller::registerCommands() {
  commands_.add("hello", kAnyone, [this](CommandContext& c) -> CommandOutcome {
    hello(c.client, c.info, c.message, c.request_id);
    return Handled{};
  });
  audience_->registerCommands(commands_);
  transcript_->registerCommands(commands_);
  graphics_->registerCommands(commands_);
  switcher_->registerCommands(commands_);
  cues_->registerCommands(commands_);
  // Destinations and recording: producers only.
  const RoleSet producer = roles({Role::kProducer});
  auto add = [&](const char* type, CommandRegistry::Handler handler) {
    commands_.add(type, producer, std::move(handler));
  };
  add("status.get", [this](CommandContext&) {
    return CommandOutcome(json{{"status", statusJson()}});
  });
  add("destination.add", [this](CommandContext& c) { return cmdDestinationAdd(c.message); });
  for (const char* action : {"start", "stop", "remove", "update"}) {
    add(("destination." + std::string(action)).c_str(),
        [this, action](CommandContext& c) { return cmdDestination(action, c.message); });
  }
  add("recording.start", [this](CommandContext&) { return cmdRecording(true); });
  add("recording.stop", [this](CommandContext&) { return cmdRecording(false); });
}

void Controller::hello(server::ClientId client, ClientInfo& c, const json& message,
                       const json& request_id) {
  // Each hello costs a snapshot (and a token check): a connection gets a
  // few. The console, in this process, is not limited.
  const bool local = server::ControlServer::isLocalClient(client);
  double wait_s = 0;
  if (!local &&
      !c.hellos.take(TokenBucket::Limits::every(Audience::kHelloIntervalS, Audience::kHelloBurst),
                     steadyNowUs(), &wait_s)) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    json error = protocol::errorMessage(
        "rate_limited",
        "too many hellos on this connection; try again in " + std::to_string(retry) + " s",
        request_id);
    error["retry_after_s"] = retry;
    reply(client, error);
    return;
  }
  const json role_field = message.value("role", json("viewer"));
  const std::string role = role_field.is_string() ? role_field.get<std::string>() : "";
  if (role == "producer" || role == "typist" || role == "host") {
    // A typist's or host's own token, or the producer's (a producer may
    // do their work too). Guessing is slowed down by the SignInGuard.
    SignInGuard& guard = audience_->signIns();
    if (!local) {
      if (const double locked_s = guard.lockedFor(c.address, steadyNowUs()); locked_s > 0) {
        audience_->refuseLockedOut(client, c, locked_s, request_id);
        return;
      }
    }
    const std::string& own_token = role == "producer" ? show_.audience.producer_token
                                   : role == "typist" ? show_.audience.typist_token
                                                      : show_.audience.host_token;
    if (!staffTokenMatches(message, own_token)) {
      audience_->refuseWrongToken(client, c, role, "wrong or missing " + role + " token",
                                  request_id);
      return;
    }
    if (!local) guard.signedIn(c.address);
  }
  if (role == "producer") {
    signIn(client, c, message, Role::kProducer, "producer",
           server::kChannelProducer | server::kChannelTypist);
    // A producer's console sends bursts (bulk moderation); it is trusted
    // with more than an anonymous connection, but not without limit.
    server_->setMessageRate(client, kProducerMessagesPerSecond, kProducerMessageBurst);
    json ok = {{"type", "hello.ok"},
               {"role", role},
               {"status", statusJson()},
               {"commands", commands_.commandsFor(Role::kProducer)}};
    ok.update(audience_->producerSnapshot());
    if (!request_id.is_null()) ok["id"] = request_id;
    reply(client, ok);
  } else if (role == "typist") {
    signIn(client, c, message, Role::kTypist, "typist", server::kChannelTypist);
    json ok = {{"type", "hello.ok"},
               {"role", role},
               {"title", show_.show.title},
               {"session_id", session_id_},
               {"timeline_ms", timelineMs()},
               {"speakers", transcript_->speakers()},
               {"commands", commands_.commandsFor(Role::kTypist)}};
    if (!request_id.is_null()) ok["id"] = request_id;
    reply(client, ok);
  } else if (role == "host") {
    // The host's monitor reads the show (question on air, the next ones,
    // cues) and commands nothing.
    signIn(client, c, message, Role::kHost, "host", server::kChannelHost);
    json ok = {{"type", "hello.ok"},
               {"role", role},
               {"host", cues_->hostState()},
               {"commands", commands_.commandsFor(Role::kHost)}};
    if (!request_id.is_null()) ok["id"] = request_id;
    reply(client, ok);
  } else if (role == "viewer" || role == "observer") {
    audience_->hello(client, message, request_id);
  } else {
    reply(client, protocol::errorMessage(
                      "invalid", "role is viewer, observer, producer, typist or host", request_id));
  }
}

CommandOutcome Controller::cmdDestinationAdd(const json& c) {
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
  for (const DestinationEntry& d : destinations_) {
    if (d.spec.id == *id) {
      return CommandError{"invalid",
                          "a destination \"" + id->get<std::string>() + "\" exists already"};
    }
  }
  config::DestinationKind kind{};
  if (auto problem = config::checkDestinationUrl(url->get<std::string>(), &kind)) {
    return CommandError{"invalid", "url: " + *problem};
  }
  streaming::DestinationSpec spec{*id, name ? name->get<std::string>() : id->get<std::string>(),
                                  *url, key ? key->get<std::string>() : "",
                                  tls_verify ? tls_verify->get<bool>() : true};
  addDestination(std::move(spec), enabled ? enabled->get<bool>() : true);
  const json d = destinationJson(destinations_.back());
  publishEvent("destination.changed", {{"destination", d}});
  return json{{"destination", d}};
}

CommandOutcome Controller::cmdDestination(const std::string& action, const json& c) {
  FieldReader f(c);
  const json* id = f.required("destination", json::value_t::string);
  if (!id) return f.error();
  auto it = std::find_if(destinations_.begin(), destinations_.end(),
                         [&](const DestinationEntry& d) { return d.spec.id == *id; });
  if (it == destinations_.end()) {
    return CommandError{"not_found",
                        "no destination \"" + id->get<std::string>().substr(0, 64) + "\""};
  }
  if (action == "start") {
    it->enabled = true;
    it->output->start();
  } else if (action == "stop") {
    it->enabled = false;
    it->output->stop();
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
      config::DestinationKind kind{};
      if (auto problem = config::checkDestinationUrl(url->get<std::string>(), &kind)) {
        return CommandError{"invalid", "url: " + *problem};
      }
      if (!key && !spec.key.empty() &&
          config::destinationEndpoint(url->get<std::string>()) !=
              config::destinationEndpoint(spec.url)) {
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
    program_->removeConsumer(it->output.get());
    it->output->stop();
    it->spec = spec;
    it->output = makeDestinationOutput(std::move(spec));
    if (it->enabled) it->output->start();
  } else {  // remove
    program_->removeConsumer(it->output.get());
    it->output->stop();
    const std::string removed = it->spec.id;
    destinations_.erase(it);
    publishEvent("destination.removed", {{"destination", removed}});
    return json{{"destination", removed}};
  }
  const json d = destinationJson(*it);
  publishEvent("destination.changed", {{"destination", d}});
  return json{{"destination", d}};
}

CommandOutcome Controller::cmdRecording(bool start) {
  if (start) {
    startArchive();
  } else {
    stopArchive();
  }
  const json r = recordingJson();
  publishEvent("recording.changed", {{"recording", r}});
  return json{{"recording", r}};
}

// --- events and status ---

void Controller::publishEvent(const std::string& type, json payload) {
  const std::int64_t timeline_ms = timelineMs();
  payload["type"] = type;
  payload["utc"] = store::utcNowIso();
  payload["timeline_ms"] = timeline_ms;
  if (store_ && type != "audio.levels") {
    store_->recordEvent(session_id_, timeline_ms, type, payload.dump());
  }
  if (server_) {
    server_->publish(server::kChannelProducer, std::make_shared<const std::string>(payload.dump()));
  }
  publishStatus();
}

void Controller::requestStatus() {
  if (!status_soon_.isActive()) status_soon_.start();
}

void Controller::publishStatus() {
  // Not while start() is still adding parts: a client must never see a
  // running program without its destinations (events during start-up, such
  // as a source connecting, would publish such a half-built status).
  if (!server_ || shut_down_ || !started_) return;
  // One snapshot serves both: the metrics are derived from the status.
  json status = statusJson();
  // The audience's high-water mark, for the post-show summary.
  const std::size_t connections = server_->connectionCount();
  if (connections > peak_connections_) {
    peak_connections_ = connections;
    if (store_) {
      store_->recordEvent(session_id_, timelineMs(), "viewers.peak",
                          json{{"viewers", connections}}.dump());
    }
  }
  server_->setStatusJson(std::make_shared<const std::string>(status.dump()));
  // What the viewer page may see: nothing private (no cue, paths, hosts,
  // destinations, errors).
  server_->setPublicStatusJson(std::make_shared<const std::string>(
      json{{"show", {{"title", show_.show.title}}},
           {"hls", {{"state", status["hls"]["state"]}, {"playlist", status["hls"]["playlist"]}}}}
          .dump()));
  server_->setMetricsText(std::make_shared<const std::string>(metricsText(status)));
  last_status_ = std::make_shared<const json>(std::move(status));
  emit statusPublished();
  cues_->publishHostStateIfChanged();
}

server::ClientId Controller::connectLocalClient(
    std::function<void(std::shared_ptr<const std::string>)> deliver) {
  return server_ ? server_->addLocalClient(std::move(deliver)) : 0;
}

void Controller::disconnectLocalClient(server::ClientId client) {
  if (server_) server_->removeLocalClient(client);
  if (!shut_down_) postClientClosed(client);
}

streaming::FrameTap* Controller::frameTap(const std::string& name) {
  return program_ ? program_->tap(name) : nullptr;
}

json Controller::sourceJson(const streaming::Source& s) const {
  const std::string& id = s.spec().id;
  return {{"id", id},
          {"label", s.spec().label},
          {"uri", streaming::maskUri(s.spec().uri)},
          {"state", streaming::sourceStateName(s.state())},
          {"frames", s.framesIn()},
          {"reconnects", s.reconnects()},
          {"last_error", s.lastError()},
          {"gain", program_ ? program_->gain(id) : 1.0},
          {"muted", program_ && program_->muted(id)}};
}

json Controller::destinationJson(const DestinationEntry& d) const {
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

json Controller::recordingJson() const {
  if (!archive_) return {{"state", "stopped"}, {"path", nullptr}, {"bytes", 0}, {"duration_ms", 0}};
  const streaming::OutputStats st = archive_->stats();
  std::string state = "stopped";
  switch (st.state) {
    case streaming::OutputState::kConnecting:
    case streaming::OutputState::kLive:
      state = "recording";
      break;
    case streaming::OutputState::kRetrying:
      state = "retrying";
      break;
    case streaming::OutputState::kFailed:
      state = "failed";
      break;
    default:
      break;
  }
  // What the file holds, not how long ago recording was asked for: the
  // difference (pipeline start, waiting for a keyframe) would overstate it.
  const std::uint64_t duration = st.media_duration_ms;
  std::error_code ec;
  const std::string path = archive_->currentPath();
  return {{"state", state},
          {"path", path.empty() ? json() : json(fs::absolute(path, ec).string())},
          {"bytes", st.bytes_sent},
          {"duration_ms", duration},
          {"last_error", st.last_error}};
}

json Controller::statusJson() const {
  json status;
  status["show"] = {{"title", show_.show.title},
                    {"session_id", session_id_},
                    {"timeline_ms", timelineMs()},
                    {"duration_min", show_.show.duration_min}};
  status["cue"] = cues_->lastCue();
  if (program_) {
    json program = desks::Switcher::sceneJson(program_->scene());
    program["frames"] = program_->frames();
    program["dropped_frames"] = program_->droppedFrames();
    program["width"] = show_.program.width;
    program["height"] = show_.program.height;
    program["fps"] = show_.program.fps;
    program["transition_running"] = program_->transitionRunning();
    status["program"] = program;
    status["preview"] = desks::Switcher::sceneJson(program_->previewScene());
    status["encoder"] = {{"fps", program_->encoderFps()}, {"frames", program_->encodedFrames()}};
  }
  status["sources"] = json::array();
  for (const auto& s : sources_) status["sources"].push_back(sourceJson(*s));
  status["destinations"] = json::array();
  for (const DestinationEntry& d : destinations_)
    status["destinations"].push_back(destinationJson(d));
  status["recording"] = recordingJson();
  std::string hls_state = "stopped";
  if (hls_) {
    switch (hls_->state()) {
      case streaming::OutputState::kConnecting:
      case streaming::OutputState::kLive:
        hls_state = "running";
        break;
      case streaming::OutputState::kRetrying:
        hls_state = "retrying";
        break;
      case streaming::OutputState::kFailed:
        hls_state = "failed";
        break;
      default:
        break;
    }
  }
  status["hls"] = {{"state", hls_state}, {"playlist", hls_ ? json("/hls/program.m3u8") : json()}};
  status["clients"] = server_ ? server_->connectionCount() : 0;
  if (server_) {
    const server::ServerStats st = server_->stats();
    status["server"] = {{"sockets", st.sockets},
                        {"refused_sockets", st.refused_sockets},
                        {"refused_connections", st.refused_connections},
                        {"refused_full", st.refused_full},
                        {"unauthorized_requests", st.unauthorized_requests},
                        {"refused_hosts", st.refused_hosts},
                        {"refused_origins", st.refused_origins},
                        {"dropped_slow_clients", st.dropped_slow_clients},
                        {"rate_limited_closes", st.rate_limited_closes}};
  }
  if (audience_) audience_->addStatus(&status);
  if (graphics_) graphics_->addStatus(&status);
  if (transcript_) transcript_->addStatus(&status);
  return status;
}

}  // namespace yst::core
