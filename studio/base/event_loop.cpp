// The edge's event loop (see event_loop.h): posted jobs under one lock, and
// timers in an indexed min-heap that only the loop's thread touches. Each
// timer knows its place in the heap, so restarting, stopping and destroying
// one is an exact O(log n) removal: no stale entries pile up when a timer is
// restarted on every message, and a destroyed timer is simply gone.
#include "studio/base/event_loop.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "studio/base/clock.h"
#include "studio/base/log.h"

namespace yst {

namespace {

constexpr std::size_t kNotInHeap = std::numeric_limits<std::size_t>::max();
constexpr std::int64_t kNsPerMs = 1000 * 1000;

// The loop (its Shared) whose thread this is; null on every other thread.
thread_local const void* tl_running_loop = nullptr;

void runLogged(const std::string& scope, const char* what, const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    logError(scope, std::string(what) + " failed: " + e.what());
  } catch (...) {
    logError(scope, std::string(what) + " failed");
  }
}

}  // namespace

struct EventLoop::TimerSlot {
  std::function<void()> fire;
  std::int64_t deadline_ns = 0;  // steadyNowNs() clock
  std::uint64_t order = 0;       // when started: equal deadlines fire in this order
  std::size_t heap_index = kNotInHeap;
};

struct EventLoop::Shared {
  explicit Shared(Options o) : options(std::move(o)) {}

  void run();
  void runJobs(std::deque<std::function<void()>>& batch);
  void fireDueTimers();

  bool onThisThread() const { return tl_running_loop == this; }
  // Whether the caller may touch the timers: on the loop's thread, or once
  // the loop has finished (join() or an acquire of `finished` orders it).
  bool timersReachable() const {
    return onThisThread() || finished.load(std::memory_order_acquire);
  }

  // The heap, ordered by (deadline, order).
  static bool earlier(const TimerSlot& a, const TimerSlot& b) {
    return a.deadline_ns < b.deadline_ns || (a.deadline_ns == b.deadline_ns && a.order < b.order);
  }
  void swapAt(std::size_t i, std::size_t j) {
    std::swap(heap[i], heap[j]);
    heap[i]->heap_index = i;
    heap[j]->heap_index = j;
  }
  void siftUp(std::size_t i) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!earlier(*heap[i], *heap[parent])) break;
      swapAt(i, parent);
      i = parent;
    }
  }
  void siftDown(std::size_t i) {
    for (;;) {
      const std::size_t left = 2 * i + 1;
      const std::size_t right = left + 1;
      std::size_t first = i;
      if (left < heap.size() && earlier(*heap[left], *heap[first])) first = left;
      if (right < heap.size() && earlier(*heap[right], *heap[first])) first = right;
      if (first == i) return;
      swapAt(i, first);
      i = first;
    }
  }
  void push(std::shared_ptr<TimerSlot> slot) {
    slot->heap_index = heap.size();
    heap.push_back(std::move(slot));
    siftUp(heap.size() - 1);
  }
  std::shared_ptr<TimerSlot> removeAt(std::size_t i) {
    std::shared_ptr<TimerSlot> out = std::move(heap[i]);
    const std::size_t last = heap.size() - 1;
    if (i != last) {
      heap[i] = std::move(heap[last]);
      heap[i]->heap_index = i;
    }
    heap.pop_back();
    if (i < heap.size()) {
      siftDown(i);
      siftUp(i);
    }
    out->heap_index = kNotInHeap;
    return out;
  }

  const Options options;

  mutable std::mutex mutex;
  std::condition_variable wake;            // a job was posted to an empty queue, or stopping
  std::deque<std::function<void()>> jobs;  // Guarded by mutex.
  bool stopping = false;                   // Guarded by mutex.
  // stopping, readable without the lock: no timer fires once it is set, not
  // even one due in the round that was running when stop() was called.
  std::atomic<bool> stop_requested{false};
  Stats stats;  // Guarded by mutex (its `queued` is jobs.size()).

  // The loop's thread only, until `finished`; then whoever saw it set.
  std::vector<std::shared_ptr<TimerSlot>> heap;
  std::uint64_t next_order = 0;
  // Set by the loop's thread as it returns, after emptying the heap: from
  // then on timers never fire and any thread may destroy them.
  std::atomic<bool> finished{false};
};

class EventLoop::LoopTimer final : public Timer {
 public:
  LoopTimer(std::shared_ptr<Shared> shared, std::function<void()> fire)
      : shared_(std::move(shared)), slot_(std::make_shared<TimerSlot>()) {
    slot_->fire = std::move(fire);
  }
  ~LoopTimer() override {
    if (!shared_->timersReachable()) {
      // A destructor cannot throw, and going on would race with the loop.
      logError(shared_->options.name,
               "a timer was destroyed on another thread while its loop runs; stopping");
      std::terminate();
    }
    // The loop may be firing this very timer (its callback destroys it): the
    // loop holds the slot, and the callback, until the callback returns.
    if (slot_->heap_index != kNotInHeap) shared_->removeAt(slot_->heap_index);
  }

