// The studio's QTimers keep the timer contract (timer_contract.h) that the
// edge's EventLoop timers keep: a desk meets the same timer in both.
#include "studio/core/qt_timer.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <utility>

#include "tests/unit/qt_test_app.h"
#include "tests/unit/studio/base/timer_contract.h"

namespace yst {
namespace {

// The test's thread runs the application's event loop, so it owns the timers.
class QtTimerHarness {
 public:
  QtTimerHarness() { qt_test::app(); }
  void onOwner(const std::function<void()>& f) { f(); }
  bool waitUntil(const std::function<bool()>& done, int timeout_ms) {
    return qt_test::spinUntil(done, timeout_ms);
  }
  std::unique_ptr<Timer> make(std::function<void()> fire) {
    return core::makeQtTimer(std::move(fire));
  }
  std::unique_ptr<Timer>& hold(std::unique_ptr<Timer> timer = {}) {
    held_.push_back(std::move(timer));
    return held_.back();
  }

 private:
  std::deque<std::unique_ptr<Timer>> held_;
};

}  // namespace

namespace timer_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Qt, TimerContract, QtTimerHarness);
}  // namespace timer_contract

}  // namespace yst
