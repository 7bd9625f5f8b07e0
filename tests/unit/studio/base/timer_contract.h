// What every timer behind base/timer.h promises, checked the same way on each
// one: the studio's QTimers (core/qt_timer.h, in qt_timer_test.cpp) and the
// edge's EventLoop timers (base/event_loop.h, in event_loop_test.cpp). A desk
// that runs in the studio and at the edge meets the same timer in both.
//
// A harness H gives the timers' thread:
//   void onOwner(const std::function<void()>& f);   // runs f there, returns once it has run
//   bool waitUntil(const std::function<bool()>& done, int timeout_ms);  // done() evaluated there
//   std::unique_ptr<Timer> make(std::function<void()> fire);   // a stopped timer, made there
//   std::unique_ptr<Timer>& hold(std::unique_ptr<Timer> t = {});  // there: a place for a timer
//                                  // that lasts as long as the harness (a callback may reset it)
// Everything a test records lives in the fixture's Record, which outlives the
// harness: no timer can fire into a test's finished stack frame.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/timer.h"

namespace yst::timer_contract {

inline constexpr int kWaitMs = 5000;

// What fired, in order. The timers' thread only (the harness's onOwner and
// waitUntil run there too).
struct Record {
  std::vector<std::string> fired;
  std::vector<bool> active_in_callback;
  std::weak_ptr<int> capture;  // something a callback held
  int count(const std::string& name) const {
    int n = 0;
    for (const std::string& f : fired) n += f == name ? 1 : 0;
    return n;
  }
};

// Holds the timers' thread until `ms` have passed on the steady clock, so
// that every timer started before with a shorter interval is due together.
inline void holdFor(int ms) {
  const std::int64_t until_ns = steadyNowNs() + std::int64_t{ms} * 1000 * 1000;
  while (steadyNowNs() < until_ns) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

template <class H>
class TimerContract : public ::testing::Test {
 protected:
  // Fires `name` into the record.
  std::function<void()> recorder(const std::string& name) {
    return [this, name] { record_.fired.push_back(name); };
  }
  // A timer that fires late enough to come after everything started before
  // it with a shorter interval: when it has fired, they would have too.
  void waitForProbe(int ms) {
    harness_.onOwner([&] { harness_.hold(harness_.make(recorder("probe")))->start(ms); });
    ASSERT_TRUE(harness_.waitUntil([&] { return record_.count("probe") == 1; }, kWaitMs));
  }

  Record record_;  // first: outlives the harness and its timers
  H harness_;
};

TYPED_TEST_SUITE_P(TimerContract);

TYPED_TEST_P(TimerContract, FiresOnceEachInDeadlineOrder) {
  auto& h = this->harness_;
  std::vector<Timer*> timers;
  h.onOwner([&] {
    for (int ms : {120, 0, 80, 40}) {
      timers.push_back(h.hold(h.make(this->recorder(std::to_string(ms)))).get());
      timers.back()->start(ms);
      EXPECT_TRUE(timers.back()->active());
    }
    EXPECT_TRUE(this->record_.fired.empty()) << "nothing fires inside start()";
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.fired.size() == 4; }, kWaitMs));
  this->waitForProbe(200);
  h.onOwner([&] {
    EXPECT_EQ(this->record_.fired, (std::vector<std::string>{"0", "40", "80", "120", "probe"}))
        << "each once, in deadline order";
    for (Timer* t : timers) EXPECT_FALSE(t->active());
  });
}

TYPED_TEST_P(TimerContract, RestartMovesTheDeadlineEitherWay) {
  auto& h = this->harness_;
  Timer* sooner = nullptr;
  Timer* later = nullptr;
  h.onOwner([&] {
    sooner = h.hold(h.make(this->recorder("sooner"))).get();
    sooner->start(600000);
    sooner->start(10);  // ten minutes become ten milliseconds
    later = h.hold(h.make(this->recorder("later"))).get();
    later->start(10);
    later->start(600000);  // and the other way round
    EXPECT_TRUE(later->active());
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.count("sooner") == 1; }, kWaitMs))
      << "a restart moved the deadline closer";
  this->waitForProbe(100);
  h.onOwner([&] {
    EXPECT_EQ(this->record_.count("later"), 0) << "the first deadline was replaced, not kept";
    EXPECT_TRUE(later->active());
    EXPECT_FALSE(sooner->active());
    later->stop();
  });
}

