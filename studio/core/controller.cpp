#include "studio/core/controller.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "streaming/reaper.h"
#include "streaming/uri_secrets.h"
#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/config/followup_config.h"
#include "studio/core/qt_timer.h"
#include "studio/core/server_options.h"
#include "studio/desks/status.h"
#include "studio/edge/bus_options.h"
#include "studio/protocol/message.h"
#include "studio/text/text.h"

namespace yst::core {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kMaxJsonDepth = 8;
// How long the end of a show waits for its package to go up to the cloud.
constexpr std::chrono::seconds kShutdownUploadWait{120};
constexpr double kProducerMessagesPerSecond = 1000;
constexpr double kProducerMessageBurst = 2000;

std::string sessionStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// The show file writes STUN as browsers do ("stun:host:port"); webrtcbin
// wants "stun://host:port".
std::string stunForWebrtcbin(const std::string& stun) {
  if (stun.empty() || stun.starts_with("stun://")) return stun;
  return "stun://" + stun.substr(std::string_view("stun:").size());
}

streaming::DestinationSpec toSpec(const config::DestinationConfig& d) {
  return streaming::DestinationSpec{d.id, d.name, d.url, d.key, d.tls_verify};
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
  sign_in_timer_.setInterval(2000);
  connect(&sign_in_timer_, &QTimer::timeout, this, [this] { sign_in_->tick(); });
  followup_timer_.setInterval(60 * 1000);
  connect(&followup_timer_, &QTimer::timeout, this, [this] {
    if (followup_) followup_->refreshCounts();
  });
}

Controller::~Controller() {
  shutdown();
}

bool Controller::start(std::string* error) {
  // In this order: the database (the session to continue), the desks (they
  // load questions and transcript), the server (a port already in use fails
  // before cameras start), the engine, and the outputs it feeds.
  if (!openSession(error) || !makeDesks(error) || !startServer(error) || !startEngine(error)) {
    return false;
  }
  startOutputs();
  started_ = true;
  status_timer_.start();
  publishStatus();
  logInfo("studio",
          "show \"" + show_.show.title + "\" is running, session " + std::to_string(session_id_));
  return true;
}

bool Controller::openSession(std::string* error) {
  try {
    fs::create_directories(data_dir_);
    // A job's `done` runs on the application thread, queued behind what is
    // already queued there (see Store::commitBatch).
    store_ =
        std::make_unique<store::Store>(data_dir_ + "/yishiting.db", [](std::function<void()> done) {
          if (QCoreApplication* app = QCoreApplication::instance()) {
            QMetaObject::invokeMethod(app, std::move(done), Qt::QueuedConnection);
          }
        });
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
  return true;
}

bool Controller::makeDesks(std::string* error) {
  auto publish = [this](const std::string& type, json payload) {
    publishEvent(type, std::move(payload));
  };
  sign_in_ = std::make_unique<desks::SignIn>(desks::SignIn::Context{
      {show_.audience.producer_token, show_.audience.typist_token, show_.audience.host_token},
      &commands_,
      [this](Role role) { return staffWelcome(role); },
      [this](server::ClientId client, Role role, std::uint32_t channels) {
        server_->setChannels(client, channels);
        server_->markStaff(client);
        // A producer's console sends bursts (bulk moderation); it is
        // trusted with more than an anonymous connection, but not without
        // limit.
        if (role == Role::kProducer) {
          server_->setMessageRate(client, kProducerMessagesPerSecond, kProducerMessageBurst);
        }
      },
      [this](server::ClientId client, const json& message, const json& request_id) {
        audience_->hello(client, message, request_id);
      },
      [this](server::ClientId client) { audience_->clientClosed(client); },
      [this](server::ClientId client, const json& message) { reply(client, message); },
      [this](server::ClientId client) { server_->close(client); },
      steadyNowUs,
      [this](server::ClientId client, const json& message, const json& request_id) {
        followup_->departmentHello(client, message, request_id);
      }});
  sign_in_timer_.start();
  try {
    audience_ = std::make_unique<desks::Audience>(
        show_,
        desks::Audience::Context{
            nullptr, store_.get(), &clients_, session_id_, [this] { return timelineMs(); },
            [this] { requestStatus(); }, nullptr, &commands_, sign_in_.get(), makeQtTimer, nullptr,
            [this](const std::string& viewer, const std::shared_ptr<const std::string>& m) {
              if (edge_link_) edge_link_->toViewer(viewer, *m);
            },
            [this](const std::string& viewer) {
              return followup_ && followup_->hasFollowup(viewer);
            }});
    audience_->load();
  } catch (const std::exception& e) {
    *error = std::string("questions: ") + e.what();
    return false;
  }
  try {
    graphics_ = std::make_unique<Graphics>(
        show_, Graphics::Context{publish, [this] { requestStatus(); },
                                 [this](bool silence) {
                                   if (program_) program_->setProgramSilenced(silence);
                                 }});
  } catch (const std::exception& e) {
    *error = std::string("graphics: ") + e.what();
    return false;
  }
  try {
    transcript_ = std::make_unique<desks::Transcript>(
        show_, desks::Transcript::Context{
                   store_.get(), session_id_, [this] { return timelineMs(); },
                   [this](server::ClientId client, desks::Transcript::Message message) {
                     if (server_) server_->send(client, std::move(message));
                   },
                   [this](std::uint32_t channels, desks::Transcript::Message message) {
                     if (feed_) feed_->publish(channels, std::move(message));
                   }});
    transcript_->load();
  } catch (const std::exception& e) {
    *error = std::string("transcript: ") + e.what();
    return false;
  }
  guest_slots_ = std::make_unique<GuestSlotsAdapter>(program_, sources_);
  guests_ = std::make_unique<desks::Guests>(desks::Guests::Context{
      &show_, store_.get(), guest_slots_.get(), publish,
      [this](server::RequestId id, server::ApiResponse response) {
        if (server_) server_->respond(id, std::move(response));
      },
      [this](server::ClientId client, const json& message) { reply(client, message); },
      [this] { requestStatus(); }, [] { return static_cast<std::int64_t>(std::time(nullptr)); },
      [this](const std::string& source, const std::string& name, const std::string& title) {
        graphics_->setSourcePerson(
            source, name.empty() ? std::nullopt
                                 : std::optional<config::Person>(config::Person{name, title}));
      },
      [this] { return publicUrl(); }});
  program_port_ = std::make_unique<ProgramAdapter>(program_, sources_);
  switcher_ = std::make_unique<desks::Switcher>(desks::Switcher::Context{
      program_port_.get(), publish,
      [this](const streaming::Scene& scene) { graphics_->programChanged(scene); },
      [this](const std::string& source) {
        if (isTalkback(source)) {
          return source + " is the producer's talkback: it is never on air / 导播对讲不上节目";
        }
        return guests_->onAirRefusal(source);
      }});
  cues_ = std::make_unique<desks::Cues>(
      show_.show,
      desks::Cues::Context{
          [this] { return timelineMs(); }, [this] { return audience_->hostView(3); },
          [this] { return program_ ? desks::Switcher::sceneJson(program_->scene()) : json(); },
          publish,
          [this](std::shared_ptr<const std::string> message) {
            server_->publish(server::kChannelHost, std::move(message));
          }});
  engine_outputs_ = std::make_unique<EngineOutputs>(
      EngineOutputs::Options{data_dir_ + "/recordings",
                             session_stamp_ + "-s" + std::to_string(session_id_),
                             data_dir_ + "/hls", show_.hls.segment_s, show_.hls.playlist_length},
      program_);
  outputs_ = std::make_unique<desks::Outputs>(desks::Outputs::Context{
      engine_outputs_.get(), publish,
      [this](const std::string& path, std::uint64_t media_ms) {
        // Where the part's first frame is on the show's timeline: it counts
        // as recording a while after that frame.
        store_->recordingStarted(
            session_id_, path,
            std::max<std::int64_t>(0, timelineMs() - static_cast<std::int64_t>(media_ms)));
      },
      [this](const std::string& path) {
        std::error_code ec;
        const std::uintmax_t bytes = fs::file_size(path, ec);
        store_->recordingEnded(path, ec ? 0 : bytes);
      }});
  if (!makeFollowup(error)) return false;
  makeStatusBoard();
  registerCommands();
  // The question card and the transcript's question line follow the
  // question on air (also one restored on air).
  audience_->setOnAirChanged([this](const questions::Question* q) {
    transcript_->questionOnAir(q);
    if (!q) {
      graphics_->setQuestionOnAir(std::nullopt);
      return;
    }
    graphics_->setQuestionOnAir(overlay::QuestionCardContent{
        q->id, q->text(), q->nickname, std::string(questions::categoryName(q->category)),
        q->observer_name});
  });
  return true;
}

bool Controller::makeFollowup(std::string* error) {
  const std::string calendar_path =
      show_.followup.calendar.empty() ? assetDir() + "/calendar/cn.toml" : show_.followup.calendar;
  followup::WorkCalendar calendar;
  try {
    calendar = config::loadWorkCalendar(calendar_path);
    store_->runSync([this](sqlite3* db) {
      for (const std::string& name : show_.followup.departments) store::ensureDepartment(db, name);
    });
  } catch (const std::exception& e) {
    *error = std::string("follow-up: ") + e.what();
    return false;
  }
  const std::int64_t offset_ms = followup_offset_ms_;
  const followup::Date today =
      calendar.dateAt(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      offset_ms);
  if (!calendar.covers(today) || calendar.provisional(today)) {
    logWarn("followup", "the calendar " + calendar_path + " has no full holiday arrangement for " +
                            std::to_string(static_cast<int>(today.year())) +
                            ": due dates count the statutory holidays only; enter the State "
                            "Council's arrangement there");
  }
  if (offset_ms != 0) {
    logWarn("followup", "the follow-up clock is set to " + followup::formatDate(today) +
                            " (--now): due dates and overdue items are counted from it");
  }
  followup_service_ =
      std::make_unique<followup::FollowupService>(followup::FollowupService::Options{
          data_dir_ + "/yishiting.db", std::move(calendar),
          [offset_ms] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() +
                   offset_ms;
          },
          show_.audience.public_url, "温网议事厅 · 问政跟踪",
          [this](std::function<void()> done) {
            QMetaObject::invokeMethod(this, std::move(done), Qt::QueuedConnection);
          }});
  followup_ = std::make_unique<desks::FollowupDesk>(desks::FollowupDesk::Context{
      store_.get(), followup_service_.get(), &clients_, nullptr, sign_in_.get(), &commands_,
      session_id_, [this] { return timelineMs(); }, show_.followup.reply_working_days,
      [this](const std::string& type, json payload) { publishEvent(type, std::move(payload)); },
      [this](const std::string& viewer, std::shared_ptr<const std::string> message) {
        audience_->sendToViewer(viewer, message);
      },
      [this](server::ClientId client) { audience_->clientClosed(client); },
      [this] { requestStatus(); },
      [this](std::int64_t department, const std::string& message) {
        if (edge_link_) edge_link_->toDepartment(department, message);
      },
      [this](const std::string& text) { return audience_->sensitiveWords(text); }});
  followup_->loadAskers();
  followup_->refreshCounts();
  followup_timer_.start();
  return true;
}

bool Controller::startServer(std::string* error) {
  std::optional<ArchiveUploader::Options> upload;
  if (show_.edge && !show_.edge->archive_upload.empty()) {
    const config::EdgeLinkConfig& edge = *show_.edge;
    upload = ArchiveUploader::Options{{},
                                      edge.archive_upload,
                                      edge.archive_upload_user,
                                      edge.archive_upload_password,
                                      edge.archive_upload_ca,
                                      {}};
  }
  archive_service_ = std::make_unique<ArchiveService>(ArchiveService::Options{
      data_dir_, session_id_, true,
      [this](server::RequestId id, unsigned int status, std::shared_ptr<const std::string> body) {
        server_->respond(id, status, std::move(body));
      },
      std::move(upload)});
  server_ = std::make_unique<server::ControlServer>(
      serverOptions(show_, data_dir_, assetDir()),
      server::ControlServer::Handlers{
          [this](server::ClientId id, std::string text) { postClientMessage(id, std::move(text)); },
          [this](server::ClientId id) { postClientClosed(id); },
          [this](server::ClientId id, const std::string& address) {
            postClientOpened(id, address);
          },
          [this](server::RequestId id, std::string path, ArchiveService::Args args) {
            if (followup::FollowupService::handles(path)) {
              followup_service_->request(
                  std::move(path), std::move(args),
                  [this, id](unsigned int status, std::shared_ptr<const std::string> body,
                             std::string content_type) {
                    server_->respond(id, status, std::move(body), std::move(content_type));
                  });
              return;
            }
            archive_service_->request(id, std::move(path), std::move(args));
          },
          [this](server::RequestId id, server::ApiRequest request) {
            // WHIP and the guest page: to this thread, where the slots are.
            QMetaObject::invokeMethod(
                this,
                [this, id, request = std::move(request)]() mutable {
                  if (guests_) guests_->request(id, std::move(request));
                },
                Qt::QueuedConnection);
          }});
  std::string server_error;
  if (!server_->start(&server_error)) {
    *error = "cannot listen on " + show_.audience.listen_host + ":" +
             std::to_string(show_.audience.listen_port) + ": " + server_error;
    server_.reset();
    return false;
  }
  // A new epoch each run: a page that was following the previous run's feed
  // gets a snapshot, since the numbers start again.
  feed_ = std::make_unique<protocol::FeedSink>(server_.get(), randomId(12));
  audience_->setServer(feed_.get());
  audience_->setFeed(feed_.get());
  followup_->setServer(server_.get());
  archive_service_->start();
  if (show_.edge) startEdgeLink();
  // Port 0 in the show file: the QR code needs the port the server got.
  if (show_.audience.public_url_from_listen) {
    const std::string url = publicUrl();
    graphics_->setPublicUrl(url);
    const std::string& host = show_.audience.listen_host;
    if (host == "0.0.0.0" || host == "::") {
      logWarn("audience", "[audience] listen is every address (" + host +
                              ") and there is no public_url: the QR code and the guests' "
                              "invitation links say " +
                              url +
                              ", which nobody can open; set [audience] public_url to the "
                              "address viewers and guests reach");
    }
  }
  return true;
}

std::string Controller::publicUrl() const {
  if (!show_.audience.public_url_from_listen || !server_) return show_.audience.public_url;
  const bool ipv6 = show_.audience.listen_host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + show_.audience.listen_host + "]" : show_.audience.listen_host) +
         ":" + std::to_string(server_->port()) + "/";
}

