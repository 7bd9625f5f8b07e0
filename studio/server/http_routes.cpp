#include "studio/server/http_routes.h"

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/server/http_range.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace yst::server {
namespace {

// Body bytes written per HTTP_WRITEABLE for in-memory replies.
constexpr std::size_t kHttpChunkBytes = 32 * 1024;

// The pages' own origin only, plus the origins they may load media from.
std::string htmlContentSecurityPolicy(const std::vector<std::string>& media_origins) {
  std::string media;
  for (const std::string& origin : media_origins) {
    // An origin is one source expression: nothing that could end it.
    if (origin.find_first_of(" \t\r\n;,'\"") == std::string::npos) media += " " + origin;
  }
  return "default-src 'self'; img-src 'self' data:; media-src 'self' blob:" + media +
         "; connect-src 'self'" + media +
         "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";
}

constexpr char kJson[] = "application/json; charset=utf-8";

}  // namespace

// ---------------------------------------------------------------------------
// Bodies

void HttpBodies::add(lws* wsi, std::shared_ptr<const std::string> body, bool close_after) {
  bodies_[wsi] = Body{std::move(body), 0, close_after, nullptr, 0, 0};
  lws_callback_on_writable(wsi);
}

void HttpBodies::addFile(lws* wsi, std::shared_ptr<std::FILE> file, std::uint64_t first,
                         std::uint64_t end) {
  bodies_[wsi] = Body{nullptr, 0, false, std::move(file), first, end};
  lws_callback_on_writable(wsi);
}

int HttpBodies::write(lws* wsi) {
  auto it = bodies_.find(wsi);
  if (it == bodies_.end()) return 0;
  Body& pending = it->second;
  if (pending.file) return writeFileChunk(wsi, it);
  const std::size_t remaining = pending.body->size() - pending.offset;
  const std::size_t chunk = std::min(remaining, kHttpChunkBytes);
  const bool last = chunk == remaining;
  if (buffer_.size() < LWS_PRE + chunk) buffer_.resize(LWS_PRE + chunk);
  if (chunk > 0)
    std::memcpy(buffer_.data() + LWS_PRE, pending.body->data() + pending.offset, chunk);
  const int written =
      lws_write(wsi, buffer_.data() + LWS_PRE, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < 0 || static_cast<std::size_t>(written) < chunk) {
    bodies_.erase(it);
    return -1;
  }
  pending.offset += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  const bool close_after = pending.close_after;
  bodies_.erase(it);
  if (close_after) return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int HttpBodies::writeFileChunk(lws* wsi, Iterator it) {
  Body& pending = it->second;
  const std::uint64_t remaining = pending.file_end - pending.file_offset;
  const std::size_t chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(remaining, kHttpChunkBytes));
  const bool last = chunk == remaining;
  if (buffer_.size() < LWS_PRE + chunk) buffer_.resize(LWS_PRE + chunk);
  const ssize_t got = ::pread(::fileno(pending.file.get()), buffer_.data() + LWS_PRE, chunk,
                              static_cast<off_t>(pending.file_offset));
  if (got != static_cast<ssize_t>(chunk)) {
    // The file shrank or vanished under us (re-exported): the promised
    // length cannot be kept, so the connection goes.
    bodies_.erase(it);
    return -1;
  }
  const int written =
      lws_write(wsi, buffer_.data() + LWS_PRE, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < 0 || static_cast<std::size_t>(written) < chunk) {
    bodies_.erase(it);
    return -1;
  }
  pending.file_offset += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  bodies_.erase(it);
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

// ---------------------------------------------------------------------------
// One exchange

bool HttpExchange::writeHeaders(unsigned int status, const char* content_type,
                                std::uint64_t content_length, const HttpHeaders& extra_headers) {
  unsigned char buffer[LWS_PRE + 2048];
  unsigned char* start = buffer + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer + sizeof(buffer) - 1;
  if (lws_add_http_common_headers(wsi, status, content_type, content_length, &p, end)) return false;
  for (const auto& [name, value] : extra_headers) {
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(name.c_str()),
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), &p, end)) {
      return false;
    }
  }
  if (files::isDocumentType(content_type) &&
      lws_add_http_header_by_name(
          wsi, reinterpret_cast<const unsigned char*>("content-security-policy:"),
          reinterpret_cast<const unsigned char*>(csp_.data()), static_cast<int>(csp_.size()), &p,
          end)) {
    return false;
  }
  return lws_finalize_write_http_header(wsi, start, &p, end) == 0;
}

