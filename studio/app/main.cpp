// yishiting — the studio's command line.
//
//   yishiting serve --show FILE [--data DIR] [--log-level LEVEL]
//
// `serve` runs a show headless: the same engine, controller and server the
// console uses, on a QCoreApplication event loop. SIGINT/SIGTERM end the show
// cleanly (destinations closed, archive finalised, database closed).
// Exit codes: 0 clean end, 1 could not start, 2 bad show file or arguments.
#include <gst/gst.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "streaming/log.h"
#include "studio/config/show_config.h"
#include "studio/core/controller.h"

namespace {

int g_signal_pipe[2] = {-1, -1};

void onSignal(int) {
  const char byte = 1;
  // write() is async-signal-safe; the event loop does the actual work.
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &byte, 1);
}

int serve(const std::string& show_path, const std::string& data_dir, int argc, char** argv) {
  yst::config::ShowConfig show;
  try {
    show = yst::config::loadShowFile(show_path);
  } catch (const yst::config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }

  QCoreApplication app(argc, argv);
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

  int exit_code = 0;
  {
    yst::core::Controller controller(show, data_dir);
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
      std::fflush(stdout);
      exit_code = app.exec();
    }
  }
  gst_deinit();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Yishiting Studio — live interview production (温网议事厅)"};
  cli.require_subcommand(1);
  std::string show_path;
  std::string data_dir = "var";
  std::string log_level = "info";

  CLI::App* serve_cmd = cli.add_subcommand("serve", "Run a show headless (engine, control server)");
  serve_cmd->add_option("--show", show_path, "Show file (TOML)")->required();
  serve_cmd->add_option("--data", data_dir, "Data directory: database, recordings, HLS")
      ->capture_default_str();
  serve_cmd->add_option("--log-level", log_level, "debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  yst::LogLevel level = yst::LogLevel::kInfo;
  yst::parseLogLevel(log_level, &level);
  yst::setLogLevel(level);

  if (serve_cmd->parsed()) return serve(show_path, data_dir, argc, argv);
  return 2;
}
