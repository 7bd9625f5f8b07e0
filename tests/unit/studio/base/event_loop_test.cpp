// The edge's event loop: posts in order from any number of threads, the
// bound and the jobs let past it, stopping, and its timers: the timer
// contract the studio's QTimers keep too (timer_contract.h), plus what only
// this loop promises (never early, refused from other threads, a heap that
// keeps its order through restarts, stops and destruction, no busy waiting).
// Waits are on conditions with deadlines; the few sleeps hold the loop so
// that timers come due together, and assert nothing about time themselves.
#include "studio/base/event_loop.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "tests/unit/studio/base/timer_contract.h"

namespace yst {
namespace {

using namespace std::chrono_literals;

// Runs `f` on the loop and returns once it has run (rethrowing what it threw).
void runOnLoop(EventLoop& loop, const std::function<void()>& f) {
  std::promise<void> done;
  const bool posted = loop.post(
      [&] {
        try {
          f();
        } catch (...) {
          done.set_exception(std::current_exception());
          return;
        }
        done.set_value();
      },
      EventLoop::IfFull::kQueueAnyway);
  ASSERT_TRUE(posted);
  done.get_future().get();
}

// The timer contract's harness: the loop's thread owns the timers.
class LoopHarness {
 public:
  ~LoopHarness() {
    loop_.stop();
    held_.clear();  // after stop(): any thread may destroy the timers now
  }
  void onOwner(const std::function<void()>& f) { runOnLoop(loop_, f); }
  bool waitUntil(const std::function<bool()>& done, int timeout_ms) {
    const std::int64_t until_ns = steadyNowNs() + std::int64_t{timeout_ms} * 1000 * 1000;
    for (;;) {
      bool ok = false;
      onOwner([&] { ok = done(); });
      if (ok) return true;
      if (steadyNowNs() >= until_ns) return false;
      std::this_thread::sleep_for(1ms);
    }
  }
  std::unique_ptr<Timer> make(std::function<void()> fire) {
    return loop_.makeTimer()(std::move(fire));
  }
  std::unique_ptr<Timer>& hold(std::unique_ptr<Timer> timer = {}) {
    held_.push_back(std::move(timer));
    return held_.back();
  }

 private:
  EventLoop loop_{{"yst-contract"}};
  std::deque<std::unique_ptr<Timer>> held_;  // the loop's thread, then the destructor's
};

}  // namespace

namespace timer_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(EventLoop, TimerContract, LoopHarness);
}  // namespace timer_contract

