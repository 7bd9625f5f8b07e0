#include "studio/core/archive_service.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "studio/base/log.h"
#include "studio/export/exporter.h"
#include "studio/store/sessions_table.h"
#include "studio/store/store.h"
#include "studio/store/transcript_table.h"
#include "studio/text/text.h"

namespace yst::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxQueuedRequests = 256;
constexpr std::size_t kMaxQueryChars = 64;
constexpr int kMaxSearchHits = 100;
constexpr int kMaxSessionsListed = 500;

std::string errorBody(const std::string& code, const std::string& message) {
  return json{{"type", "error"}, {"code", code}, {"message", message}}.dump();
}

const std::string* arg(const ArchiveService::Args& args, const std::string& name) {
  for (const auto& [key, value] : args) {
    if (key == name) return &value;
  }
  return nullptr;
}

// A positive id from a query argument, or 0.
std::int64_t idArg(const ArchiveService::Args& args, const std::string& name) {
  const std::string* value = arg(args, name);
  if (!value || value->empty() || value->size() > 15) return 0;
  std::int64_t id = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return 0;
    id = id * 10 + (c - '0');
  }
  return id;
}

std::int64_t mtimeNs(const fs::path& path) {
  struct stat info = {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

// A package's summary.json; a discarded value when there is none (or it
// does not parse).
json readSummary(const fs::path& package_dir) {
  std::ifstream in(package_dir / "summary.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

// The package files' addresses in a videoJson() answer, with "?v=VERSION".
void versionUrls(json* made, std::int64_t version) {
  const std::string suffix = "?v=" + std::to_string(version);
  auto mark = [&](json& url) {
    if (url.is_string()) url = url.get<std::string>() + suffix;
  };
  for (auto& file : (*made)["files"].items()) mark(file.value());
  json& video = (*made)["video"];
  if (video.is_object()) {
    for (const char* key : {"url", "poster", "subtitles"}) {
      if (video.contains(key)) mark(video[key]);
    }
  }
}

json personJson(const json& person) {
  if (!person.is_object()) return nullptr;
  return {{"name", person.value("name", "")}, {"title", person.value("title", "")}};
}

}  // namespace

std::vector<std::string> ArchiveService::publicFiles() {
  return {"program.mp4", "poster.jpg", "subtitles.vtt", "transcript.html", "transcript.md"};
}

std::string ArchiveService::packagesDir(const std::string& data_dir) {
  return data_dir + "/exports";
}

ArchiveService::ArchiveService(Options options)
    : options_(std::move(options)),
      queries_({"yst-archive", kMaxQueuedRequests, 1},
               [this](std::vector<Request>& requests) { answerBatch(requests); }) {
  // Made here, not in start(): the query thread reads uploader_ from the
  // first request on.
  if (options_.upload) {
    ArchiveUploader::Options upload = *options_.upload;
    upload.packages_dir = packagesDir(options_.data_dir);
    upload.files = publicFiles();
    uploader_ = std::make_unique<ArchiveUploader>(std::move(upload));
  }
}

ArchiveService::~ArchiveService() {
  cancel_packaging_ = true;
  // What is still queued gets an answer: the server is going away too.
  for (const Request& r : queries_.stopAndTakeQueued()) {
    r.done(503, std::make_shared<const std::string>(errorBody("busy", "shutting down")));
  }
  if (package_thread_.joinable()) package_thread_.join();
}

void ArchiveService::start() {
  if (uploader_) uploader_->start();
  if (options_.package_past_sessions) package_thread_ = std::thread([this] { packageLoop(); });
}

void ArchiveService::finishUploads(std::chrono::seconds limit) {
  if (!uploader_) return;
  logInfo("archive", "uploading the show's package to " + options_.upload->base_url +
                         " (waiting up to " + std::to_string(limit.count()) + " s)…");
  if (!uploader_->finish(std::chrono::steady_clock::now() + limit)) {
    logWarn("archive", "not everything went up; the next start uploads what is left");
  }
}

void ArchiveService::request(server::RequestId id, std::string path, Args args) {
  request(std::move(path), std::move(args), true,
          [respond = options_.respond, id](unsigned int status,
                                           std::shared_ptr<const std::string> body) {
            respond(id, status, std::move(body));
          });
}

void ArchiveService::request(std::string path, Args args, bool media, Done done) {
  Done refused = done;
  if (queries_.post({std::move(path), std::move(args), media, std::move(done)})) return;
  refused(503, std::make_shared<const std::string>(errorBody("busy", "try again shortly")));
}

void ArchiveService::answerBatch(std::vector<Request>& requests) {
  if (!db_opened_) {
    db_opened_ = true;
    try {
      db_ = store::openReadOnly(options_.data_dir + "/yishiting.db", 2000);
    } catch (const std::exception& e) {
      logError("archive", e.what());
    }
  }
  for (const Request& request : requests) {
    std::pair<unsigned int, std::string> result;
    try {
      if (!db_) throw store::StoreError("the database is not available");
      result = answer(request);
    } catch (const std::exception& e) {
      logError("archive", std::string("query failed: ") + e.what());
      result = {500, errorBody("internal", "the archive could not be read")};
    }
    request.done(result.first, std::make_shared<const std::string>(std::move(result.second)));
  }
}

std::pair<unsigned int, std::string> ArchiveService::answer(const Request& r) {
  const std::string name = r.path.substr(std::string(kApiPrefix).size());
  if (name == "sessions") {
    return {200, json{{"sessions", sessionsJson(0, r.media)}}.dump()};
  }
  if (name == "session") {
    const std::int64_t id = idArg(r.args, "id");
    if (id <= 0) return {400, errorBody("bad_request", "id: a session number is needed")};
    json list = sessionsJson(id, r.media);
    if (list.empty()) return {404, errorBody("not_found", "no such session")};
    json lines = json::array();
    for (const store::TranscriptLine& l : store::sessionLines(db_.get(), id)) {
      lines.push_back({{"id", l.id},
                       {"speaker", l.speaker},
                       {"name", l.speaker_name},
                       {"text", l.text},
                       {"start_ms", l.start_ms},
                       {"end_ms", l.end_ms},
                       {"kind", l.kind},
                       {"question", l.question_id > 0 ? json(l.question_id) : json()}});
    }
    return {200, json{{"session", list.front()}, {"lines", lines}}.dump()};
  }
  if (name == "search") {
    const std::string* q = arg(r.args, "q");
    if (!q || !text::isValidUtf8(*q)) {
      return {400, errorBody("bad_request", "q: the words to look for, as UTF-8")};
    }
    if (q->find_first_not_of(" \t\r\n") == std::string::npos) {
      return {400, errorBody("empty", "q: nothing to look for")};
    }
    if (text::countChars(*q) > kMaxQueryChars) {
      return {400, errorBody("too_long",
                             "q: at most " + std::to_string(kMaxQueryChars) + " characters")};
    }
    store::SearchOptions options;
    options.session_id = idArg(r.args, "session");
    options.limit = 50;
    if (const std::int64_t limit = idArg(r.args, "limit"); limit > 0) {
      options.limit = static_cast<int>(std::min<std::int64_t>(limit, kMaxSearchHits));
    }
    json hits = json::array();
    for (const store::SearchHit& h : store::searchTranscripts(db_.get(), *q, options)) {
      // The snippet as pieces, the matches marked: the page sets them as
      // text, so nothing in a line can become markup.
      json pieces = json::array();
      std::string piece;
      bool marked = false;
      for (char c : h.snippet) {
        if (c == '\x02' || c == '\x03') {
          if (!piece.empty()) pieces.push_back({{"text", piece}, {"match", marked}});
          piece.clear();
          marked = c == '\x02';
        } else {
          piece += c;
        }
      }
      if (!piece.empty()) pieces.push_back({{"text", piece}, {"match", marked}});
      hits.push_back({{"line", h.line_id},
                      {"session", h.session_id},
                      {"title", h.session_title},
                      {"started_at", h.session_started_at},
                      {"speaker", h.speaker},
                      {"name", h.speaker_name},
                      {"start_ms", h.start_ms},
                      {"snippet", pieces}});
    }
    return {200, json{{"query", *q}, {"hits", hits}}.dump()};
  }
  return {404, errorBody("not_found", "no such resource")};
}

json ArchiveService::sessionsJson(std::int64_t only_id, bool media) {
  json out = json::array();
  for (const store::SessionListing& listing :
       store::listSessions(db_.get(), only_id, kMaxSessionsListed)) {
    const store::SessionRow& row = listing.session;
    const std::int64_t id = row.id;
    const json show = json::parse(row.show_json, nullptr, false);
    json guests = json::array();
    if (show.is_object() && show.contains("guests") && show["guests"].is_array()) {
      for (const json& g : show["guests"]) guests.push_back(personJson(g));
    }
    const std::string& ended = row.ended_at;
    const bool live = id == options_.live_session;
    json made = live ? json() : videoJson(id);
    const bool ready = made.is_object();
    // An edge's viewers reach the files once they are uploaded: the cloud
    // serves them at the same paths (deploy/nginx/yishiting-edges.conf), each
    // version of a package under its own ?v= for the caches.
    bool with_media = media;
    if (!media && uploader_ && ready) {
      const std::int64_t version = ArchiveUploader::uploadedVersion(
          fs::path(packagesDir(options_.data_dir)) / std::to_string(id));
      if (version >= 0) {
        with_media = true;
        versionUrls(&made, version);
      }
    }
    out.push_back({{"id", id},
                   {"title", row.title},
                   {"started_at", row.started_at},
                   {"ended_at", ended.empty() ? json() : json(ended)},
                   {"live", live},
                   {"host", show.is_object() ? personJson(show.value("host", json())) : json()},
                   {"guests", guests},
                   {"lines", listing.lines},
                   {"aired", listing.aired},
                   // live | ready (the package is there) | pending (not yet made) |
                   // unpublished (made, but its files are not where this answer goes)
                   {"package", live    ? "live"
                               : ready ? (with_media ? "ready" : "unpublished")
                                       : "pending"},
                   {"video", ready && with_media ? made.at("video") : json()},
                   {"files", ready && with_media ? made.at("files") : json::object()}});
  }
  return out;
}

json ArchiveService::videoJson(std::int64_t session_id) {
  const fs::path dir = fs::path(packagesDir(options_.data_dir)) / std::to_string(session_id);
  const std::int64_t mtime = mtimeNs(dir / "summary.json");
  auto& cached = summaries_[session_id];
  if (cached.first != mtime) {
    cached.first = mtime;
    cached.second.reset();
    if (mtime >= 0) {
      json parsed = readSummary(dir);
      if (parsed.is_object()) cached.second = std::make_shared<const json>(std::move(parsed));
    }
  }
  if (!cached.second) return nullptr;
  const json& summary = *cached.second;
  const std::string base = kMediaPrefix + std::to_string(session_id) + "/";
  json files = json::object();
  for (const std::string& name : publicFiles()) {
    if (fs::is_regular_file(dir / name)) files[name] = base + name;
  }
  json video;
  if (files.contains("program.mp4") && summary.value("program_offset_ms", json()).is_number()) {
    video = {{"url", files["program.mp4"]},
             {"poster", files.value("poster.jpg", json())},
             {"subtitles", files.value("subtitles.vtt", json())},
             {"offset_ms", summary["program_offset_ms"]},
             {"duration_ms", summary.value("recording_ms", json())}};
  }
  return {{"video", video}, {"files", files}};
}

bool ArchiveService::package(std::int64_t session_id, const std::atomic<bool>* cancel) {
  const fs::path root(packagesDir(options_.data_dir));
  const fs::path dir = root / std::to_string(session_id);
  const fs::path part = root / (std::to_string(session_id) + ".part");
  const fs::path old = root / (std::to_string(session_id) + ".old");
  const auto began = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::remove_all(part, ec);
  exporter::ExportResult result;
  try {
    result = exporter::exportSession({options_.data_dir, session_id, part.string(), cancel});
    fs::remove_all(old, ec);
    if (fs::exists(dir)) fs::rename(dir, old);
    fs::rename(part, dir);
    fs::remove_all(old, ec);
  } catch (const std::exception& e) {
    fs::remove_all(part, ec);
    if (cancel && cancel->load()) {
      logInfo("archive",
              "packaging session " + std::to_string(session_id) + " put off to the next start");
    } else {
      logError("archive",
               "could not package session " + std::to_string(session_id) + ": " + e.what());
    }
    return false;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  char took[32];
  std::snprintf(took, sizeof(took), "%.1f s", seconds);
  logInfo("archive",
          "session " + std::to_string(session_id) + " packaged in " + took + " → " + dir.string());
  if (uploader_) uploader_->add(session_id);
  for (const std::string& w : result.warnings) {
    logWarn("archive", "session " + std::to_string(session_id) + ": " + w);
  }
  return true;
}

void ArchiveService::packageLoop() {
  // Background work: a lower priority than the show's own threads (Linux
  // keeps a nice value per thread).
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  const fs::path root(packagesDir(options_.data_dir));
  std::error_code ec;
  // Left over by a kill mid-package.
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".part" || ext == ".old") fs::remove_all(entry.path(), ec);
  }
  std::vector<std::int64_t> wanted;
  try {
    store::DbPtr db = store::openReadOnly(options_.data_dir + "/yishiting.db");
    for (const store::SessionPackaging& session :
         store::sessionsToPackage(db.get(), options_.live_session)) {
      const std::int64_t id = session.id;
      const std::string& ended = session.ended_at;
      const std::int64_t recordings = session.recordings;
      // Up to date when it was made from the session as it is now.
      const json summary = readSummary(root / std::to_string(id));
      const bool current =
          summary.is_object() &&
          summary.value("ended_at", json()) == (ended.empty() ? json() : json(ended)) &&
          summary.value("source_recordings", json()) == json(recordings);
      if (!current) wanted.push_back(id);
    }
  } catch (const std::exception& e) {
    logError("archive", std::string("cannot list the sessions to package: ") + e.what());
    return;
  }
  if (!wanted.empty()) {
    logInfo("archive", std::to_string(wanted.size()) + " earlier session(s) to package");
  }
  for (std::int64_t id : wanted) {
    if (cancel_packaging_) return;
    package(id, &cancel_packaging_);
  }
}

bool ArchiveService::packageLiveSession(std::string* error) {
  cancel_packaging_ = true;
  if (package_thread_.joinable()) package_thread_.join();
  if (options_.live_session <= 0) {
    *error = "no session";
    return false;
  }
  logInfo("archive", "packaging session " + std::to_string(options_.live_session) + "…");
  if (!package(options_.live_session, nullptr)) {
    *error = "see the log above";
    return false;
  }
  return true;
}

}  // namespace yst::core
