// One thread for a process's logic and its timers, for `yishiting edge`, which
// runs without Qt: what the controller's Qt event loop is to the studio, this
// is to the edge. Whatever owns state there (the viewers' desks, the intake's
// bookkeeping) lives on this thread and needs no lock; other threads (the
// server's lws thread, the NATS client's threads) hand work over with post(),
// and the desks' timers (base/timer.h) run here through makeTimer().
//
// Not a WorkQueue (work_queue.h): its worker waits without a deadline and
// knows no timers. A loop wakes for whichever comes first, a posted job or
// the earliest timer (a min-heap of deadlines on the steady clock, one wait
// on a condition variable until the earlier of the two; never a poll).
//
// The queue is bounded, because a stalled loop must not grow the edge's
// memory without end, yet a job that answers something the loop asked for
// must not be dropped (a studio's acknowledgement of a viewer's question
// would be lost with it: the viewer would have to ask again). So post() says
// which it is:
// - IfFull::kRefuse (the default), for what arrives unbidden: a viewer's
//   message, a broadcast. Beyond max_queued waiting jobs post() returns
//   false and drops the job; the caller answers "busy" or lets the sender
//   retry (a submission is acknowledged only after the studio's commit, so a
//   refused one was never acknowledged and is retried with the same id).
// - IfFull::kQueueAnyway, for replies to the loop's own requests (the
//   studio's acknowledgements, answers to archive queries): queued beyond the
//   bound. Their number is bounded by what the loop has in flight, which it
//   limits itself; Stats::beyond_bound counts them.
//
// Timers behave as the studio's QTimers (core/qt_timer.h;
// tests/unit/studio/base/timer_contract.h runs the same checks on both):
// single-shot; start() on an active timer moves its deadline; active() is
// false from the moment its callback begins (so the callback may restart
// it); a negative interval stops it (so does the Qt port: a bare QTimer
// warns, starts nothing and still reports itself active);
// timers due at once fire in deadline order, then in the order started; a
// timer never fires after it is destroyed, also when it is destroyed by its
// own callback or by another job or timer on the loop. Unlike a QTimer
// (coarse by default, up to 5 % either way), never early. A timer is made
// on any thread but started, stopped, asked and destroyed only on the loop's
// thread, or on any thread once the loop has stopped.
//
// Error style: a programming error (a timer touched from another thread while
// the loop runs, stop() from the loop's own thread) is a std::logic_error; a
// timer destroyed on another thread while the loop runs cannot throw and
// ends the process with a logged reason. A job or a timer's callback that
// throws is logged with the loop's name, and the loop carries on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "studio/base/timer.h"

namespace yst {

class EventLoop {
 public:
  struct Options {
    std::string name = "yst-loop";  // the thread's name (top -H, gdb), also the log scope
    // Jobs waiting at once before post(kRefuse) refuses. A job is a
    // std::function and its captures (~100-300 bytes for a viewer's message):
    // 65,536 of them are ~10-20 MB, some seconds of a busy edge's traffic,
    // reached only when the loop is stalled.
    std::size_t max_queued = 65536;
  };
  enum class IfFull { kInvalid = 0, kRefuse, kQueueAnyway };
  struct Stats {
    std::size_t queued = 0;          // waiting now
    std::size_t peak_queued = 0;     // the most that ever waited at once
    std::uint64_t refused = 0;       // kRefuse posts dropped because the queue was full
    std::uint64_t beyond_bound = 0;  // kQueueAnyway posts queued while it was full
  };

  // Starts the thread.
  explicit EventLoop(Options options);
  // stop(): so never on the loop's own thread.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Any thread, the loop's own included. Jobs run in the order posted (from
  // one thread; between threads, in the order the queue's lock was taken).
  // False, and the job dropped on the caller's thread, when the loop is
  // stopping, or when it is full and `if_full` is kRefuse.
  [[nodiscard]] bool post(std::function<void()> job, IfFull if_full = IfFull::kRefuse);

  // Makes timers on this loop (see above). The timers may outlive the loop:
  // once it has stopped they never fire and are inactive.
  MakeTimer makeTimer();

  // Whether the caller runs on this loop's thread (for asserts, and to
  // choose between running at once and posting).
  bool runsOnLoop() const;

  // The owner, once (later calls do nothing), from any thread but the
  // loop's: refuses every post from now on (the loop's own included), runs
  // every job already queued, so that an acknowledgement handed over still
  // goes out, fires no timer any more, and joins the thread. What the jobs
  // refer to must outlive this call.
  void stop();

  Stats stats() const;

 private:
  struct Shared;
  struct TimerSlot;
  class LoopTimer;

  std::shared_ptr<Shared> shared_;  // also held by the timers, which may outlive the loop
  std::thread thread_;              // last: starts once shared_ exists
};

}  // namespace yst
