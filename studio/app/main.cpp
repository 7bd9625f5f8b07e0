// yishiting — the studio's command line.
//
//   yishiting serve --show FILE [--data DIR] [--new-session] [--now WHEN] [--log-level LEVEL]
//   yishiting studio --show FILE [--data DIR] [--lang zh|en] [--host-screen N]
//                    [--screenshot DIR] [--new-session] [--log-level LEVEL]
//   yishiting observers add NAME [--data DIR] [--url PUBLIC_URL | --show FILE]
//   yishiting observers list [--data DIR] [--all]
//   yishiting observers remove ID [--data DIR]
//   yishiting departments add NAME [--data DIR] [--url PUBLIC_URL | --show FILE]
//   yishiting departments list [--data DIR] [--all]
//   yishiting departments link|remove ID [--data DIR]
//   yishiting guests invite --source ID --name NAME [--title TITLE] [--hours H] [--data DIR]
//                    [--url PUBLIC_URL | --show FILE]
//   yishiting guests list [--data DIR] [--all]
//   yishiting guests revoke ID [--data DIR]
//   yishiting export --session N --out DIR [--data DIR] [--lang zh|en]
//   yishiting search QUERY [--data DIR] [--session N] [--limit N] [--json]
//
// `serve` runs a show headless: the same engine, controller and server the
// console uses, on a QCoreApplication event loop. `studio` runs the same show
// with the Qt Quick producer console and host monitor on a QGuiApplication. SIGINT/SIGTERM end the
// show cleanly (destinations closed, archive finalised, database closed). Exit codes: 0 clean end,
// 1 could not start, 2 bad show file or arguments.
#include <gst/gst.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>
#include <CLI/CLI.hpp>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QSocketNotifier>
#include <QTimer>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "studio/app/followup_commands.h"
#include "studio/app/guests_commands.h"
#include "studio/app/heap_trimmer.h"
#include "studio/base/digest.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/config/edge_config.h"
#include "studio/config/show_config.h"
#include "studio/console/console_app.h"
#include "studio/core/controller.h"
#include "studio/desks/guests.h"
#include "studio/edge/edge_server.h"
#include "studio/export/exporter.h"
#include "studio/server/control_server.h"
#include "studio/store/questions_table.h"
#include "studio/store/sessions_table.h"
#include "studio/store/store.h"
#include "studio/store/transcript_table.h"

extern "C" {
#include <libavutil/log.h>
}
#include "studio/text/text.h"

namespace {

int g_signal_pipe[2] = {-1, -1};

void onSignal(int) {
  const char byte = 1;
  // write() is async-signal-safe; the event loop does the actual work.
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &byte, 1);
}