  void start(int ms) override {
    check("start");
    if (ms < 0) {
      logWarn(shared_->options.name, "a timer was started with a negative interval; it is stopped");
      stop();
      return;
    }
    if (shared_->finished.load(std::memory_order_acquire)) return;  // would never fire
    if (slot_->heap_index != kNotInHeap) shared_->removeAt(slot_->heap_index);
    slot_->deadline_ns = steadyNowNs() + static_cast<std::int64_t>(ms) * kNsPerMs;
    slot_->order = shared_->next_order++;
    shared_->push(slot_);
  }

  void stop() override {
    check("stop");
    if (slot_->heap_index != kNotInHeap) shared_->removeAt(slot_->heap_index);
  }

  bool active() const override {
    check("active");
    return slot_->heap_index != kNotInHeap;
  }

 private:
  void check(const char* what) const {
    if (!shared_->timersReachable()) {
      throw std::logic_error(std::string("Timer::") + what +
                             " on another thread than its loop's (" + shared_->options.name + ")");
    }
  }

  const std::shared_ptr<Shared> shared_;
  const std::shared_ptr<TimerSlot> slot_;  // shared with the heap while active
};

void EventLoop::Shared::run() {
  tl_running_loop = this;
  // Linux keeps 15 bytes of a thread's name.
  pthread_setname_np(pthread_self(), options.name.substr(0, 15).c_str());
  std::deque<std::function<void()>> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex);
      const auto ready = [this] { return stopping || !jobs.empty(); };
      if (heap.empty()) {
        wake.wait(lock, ready);
      } else {
        // steadyNowNs() reads std::chrono::steady_clock: the same epoch.
        const std::chrono::steady_clock::time_point deadline{
            std::chrono::nanoseconds(heap.front()->deadline_ns)};
        wake.wait_until(lock, deadline, ready);
      }
      batch.swap(jobs);
      if (stopping && batch.empty()) break;  // what was posted before stop() has run
    }
    runJobs(batch);
    fireDueTimers();
  }
  for (const std::shared_ptr<TimerSlot>& slot : heap) slot->heap_index = kNotInHeap;
  heap.clear();
  finished.store(true, std::memory_order_release);
  tl_running_loop = nullptr;
}

void EventLoop::Shared::runJobs(std::deque<std::function<void()>>& batch) {
  while (!batch.empty()) {
    // Out of the batch first: a job's captures go as soon as it has run.
    std::function<void()> job = std::move(batch.front());
    batch.pop_front();
    runLogged(options.name, "a job", job);
  }
}

void EventLoop::Shared::fireDueTimers() {
  const std::int64_t now_ns = steadyNowNs();
  // A timer (re)started by a callback in this round waits for the next one,
  // after the jobs posted meanwhile: a timer restarted with 0 ms in its own
  // callback cannot keep the loop to itself.
  const std::uint64_t started_before = next_order;
  while (!heap.empty() && heap.front()->deadline_ns <= now_ns &&
         heap.front()->order < started_before && !stop_requested.load(std::memory_order_relaxed)) {
    // Held here, not only by its Timer: the callback may destroy the Timer.
    const std::shared_ptr<TimerSlot> slot = removeAt(0);
    runLogged(options.name, "a timer", slot->fire);
  }
}

EventLoop::EventLoop(Options options)
    : shared_(std::make_shared<Shared>(std::move(options))),
      thread_([shared = shared_.get()] { shared->run(); }) {}

EventLoop::~EventLoop() {
  stop();
}

bool EventLoop::post(std::function<void()> job, IfFull if_full) {
  if (if_full == IfFull::kInvalid) throw std::logic_error("EventLoop::post: IfFull::kInvalid");
  if (!job) throw std::logic_error("EventLoop::post: an empty job");
  bool was_empty = false;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) return false;
    Stats& stats = shared_->stats;
    if (shared_->jobs.size() >= shared_->options.max_queued) {
      if (if_full == IfFull::kRefuse) {
        ++stats.refused;
        return false;
      }
      ++stats.beyond_bound;
    }
    was_empty = shared_->jobs.empty();
    shared_->jobs.push_back(std::move(job));
    stats.peak_queued = std::max(stats.peak_queued, shared_->jobs.size());
  }
  // The loop sleeps only on an empty queue: a second job finds it awake.
  if (was_empty) shared_->wake.notify_one();
  return true;
}

MakeTimer EventLoop::makeTimer() {
  return [shared = shared_](std::function<void()> fire) -> std::unique_ptr<Timer> {
    return std::make_unique<LoopTimer>(shared, std::move(fire));
  };
}

bool EventLoop::runsOnLoop() const {
  return shared_->onThisThread();
}

void EventLoop::stop() {
  if (runsOnLoop()) {
    throw std::logic_error("EventLoop::stop() on its own thread (" + shared_->options.name +
                           ") would wait for itself");
  }
  shared_->stop_requested.store(true, std::memory_order_relaxed);
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_all();
  if (thread_.joinable()) thread_.join();
}

EventLoop::Stats EventLoop::stats() const {
  std::lock_guard lock(shared_->mutex);
  Stats out = shared_->stats;
  out.queued = shared_->jobs.size();
  return out;
}

}  // namespace yst
