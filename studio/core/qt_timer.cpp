#include "studio/core/qt_timer.h"

#include <QTimer>

namespace yst::core {

namespace {

class QtTimer : public Timer {
 public:
  explicit QtTimer(std::function<void()> fire) {
    timer_.setSingleShot(true);
    QObject::connect(&timer_, &QTimer::timeout, [fire = std::move(fire)] { fire(); });
  }
  void start(int ms) override { timer_.start(ms); }
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
