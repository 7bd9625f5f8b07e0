#include "streaming/reaper.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace yst::streaming {

namespace {
std::mutex g_mutex;
std::condition_variable g_done;
int g_pending = 0;  // Guarded by g_mutex.
}  // namespace

void disposeAsync(std::function<void()> job) {
  {
    std::lock_guard lock(g_mutex);
    ++g_pending;
  }
  std::thread([job = std::move(job)]() mutable {
    job();
    job = nullptr;  // what it holds goes too, before anyone is told
    std::lock_guard lock(g_mutex);
    --g_pending;
    g_done.notify_all();
  }).detach();
}

void disposeAsync(ElementPtr pipeline) {
  if (!pipeline) return;
  disposeAsync([p = pipeline.release()] {
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
  });
}

void joinDisposals() {
  std::unique_lock lock(g_mutex);
  g_done.wait(lock, [] { return g_pending == 0; });
}

}  // namespace yst::streaming