void Controller::startEdgeLink() {
  const config::EdgeLinkConfig& edge = *show_.edge;
  // Every callback of the bus on this (the application's) thread.
  const bus::Post post = [this](std::function<void()> job) {
    QMetaObject::invokeMethod(this, std::move(job), Qt::QueuedConnection);
  };
  bus_ = std::make_unique<bus::Bus>(edge::busOptions(edge.nats, "yishiting-studio-" + edge.channel),
                                    post);
  relayed_ = std::make_unique<desks::RelayedCalls>(desks::RelayedCalls::Context{
      [this](desks::RelayedCalls::Deliver deliver) {
        return server_ ? server_->addLocalClient(std::move(deliver)) : server::ClientId{0};
      },
      [this](server::ClientId client) {
        if (server_) server_->removeLocalClient(client);
      },
      &clients_,
      [this](server::ClientId client, const std::string& text) { onClientMessage(client, text); },
      post, makeQtTimer});
  edge_link_ = std::make_unique<desks::EdgeLink>(desks::EdgeLink::Context{
      bus_.get(), audience_.get(), transcript_.get(), feed_.get(), makeQtTimer, post, edge.channel,
      edge.replicas, [this] { requestStatus(); },
      [this](std::string path, ArchiveService::Args args,
             desks::EdgeLink::Context::ArchiveDone done) {
        if (followup::FollowupService::handles(path)) {
          if (followup_service_) {
            followup_service_->request(
                std::move(path), std::move(args),
                [done](unsigned int status, std::shared_ptr<const std::string> body,
                       std::string content_type) {
                  // JSON is what an edge assumes; only another type is named.
                  done(status, std::move(body),
                       content_type.starts_with("application/json") ? "" : content_type);
                });
          }
          return;
        }
        if (archive_service_) {
          archive_service_->request(
              std::move(path), std::move(args), false,
              [done](unsigned int status, std::shared_ptr<const std::string> body) {
                done(status, std::move(body), "");
              });
        }
      },
      followup_.get(), relayed_.get()});
  edge_link_->start();
  // The studio keeps running when NATS cannot be reached: the edges' viewers
  // wait, the studio's own keep being served, and the link keeps trying.
  bus_->start([this](bus::BusState state, const std::string& detail) {
    if (state == bus::BusState::kConnected) {
      logInfo("edge-link", "connected to NATS; the edges serve channel " + show_.edge->channel);
    } else if (state == bus::BusState::kReconnecting || state == bus::BusState::kConnecting) {
      if (!detail.empty()) logWarn("edge-link", "NATS: " + detail);
    }
    if (edge_link_) edge_link_->busStateChanged(state);
    requestStatus();
  });
}

