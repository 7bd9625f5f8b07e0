// One worker thread behind a bounded queue: the studio's jobs that must not
// run on the thread that asks for them (database commits, archive queries,
// drawing graphics). Any thread posts; the worker hands the jobs, up to
// `max_batch` at a time and in the order posted, to the queue's `run_batch`.
//
// Not for the reaper (streaming/reaper.cpp): a pipeline's teardown can block
// for seconds on a vanished camera, and each one gets its own thread there so
// that one stuck teardown never holds up the next.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "studio/base/log.h"

namespace yst {

template <class Job>
class WorkQueue {
 public:
  struct Options {
    std::string name;              // the worker thread's name (top -H, gdb), also the log scope
    std::size_t max_queued = 256;  // post() refuses a job beyond this many waiting
    std::size_t max_batch = 1;     // jobs handed to run_batch at once
  };
  // Runs on the worker thread. It should handle its jobs' failures itself:
  // an exception that escapes is logged and the batch's remaining jobs are
  // dropped, but the worker carries on.
  using RunBatch = std::function<void(std::vector<Job>& batch)>;

  // Starts the worker thread.
  WorkQueue(Options options, RunBatch run_batch)
      : options_(std::move(options)),
        run_batch_(std::move(run_batch)),
        worker_([this] { run(); }) {}
  // Runs every job still queued, then joins (as finish()).
  ~WorkQueue() { finish(); }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Any thread. False, and the job dropped, when the queue is full or stops.
  bool post(Job job) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= options_.max_queued) return false;
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

  // Any thread but the worker: returns once the queue is empty and no batch
  // is running, so every job posted before the call has run.
  void drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !running_; });
  }

  // The owner, once: refuses new jobs, runs what is queued, joins.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

  // The owner, once: refuses new jobs, lets the running batch finish, joins,
  // and hands back the jobs that never ran (to answer them, say).
  std::vector<Job> stopAndTakeQueued() {
    std::vector<Job> left;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      left.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    return left;
  }

 private:
  void run() {
    // Linux keeps 15 bytes of a thread's name.
    pthread_setname_np(pthread_self(), options_.name.substr(0, 15).c_str());
    std::vector<Job> batch;
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and nothing is left
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      running_ = true;
      lock.unlock();
      try {
        run_batch_(batch);
      } catch (const std::exception& e) {
        logError(options_.name, std::string("a job failed: ") + e.what());
      } catch (...) {
        logError(options_.name, "a job failed");
      }
      batch.clear();  // what the jobs held goes here, before drain() returns
      lock.lock();
      running_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
    idle_.notify_all();
  }

  const Options options_;
  const RunBatch run_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;  // a job was posted, or stopping_
  std::condition_variable idle_;  // the queue ran empty
  std::deque<Job> queue_;         // Guarded by mutex_.
  bool running_ = false;          // Guarded by mutex_: a batch is out of the queue, running.
  bool stopping_ = false;         // Guarded by mutex_.
  std::thread worker_;            // last: starts once everything above exists
};

// A queue of plain tasks, run one at a time.
class TaskQueue : public WorkQueue<std::function<void()>> {
 public:
  explicit TaskQueue(std::string name, std::size_t max_queued = 256)
      : WorkQueue({std::move(name), max_queued, 1}, [](std::vector<std::function<void()>>& tasks) {
          for (auto& task : tasks) task();
        }) {}
};

}  // namespace yst