TYPED_TEST_P(TimerContract, AStoppedTimerDoesNotFireAndStartsAgain) {
  auto& h = this->harness_;
  Timer* t = nullptr;
  h.onOwner([&] {
    t = h.hold(h.make(this->recorder("t"))).get();
    t->start(10);
    t->stop();
    EXPECT_FALSE(t->active());
    t->stop();  // twice is harmless
  });
  this->waitForProbe(100);
  h.onOwner([&] {
    EXPECT_EQ(this->record_.count("t"), 0);
    t->start(10);
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.count("t") == 1; }, kWaitMs));
}

TYPED_TEST_P(TimerContract, InactiveInItsOwnCallbackWhichMayRestartIt) {
  auto& h = this->harness_;
  h.onOwner([&] {
    std::unique_ptr<Timer>& t = h.hold();
    t = h.make([&record = this->record_, &t] {
      record.active_in_callback.push_back(t->active());
      record.fired.push_back("t");
      if (record.fired.size() < 3) t->start(5);
    });
    t->start(5);
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.count("t") == 3; }, kWaitMs));
  this->waitForProbe(100);
  h.onOwner([&] {
    EXPECT_EQ(this->record_.count("t"), 3) << "restarted twice by its callback, then left alone";
    EXPECT_EQ(this->record_.active_in_callback, (std::vector<bool>{false, false, false}));
  });
}

TYPED_TEST_P(TimerContract, DestroyedInItsOwnCallbackItFiresOnceAndLetsGo) {
  auto& h = this->harness_;
  h.onOwner([&] {
    auto held = std::make_shared<int>(7);
    this->record_.capture = held;
    std::unique_ptr<Timer>& t = h.hold();
    t = h.make([&record = this->record_, &t, held] {
      t.reset();  // the callback's own captures are still in use below
      record.fired.push_back("t" + std::to_string(*held));
    });
    t->start(5);
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.count("t7") == 1; }, kWaitMs));
  this->waitForProbe(50);
  h.onOwner([&] {
    EXPECT_EQ(this->record_.count("t7"), 1);
    EXPECT_TRUE(this->record_.capture.expired()) << "the callback went with its timer";
  });
}

TYPED_TEST_P(TimerContract, DestroyedWhileDueByAnotherTimerOrJobItNeverFires) {
  auto& h = this->harness_;
  h.onOwner([&] {
    // `first` and `second` come due together; the first destroys the second.
    std::unique_ptr<Timer>& second = h.hold(h.make(this->recorder("second")));
    std::unique_ptr<Timer>& first = h.hold(h.make([&record = this->record_, &second] {
      second.reset();
      record.fired.push_back("first");
    }));
    first->start(5);
    second->start(5);
    // A job on the timers' thread destroys a third after it came due.
    std::unique_ptr<Timer>& third = h.hold(h.make(this->recorder("third")));
    third->start(1);
    holdFor(20);
    third.reset();
  });
  ASSERT_TRUE(h.waitUntil([&] { return this->record_.count("first") == 1; }, kWaitMs));
  this->waitForProbe(50);
  h.onOwner([&] { EXPECT_EQ(this->record_.fired, (std::vector<std::string>{"first", "probe"})); });
}

TYPED_TEST_P(TimerContract, ANegativeIntervalStopsIt) {
  auto& h = this->harness_;
  h.onOwner([&] {
    std::unique_ptr<Timer>& t = h.hold(h.make(this->recorder("t")));
    t->start(10);
    t->start(-1);
    EXPECT_FALSE(t->active());
  });
  this->waitForProbe(100);
  h.onOwner([&] { EXPECT_EQ(this->record_.count("t"), 0); });
}

REGISTER_TYPED_TEST_SUITE_P(TimerContract, FiresOnceEachInDeadlineOrder,
                            RestartMovesTheDeadlineEitherWay,
                            AStoppedTimerDoesNotFireAndStartsAgain,
                            InactiveInItsOwnCallbackWhichMayRestartIt,
                            DestroyedInItsOwnCallbackItFiresOnceAndLetsGo,
                            DestroyedWhileDueByAnotherTimerOrJobItNeverFires,
                            ANegativeIntervalStopsIt);

}  // namespace yst::timer_contract