bool Controller::startEngine(std::string* error) {
  const streaming::VideoFormat format{show_.program.width, show_.program.height, show_.program.fps};
  std::vector<streaming::ProgramSourceInput> inputs;
  // Remote guests get the program back on their peer connection, with a
  // sound mix of their own (return_feed.h).
  std::shared_ptr<streaming::ReturnFeed> return_feed;
  if (std::any_of(show_.sources.begin(), show_.sources.end(), [](const config::SourceConfig& s) {
        return s.scheme == streaming::UrlScheme::kWebrtc;
      })) {
    return_feed = std::make_shared<streaming::ReturnFeed>();
  }
  for (const config::SourceConfig& s : show_.sources) {
    const bool guest = s.scheme == streaming::UrlScheme::kWebrtc;
    const streaming::WebrtcOptions webrtc{s.latency_ms, show_.webrtc.port_min,
                                          show_.webrtc.port_max,
                                          stunForWebrtcbin(show_.webrtc.stun_server), ""};
    auto source = std::make_unique<streaming::Source>(
        streaming::SourceSpec{s.id, s.label, s.uri, graphics_->signalLostSlate(s.label), webrtc,
                              guest ? return_feed : nullptr},
        format);
    connect(source.get(), &streaming::Source::stateChanged, this, [this, src = source.get()] {
      publishEvent("source.changed", {{"source", sourceJson(*src)}});
      if (guests_) guests_->sourceChanged(src->spec().id);
    });
    inputs.push_back({s.id, source->channel(), s.gain, s.muted, s.audio_follows_video, s.framing,
                      s.audio_offset_ms, guest, s.talkback});
    sources_.push_back(std::move(source));
  }

  streaming::EncoderSettings settings;
  settings.video = format;
  settings.video_bitrate_kbps = show_.program.video_bitrate_kbps;
  settings.audio_bitrate_kbps = show_.program.audio_bitrate_kbps;
  settings.preset = show_.program.preset;
  settings.keyframe_interval_s = show_.program.keyframe_interval_s;
  settings.loudness = {show_.audio.loudness_control, show_.audio.loudness_target_lufs,
                       show_.audio.true_peak_dbtp};
  if (!show_.audio.monitor.empty()) {
    const auto device = streaming::parseMonitorUrl(show_.audio.monitor);  // checked when read
    settings.monitor_channel = "yst-monitor";
    monitor_ = std::make_unique<streaming::Monitor>(std::get<streaming::MediaUrl>(device),
                                                    settings.monitor_channel);
    // Its state and error reach the producers with the next status.
    connect(monitor_.get(), &streaming::Monitor::stateChanged, this, [this] { requestStatus(); });
  }
  program_ = std::make_unique<streaming::Program>(settings, inputs);
  program_->setReturnFeed(return_feed);
  program_->setGraphicsLayer(graphics_->layer());
  program_->setScene({show_.program.layout, show_.program.tiles}, streaming::Transition::kCut, 0);
  graphics_->startingScene(program_->scene());
  // The preview starts on the other camera: the first two tiles swapped.
  std::vector<std::string> preview_tiles = show_.program.tiles;
  if (preview_tiles.size() > 1) std::swap(preview_tiles[0], preview_tiles[1]);
  program_->setPreviewScene({show_.program.layout, preview_tiles});
  connect(program_.get(), &streaming::Program::levelsChanged, this, [this] {
    json levels = json::object();
    for (const auto& [id, level] : program_->levels()) {
      levels[id] = {{"peak_db", level.peak_db}, {"rms_db", level.rms_db}};
    }
    json message = {{"type", "audio.levels"}, {"levels", levels}};
    // The program's loudness, as often as its meters (10 times a second).
    if (const json loudness = loudnessJson(); !loudness.is_null()) message["loudness"] = loudness;
    server_->publish(server::kChannelProducer, std::make_shared<const std::string>(message.dump()));
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
  if (monitor_) monitor_->start();
  return true;
}

void Controller::startOutputs() {
  if (show_.hls.enabled) outputs_->startHls();
  if (show_.archive.enabled) outputs_->startRecording();
  for (const config::DestinationConfig& d : show_.destinations) {
    outputs_->addDestination(toSpec(d), d.enabled);
  }
}

void Controller::shutdown() {
  if (shut_down_) return;
  if (!started_) {
    // A start that failed half-way: undo what it did, close the session.
    shut_down_ = true;
    if (server_) server_->stop();
    if (bus_) bus_->stop();
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
  followup_timer_.stop();
  logInfo("studio", "ending the show");
  // Outputs first, so that nothing is fed into a half-stopped muxer.
  outputs_->stopAll();
  for (auto& s : sources_) s->stop();
  if (monitor_) monitor_->stop();
  program_->stop();
  if (server_) server_->stop();
  // What was published goes out (up to a second); no bus callback runs after.
  if (bus_) bus_->stop();
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
  // For the public edges' archive (a bounded wait: a stop must not hang on
  // a slow uplink; the next start finishes it).
  archive_service_->finishUploads(kShutdownUploadWait);
  archive_service_.reset();
  logInfo("studio", "show ended cleanly");
}

void Controller::restartProgram() {
  if (shut_down_ || !program_) return;
  logWarn("program", "restarting the program pipeline");
  // The encoder's timeline starts again: every output restarts with it (the
  // recording in a new file part), so no muxer sees time run backwards. What
  // was running stays on the desk's list until the program runs again.
  outputs_->suspend();
  program_->stop();
  std::string error;
  if (!program_->start(&error)) {
    logError("program", "could not restart: " + error + "; trying again");
    QTimer::singleShot(5000, this, &Controller::restartProgram);
    return;
  }
  outputs_->resume();
}

int Controller::serverPort() const {
  return server_ ? server_->port() : 0;
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
  sign_in_->registerCommands(commands_);
  audience_->registerCommands(commands_);
  transcript_->registerCommands(commands_);
  followup_->registerCommands(commands_);
  guests_->registerCommands(commands_);
  graphics_->registerCommands(commands_);
  switcher_->registerCommands(commands_);
  cues_->registerCommands(commands_);
  outputs_->registerCommands(commands_);
  commands_.add("status.get", roles({Role::kProducer}), [this](CommandContext&) {
    return CommandOutcome(json{{"status", statusJson()}});
  });
}

json Controller::staffWelcome(Role role) const {
  switch (role) {
    case Role::kProducer: {
      json welcome = audience_->producerSnapshot();
      welcome["status"] = statusJson();
      return welcome;
    }
    case Role::kTypist:
      return {{"title", show_.show.title},
              {"session_id", session_id_},
              {"timeline_ms", timelineMs()},
              {"speakers", transcript_->speakers()}};
    case Role::kHost:
      return {{"host", cues_->hostState()}};
    default:
      return json::object();
  }
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
  last_status_ = status_board_->publish();
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

namespace {

// A source's picture as delivered ({"width","height"}), or null before any.
json inputJson(streaming::Source::InputSize size) {
  if (size.width <= 0 || size.height <= 0) return nullptr;
  return {{"width", size.width}, {"height", size.height}};
}

}  // namespace

json Controller::sourceJson(const streaming::Source& s) const {
  const std::string& id = s.spec().id;
  return {{"id", id},
          {"label", s.spec().label},
          {"uri", streaming::maskUri(s.spec().uri)},
          {"state", streaming::sourceStateName(s.state())},
          {"frames", s.framesIn()},
          {"input", inputJson(s.inputSize())},
          {"reconnects", s.reconnects()},
          {"last_error", s.lastError()},
          {"gain", program_ ? program_->gain(id) : 1.0},
          {"muted", program_ && program_->muted(id)},
          {"audio_follows_video", !program_ || program_->followsVideo(id)},
          {"audio_offset_ms", program_ ? program_->audioOffset(id) : 0},
          {"framing", desks::Switcher::framingJson(
                          id, program_ ? program_->framing(id) : streaming::Framing{})},
          {"webrtc", guests_ ? guests_->slotJson(id) : json()},
          {"talkback", isTalkback(id)}};
}

bool Controller::isTalkback(const std::string& id) const {
  return std::any_of(show_.sources.begin(), show_.sources.end(),
                     [&](const config::SourceConfig& s) { return s.id == id && s.talkback; });
}

json Controller::monitorJson() const {
  if (!monitor_) return json();
  return {{"device", show_.audio.monitor},
          {"state", monitor_->stateName()},
          {"last_error", monitor_->lastError()},
          {"listening",
           program_ && !program_->listening().empty() ? json(program_->listening()) : json()}};
}

json Controller::loudnessJson() const {
  const std::optional<streaming::LoudnessReading> r =
      program_ ? program_->loudness() : std::nullopt;
  if (!r) return json();
  const auto tenth = [](double v) { return std::round(v * 10) / 10; };
  return {{"momentary", tenth(r->momentary)},
          {"short_term", tenth(r->short_term)},
          {"integrated", tenth(r->integrated)},
          {"true_peak", tenth(r->true_peak)},
          {"range", tenth(r->range)},
          {"gain_db", tenth(r->gain_db)},
          {"limiting_db", tenth(r->limiting_db)},
          {"control", show_.audio.loudness_control},
          {"target", show_.audio.loudness_target_lufs},
          {"true_peak_limit", show_.audio.true_peak_dbtp}};
}

json Controller::statusJson() const {
  return status_board_ ? status_board_->snapshot() : json::object();
}

void Controller::makeStatusBoard() {
  status_board_ = std::make_unique<desks::StatusBoard>(desks::StatusBoard::Context{
      [this](desks::StatusBoard::Text status, desks::StatusBoard::Text public_status,
             desks::StatusBoard::Text metrics) {
        server_->setStatusJson(std::move(status));
        server_->setPublicStatusJson(std::move(public_status));
        server_->setMetricsText(std::move(metrics));
      },
      [this] {
        // The audience everywhere: the studio's own connections and the
        // edges' viewers and observers.
        std::size_t edges = 0;
        if (edge_link_) {
          const desks::EdgeLink::Counts counts = edge_link_->counts();
          edges = counts.viewers + counts.observers;
        }
        return server_->connectionCount() + edges;
      },
      [this](std::size_t connections) {
        // The audience's high-water mark, for the post-show summary.
        store_->recordEvent(session_id_, timelineMs(), "viewers.peak",
                            json{{"viewers", connections}}.dump());
      }});
  desks::StatusBoard& board = *status_board_;
  board.addPart([this](json* status) {
    (*status)["show"] = {{"title", show_.show.title},
                         {"session_id", session_id_},
                         {"timeline_ms", timelineMs()},
                         {"duration_min", show_.show.duration_min}};
    (*status)["cue"] = cues_->lastCue();
    if (edge_link_) (*status)["edge"] = edge_link_->status();
  });
  board.addPart([this](json* status) {
    if (!program_) return;
    json program = desks::Switcher::sceneJson(program_->scene());
    program["frames"] = program_->frames();
    program["dropped_frames"] = program_->droppedFrames();
    program["width"] = show_.program.width;
    program["height"] = show_.program.height;
    program["fps"] = show_.program.fps;
    program["transition_running"] = program_->transitionRunning();
    (*status)["program"] = program;
    (*status)["preview"] = desks::Switcher::sceneJson(program_->previewScene());
    (*status)["encoder"] = {{"fps", program_->encoderFps()}, {"frames", program_->encodedFrames()}};
    (*status)["audio"] = {{"loudness", loudnessJson()}, {"monitor", monitorJson()}};
  });
  board.addPart([this](json* status) {
    json sources = json::array();
    for (const auto& s : sources_) sources.push_back(sourceJson(*s));
    (*status)["sources"] = std::move(sources);
  });
  board.addPart([this](json* status) { outputs_->addStatus(status); });
  board.addPart([this](json* status) {
    (*status)["clients"] = server_ ? server_->connectionCount() : 0;
    if (!server_) return;
    const server::ServerStats st = server_->stats();
    (*status)["server"] = {{"sockets", st.sockets},
                           {"refused_sockets", st.refused_sockets},
                           {"refused_connections", st.refused_connections},
                           {"refused_full", st.refused_full},
                           {"unauthorized_requests", st.unauthorized_requests},
                           {"refused_hosts", st.refused_hosts},
                           {"refused_origins", st.refused_origins},
                           {"dropped_slow_clients", st.dropped_slow_clients},
                           {"rate_limited_closes", st.rate_limited_closes}};
  });
  board.addPart([this](json* status) { audience_->addStatus(status); });
  board.addPart([this](json* status) { graphics_->addStatus(status); });
  board.addPart([this](json* status) { transcript_->addStatus(status); });
  board.addPart([this](json* status) {
    if (!followup_->counts().is_null()) (*status)["followup"] = followup_->counts();
  });
}

}  // namespace yst::core