// `yishiting edge`: until SIGTERM or SIGINT, which every thread leaves to
// this one (blocked before any thread starts, then awaited).
int runEdge(const std::string& config_path) {
  yst::config::EdgeConfig config;
  try {
    config = yst::config::loadEdgeFile(config_path);
  } catch (const yst::config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  yst::edge::EdgeServer edge(std::move(config), yst::core::assetDir());
  std::string error;
  if (!edge.start(&error)) {
    std::fprintf(stderr, "yishiting: %s\n", error.c_str());
    return 1;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  yst::logInfo("edge", std::string("stopping (") + strsignal(signal_number) + ")");
  edge.stop();
  return 0;
}

// `console` null: headless.
int serve(const std::string& show_path, const std::string& data_dir, bool new_session,
          std::int64_t followup_offset_ms, int argc, char** argv,
          const yst::console::ConsoleOptions* console) {
  yst::config::ShowConfig show;
  try {
    show = yst::config::loadShowFile(show_path);
  } catch (const yst::config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }
  // The theme is part of the show file's promise: refused before anything
  // starts, like any other mistake in it.
  try {
    yst::core::loadShowTheme(show);
  } catch (const yst::overlay::ThemeError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }

  std::unique_ptr<QCoreApplication> app_holder =
      console ? std::make_unique<QGuiApplication>(argc, argv)
              : std::make_unique<QCoreApplication>(argc, argv);
  QCoreApplication& app = *app_holder;
  gst_init(nullptr, nullptr);

  if (socketpair(AF_UNIX, SOCK_STREAM, 0, g_signal_pipe) != 0) {
    std::perror("yishiting: socketpair");
    return 1;
  }
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a partner site closing its socket is not our end

  // Freed heap back to the system every 30 s, so that a stall's peak does not
  // stay for the rest of the show (see heap_trimmer.h).
  yst::app::HeapTrimmer heap_trimmer(std::chrono::seconds(30));

  int exit_code = 0;
  {
    yst::core::Controller controller(show, data_dir,
                                     new_session
                                         ? yst::core::Controller::SessionMode::kNew
                                         : yst::core::Controller::SessionMode::kResumeUnfinished);
    controller.setFollowupClockOffset(followup_offset_ms);
    QSocketNotifier notifier(g_signal_pipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
      char byte;
      [[maybe_unused]] ssize_t n = read(g_signal_pipe[0], &byte, 1);
      notifier.setEnabled(false);
      yst::logInfo("studio", "signal received: ending the show");
      controller.shutdown();
      app.quit();
    });

    std::string error;
    if (!controller.start(&error)) {
      std::fprintf(stderr, "yishiting: %s\n", error.c_str());
      controller.shutdown();
      exit_code = 1;
    } else {
      const std::string base =
          "http://" + show.audience.listen_host + ":" + std::to_string(controller.serverPort());
      std::printf("Yishiting Studio · %s\n", show.show.title.c_str());
      std::printf("  viewers:  %s/   (short link %s/q)\n", base.c_str(), base.c_str());
      std::printf("  producer: %s/producer/\n", base.c_str());
      std::printf("  archive:  %s/archive/\n", base.c_str());
      std::printf("  status:   %s/api/status\n", base.c_str());
      std::printf("  metrics:  %s/metrics\n", base.c_str());
      if (show.hls.enabled) std::printf("  HLS:      %s/hls/program.m3u8\n", base.c_str());
      std::printf("  control:  ws://%s:%d/ws\n", show.audience.listen_host.c_str(),
                  controller.serverPort());
      if (show.audience.producer_token_generated) {
        // Shown once, on the operator's terminal only; never logged.
        std::printf("  producer token (generated, set %s to choose one): %s\n",
                    show.audience.producer_token_env.c_str(), show.audience.producer_token.c_str());
      }
      std::printf("  typist:   %s/typist/\n", base.c_str());
      if (show.audience.typist_token_generated) {
        std::printf("  typist token (generated, set %s to choose one): %s\n",
                    show.audience.typist_token_env.c_str(), show.audience.typist_token.c_str());
      }
      std::printf("  host:     %s/host/\n", base.c_str());
      if (show.audience.host_token_generated) {
        std::printf("  host token (generated, set %s to choose one): %s\n",
                    show.audience.host_token_env.c_str(), show.audience.host_token.c_str());
      }
      std::fflush(stdout);
      std::unique_ptr<yst::console::ConsoleApp> console_app;
      if (console) {
        console_app = std::make_unique<yst::console::ConsoleApp>(&controller, data_dir, *console);
        QObject::connect(console_app.get(), &yst::console::ConsoleApp::quitRequested, &app,
                         [&](int code) {
                           // Outside the signal: the console is its sender.
                           QTimer::singleShot(0, &app, [&, code] {
                             yst::logInfo("studio", "the console ended the show");
                             console_app.reset();
                             controller.shutdown();
                             app.exit(code);
                           });
                         });
        std::string console_error;
        if (!console_app->open(&console_error)) {
          std::fprintf(stderr, "yishiting: the console could not open: %s\n",
                       console_error.c_str());
          console_app.reset();
          controller.shutdown();
          return 1;
        }
      }
      exit_code = app.exec();
      console_app.reset();
    }
  }
  gst_deinit();
  return exit_code;
}

// Citizen observers: invitations are rows in the studio's database, so a
// running show sees a new one at once.
int observers(const std::string& action, const std::string& data_dir, const std::string& name,
              std::int64_t id, std::string url, const std::string& show_path, bool all, int argc,
              char** argv) {
  QCoreApplication app(argc, argv);  // the store hands completions to the Qt loop
  try {
    if (url.empty() && !show_path.empty()) {
      url = yst::config::loadShowFile(show_path).audience.public_url;
    }
  } catch (const yst::config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }
  try {
    std::filesystem::create_directories(data_dir);
    yst::store::Store store(data_dir + "/yishiting.db");
    if (action == "add") {
      const yst::text::CleanedText cleaned = yst::text::cleanText(name, 24, false);
      if (cleaned.problem != yst::text::TextProblem::kNone) {
        std::fprintf(stderr, "yishiting: observers add: the name must be 1 to 24 characters\n");
        return 2;
      }
      const std::string token = yst::randomId(32);
      std::int64_t new_id = 0;
      store.runSync([&](sqlite3* db) {
        new_id = yst::store::addObserver(db, cleaned.text, yst::sha256Hex(token));
      });
      if (url.empty()) url = "http://127.0.0.1:8080/";
      if (url.back() != '/') url += '/';
      // The link is the only place the token is ever shown.
      std::printf("observer %lld: %s\n%so/%s\n", static_cast<long long>(new_id),
                  cleaned.text.c_str(), url.c_str(), token.c_str());
    } else if (action == "list") {
      std::vector<yst::store::Observer> list;
      store.runSync([&](sqlite3* db) { list = yst::store::listObservers(db, all); });
      for (const auto& o : list) {
        std::printf("%lld\t%s\t%s%s\n", static_cast<long long>(o.id), o.name.c_str(),
                    o.created_at.c_str(), o.revoked ? "\trevoked" : "");
      }
    } else if (action == "remove") {
      bool removed = false;
      store.runSync([&](sqlite3* db) { removed = yst::store::revokeObserver(db, id); });
      if (!removed) {
        std::fprintf(stderr, "yishiting: no active observer %lld\n", static_cast<long long>(id));
        return 1;
      }
      std::printf("observer %lld removed\n", static_cast<long long>(id));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Full-text search over every session's transcript, read-only (a running
// show's database can be searched while it writes: WAL).
int search(const std::string& query, const std::string& data_dir, std::int64_t session_id,
           int limit, bool as_json) {
  const std::string path = data_dir + "/yishiting.db";
  if (!std::filesystem::is_regular_file(path)) {
    std::fprintf(stderr, "yishiting: no database in %s\n", data_dir.c_str());
    return 1;
  }
  yst::store::DbPtr db;
  try {
    db = yst::store::openReadOnly(path);
  } catch (const yst::store::StoreError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 1;
  }
  std::vector<yst::store::SearchHit> hits;
  try {
    const int version = yst::store::schemaVersion(db.get());
    if (version < 3) {
      std::fprintf(stderr, "yishiting: %s has no transcripts yet (schema %d)\n", path.c_str(),
                   version);
      return 1;
    }
    hits = yst::store::searchTranscripts(db.get(), query, {session_id, limit});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "yishiting: search: %s\n", e.what());
    return 1;
  }
  db.reset();
  auto timecode = [](std::int64_t ms) {
    char text[32];
    const std::int64_t s = std::max<std::int64_t>(0, ms) / 1000;
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return std::string(text);
  };
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& h : hits) {
      out.push_back({{"session", h.session_id},
                     {"session_title", h.session_title},
                     {"session_started_at", h.session_started_at},
                     {"line", h.line_id},
                     {"speaker", h.speaker},
                     {"speaker_name", h.speaker_name},
                     {"start_ms", h.start_ms},
                     {"timecode", timecode(h.start_ms)},
                     {"text", h.text},
                     {"snippet", h.snippet}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const auto& h : hits) {
    std::string snippet = h.snippet;
    for (char& c : snippet) {
      if (c == '\x02') c = '[';
      if (c == '\x03') c = ']';
    }
    std::printf("session %lld  %s  %s  %s  %s：%s\n", static_cast<long long>(h.session_id),
                h.session_started_at.substr(0, 10).c_str(), h.session_title.c_str(),
                timecode(h.start_ms).c_str(), h.speaker_name.c_str(), snippet.c_str());
  }
  if (hits.empty()) std::fprintf(stderr, "nothing found for \"%s\"\n", query.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Viewers' sockets must not run the studio out of descriptors: the soft
  // limit (often 1024) goes up to the hard one, and the server keeps a
  // reserve below it for the pipelines, recordings and SQLite.
  yst::server::raiseFileLimit();
  CLI::App cli{"Yishiting Studio — live interview production (温网议事厅)"};
  cli.require_subcommand(1);
  std::string show_path;
  std::string data_dir = "var";
  std::string log_level = "info";

  bool new_session = false;
  std::string followup_now;
  // What serve and studio share: a show runs the same either way.
  auto addShowOptions = [&](CLI::App* cmd) {
    cmd->add_option("--show", show_path, "Show file (TOML)")->required();
    cmd->add_option("--data", data_dir, "Data directory: database, recordings, HLS")
        ->capture_default_str();
    cmd->add_option("--log-level", log_level, "debug, info, warn or error")
        ->capture_default_str()
        ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}));
    cmd->add_flag("--new-session", new_session,
                  "Begin a new session even if the studio was killed in the last one");
    cmd->add_option("--now", followup_now,
                    "问政跟踪's clock starts at this time instead (2026-12-20 or "
                    "2026-12-20T10:00:00+08:00): due dates and overdue items, for a rehearsal");
  };
  CLI::App* serve_cmd = cli.add_subcommand("serve", "Run a show headless (engine, control server)");
  addShowOptions(serve_cmd);

  CLI::App* studio_cmd = cli.add_subcommand(
      "studio", "Run a show with the producer console and the host monitor (Qt Quick)");
  yst::console::ConsoleOptions console_options;
  addShowOptions(studio_cmd);
  studio_cmd->add_option("--lang", console_options.lang, "Console language: zh or en")
      ->capture_default_str()
      ->check(CLI::IsMember({"zh", "en"}));
  studio_cmd->add_option("--host-screen", console_options.host_screen,
                         "Screen number for the host monitor (default: the second, if any)");
  studio_cmd->add_option("--screenshot", console_options.screenshot_dir,
                         "Render both windows to PNG files in this folder once running, then "
                         "end the show and exit");

  CLI::App* edge_cmd = cli.add_subcommand(
      "edge",
      "Serve one show's viewers from the cloud over NATS (no engine; see deploy/edge.toml)");
  std::string edge_config;
  edge_cmd->add_option("--config", edge_config, "Edge file (TOML)")->required();
  edge_cmd->add_option("--log-level", log_level, "debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}));

  CLI::App* observers_cmd = cli.add_subcommand("observers", "Citizen observers' invitations");
  observers_cmd->require_subcommand(1);
  std::string observer_name;
  std::int64_t observer_id = 0;
  std::string observer_url;
  std::string observer_show;
  bool observer_all = false;
  CLI::App* add_cmd = observers_cmd->add_subcommand("add", "Invite an observer; prints the link");
  add_cmd->add_option("name", observer_name, "The observer's name (shown with their questions)")
      ->required();
  add_cmd->add_option("--url", observer_url, "The viewer page's public URL");
  add_cmd->add_option("--show", observer_show, "Take the public URL from this show file");
  CLI::App* list_cmd = observers_cmd->add_subcommand("list", "List observers");
  list_cmd->add_flag("--all", observer_all, "Include removed ones");
  CLI::App* remove_cmd = observers_cmd->add_subcommand("remove", "Revoke an invitation");
  remove_cmd->add_option("id", observer_id, "The observer's number (see list)")->required();
  for (CLI::App* sub : {add_cmd, list_cmd, remove_cmd}) {
    sub->add_option("--data", data_dir, "Data directory")->capture_default_str();
  }

  CLI::App* departments_cmd =
      cli.add_subcommand("departments", "问政跟踪: departments and their sign-in links");
  departments_cmd->require_subcommand(1);
  yst::app::DepartmentsArgs department_args;
  CLI::App* dept_add = departments_cmd->add_subcommand("add", "Add a department; prints its link");
  dept_add->add_option("name", department_args.name, "The department's name (市住建局)")
      ->required();
  CLI::App* dept_list = departments_cmd->add_subcommand("list", "List departments");
  dept_list->add_flag("--all", department_args.all, "Include removed ones");
  CLI::App* dept_link =
      departments_cmd->add_subcommand("link", "Give a department a new link (the old one stops)");
  CLI::App* dept_remove = departments_cmd->add_subcommand(
      "remove", "Remove a department (its items stay public; its link stops)");
  for (CLI::App* sub : {dept_link, dept_remove}) {
    sub->add_option("id", department_args.id, "The department's number (see list)")->required();
  }
  for (CLI::App* sub : {dept_add, dept_link}) {
    sub->add_option("--url", department_args.url, "The studio's public URL");
    sub->add_option("--show", department_args.show_path, "Take the public URL from this show file");
  }
  for (CLI::App* sub : {dept_add, dept_list, dept_link, dept_remove}) {
    sub->add_option("--data", data_dir, "Data directory")->capture_default_str();
  }

  CLI::App* guests_cmd =
      cli.add_subcommand("guests", "Remote guests: invitation links into webrtc:// sources");
  guests_cmd->require_subcommand(1);
  yst::app::GuestsArgs guest_args;
  CLI::App* guest_invite =
      guests_cmd->add_subcommand("invite", "Invite a guest; prints their link (/g/…)");
  guest_invite->add_option("--source", guest_args.source, "The webrtc:// source they fill")
      ->required();
  guest_invite->add_option("--name", guest_args.name, "Their name (张三)")->required();
  guest_invite->add_option("--title", guest_args.title, "Their title, for the lower-third");
  guest_invite->add_option("--hours", guest_args.hours, "How long the link works")
      ->capture_default_str()
      ->check(CLI::Range(1, yst::desks::Guests::kMaxInvitationHours));
  guest_invite->add_option("--url", guest_args.url, "The studio's public URL");
  guest_invite->add_option("--show", guest_args.show_path,
                           "The show file: its public URL, and its sources checked");
  CLI::App* guest_list = guests_cmd->add_subcommand("list", "List invitations");
  guest_list->add_flag("--all", guest_args.all, "Include revoked and expired ones");
  CLI::App* guest_revoke = guests_cmd->add_subcommand("revoke", "Revoke an invitation");
  guest_revoke->add_option("id", guest_args.id, "The invitation's number (see list)")->required();
  for (CLI::App* sub : {guest_invite, guest_list, guest_revoke}) {
    sub->add_option("--data", data_dir, "Data directory")->capture_default_str();
  }

  CLI::App* export_cmd = cli.add_subcommand(
      "export", "Write a session's package: text record, subtitles, MP4 with chapters, clips");
  std::int64_t export_session = 0;
  std::string export_out;
  export_cmd->add_option("--session", export_session, "The session's number")->required();
  export_cmd->add_option("--out", export_out, "Folder to write into (created)")->required();
  export_cmd->add_option("--data", data_dir, "Data directory")->capture_default_str();
  std::string export_lang = "zh";
  export_cmd
      ->add_option("--lang", export_lang,
                   "Language of the package's own words (column heads, statuses): zh or en")
      ->capture_default_str()
      ->check(CLI::IsMember({"zh", "en"}));

  CLI::App* search_cmd =
      cli.add_subcommand("search", "Search what was said in every show's transcript");
  std::string search_query;
  std::int64_t search_session = 0;
  int search_limit = 20;
  bool search_json = false;
  search_cmd
      ->add_option("query", search_query, "Words to find (Chinese: any length, 1 character up)")
      ->required();
  search_cmd->add_option("--data", data_dir, "Data directory")->capture_default_str();
  search_cmd->add_option("--session", search_session, "Only this session");
  search_cmd->add_option("--limit", search_limit, "At most this many lines")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  search_cmd->add_flag("--json", search_json, "Print JSON");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  yst::LogLevel level = yst::LogLevel::kInfo;
  yst::parseLogLevel(log_level, &level);
  yst::setLogLevel(level);

  if (edge_cmd->parsed()) return runEdge(edge_config);
  std::int64_t followup_offset_ms = 0;
  if (!followup_now.empty()) {
    const std::optional<std::int64_t> now_ms = yst::app::parseNow(followup_now);
    if (!now_ms) {
      std::fprintf(stderr, "yishiting: --now: expected 2026-12-20 or 2026-12-20T10:00:00+08:00\n");
      return 2;
    }
    followup_offset_ms = *now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  }
  if (serve_cmd->parsed()) {
    return serve(show_path, data_dir, new_session, followup_offset_ms, argc, argv, nullptr);
  }
  if (studio_cmd->parsed()) {
    return serve(show_path, data_dir, new_session, followup_offset_ms, argc, argv,
                 &console_options);
  }
  if (departments_cmd->parsed()) {
    department_args.data_dir = data_dir;
    department_args.action = dept_add->parsed()    ? "add"
                             : dept_list->parsed() ? "list"
                             : dept_link->parsed() ? "link"
                                                   : "remove";
    return yst::app::departmentsCommand(department_args);
  }
  if (guests_cmd->parsed()) {
    guest_args.data_dir = data_dir;
    guest_args.action = guest_invite->parsed() ? "invite"
                        : guest_list->parsed() ? "list"
                                               : "revoke";
    return yst::app::guestsCommand(guest_args);
  }
  if (export_cmd->parsed()) {
    av_log_set_level(AV_LOG_ERROR);
    try {
      const yst::exporter::ExportResult r =
          yst::exporter::exportSession({.data_dir = data_dir,
                                        .session_id = export_session,
                                        .out_dir = export_out,
                                        .language = yst::exporter::parseLanguage(export_lang)});
      for (const std::string& f : r.files) std::printf("%s/%s\n", export_out.c_str(), f.c_str());
      for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "yishiting: export: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  if (search_cmd->parsed()) {
    return search(search_query, data_dir, search_session, search_limit, search_json);
  }
  if (observers_cmd->parsed()) {
    const std::string action = add_cmd->parsed() ? "add" : list_cmd->parsed() ? "list" : "remove";
    return observers(action, data_dir, observer_name, observer_id, observer_url, observer_show,
                     observer_all, argc, argv);
  }
  return 2;
}