int HttpExchange::reply(unsigned int status, const char* content_type,
                        std::shared_ptr<const std::string> body, const HttpHeaders& extra_headers,
                        bool close_after) {
  if (!body) body = std::make_shared<const std::string>();
  if (!writeHeaders(status, content_type, body->size(), extra_headers)) return -1;
  if (head_only) {
    if (close_after) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
  }
  // The body goes out in HTTP_WRITEABLE, in pieces, never all at once here.
  bodies_.add(wsi, std::move(body), close_after);
  return 0;
}

int HttpExchange::replyError(unsigned int status, std::string_view code, std::string_view message) {
  return reply(status, kJson, std::make_shared<const std::string>(jsonError(code, message)),
               {{"cache-control:", "no-store"}});
}

int HttpExchange::redirect(const std::string& location) {
  return reply(HTTP_STATUS_FOUND, "text/plain; charset=utf-8",
               std::make_shared<const std::string>("moved\n"),
               {{"location:", location},
                {"cache-control:", "no-store"},
                {"referrer-policy:", "no-referrer"}});
}

int HttpExchange::serveFile(const std::string& file_path, const char* content_type) {
  std::string headers;
  {
    unsigned char buffer[1024];
    unsigned char* p = buffer;
    unsigned char* end = buffer + sizeof(buffer);
    static constexpr char kNoCache[] = "no-cache";
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("cache-control:"),
                                    reinterpret_cast<const unsigned char*>(kNoCache),
                                    sizeof(kNoCache) - 1, &p, end)) {
      return -1;
    }
    if (files::isDocumentType(content_type) &&
        lws_add_http_header_by_name(
            wsi, reinterpret_cast<const unsigned char*>("content-security-policy:"),
            reinterpret_cast<const unsigned char*>(csp_.data()), static_cast<int>(csp_.size()), &p,
            end)) {
      return -1;
    }
    headers.assign(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(p - buffer));
  }
  // lws reads and sends the file a buffer at a time as the socket drains.
  const int result = lws_serve_http_file(wsi, file_path.c_str(), content_type, headers.data(),
                                         static_cast<int>(headers.size()));
  if (result < 0) return -1;
  if (result > 0 && lws_http_transaction_completed(wsi)) return -1;
  return 0;
}

int HttpExchange::serveRange(files::MediaFile media, const std::string& range_header) {
  const std::uint64_t size = media.size;
  const ByteRange range = parseByteRange(range_header, size);
  HttpHeaders headers = {{"accept-ranges:", "bytes"}, {"cache-control:", "no-cache"}};
  if (range.kind == ByteRange::Kind::kUnsatisfiable) {
    headers.push_back({"content-range:", "bytes */" + std::to_string(size)});
    return reply(HTTP_STATUS_REQ_RANGE_NOT_SATISFIABLE, kJson,
                 std::make_shared<const std::string>(
                     jsonError("range_not_satisfiable", "the range is outside the file")),
                 headers);
  }
  std::uint64_t first = 0;
  std::uint64_t end = size;  // exclusive
  unsigned int status = HTTP_STATUS_OK;
  if (range.kind == ByteRange::Kind::kPartial) {
    first = range.first;
    end = range.last + 1;
    status = HTTP_STATUS_PARTIAL_CONTENT;
    headers.push_back({"content-range:", "bytes " + std::to_string(range.first) + "-" +
                                             std::to_string(range.last) + "/" +
                                             std::to_string(size)});
  }
  if (!writeHeaders(status, media.content_type, end - first, headers)) return -1;
  if (head_only || first == end) return lws_http_transaction_completed(wsi) ? -1 : 0;
  bodies_.addFile(wsi, std::move(media.file), first, end);
  return 0;
}

// ---------------------------------------------------------------------------
// The route table

void HttpRoutes::add(Match match, std::string path, Handler handler) {
  routes_.push_back({match, std::move(path), std::move(handler)});
}

int HttpRoutes::dispatch(HttpExchange& exchange) const {
  const std::string_view path = exchange.path;
  for (const Route& route : routes_) {
    if (route.match == Match::kExact ? path == route.path : path.starts_with(route.path)) {
      return route.handler(
          exchange, path.substr(route.match == Match::kExact ? path.size() : route.path.size()));
    }
  }
  return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
}

// ---------------------------------------------------------------------------
// The staff gate