namespace {

TEST(EventLoop, RunsPostsInOrderOnItsOwnNamedThread) {
  std::vector<int> ran;  // the loop's thread until `all` is set
  std::string name;
  std::promise<void> all;
  EventLoop loop({"yst-edge-and-more"});  // longer than Linux keeps
  EXPECT_FALSE(loop.runsOnLoop());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(loop.post([&, i] {
      EXPECT_TRUE(loop.runsOnLoop());
      ran.push_back(i);
      if (i == 0) {
        char buffer[32] = {};
        pthread_getname_np(pthread_self(), buffer, sizeof buffer);
        name = buffer;
      }
      if (i == 999) all.set_value();
    }));
  }
  all.get_future().wait();
  EXPECT_EQ(name, "yst-edge-and-mo");
  ASSERT_EQ(ran.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(ran[static_cast<std::size_t>(i)], i);
}

TEST(EventLoop, RefusesUnbiddenJobsBeyondItsBoundButQueuesRepliesPastIt) {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::promise<void> first_running;
  std::promise<void> all;
  std::vector<std::string> ran;  // the loop's thread until `all` is set
  EventLoop loop({"yst-test-loop", 3});
  ASSERT_TRUE(loop.post([&] {
    first_running.set_value();
    opened.wait();
  }));
  first_running.get_future().wait();  // out of the queue: three more fit
  for (const char* job : {"a", "b", "c"}) {
    ASSERT_TRUE(loop.post([&ran, job] { ran.push_back(job); }));
  }
  EXPECT_FALSE(loop.post([&ran] { ran.push_back("viewer"); }))
      << "a viewer's message beyond the bound is refused";
  EXPECT_TRUE(loop.post([&ran] { ran.push_back("ack"); }, EventLoop::IfFull::kQueueAnyway))
      << "an acknowledgement is never refused for want of room";
  EventLoop::Stats stats = loop.stats();
  EXPECT_EQ(stats.queued, 4u);
  EXPECT_EQ(stats.peak_queued, 4u);
  EXPECT_EQ(stats.refused, 1u);
  EXPECT_EQ(stats.beyond_bound, 1u);
  EXPECT_THROW((void)loop.post([] {}, EventLoop::IfFull::kInvalid), std::logic_error);
  EXPECT_THROW((void)loop.post(nullptr), std::logic_error);
  open.set_value();
  ASSERT_TRUE(loop.post([&] { all.set_value(); }, EventLoop::IfFull::kQueueAnyway));
  all.get_future().wait();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b", "c", "ack"}));
  EXPECT_EQ(loop.stats().queued, 0u);
}

TEST(EventLoop, ManyThreadsPostAtOnceAndNothingIsLostOrReordered) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::vector<int>> seen(kThreads);  // the loop's thread until `all` is set
  int follow_ups = 0;                            // likewise
  std::promise<void> all;
  EventLoop loop({"yst-test-loop", 1 << 20});
  std::latch start(kThreads);
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const bool posted = loop.post([&, t, i] {
          seen[static_cast<std::size_t>(t)].push_back(i);
          // The loop posts to itself too.
          if (i % 1000 == 0) {
            EXPECT_TRUE(loop.post([&] { ++follow_ups; }));
          }
        });
        if (!posted) ADD_FAILURE() << "refused below the bound";
      }
    });
  }
  for (std::thread& poster : posters) poster.join();
  ASSERT_TRUE(loop.post([&] { all.set_value(); }));
  all.get_future().wait();  // every poster's job has run, and posted its follow-up
  int follow_ups_seen = 0;
  runOnLoop(loop, [&] { follow_ups_seen = follow_ups; });
  for (int t = 0; t < kThreads; ++t) {
    const std::vector<int>& s = seen[static_cast<std::size_t>(t)];
    ASSERT_EQ(s.size(), static_cast<std::size_t>(kPerThread)) << "thread " << t;
    for (int i = 0; i < kPerThread; ++i) {
      ASSERT_EQ(s[static_cast<std::size_t>(i)], i) << "thread " << t << ": its own order kept";
    }
  }
  EXPECT_EQ(follow_ups_seen, kThreads * kPerThread / 1000);
  EXPECT_EQ(loop.stats().refused, 0u);
}

