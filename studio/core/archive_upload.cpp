#include "studio/core/archive_upload.h"

#include <gio/gio.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "studio/base/log.h"
#include "studio/core/http_put.h"

namespace yst::core {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLog = "archive";

// The package's version: its summary.json's modification time, which the
// exporter writes last (-1: no package).
std::int64_t versionOf(const fs::path& package_dir) {
  struct stat info = {};
  if (::stat((package_dir / "summary.json").c_str(), &info) != 0) return -1;
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

std::string contentTypeOf(const std::string& name) {
  const std::string ext = fs::path(name).extension().string();
  if (ext == ".mp4") return "video/mp4";
  if (ext == ".jpg") return "image/jpeg";
  if (ext == ".vtt") return "text/vtt; charset=utf-8";
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".md") return "text/markdown; charset=utf-8";
  return "application/octet-stream";
}

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

ArchiveUploader::ArchiveUploader(Options options)
    : options_(std::move(options)), cancel_(g_cancellable_new()) {}

ArchiveUploader::~ArchiveUploader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  g_cancellable_cancel(cancel_);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  g_object_unref(cancel_);
}

std::int64_t ArchiveUploader::uploadedVersion(const fs::path& package_dir) {
  const std::int64_t version = versionOf(package_dir);
  if (version < 0) return -1;
  std::ifstream in(package_dir / kMarker);
  std::int64_t marked = -2;
  return in >> marked && marked == version ? version : -1;
}

void ArchiveUploader::start() {
  std::vector<std::int64_t> missing;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.packages_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.size() > 15 || !std::all_of(name.begin(), name.end(), ::isdigit)) {
      continue;  // not a package (a session number), or .part/.old
    }
    if (versionOf(entry.path()) >= 0 && !uploaded(entry.path())) {
      missing.push_back(std::stoll(name));
    }
  }
  std::sort(missing.rbegin(), missing.rend());  // newest first
  {
    std::lock_guard lock(mutex_);
    for (std::int64_t session : missing) {
      queue_.push_back({session, std::chrono::steady_clock::now(), std::chrono::seconds(0)});
    }
  }
  if (!missing.empty()) {
    logInfo(kLog, std::to_string(missing.size()) + " package(s) to upload to " + options_.base_url);
  }
  thread_ = std::thread([this] { run(); });
}

void ArchiveUploader::add(std::int64_t session) {
  {
    std::lock_guard lock(mutex_);
    std::erase_if(queue_, [session](const Pending& p) { return p.session == session; });
    queue_.push_front({session, std::chrono::steady_clock::now(), std::chrono::seconds(0)});
  }
  wake_.notify_all();
}

bool ArchiveUploader::finish(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  // Waiting only makes sense for what may go up before the deadline: a
  // package waiting for its next try after a failure does not count.
  auto done = [this] {
    return !busy_ && std::none_of(queue_.begin(), queue_.end(),
                                  [](const Pending& p) { return p.retry.count() == 0; });
  };
  wake_.wait_until(lock, deadline, done);
  return done() && queue_.empty();
}

void ArchiveUploader::run() {
  pthread_setname_np(pthread_self(), "yst-upload");
  // Background work, below the show's own threads.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto next = std::min_element(
        queue_.begin(), queue_.end(),
        [](const Pending& a, const Pending& b) { return a.not_before < b.not_before; });
    if (next->not_before > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next->not_before);
      continue;
    }
    Pending job = *next;
    queue_.erase(next);
    busy_ = true;
    lock.unlock();
    std::string error;
    const bool ok = uploadOne(job.session, &error);
    lock.lock();
    busy_ = false;
    if (!ok && !stop_) {
      job.retry = job.retry.count() == 0 ? kFirstRetry : std::min(job.retry * 2, kLongestRetry);
      job.not_before = std::chrono::steady_clock::now() + job.retry;
      logWarn(kLog, "uploading session " + std::to_string(job.session) + " failed: " + error +
                        "; trying again in " + std::to_string(job.retry.count()) + " s");
      // A newer add() of the same package wins over this retry.
      if (std::none_of(queue_.begin(), queue_.end(),
                       [&](const Pending& p) { return p.session == job.session; })) {
        queue_.push_back(job);
      }
    }
    wake_.notify_all();
  }
}

bool ArchiveUploader::uploadOne(std::int64_t session, std::string* error) {
  const fs::path dir = fs::path(options_.packages_dir) / std::to_string(session);
  const std::int64_t version = versionOf(dir);
  if (version < 0) return true;  // no package (any more): nothing to send
  if (uploaded(dir)) return true;
  const auto began = std::chrono::steady_clock::now();
  // The small files first, the video last.
  std::vector<std::string> files = options_.files;
  std::stable_partition(files.begin(), files.end(),
                        [](const std::string& f) { return !f.ends_with(".mp4"); });
  const std::string folder = options_.base_url + std::to_string(session) + "/";
  std::uint64_t total = 0;
  std::size_t count = 0;
  for (const std::string& name : files) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / name, ec)) continue;
    HttpPutTarget target{folder + name, options_.user, options_.password, options_.ca_file,
                         contentTypeOf(name)};
    std::uint64_t sent = 0;
    const std::string problem = httpPutFile(target, (dir / name).string(), cancel_, &sent);
    if (!problem.empty()) {
      *error = name + ": " + problem;
      return false;
    }
    total += sent;
    ++count;
  }
  if (versionOf(dir) != version) {
    *error = "the package was made again while it went up";
    return false;
  }
  // The marker, whole or not at all.
  const fs::path marker = dir / kMarker;
  const fs::path part = dir / (std::string(kMarker) + ".part");
  {
    std::ofstream out(part, std::ios::trunc);
    out << version << "\n";
    if (!out.flush()) {
      *error = "cannot write " + part.string();
      return false;
    }
  }
  std::error_code ec;
  fs::rename(part, marker, ec);
  if (ec) {
    *error = "cannot write " + marker.string() + ": " + ec.message();
    return false;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  char took[32];
  std::snprintf(took, sizeof(took), "%.1f s", seconds);
  logInfo(kLog, "session " + std::to_string(session) + " uploaded to " + folder + " (" +
                    std::to_string(count) + " files, " + megabytes(total) + " in " + took + ")");
  return true;
}

}  // namespace yst::core