std::optional<unsigned int> StaffGate::check(const std::string& address_key,
                                             const std::string& authorization, std::int64_t now_us,
                                             std::int64_t* retry_after_s) {
  if (const std::int64_t wait_us = failures_.lockedForUs(address_key, now_us); wait_us > 0) {
    *retry_after_s = (wait_us + 999999) / 1000000;
    return 429u;
  }
  constexpr std::string_view kBearer = "Bearer ";
  bool ok = false;
  if (authorization.size() > kBearer.size() &&
      equalsIgnoreCase(std::string_view(authorization).substr(0, kBearer.size()), kBearer)) {
    const std::string_view token = std::string_view(authorization).substr(kBearer.size());
    for (const std::string& staff : tokens_) {
      ok |= !staff.empty() && constantTimeEquals(token, staff);
    }
  }
  if (ok) {
    failures_.succeed(address_key);
    return std::nullopt;
  }
  ++counters_.unauthorized;
  // Only requests that tried a token count as failures: a browser that
  // simply opens the URL gets 401 as often as it likes.
  if (authorization.empty()) return HTTP_STATUS_UNAUTHORIZED;
  if (const int failures = failures_.fail(address_key, now_us); failures > kPolicy.free_failures) {
    yst::logWarn("server", "wrong staff tokens from " + address_key + " (" +
                               std::to_string(failures) + " in a row): refused for a while");
  }
  return HTTP_STATUS_UNAUTHORIZED;
}

// ---------------------------------------------------------------------------
// Requests answered later

std::optional<int> AsyncRequests::refuseWhenFull(HttpExchange& exchange) {
  if (requests_.size() < options_.max_pending_requests) return std::nullopt;
  return exchange.reply(HTTP_STATUS_SERVICE_UNAVAILABLE, kJson,
                        std::make_shared<const std::string>(jsonError("busy", "try again shortly")),
                        {{"retry-after:", "1"}, {"cache-control:", "no-store"}});
}

int AsyncRequests::hand(HttpExchange& exchange) {
  if (!handlers_.on_request) {
    return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such resource");
  }
  if (std::optional<int> refused = refuseWhenFull(exchange)) return *refused;
  // lws has %-decoded each name=value pair into a fragment of its own.
  std::vector<std::pair<std::string, std::string>> args;
  for (const std::string& pair : headerFragments(exchange.wsi, WSI_TOKEN_HTTP_URI_ARGS)) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos) {
      args.emplace_back(pair, std::string());
    } else {
      args.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
    }
  }
  const RequestId id = next_request_++;
  requests_[id] = {exchange.wsi, exchange.head_only, {}};
  request_of_[exchange.wsi] = id;
  handlers_.on_request(id, std::string(exchange.path), std::move(args));
  return 0;
}

int AsyncRequests::handApi(HttpExchange& exchange, ApiRequest request) {
  if (!handlers_.on_api) {
    return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such resource");
  }
  const std::string key = addressKey(request.address);
  const std::int64_t now_us = steadyNowUs();
  api_failures_.forgetQuiet(now_us);
  if (const std::int64_t wait_us = api_failures_.lockedForUs(key, now_us); wait_us > 0) {
    return exchange.reply(429, kJson,
                          std::make_shared<const std::string>(jsonError(
                              "too_many_failures", "too many wrong tokens; try again later")),
                          {{"retry-after:", std::to_string((wait_us + 999999) / 1000000)},
                           {"cache-control:", "no-store"}});
  }
  if (std::optional<int> refused = refuseWhenFull(exchange)) return *refused;
  const RequestId id = next_request_++;
  // Only a request that tried a token counts against its address when it is
  // refused: a browser that opens the URL gets 401 as often as it likes.
  requests_[id] = {exchange.wsi, exchange.head_only, request.authorization.empty() ? "" : key};
  request_of_[exchange.wsi] = id;
  handlers_.on_api(id, std::move(request));
  return 0;
}

void AsyncRequests::apply(std::vector<AsyncResponse> responses) {
  for (AsyncResponse& response : responses) {
    auto it = requests_.find(response.request);
    if (it == requests_.end()) continue;  // the client went away
    lws* wsi = it->second.wsi;
    response.head_only = it->second.head_only;
    if (!it->second.api_address.empty()) {
      if (response.status == HTTP_STATUS_UNAUTHORIZED) {
        api_failures_.fail(it->second.api_address, steadyNowUs());
      } else if (response.status < 400) {
        api_failures_.succeed(it->second.api_address);
      }
    }
    requests_.erase(it);
    request_of_.erase(wsi);
    answers_[wsi] = std::move(response);
    lws_callback_on_writable(wsi);  // the answer is written in its own callback
  }
}

