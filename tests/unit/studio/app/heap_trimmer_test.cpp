// Freed heap that glibc would keep for the rest of a show goes back to the
// system on the trimmer's next tick.
#include "studio/app/heap_trimmer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "tests/unit/qt_test_app.h"

namespace yst::app {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

// What a stall leaves behind: a thread allocates 64 MiB in 96 KiB blocks
// (queued frames and packets; below the size glibc maps on its own), keeps
// the last one and frees the rest. Glibc returns a heap's memory from its top
// only, so the freed 64 MiB stay resident. Returns the block still held.
void* leaveFreedHeapBehind() {
  void* kept = nullptr;
  std::thread worker([&] {
    std::vector<void*> blocks;
    for (int i = 0; i < 64 * 1024 / 96; ++i) {
      void* p = std::malloc(96 * 1024);
      std::memset(p, 1, 96 * 1024);  // resident
      blocks.push_back(p);
    }
    kept = std::malloc(96 * 1024);
    std::memset(kept, 1, 96 * 1024);
    for (void* p : blocks) std::free(p);
  });
  worker.join();
  return kept;
}

TEST(HeapTrimmerTest, FreedHeapGoesBackOnTheNextTick) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's";
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers replace glibc's malloc with their own allocator, which
  // keeps freed blocks in quarantine: there is nothing for malloc_trim to do.
  GTEST_SKIP() << "the sanitizer's allocator is not glibc's";
#endif
  qt_test::app();
  const std::int64_t before = HeapTrimmer::residentBytes();
  ASSERT_GT(before, 0);
  void* kept = leaveFreedHeapBehind();
  const std::int64_t freed = HeapTrimmer::residentBytes();
  ASSERT_GT(freed - before, 48 * kMiB) << "the freed blocks should still be resident";

  HeapTrimmer trimmer(std::chrono::milliseconds(100));
  EXPECT_TRUE(qt_test::spinUntil([&] { return trimmer.releasedBytes() > 48 * kMiB; }, 3000))
      << trimmer.releasedBytes() / kMiB << " MiB given back";
  EXPECT_LT(HeapTrimmer::residentBytes() - before, 16 * kMiB);
  std::free(kept);
}

}  // namespace
}  // namespace yst::app
