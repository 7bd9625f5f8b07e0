// The HTTP side of the server (service thread): the method and Host checks,
// then a route table whose order decides which route answers a path (see
// HttpService::buildRoutes); replies whose bodies go out a piece at a time;
// the gate in front of the staff-only documents; requests answered later
// through ControlServer::respond() (the archive's API).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "studio/base/address_backoff.h"
#include "studio/server/file_serving.h"
#include "studio/server/server_impl.h"

namespace yst::server {

// Extra response headers: ("name:", value), the name with its colon as lws
// wants it.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Bodies written in HTTP_WRITEABLE, a piece at a time, never all at once from
// the request's callback: from memory, or a byte range of an open file.
class HttpBodies {
 public:
  // Each asks lws for the connection's writable callback.
  void add(lws* wsi, std::shared_ptr<const std::string> body, bool close_after);
  void addFile(lws* wsi, std::shared_ptr<std::FILE> file, std::uint64_t first,
               std::uint64_t end);  // bytes [first, end)
  // HTTP_WRITEABLE: the next piece of wsi's body, if it has one; an lws
  // callback's return code.
  int write(lws* wsi);
  void forget(lws* wsi) { bodies_.erase(wsi); }
  void clear() { bodies_.clear(); }

 private:
  struct Body {
    std::shared_ptr<const std::string> body;
    std::size_t offset = 0;
    bool close_after = false;
    std::shared_ptr<std::FILE> file;  // set: the body is file bytes [file_offset, file_end)
    std::uint64_t file_offset = 0;
    std::uint64_t file_end = 0;
  };
  using Iterator = std::unordered_map<lws*, Body>::iterator;
  int writeFileChunk(lws* wsi, Iterator it);

  std::unordered_map<lws*, Body> bodies_;
  std::vector<unsigned char> buffer_;
};

// One request being answered. Each method returns what the lws callback
// returns (-1: close the connection).
class HttpExchange {
 public:
  // `csp`: the Content-Security-Policy of HTML documents (outlives this).
  HttpExchange(lws* wsi_in, std::string_view path_in, bool head_only_in, HttpBodies& bodies,
               std::string_view csp)
      : wsi(wsi_in), path(path_in), head_only(head_only_in), bodies_(bodies), csp_(csp) {}

  lws* const wsi;
  const std::string_view path;  // %-decoded by lws, starts with '/'
  const bool head_only;         // HEAD: the headers only

  int reply(unsigned int status, const char* content_type, std::shared_ptr<const std::string> body,
            const HttpHeaders& extra_headers = {}, bool close_after = false);
  // A JSON error, not to be cached.
  int replyError(unsigned int status, std::string_view code, std::string_view message);
  int redirect(const std::string& location);  // 302
  // The whole file, read and sent by lws as the socket drains.
  int serveFile(const std::string& file_path, const char* content_type);
  // The file, or the byte range the Range header asks for.
  int serveRange(files::MediaFile media, const std::string& range_header);

 private:
  // Status line and headers; false when they do not fit or cannot be sent.
  bool writeHeaders(unsigned int status, const char* content_type, std::uint64_t content_length,
                    const HttpHeaders& extra_headers);

  HttpBodies& bodies_;
  std::string_view csp_;
};

class HttpRoutes {
 public:
  enum class Match { kExact = 0, kPrefix };
  // `rest`: what follows the matched path (empty for an exact match).
  using Handler = std::function<int(HttpExchange&, std::string_view rest)>;

  // Routes are tried in the order they were added: the first that matches
  // answers, even where a later one matches more of the path.
  void add(Match match, std::string path, Handler handler);
  // No route matched: 404.
  int dispatch(HttpExchange& exchange) const;

 private:
  struct Route {
    Match match;
    std::string path;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// /api/status and /metrics: "Authorization: Bearer <a staff token>". After
// two free failures from one address, each further one refuses it for a
// period doubling from 1 s up to a minute; a minute without one, and it
// starts afresh.
class StaffGate {
 public:
  StaffGate(const std::vector<std::string>& tokens, ServerCounters& counters)
      : tokens_(tokens), counters_(counters) {}
  // nullopt when allowed; else the reply's status (401, or 429 with the
  // seconds to wait in *retry_after_s).
  std::optional<unsigned int> check(const std::string& address_key,
                                    const std::string& authorization, std::int64_t now_us,
                                    std::int64_t* retry_after_s);
  void clear() { failures_.clear(); }

