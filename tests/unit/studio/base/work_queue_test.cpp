// The one work queue (the store's writer, the archive's queries, drawing
// graphics): bounded, in order, in batches, drained, and stopped either by
// running what waits or by handing it back.
#include "studio/base/work_queue.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace yst {
namespace {

// Holds the worker inside its first job until open() is called.
class Gate {
 public:
  void wait() { opened_.get_future().wait(); }
  void open() { opened_.set_value(); }

 private:
  std::promise<void> opened_;
};

TEST(WorkQueue, RunsJobsInOrderAndRefusesBeyondItsBound) {
  Gate gate;
  std::promise<void> first_running;
  std::mutex mutex;
  std::vector<int> ran;
  WorkQueue<int> queue({"yst-test", 3, 1}, [&](std::vector<int>& batch) {
    ASSERT_EQ(batch.size(), 1u);
    if (batch[0] == 0) {
      first_running.set_value();
      gate.wait();
    }
    std::lock_guard lock(mutex);
    ran.push_back(batch[0]);
  });
  ASSERT_TRUE(queue.post(0));
  first_running.get_future().wait();  // 0 is out of the queue, running
  EXPECT_TRUE(queue.post(1));
  EXPECT_TRUE(queue.post(2));
  EXPECT_TRUE(queue.post(3));
  EXPECT_FALSE(queue.post(4)) << "three wait already: the fourth is refused, not queued";
  gate.open();
  queue.drain();
  std::lock_guard lock(mutex);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}));
}

TEST(WorkQueue, HandsOutWhatHasAccumulatedInBatchesOfAtMostMaxBatch) {
  Gate gate;
  std::promise<void> first_running;
  std::vector<std::vector<int>> batches;  // worker thread; read after drain()
  WorkQueue<int> queue({"yst-test", 100, 4}, [&](std::vector<int>& batch) {
    if (batch == std::vector<int>{0}) {
      first_running.set_value();
      gate.wait();
    }
    batches.push_back(batch);
  });
  ASSERT_TRUE(queue.post(0));
  first_running.get_future().wait();
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(queue.post(i));
  gate.open();
  queue.drain();
  EXPECT_EQ(batches, (std::vector<std::vector<int>>{{0}, {1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10}}));
}

TEST(WorkQueue, DrainReturnsOnlyOnceEveryEarlierJobHasRunAndLetGoOfWhatItHeld) {
  std::atomic<int> done{0};
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;
  TaskQueue queue("yst-test");
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(queue.post([&done, held] { done.fetch_add(1); }));
  }
  held.reset();
  queue.drain();
  EXPECT_EQ(done.load(), 50);
  EXPECT_TRUE(watch.expired()) << "a job's captures are released before drain() returns";
  queue.drain();  // an idle queue drains at once
}

TEST(WorkQueue, StopAndTakeQueuedFinishesTheRunningJobAndHandsBackTheRest) {
  Gate gate;
  std::promise<void> first_running;
  std::atomic<bool> first_finished{false};
  std::vector<int> ran;
  WorkQueue<int> queue({"yst-test", 1000000, 1}, [&](std::vector<int>& batch) {
    if (batch[0] == 0) {
      first_running.set_value();
      gate.wait();
      first_finished = true;
    }
    ran.push_back(batch[0]);
  });
  ASSERT_TRUE(queue.post(0));
  first_running.get_future().wait();
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(queue.post(i));
  auto stopped = std::async(std::launch::async, [&] { return queue.stopAndTakeQueued(); });
  // Stopping refuses new work at once, while job 0 still runs: post until
  // it is refused (what got in before is handed back with the rest).
  std::size_t accepted = 0;
  while (queue.post(99)) ++accepted;
  gate.open();
  std::vector<int> left = stopped.get();
  EXPECT_TRUE(first_finished) << "the running job is let finish";
  std::vector<int> expected{1, 2, 3};
  expected.insert(expected.end(), accepted, 99);
  EXPECT_EQ(left, expected);
  EXPECT_EQ(ran, (std::vector<int>{0})) << "the jobs handed back never ran";
  EXPECT_FALSE(queue.post(4));
}

TEST(WorkQueue, ItsDestructorRunsEverythingStillQueued) {
  std::atomic<int> done{0};
  {
    Gate gate;
    TaskQueue queue("yst-test", 1000);
    ASSERT_TRUE(queue.post([&] { gate.wait(); }));
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.post([&] { done.fetch_add(1); }));
    gate.open();
  }
  EXPECT_EQ(done.load(), 100);
}

TEST(WorkQueue, AJobThatThrowsIsLoggedAndTheWorkerCarriesOn) {
  std::atomic<int> done{0};
  TaskQueue queue("yst-test");
  ASSERT_TRUE(queue.post([] { throw std::runtime_error("disk full"); }));
  ASSERT_TRUE(queue.post([&] { done.fetch_add(1); }));
  queue.drain();
  EXPECT_EQ(done.load(), 1);
}

TEST(WorkQueue, ItsThreadCarriesItsName) {
  std::promise<std::string> name;
  TaskQueue queue("yst-render-and-more");  // longer than Linux keeps
  ASSERT_TRUE(queue.post([&] {
    char buffer[32] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    name.set_value(buffer);
  }));
  EXPECT_EQ(name.get_future().get(), "yst-render-and-");
}

}  // namespace
}  // namespace yst