std::optional<AsyncResponse> AsyncRequests::takeAnswer(lws* wsi) {
  auto answer = answers_.find(wsi);
  if (answer == answers_.end()) return std::nullopt;
  AsyncResponse response = std::move(answer->second);
  answers_.erase(answer);
  return response;
}

void AsyncRequests::forget(lws* wsi) {
  if (auto it = request_of_.find(wsi); it != request_of_.end()) {
    requests_.erase(it->second);
    request_of_.erase(it);
  }
  answers_.erase(wsi);
}

// ---------------------------------------------------------------------------
// The HTTP side

HttpService::HttpService(const ServerOptions& options, const ControlServer::Handlers& handlers,
                         Handover& handover, Admission& admission, ServerCounters& counters)
    : options_(options),
      csp_(htmlContentSecurityPolicy(options.media_origins)),
      handover_(handover),
      admission_(admission),
      counters_(counters),
      async_(options, handlers),
      staff_gate_(options.staff_tokens, counters) {
  buildRoutes();
}

// The order is behaviour: the first route that matches answers. Exact API
// paths come before the prefixes, a media mount takes a path before a
// redirect of the same path, a redirect before the mounts, and the web root
// answers whatever is left (ControlServerTest.RouteOrderIsPrecedence).
void HttpService::buildRoutes() {
  using Match = HttpRoutes::Match;
  routes_.add(Match::kExact, "/api/public-status",
              [this](HttpExchange& exchange, std::string_view) {
                std::shared_ptr<const std::string> body;
                {
                  std::lock_guard lock(handover_.mutex);
                  body = handover_.public_status_json;
                }
                if (!body) {
                  return exchange.replyError(HTTP_STATUS_SERVICE_UNAVAILABLE, "not_ready",
                                             "status not available yet");
                }
                return exchange.reply(HTTP_STATUS_OK, kJson, std::move(body),
                                      {{"cache-control:", "no-store"}});
              });
  routes_.add(Match::kExact, "/api/status", [this](HttpExchange& exchange, std::string_view) {
    return serveStatus(exchange, true);
  });
  routes_.add(Match::kExact, "/metrics", [this](HttpExchange& exchange, std::string_view) {
    return serveStatus(exchange, false);
  });
  routes_.add(Match::kExact, "/ws", [](HttpExchange& exchange, std::string_view) {
    return exchange.replyError(426, "upgrade_required", "WebSocket only");
  });
  routes_.add(Match::kPrefix, "/hls/", [this](HttpExchange& exchange, std::string_view name) {
    const std::optional<files::ServedFile> file = files::resolveHls(options_.hls_dir, name);
    if (!file) return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
    return exchange.serveFile(file->path, file->content_type);
  });
  for (const std::string& prefix : options_.request_prefixes) {
    routes_.add(Match::kPrefix, prefix,
                [this](HttpExchange& exchange, std::string_view) { return async_.hand(exchange); });
  }
  for (const MediaMount& mount : options_.media_mounts) {
    routes_.add(Match::kPrefix, mount.prefix,
                [&mount](HttpExchange& exchange, std::string_view rest) {
                  std::optional<files::MediaFile> media = files::openMedia(mount, rest);
                  if (!media) {
                    return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
                  }
                  return exchange.serveRange(std::move(*media),
                                             headerValue(exchange.wsi, WSI_TOKEN_HTTP_RANGE));
                });
  }
  for (const auto& [from, to] : options_.redirects) {
    routes_.add(Match::kExact, from, [&location = to](HttpExchange& exchange, std::string_view) {
      return exchange.redirect(location);
    });
  }
  for (const auto& [prefix, to] : options_.prefix_redirects) {
    routes_.add(Match::kPrefix, prefix,
                [&location = to](HttpExchange& exchange, std::string_view rest) {
                  if (!files::isSafeSegment(rest)) {
                    return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such link");
                  }
                  return exchange.redirect(location + std::string(rest));
                });
  }
  for (const auto& [prefix, dir] : options_.mounts) {
    // The path below the mount keeps the prefix's last character, its '/'.
    routes_.add(
        Match::kPrefix, prefix,
        [this, &root = dir, strip = prefix.size() - 1](HttpExchange& exchange, std::string_view) {
          return serveStatic(exchange, root, exchange.path.substr(strip));
        });
  }
  routes_.add(Match::kPrefix, "/", [this](HttpExchange& exchange, std::string_view) {
    return serveStatic(exchange, options_.web_root, exchange.path);
  });
}

