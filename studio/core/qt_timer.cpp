#include "studio/core/qt_timer.h"

#include <QTimer>

#include "studio/base/log.h"

namespace yst::core {

namespace {

class QtTimer : public Timer {
 public:
  explicit QtTimer(std::function<void()> fire) {
    timer_.setSingleShot(true);
    QObject::connect(&timer_, &QTimer::timeout, [fire = std::move(fire)] { fire(); });
  }
  void start(int ms) override {
    // Qt 6.4 warns about a negative interval, starts nothing and yet reports
    // the timer active; stopped, as the edge's timers (base/event_loop.h).
    if (ms < 0) {
      logWarn("timer", "a timer was started with a negative interval; it is stopped");
      timer_.stop();
      return;
    }
    timer_.start(ms);
  }
  void stop() override { timer_.stop(); }
  bool active() const override { return timer_.isActive(); }

 private:
  QTimer timer_;
};

}  // namespace

std::unique_ptr<Timer> makeQtTimer(std::function<void()> fire) {
  return std::make_unique<QtTimer>(std::move(fire));
}

}  // namespace yst::core