TEST(EventLoop, ATimerMadeAndStartedThroughAPostFromAnotherThreadFiresOnTheLoop) {
  std::unique_ptr<Timer> timer;  // made, fired and destroyed on the loop's thread
  std::promise<bool> fired_on_loop;
  EventLoop loop({"yst-test-loop"});
  std::thread other([&] {
    MakeTimer make = loop.makeTimer();
    ASSERT_TRUE(loop.post([&, make] {
      timer = make([&] {
        fired_on_loop.set_value(loop.runsOnLoop());
        timer.reset();  // done with it, from its own callback
      });
      timer->start(10);
    }));
  });
  other.join();
  std::future<bool> fired = fired_on_loop.get_future();
  ASSERT_EQ(fired.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(fired.get());
}

TEST(EventLoop, ATimerIsRefusedOnOtherThreadsWhileTheLoopRunsAndInertAfterIt) {
  int fired = 0;
  EventLoop loop({"yst-test-loop"});
  // Made on this thread (allowed: nothing of the loop's is touched yet).
  std::unique_ptr<Timer> timer = loop.makeTimer()([&] { ++fired; });
  EXPECT_THROW(timer->start(10), std::logic_error);
  EXPECT_THROW(timer->stop(), std::logic_error);
  EXPECT_THROW((void)timer->active(), std::logic_error);
  runOnLoop(loop, [&] {
    timer->start(600000);
    EXPECT_TRUE(timer->active());
  });
  loop.stop();
  // Stopped: any thread may use it, and it never fires.
  EXPECT_FALSE(timer->active());
  timer->start(0);
  EXPECT_FALSE(timer->active());
  timer.reset();
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(loop.post([] {})) << "a stopped loop refuses";
}

TEST(EventLoop, StopOnItsOwnThreadIsAnError) {
  std::promise<bool> threw;
  EventLoop loop({"yst-test-loop"});
  ASSERT_TRUE(loop.post([&] {
    try {
      loop.stop();
      threw.set_value(false);
    } catch (const std::logic_error&) {
      threw.set_value(true);
    }
  }));
  EXPECT_TRUE(threw.get_future().get());
}

TEST(EventLoop, StopRunsWhatIsQueuedRefusesTheRestAndFiresNoTimer) {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::promise<void> first_running;
  std::atomic<int> ran{0};
  std::atomic<bool> timer_fired{false};
  std::atomic<bool> late_post_refused{false};
  std::unique_ptr<Timer> timer;  // the loop's thread, then this one after stop()
  EventLoop loop({"yst-test-loop"});
  ASSERT_TRUE(loop.post([&] {
    timer = loop.makeTimer()([&] { timer_fired = true; });
    timer->start(0);  // due at once, yet stop() comes first
    first_running.set_value();
    opened.wait();
  }));
  first_running.get_future().wait();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(loop.post([&] { ++ran; }));
  ASSERT_TRUE(loop.post([&] { late_post_refused = !loop.post([] {}); }));
  auto stopped = std::async(std::launch::async, [&] { loop.stop(); });
  // stop() refuses new work at once, while the first job still runs.
  std::size_t accepted = 0;
  while (loop.post([&] { ++ran; })) ++accepted;
  open.set_value();
  stopped.get();
  EXPECT_EQ(ran.load(), 100 + static_cast<int>(accepted)) << "everything queued before ran";
  EXPECT_TRUE(late_post_refused) << "a job run while stopping cannot post more";
  EXPECT_FALSE(timer_fired) << "no timer fires once stop() has begun";
  timer.reset();
}

TEST(EventLoop, AJobOrATimerThatThrowsIsLoggedAndTheLoopCarriesOn) {
  std::unique_ptr<Timer> timer;
  std::promise<void> after;
  EventLoop loop({"yst-test-loop"});
  ASSERT_TRUE(loop.post([] { throw std::runtime_error("viewer gone"); }));
  runOnLoop(loop, [&] {
    timer = loop.makeTimer()([&] {
      ASSERT_TRUE(loop.post([&] { after.set_value(); }));
      throw std::runtime_error("studio gone");
    });
    timer->start(1);
  });
  ASSERT_EQ(after.get_future().wait_for(5s), std::future_status::ready);
  runOnLoop(loop, [&] { timer.reset(); });
}

TEST(EventLoop, ATimerNeverFiresEarly) {
  struct Fired {
    int ms;
    std::int64_t started_ns;
    std::int64_t fired_ns;
  };
  std::vector<Fired> fired;  // the loop's thread
  std::vector<std::unique_ptr<Timer>> timers;
  EventLoop loop({"yst-test-loop"});
  runOnLoop(loop, [&] {
    for (int ms : {0, 1, 2, 5, 13, 30}) {
      const std::size_t index = fired.size();
      fired.push_back({ms, 0, 0});
      timers.push_back(
          loop.makeTimer()([&fired, index] { fired[index].fired_ns = steadyNowNs(); }));
      fired[index].started_ns = steadyNowNs();
      timers.back()->start(ms);
    }
  });
  bool all = false;
  for (int tries = 0; !all && tries < 5000; ++tries) {
    runOnLoop(loop, [&] {
      all = std::all_of(fired.begin(), fired.end(), [](const Fired& f) { return f.fired_ns; });
    });
    if (!all) std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(all);
  for (const Fired& f : fired) {
    EXPECT_GE(f.fired_ns - f.started_ns, std::int64_t{f.ms} * 1000 * 1000) << f.ms << " ms";
  }
  runOnLoop(loop, [&] { timers.clear(); });
}

// Many timers, restarted, stopped and destroyed, all due in one round: they
// fire exactly once each, those stopped or destroyed never, in deadline
// order (each deadline known to lie between the clock read before start()
// and the one after, plus the interval).
TEST(EventLoop, ItsTimerHeapKeepsDeadlineOrderThroughRestartsStopsAndDestruction) {
  constexpr int kTimers = 300;
  struct Expect {
    std::int64_t earliest_ns = 0;
    std::int64_t latest_ns = 0;
    bool fires = true;
  };
  std::vector<Expect> expect(kTimers);
  std::vector<int> order;  // the loop's thread
  std::vector<std::unique_ptr<Timer>> timers;
  EventLoop loop({"yst-test-loop"});
  runOnLoop(loop, [&] {
    auto start = [&](int i, int ms) {
      Expect& e = expect[static_cast<std::size_t>(i)];
      e.earliest_ns = steadyNowNs() + std::int64_t{ms} * 1000 * 1000;
      timers[static_cast<std::size_t>(i)]->start(ms);
      e.latest_ns = steadyNowNs() + std::int64_t{ms} * 1000 * 1000;
    };
    for (int i = 0; i < kTimers; ++i) {
      timers.push_back(loop.makeTimer()([&order, i] { order.push_back(i); }));
      start(i, (i * 37) % 50);
    }
    for (int i = 0; i < kTimers; i += 3) start(i, (i * 11) % 50);
    for (int i = 0; i < kTimers; i += 5) {
      timers[static_cast<std::size_t>(i)]->stop();
      expect[static_cast<std::size_t>(i)].fires = false;
    }
    for (int i = 1; i < kTimers; i += 7) {
      timers[static_cast<std::size_t>(i)].reset();
      expect[static_cast<std::size_t>(i)].fires = false;
    }
    timer_contract::holdFor(60);  // every interval is below 50 ms
  });
  int expected_count = 0;
  for (const Expect& e : expect) expected_count += e.fires ? 1 : 0;
  bool done = false;
  for (int tries = 0; !done && tries < 5000; ++tries) {
    runOnLoop(loop, [&] { done = static_cast<int>(order.size()) >= expected_count; });
    if (!done) std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(done);
  runOnLoop(loop, [&] {
    ASSERT_EQ(static_cast<int>(order.size()), expected_count);
    std::vector<int> times(kTimers, 0);
    for (int i : order) ++times[static_cast<std::size_t>(i)];
    for (int i = 0; i < kTimers; ++i) {
      EXPECT_EQ(times[static_cast<std::size_t>(i)],
                expect[static_cast<std::size_t>(i)].fires ? 1 : 0)
          << "timer " << i;
    }
    for (std::size_t k = 1; k < order.size(); ++k) {
      const Expect& before = expect[static_cast<std::size_t>(order[k - 1])];
      const Expect& after = expect[static_cast<std::size_t>(order[k])];
      EXPECT_LE(before.earliest_ns, after.latest_ns)
          << "timer " << order[k - 1] << " fired before timer " << order[k];
    }
    timers.clear();
  });
}

TEST(EventLoop, AnIdleLoopWithATimerPendingSleeps) {
  clockid_t loop_cpu{};
  std::unique_ptr<Timer> timer;
  EventLoop loop({"yst-test-loop"});
  runOnLoop(loop, [&] {
    ASSERT_EQ(pthread_getcpuclockid(pthread_self(), &loop_cpu), 0);
    timer = loop.makeTimer()([] {});
    timer->start(600000);
  });
  auto cpu_ns = [&] {
    timespec t{};
    clock_gettime(loop_cpu, &t);
    return std::int64_t{t.tv_sec} * 1000 * 1000 * 1000 + t.tv_nsec;
  };
  const std::int64_t before_ns = cpu_ns();
  std::this_thread::sleep_for(300ms);  // the window measured, not an assertion
  const std::int64_t used_ns = cpu_ns() - before_ns;
  EXPECT_LT(used_ns, 30 * 1000 * 1000) << "the loop used CPU while it had nothing to do";
  runOnLoop(loop, [&] { timer.reset(); });
}

}  // namespace
}  // namespace yst