bool HttpService::isApiPath(std::string_view path) const {
  for (const std::string& prefix : options_.api_prefixes) {
    if (path.starts_with(prefix)) return true;
    // "/api/guest" answers its own path as well as what lies below it.
    if (!prefix.ends_with('/') && path == prefix) return true;
  }
  return false;
}

int HttpService::onApi(HttpExchange& exchange, int method) {
  ApiRequest request;
  request.path = std::string(exchange.path);
  request.authorization = headerValue(exchange.wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  request.address = admission_.clientAddress(exchange.wsi);
  switch (method) {
    case LWSHUMETH_GET:
      request.method = "GET";
      break;
    case LWSHUMETH_HEAD:
      request.method = "HEAD";
      break;
    case LWSHUMETH_DELETE:
      request.method = "DELETE";
      break;
    case LWSHUMETH_OPTIONS:
      request.method = "OPTIONS";
      break;
    case LWSHUMETH_POST: {
      request.method = "POST";
      request.content_type = headerValue(exchange.wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
      const std::string length_text = headerValue(exchange.wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
      std::size_t length = 0;
      const auto [end, error] =
          std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
      if (length_text.empty() || error != std::errc() ||
          end != length_text.data() + length_text.size()) {
        return exchange.reply(HTTP_STATUS_LENGTH_REQUIRED, kJson,
                              std::make_shared<const std::string>(
                                  jsonError("length_required", "send a Content-Length")),
                              {{"cache-control:", "no-store"}}, /*close_after=*/true);
      }
      if (length > options_.max_api_body_bytes) {
        return exchange.reply(
            HTTP_STATUS_REQ_ENTITY_TOO_LARGE, kJson,
            std::make_shared<const std::string>(jsonError(
                "too_large",
                "the body is over " + std::to_string(options_.max_api_body_bytes) + " bytes")),
            {{"cache-control:", "no-store"}}, /*close_after=*/true);
      }
      if (length == 0) return async_.handApi(exchange, std::move(request));
      posts_[exchange.wsi] = {std::string(exchange.path), std::move(request), length};
      return 0;  // the body follows in HTTP_BODY
    }
    default:
      return exchange.reply(HTTP_STATUS_METHOD_NOT_ALLOWED, kJson,
                            std::make_shared<const std::string>(jsonError(
                                "method_not_allowed", "only GET, POST, DELETE and OPTIONS")),
                            {{"allow:", "GET, POST, DELETE, OPTIONS"}}, /*close_after=*/true);
  }
  return async_.handApi(exchange, std::move(request));
}

int HttpService::onBody(lws* wsi, const char* data, std::size_t length) {
  auto it = posts_.find(wsi);
  // The body of a request already answered (405, 413): drained, not kept;
  // the connection closes once the answer is out.
  if (it == posts_.end()) return 0;
  std::string& body = it->second.request.body;
  if (body.size() + length > it->second.expected) return -1;  // more than it said
  body.append(data, length);
  return 0;
}

int HttpService::onBodyComplete(lws* wsi) {
  auto it = posts_.find(wsi);
  if (it == posts_.end()) return 0;  // answered already
  PendingPost post = std::move(it->second);
  posts_.erase(it);
  HttpExchange exchange(wsi, post.path, false, bodies_, csp_);
  if (post.request.body.size() != post.expected) {
    return exchange.replyError(HTTP_STATUS_BAD_REQUEST, "bad_request", "the body was cut short");
  }
  return async_.handApi(exchange, std::move(post.request));
}

int HttpService::onHttp(lws* wsi) {
  char* uri = nullptr;
  int uri_length = 0;
  const int method = lws_http_get_uri_and_method(wsi, &uri, &uri_length);
  if (method >= 0 && uri &&
      isApiPath(std::string_view(uri, static_cast<std::size_t>(uri_length)))) {
    HttpExchange exchange(wsi, std::string_view(uri, static_cast<std::size_t>(uri_length)),
                          method == LWSHUMETH_HEAD, bodies_, csp_);
    if (!admission_.hostAllowed(wsi)) {
      ++counters_.refused_hosts;
      return exchange.replyError(421, "unknown_host",
                                 "this server does not answer to that host name");
    }
    return onApi(exchange, method);
  }
  if (method != LWSHUMETH_GET && method != LWSHUMETH_HEAD) {
    HttpExchange exchange(wsi, {}, false, bodies_, csp_);
    return exchange.reply(
        HTTP_STATUS_METHOD_NOT_ALLOWED, kJson,
        std::make_shared<const std::string>(jsonError("method_not_allowed", "only GET and HEAD")),
        {{"allow:", "GET, HEAD"}}, /*close_after=*/true);
  }
  // lws has already %-decoded the path and collapsed "." and ".." segments
  // (and refuses %00); the checks below and in file_serving do not rely on that.
  const std::string_view path =
      uri ? std::string_view(uri, static_cast<std::size_t>(uri_length)) : std::string_view();
  HttpExchange exchange(wsi, path, method == LWSHUMETH_HEAD, bodies_, csp_);
  if (path.empty() || path.front() != '/') {
    return exchange.replyError(HTTP_STATUS_BAD_REQUEST, "bad_request", "bad path");
  }
  if (!admission_.hostAllowed(wsi)) {
    ++counters_.refused_hosts;
    return exchange.replyError(421, "unknown_host",
                               "this server does not answer to that host name");
  }
  return routes_.dispatch(exchange);
}

int HttpService::onWriteable(lws* wsi) {
  if (std::optional<AsyncResponse> answer = async_.takeAnswer(wsi)) {
    HttpExchange exchange(wsi, {}, answer->head_only, bodies_, csp_);
    HttpHeaders headers{{"cache-control:", "no-store"}};
    for (auto& [name, value] : answer->headers) headers.emplace_back(name + ":", value);
    return exchange.reply(answer->status, answer->content_type.c_str(), std::move(answer->body),
                          headers);
  }
  return bodies_.write(wsi);
}

// /api/status (status) or /metrics, behind the staff gate.
int HttpService::serveStatus(HttpExchange& exchange, bool status) {
  std::int64_t retry_after_s = 0;
  const std::optional<unsigned int> refused = staff_gate_.check(
      addressKey(admission_.clientAddress(exchange.wsi)),
      headerValue(exchange.wsi, WSI_TOKEN_HTTP_AUTHORIZATION), steadyNowUs(), &retry_after_s);
  if (refused == HTTP_STATUS_UNAUTHORIZED) {
    return exchange.reply(
        HTTP_STATUS_UNAUTHORIZED, kJson,
        std::make_shared<const std::string>(
            jsonError("unauthorized", "staff only: send Authorization: Bearer <producer token>")),
        {{"www-authenticate:", "Bearer realm=\"yishiting\""}, {"cache-control:", "no-store"}});
  }
  if (refused) {
    return exchange.reply(
        429, kJson,
        std::make_shared<const std::string>(
            jsonError("too_many_failures", "too many wrong tokens; try again later")),
        {{"retry-after:", std::to_string(retry_after_s)}, {"cache-control:", "no-store"}});
  }
  std::shared_ptr<const std::string> body;
  {
    std::lock_guard lock(handover_.mutex);
    body = status ? handover_.status_json : handover_.metrics_text;
  }
  if (!body && status) {
    return exchange.replyError(HTTP_STATUS_SERVICE_UNAVAILABLE, "not_ready",
                               "status not available yet");
  }
  if (!body) {
    return exchange.reply(HTTP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                          std::make_shared<const std::string>("# metrics not available yet\n"),
                          {{"cache-control:", "no-store"}});
  }
  return exchange.reply(HTTP_STATUS_OK, status ? kJson : "text/plain; version=0.0.4; charset=utf-8",
                        std::move(body), {{"cache-control:", "no-store"}});
}

int HttpService::serveStatic(HttpExchange& exchange, const std::string& root,
                             std::string_view url_path) {
  const files::StaticTarget target = files::resolveStatic(root, url_path);
  switch (target.kind) {
    case files::StaticTarget::Kind::kFile:
      return exchange.serveFile(target.file.path, target.file.content_type);
    case files::StaticTarget::Kind::kAddSlash:
      // "/producer" → "/producer/" so that the page's relative URLs work:
      // the whole path asked for, a mount's prefix included.
      return exchange.reply(HTTP_STATUS_MOVED_PERMANENTLY, "text/plain; charset=utf-8",
                            std::make_shared<const std::string>("moved\n"),
                            {{"location:", std::string(exchange.path) + "/"}});
    case files::StaticTarget::Kind::kNotFound:
      break;
  }
  return exchange.replyError(HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
}

}  // namespace yst::server