 private:
  static constexpr AddressBackoff::Policy kPolicy{.free_failures = 2,
                                                  .first_lock_us = 1000 * 1000,
                                                  .max_lock_us = 60 * 1000 * 1000,
                                                  .forget_after_us = 60 * 1000 * 1000,
                                                  .max_entries = 10000};
  const std::vector<std::string>& tokens_;
  ServerCounters& counters_;
  AddressBackoff failures_{kPolicy};  // per address key
};

// GET and HEAD under the request prefixes, handed to Handlers::on_request,
// and requests under the API prefixes, handed to Handlers::on_api; answered
// from any thread by respond(); the connection waits.
class AsyncRequests {
 public:
  AsyncRequests(const ServerOptions& options, const ControlServer::Handlers& handlers)
      : options_(options), handlers_(handlers) {}
  int hand(HttpExchange& exchange);
  // `request` without its path (the exchange's) and address (filled here).
  int handApi(HttpExchange& exchange, ApiRequest request);
  // Answers picked up from the hand-over; each is written in its
  // connection's own writable callback. Answers to gone requests are dropped.
  void apply(std::vector<AsyncResponse> responses);
  // HTTP_WRITEABLE: wsi's answer, if it has come.
  std::optional<AsyncResponse> takeAnswer(lws* wsi);
  void forget(lws* wsi);

 private:
  struct Waiting {
    lws* wsi = nullptr;
    bool head_only = false;
    // on_api() requests that sent a token: the address key a 401 counts against
    std::string api_address;
  };
  // A free request slot, or the reply that refuses one (-1 / 0: replied).
  std::optional<int> refuseWhenFull(HttpExchange& exchange);

  const ServerOptions& options_;
  const ControlServer::Handlers& handlers_;
  RequestId next_request_ = 1;
  // API requests answered 401, per address: as StaffGate's.
  AddressBackoff api_failures_{{.free_failures = 2,
                                .first_lock_us = 1000 * 1000,
                                .max_lock_us = 60 * 1000 * 1000,
                                .forget_after_us = 60 * 1000 * 1000,
                                .max_entries = 10000}};
  // Requests handed to on_request() or on_api() and not answered yet, both
  // ways round; answers waiting for their connection's writable callback.
  std::unordered_map<RequestId, Waiting> requests_;
  std::unordered_map<lws*, RequestId> request_of_;
  std::unordered_map<lws*, AsyncResponse> answers_;
};

class HttpService {
 public:
  HttpService(const ServerOptions& options, const ControlServer::Handlers& handlers,
              Handover& handover, Admission& admission, ServerCounters& counters);
  // The routes hold `this`.
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // LWS_CALLBACK_HTTP: only GET and HEAD, a path, an allowed Host; then the routes.
  int onHttp(lws* wsi);
  // LWS_CALLBACK_HTTP_BODY / _BODY_COMPLETION: a POST's body under an API
  // prefix, gathered up to max_api_body_bytes, then handed on.
  int onBody(lws* wsi, const char* data, std::size_t length);
  int onBodyComplete(lws* wsi);
  // LWS_CALLBACK_HTTP_WRITEABLE: an answer that came, or the next piece of a body.
  int onWriteable(lws* wsi);
  void applyResponses(std::vector<AsyncResponse> responses) { async_.apply(std::move(responses)); }
  // The connection is closed or its wsi destroyed.
  void forget(lws* wsi) {
    bodies_.forget(wsi);
    async_.forget(wsi);
    posts_.erase(wsi);
  }
  // After the context is gone.
  void clear() {
    staff_gate_.clear();
    bodies_.clear();
  }

 private:
  // An API path ("/whip/remote1" under "/whip/"), or not.
  bool isApiPath(std::string_view path) const;
  // Any method under an API prefix: GET, HEAD, DELETE and OPTIONS at once,
  // POST once its body has come.
  int onApi(HttpExchange& exchange, int method);
  void buildRoutes();
  int serveStatus(HttpExchange& exchange, bool status);
  int serveStatic(HttpExchange& exchange, const std::string& root, std::string_view url_path);

  const ServerOptions& options_;
  const std::string csp_;  // of HTML documents: the defaults and options_.media_origins
  Handover& handover_;
  Admission& admission_;
  ServerCounters& counters_;
  HttpBodies bodies_;
  AsyncRequests async_;
  // POSTs under an API prefix whose bodies are still coming.
  struct PendingPost {
    std::string path;
    ApiRequest request;
    std::size_t expected = 0;  // Content-Length
  };
  std::unordered_map<lws*, PendingPost> posts_;
  StaffGate staff_gate_;
  HttpRoutes routes_;
};

}  // namespace yst::server
