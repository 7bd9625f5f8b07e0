// The owner's thread in a test: a component that hands its callbacks to a
// `post` function (the NATS link, the edge) posts them here from any thread,
// and the test runs them on its own thread until what it waits for has
// happened or a deadline has passed. Never a fixed sleep: runUntil() returns
// as soon as its condition holds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace yst::testing {

class PostQueue {
 public:
  // What the component is given; the queue must outlive it.
  std::function<void(std::function<void()>)> post() {
    return [this](std::function<void()> fn) { push(std::move(fn)); };
  }

  void push(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(fn));
    }
    wake_.notify_all();
  }

  // Runs posted closures on this thread, one at a time, until `done()` holds
  // (checked before waiting and after each closure) or `timeout_ms` has
  // passed. What `done()` says at the end.
  bool runUntil(const std::function<bool()>& done, int timeout_ms = 10000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      std::function<void()> next;
      {
        std::unique_lock lock(mutex_);
        if (!wake_.wait_until(lock, deadline, [this] { return !queue_.empty(); })) break;
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      next();
    }
    return done();
  }

  // Runs what is queued now (and what those closures queue), without waiting.
  std::size_t runPending() {
    std::size_t ran = 0;
    while (true) {
      std::function<void()> next;
      {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return ran;
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      next();
      ++ran;
    }
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // Guarded by mutex_.
};

}  // namespace yst::testing
