// Error style: nothing throws; a failed upload is logged and tried again.
//
// Each show's package copied to the cloud for the public edges' archive
// ([edge] archive_upload): its public files PUT to
// <archive_upload><session>/<file>, the video last (http_put.h), then a
// marker, <package>/.uploaded, holding the version of the package that went
// up (its summary.json's modification time). The edges' archive lists a
// package's files only once its marker matches (ArchiveService), so a
// viewer at an edge is never sent to a video that is not there yet. A
// package made again (a resumed show that ended again) has another version
// and goes up again.
//
// A failure (the origin out of reach, a refusal, a full disk there) is
// tried again after 10 s, 20 s, 40 s … at most every 10 minutes; what is
// still missing at the end goes up at the next start.
//
// One thread of its own, at a low priority; the end of the show waits for
// it up to a deadline (the live show's package, just made), then stops it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef struct _GCancellable GCancellable;

namespace yst::core {

class ArchiveUploader {
 public:
  struct Options {
    std::string packages_dir;  // <data>/exports
    std::string base_url;      // ends in '/'
    std::string user;          // secret
    std::string password;      // secret
    std::string ca_file;
    std::vector<std::string> files;  // which files of a package, the video among them
  };

  static constexpr const char* kMarker = ".uploaded";
  static constexpr std::chrono::seconds kFirstRetry{10};
  static constexpr std::chrono::seconds kLongestRetry{600};

  explicit ArchiveUploader(Options options);
  ~ArchiveUploader();  // stops the upload under way (it goes up at the next start) and joins
  ArchiveUploader(const ArchiveUploader&) = delete;
  ArchiveUploader& operator=(const ArchiveUploader&) = delete;

  // Queues every package whose current version is not uploaded, newest
  // first, and starts the thread.
  void start();
  // Any thread: (re)queues one package, at the front.
  void add(std::int64_t session);
  // Waits until nothing is queued or under way, or `deadline`; true when
  // everything queued went up.
  bool finish(std::chrono::steady_clock::time_point deadline);

  // The version of the package in `package_dir` when that version is the
  // one uploaded, else -1.
  static std::int64_t uploadedVersion(const std::filesystem::path& package_dir);
  static bool uploaded(const std::filesystem::path& package_dir) {
    return uploadedVersion(package_dir) >= 0;
  }

 private:
  struct Pending {
    std::int64_t session = 0;
    std::chrono::steady_clock::time_point not_before;
    std::chrono::seconds retry{0};
  };
  void run();
  // False with why (also when the package was made again while it went up).
  bool uploadOne(std::int64_t session, std::string* error);

  const Options options_;
  GCancellable* cancel_ = nullptr;  // owned
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool busy_ = false;          // guarded by mutex_: an upload under way
  bool stop_ = false;          // guarded by mutex_
  std::thread thread_;
};

}  // namespace yst::core
