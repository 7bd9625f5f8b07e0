// A one-shot timer on its owner's thread, for code that must not depend on
// an event loop of its own (the desks). The studio's timers are QTimers on
// the controller's loop (core/qt_timer.h), the edge's run on its EventLoop
// (base/event_loop.h), and a test's fire when the test says. The first two
// keep the same promises, checked by the same tests
// (tests/unit/studio/base/timer_contract.h).
#pragma once

#include <functional>
#include <memory>

namespace yst {

class Timer {
 public:
  virtual ~Timer() = default;
  // (Re)starts: `fire` runs once, `ms` from now, on the owner's thread.
  virtual void start(int ms) = 0;
  virtual void stop() = 0;
  virtual bool active() const = 0;
};

// Makes a stopped timer that calls `fire` when it runs out. A timer never
// fires after it is destroyed.
using MakeTimer = std::function<std::unique_ptr<Timer>(std::function<void()> fire)>;

}  // namespace yst
