#include "studio/app/heap_trimmer.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "studio/base/log.h"

namespace yst::app {

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds interval, QObject* parent) : QObject(parent) {
  timer_.setInterval(interval);
  connect(&timer_, &QTimer::timeout, this, [this] { trimNow(); });
  timer_.start();
}

std::int64_t HeapTrimmer::residentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long long size_pages = 0, resident_pages = 0;
  const int n = std::fscanf(f, "%lld %lld", &size_pages, &resident_pages);
  std::fclose(f);
  if (n != 2) return -1;
  return resident_pages * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

std::int64_t HeapTrimmer::trimNow() {
#if defined(__GLIBC__)
  const std::int64_t before = residentBytes();
  const auto start = std::chrono::steady_clock::now();
  malloc_trim(0);
  const auto took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  const std::int64_t after = residentBytes();
  const std::int64_t released = before > 0 && after > 0 && before > after ? before - after : 0;
  released_bytes_ += released;
  logDebug("memory", [&] {
    return "malloc_trim gave " + std::to_string(released >> 10) + " KiB of freed heap back in " +
           std::to_string(took_us) + " us";
  });
  return released;
#else
  return 0;
#endif
}

}  // namespace yst::app
