// The one QCoreApplication of the unit test binary (Qt allows one per
// process), made by whichever suite needs an event loop first, with
// GStreamer initialised beside it.
#pragma once

#include <gst/gst.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <functional>

namespace yst::qt_test {

inline QCoreApplication* app() {
  static int argc = 1;
  static char name[] = "yst_unit_tests";
  static char* argv[] = {name, nullptr};
  static QCoreApplication* instance = [] {
    gst_init(nullptr, nullptr);
    return new QCoreApplication(argc, argv);
  }();
  return instance;
}

// Runs the application's event loop until `done` or the timeout; returns done().
inline bool spinUntil(const std::function<bool()>& done, int timeout_ms) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < timeout_ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
  }
  return done();
}

}  // namespace yst::qt_test
