// The public archive of past shows, behind the /archive page:
//
//   GET /api/archive/sessions             every session, newest first
//   GET /api/archive/session?id=N         one session: its lines and its video
//   GET /api/archive/search?q=…[&session=N][&limit=K]
//                                         transcript search across sessions
//   GET /archive/media/<id>/<file>        the session's package files the
//                                         public may see (ControlServer's
//                                         media mount, with byte ranges)
//
// The API is answered on a thread of its own from a read-only database
// connection (WAL: readers never wait for the writer), so neither the
// server's service thread nor the controller ever waits on a query.
//
// Every session gets its post-show package (exporter.h) in
// <data>/exports/<id>/: the live session when the show ends
// (packageLiveSession(), the controller's shutdown), and any earlier session
// without an up-to-date package (killed, resumed and ended since, or from
// before packages existed) in the background at start, newest first, at low
// CPU priority. A package is written to <id>.part/ and swapped in whole, so
// the page never sees half of one.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "studio/base/work_queue.h"
#include "studio/core/archive_upload.h"
#include "studio/edge/subjects.h"
#include "studio/server/control_server.h"
#include "studio/store/store.h"

namespace yst::core {

class ArchiveService {
 public:
  using Args = std::vector<std::pair<std::string, std::string>>;
  struct Options {
    std::string data_dir;
    // This run's session: listed as live; packaged only by
    // packageLiveSession().
    std::int64_t live_session = 0;
    // Package earlier sessions in the background.
    bool package_past_sessions = true;
    // Any thread (the query thread): the answer to request().
    std::function<void(server::RequestId, unsigned int http_status,
                       std::shared_ptr<const std::string> body)>
        respond;
    // Where the packages go for the public edges ([edge] archive_upload);
    // unset: not uploaded. packages_dir and files are filled in here.
    std::optional<ArchiveUploader::Options> upload;
  };

  // The request path prefix and the media mount this serves.
  static constexpr const char* kApiPrefix = edge::kArchiveApiPrefix;
  static constexpr const char* kMediaPrefix = "/archive/media/";
  // Package files the public may fetch (not questions.csv: it has rejected
  // questions and their reasons).
  static std::vector<std::string> publicFiles();
  static std::string packagesDir(const std::string& data_dir);

  explicit ArchiveService(Options options);
  ~ArchiveService();  // gives up a background package half-way, joins
  ArchiveService(const ArchiveService&) = delete;
  ArchiveService& operator=(const ArchiveService&) = delete;

  // Starts the background packaging, when asked.
  void start();
  // Any thread (the server's service thread): queued, answered on the
  // query thread through Options::respond (503 at once when too many wait).
  void request(server::RequestId id, std::string path, Args args);
  // The same for a request that did not come through the server (an edge's,
  // over NATS): `done` gets the answer, on the query thread or at once.
  // Without `media` the answer names no package file (the video, its poster
  // and subtitles live on this machine, which an edge's viewers cannot reach).
  using Done =
      std::function<void(unsigned int http_status, std::shared_ptr<const std::string> body)>;
  void request(std::string path, Args args, bool media, Done done);
  // The show has ended (its session closed in the database): stops the
  // background packaging and makes the live session's package, on the
  // calling thread. False with the reason in *error.
  bool packageLiveSession(std::string* error);
  // With uploads: waits up to `limit` for the packages queued to go up (the
  // live session's, just made); what is left goes up at the next start.
  void finishUploads(std::chrono::seconds limit);

 private:
  struct Request {
    std::string path;
    Args args;
    bool media = true;
    Done done;
  };
  void packageLoop();
  // Query thread.
  void answerBatch(std::vector<Request>& requests);
  std::pair<unsigned int, std::string> answer(const Request& request);
  nlohmann::json sessionsJson(std::int64_t only_id, bool media);
  nlohmann::json videoJson(std::int64_t session_id);
  // Any thread: makes one package, swapping it in whole. False (logged)
  // when it failed or was cancelled.
  bool package(std::int64_t session_id, const std::atomic<bool>* cancel);

  const Options options_;
  store::DbPtr db_;         // query thread's read-only connection, opened by its first request
  bool db_opened_ = false;  // query thread
  // Query thread: session → its package's summary.json (mtime, parsed; null
  // when there is none), read again when the file changes.
  std::map<std::int64_t, std::pair<std::int64_t, std::shared_ptr<const nlohmann::json>>> summaries_;

  WorkQueue<Request> queries_;  // after what its thread reads

  std::atomic<bool> cancel_packaging_{false};
  std::thread package_thread_;
  std::unique_ptr<ArchiveUploader> uploader_;  // with Options::upload; its thread from start()
};

}  // namespace yst::core
