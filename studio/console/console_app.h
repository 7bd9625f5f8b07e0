// `yishiting studio`: the producer console and the host monitor, two Qt
// Quick windows over a running controller (qml/). The producer console
// goes on the primary screen; the host monitor on a second screen when
// there is one (or the one asked for), else beside it.
//
// The QML binds to a ConsoleClient (context property `studio`) and draws
// previews with PreviewItem (`import Yishiting 1.0` → Preview); nothing in
// QML touches GStreamer. Strings are Chinese in the source and English in
// qml/i18n/yishiting_en.ts (`--lang en`).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QQmlApplicationEngine>
#include <QTranslator>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "studio/console/console_client.h"

namespace yst::core {
class Controller;
}

namespace yst::console {

struct ConsoleOptions {
  std::string lang = "zh";  // zh | en
  int host_screen = -1;     // -1: the second screen if there is one
  // Non-empty: render both windows to PNG files here once the previews
  // show pictures, then end the show and quit.
  std::string screenshot_dir;
};

class ConsoleApp : public QObject {
  Q_OBJECT
 public:
  ConsoleApp(core::Controller* controller, std::string data_dir, ConsoleOptions options,
             QObject* parent = nullptr);
  ~ConsoleApp() override;

  // Loads the windows. False with the reason (a QML error) in *error.
  bool open(std::string* error);
  // Qt messages (QML warnings among them) since open(); the QML test
  // fails on any.
  static int qtWarnings();

  // The windows, for tests and screenshots (null before open()).
  QObject* producerWindow() const;
  QObject* hostWindow() const;
  ConsoleClient* client() const { return client_.get(); }

  // QML: the producer confirmed the end of the show (or closed the console
  // when nothing is live).
  Q_INVOKABLE void endShow();

 signals:
  // The show should end: the caller shuts the controller down and quits.
  void quitRequested(int exit_code);

 private:
  void takeScreenshots();
  void writeFrameTimes();

  core::Controller* controller_;
  std::string data_dir_;
  ConsoleOptions options_;
  QTranslator translator_;     // the console's English (--lang en)
  QTranslator qt_translator_;  // Qt's own Chinese (the default)
  std::unique_ptr<ConsoleClient> client_;
  std::unique_ptr<QQmlApplicationEngine> engine_;
  // scripts/bench-console: with $YST_CONSOLE_FRAME_LOG set, the producer
  // window's frame times (its animations and bindings to the swap, in µs)
  // are written there when the console closes.
  std::string frame_log_;
  // afterAnimating comes on the GUI thread, frameSwapped on the render
  // thread when the render loop is threaded.
  QElapsedTimer frame_clock_;
  std::atomic<qint64> frame_started_us_{-1};
  std::mutex frame_mutex_;
  std::vector<qint64> frame_times_us_;  // Guarded by frame_mutex_.
};

}  // namespace yst::console
