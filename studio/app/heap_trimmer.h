// Gives the heap's free memory back to the system every so often, so that a
// long show's RSS follows what it uses rather than its worst moment.
//
// A show's steady use is flat (scripts/soak), but a stall — the machine busy
// for a few seconds, a disk slow to take the archive — fills the queues
// between the studio's ~45 threads, and the frames and packets they held are
// freed once it has passed. glibc keeps freed memory in its arenas (one per
// thread, up to 8 per core) for reuse and gives back only a heap's top: at
// 720p a 5-second stall of the whole studio left RSS 33–41 MB higher for the
// rest of the show, a second one 9.5 MB more (MALLOC_ARENA_MAX=2 did no
// better: +33 MB). malloc_trim(0) also gives back the free pages inside the
// arenas: with it every 30 s the first stall left 16 MB (still in use after
// it, by malloc_stats: kept for the next stall) and the second nothing.
// A trim takes 0.5–2.5 ms on this thread and gives back 1.5–3 MB of steady
// churn each time.
//
// Application thread (a QTimer). Without glibc it does nothing.
#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstdint>

namespace yst::app {

class HeapTrimmer : public QObject {
 public:
  explicit HeapTrimmer(std::chrono::milliseconds interval, QObject* parent = nullptr);

  // Trims now; returns how many bytes of RSS that gave back (0 if none).
  std::int64_t trimNow();
  // RSS given back by all trims so far, in bytes.
  std::int64_t releasedBytes() const { return released_bytes_; }

  // The process's resident set, in bytes (/proc/self/statm; -1 if unreadable).
  static std::int64_t residentBytes();

 private:
  QTimer timer_;
  std::int64_t released_bytes_ = 0;
};

}  // namespace yst::app
