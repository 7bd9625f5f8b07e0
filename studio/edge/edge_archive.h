// Error style: nothing throws; every request gets an HTTP answer (the
// studio's, a kept one, or 503 with the reason).
//
// The public archive's API at an edge (/api/archive/…, core/archive_service.h
// on the studio): each request is asked of the studio over NATS (the
// `archive` subject) and its answer kept for a while, so that a crowd reading
// last week's show costs the studio one query per page per kFreshMs, and the
// same request asked again while the studio is answering waits for that one
// answer. When the studio is out of reach, a kept answer is served however
// old it is (an archive changes rarely); with none, 503 and why.
//
// The package files (the video, its poster and subtitles) never travel over
// NATS: /archive/media/ at an edge's address is the cloud's (the studio
// uploads each package to the HLS origin, and the nginx in front of the
// edges caches it; deploy/nginx/yishiting-edges.conf).
//
// Loop thread: request() and every callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "studio/bus/bus.h"
#include "studio/server/control_server.h"

namespace yst::edge {

class EdgeArchive {
 public:
  using Args = std::vector<std::pair<std::string, std::string>>;
  // `content_type`: "" for JSON.
  using Respond =
      std::function<void(server::RequestId, unsigned int http_status,
                         std::shared_ptr<const std::string> body, const std::string& content_type)>;
  struct Context {
    bus::Bus* bus = nullptr;
    std::string subject;  // Subjects::archive
    Respond respond;      // the server's respond()
    // Milliseconds on a steady clock (a test's own clock).
    std::function<std::int64_t()> now_ms;
  };

  // An answer is asked again after this long.
  static constexpr std::int64_t kFreshMs = 15000;
  // How long the studio has to answer one request.
  static constexpr int kTimeoutMs = 5000;
  // Answers kept (the least recently used go first) and questions to the
  // studio at once (a flood of distinct searches is answered 503 beyond it).
  static constexpr std::size_t kMaxEntries = 512;
  static constexpr std::size_t kMaxAsking = 32;

  explicit EdgeArchive(Context context);
  ~EdgeArchive();
  EdgeArchive(const EdgeArchive&) = delete;
  EdgeArchive& operator=(const EdgeArchive&) = delete;

  void request(server::RequestId id, const std::string& path, const Args& args);

  // For the status and tests: answers served from what was kept, and
  // questions asked of the studio.
  std::uint64_t hits() const { return hits_; }
  std::uint64_t asked() const { return asked_; }

 private:
  struct Entry {
    unsigned int status = 0;
    std::shared_ptr<const std::string> body;  // null: nothing kept yet
    std::string content_type;                 // "": JSON
    std::int64_t fetched_ms = 0;
    std::uint64_t used = 0;  // for least-recently-used eviction
    bool asking = false;
    std::vector<server::RequestId> waiting;
  };

  static std::string keyOf(const std::string& path, const Args& args);
  void ask(const std::string& key, const std::string& path, const Args& args);
  void answered(const std::string& key, std::optional<bus::BusMessage> reply,
                const std::string& error);
  void evict();

  Context context_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t asking_ = 0;
  std::uint64_t clock_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t asked_ = 0;
  // Callbacks that come after the archive is gone do nothing.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace yst::edge
