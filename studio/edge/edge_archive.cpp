#include "studio/edge/edge_archive.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "studio/base/log.h"
#include "studio/edge/subjects.h"

namespace yst::edge {

using nlohmann::json;

namespace {

constexpr const char* kArchiveLog = "edge";

std::shared_ptr<const std::string> errorBody(const char* code, const std::string& message) {
  return std::make_shared<const std::string>(
      json{{"type", "error"}, {"code", code}, {"message", message}}.dump());
}

}  // namespace

EdgeArchive::EdgeArchive(Context context) : context_(std::move(context)) {}

EdgeArchive::~EdgeArchive() = default;

std::string EdgeArchive::keyOf(const std::string& path, const Args& args) {
  // The same question in another order of its arguments is the same question.
  Args sorted = args;
  std::sort(sorted.begin(), sorted.end());
  json key = json::array({path});
  for (const auto& [name, value] : sorted) key.push_back(json::array({name, value}));
  return key.dump();
}

void EdgeArchive::request(server::RequestId id, const std::string& path, const Args& args) {
  const std::string key = keyOf(path, args);
  const std::int64_t now = context_.now_ms();
  auto found = entries_.find(key);
  if (found != entries_.end()) {
    Entry& entry = found->second;
    entry.used = ++clock_;
    if (entry.body && now - entry.fetched_ms < kFreshMs) {
      ++hits_;
      context_.respond(id, entry.status, entry.body, entry.content_type);
      return;
    }
    if (entry.asking) {
      entry.waiting.push_back(id);
      return;
    }
  }
  if (asking_ >= kMaxAsking) {
    // A flood of distinct requests: what is kept still answers, however old.
    if (found != entries_.end() && found->second.body) {
      ++hits_;
      context_.respond(id, found->second.status, found->second.body, found->second.content_type);
    } else {
      context_.respond(id, 503, errorBody("busy", "the archive is busy; try again shortly"), "");
    }
    return;
  }
  Entry& entry = entries_[key];
  entry.used = ++clock_;
  entry.waiting.push_back(id);
  ask(key, path, args);
  evict();
}

void EdgeArchive::ask(const std::string& key, const std::string& path, const Args& args) {
  Entry& entry = entries_[key];
  entry.asking = true;
  ++asking_;
  ++asked_;
  json body = {{"path", path}, {"args", json::array()}};
  for (const auto& [name, value] : args) body["args"].push_back(json::array({name, value}));
  std::weak_ptr<char> alive = alive_;
  context_.bus->request(
      context_.subject, body.dump(-1, ' ', false, json::error_handler_t::replace), kTimeoutMs,
      [this, alive, key](std::optional<bus::BusMessage> reply, std::string error) {
        if (!alive.expired()) answered(key, std::move(reply), error);
      });
}

void EdgeArchive::answered(const std::string& key, std::optional<bus::BusMessage> reply,
                           const std::string& error) {
  auto found = entries_.find(key);
  if (found == entries_.end()) return;
  Entry& entry = found->second;
  entry.asking = false;
  --asking_;
  std::vector<server::RequestId> waiting = std::move(entry.waiting);
  entry.waiting.clear();

  unsigned int status = 0;
  std::shared_ptr<const std::string> body;
  std::string content_type;
  if (reply) {
    const std::optional<json> parsed = parseBody(reply->data);
    const std::int64_t code = parsed ? countField(*parsed, "status") : 0;
    if (parsed && code >= 200 && code <= 599 && parsed->contains("body") &&
        (*parsed)["body"].is_string()) {
      status = static_cast<unsigned int>(code);
      body = std::make_shared<const std::string>((*parsed)["body"].get<std::string>());
      content_type = textField(*parsed, "content_type");
      // Only the types the studio's reads answer with: nothing from the bus
      // decides what a browser renders.
      if (content_type != "application/atom+xml; charset=utf-8") content_type.clear();
    } else {
      logWarn(kArchiveLog, "the studio's archive answer is malformed; not kept");
    }
  }
  if (body && status < 500) {
    // What the studio said (a session, or that there is none) is kept.
    entry.status = status;
    entry.body = body;
    entry.content_type = content_type;
    entry.fetched_ms = context_.now_ms();
  } else if (entry.body) {
    // The studio is out of reach or failed: what was kept, however old.
    status = entry.status;
    body = entry.body;
    content_type = entry.content_type;
  } else if (!body) {
    content_type.clear();
    status = 503;
    body = errorBody("unavailable",
                     reply ? "the studio's answer could not be read"
                           : "the studio is out of reach (" + error + "); try again shortly");
  }
  for (server::RequestId id : waiting) context_.respond(id, status, body, content_type);
  if (!entry.body) entries_.erase(found);
}

void EdgeArchive::evict() {
  while (entries_.size() > kMaxEntries) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.asking) continue;
      if (oldest == entries_.end() || it->second.used < oldest->second.used) oldest = it;
    }
    if (oldest == entries_.end()) return;  // everything is being asked: kMaxAsking bounds it
    entries_.erase(oldest);
  }
}

}  // namespace yst::edge
