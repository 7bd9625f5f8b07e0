// libFuzzer target: the HTTP request path as a client on the internet reaches
// it. Each input is sent, as it is, as the bytes of a request to a real
// ControlServer (libwebsockets on its own service thread, as in the studio)
// with every route set up: static files, HLS, byte-range media, the
// asynchronous API, redirects, the staff-only status, trusted proxies and
// the Host/Origin checks. The parsers on our side of the request are also
// called directly on the input, where their invariants are checked:
// parseByteRange (Range), TrustedProxies::clientAddress (X-Forwarded-For),
// parseNetwork and addressKey.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "studio/server/client_address.h"
#include "studio/server/control_server.h"
#include "studio/server/http_range.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace yst::server;
using yst::fuzz::require;

ControlServer* startServer() {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("yst-http-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "web" / "producer");
  std::filesystem::create_directories(root / "hls");
  std::filesystem::create_directories(root / "media" / "show1");
  std::ofstream(root / "web" / "index.html") << "<!doctype html><title>v</title>";
  std::ofstream(root / "web" / "producer" / "index.html") << "<!doctype html>";
  std::ofstream(root / "hls" / "program.m3u8") << "#EXTM3U\n";
  std::ofstream(root / "media" / "show1" / "program.mp4") << std::string(5000, 'm');
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.web_root = (root / "web").string();
  options.hls_dir = (root / "hls").string();
  options.media_mounts = {{"/archive/media/", (root / "media").string(), {"program.mp4"}}};
  options.request_prefixes = {"/api/archive/"};
  options.redirects = {{"/q", "/"}};
  options.prefix_redirects = {{"/o/", "/#o="}};
  options.staff_tokens = {"fuzz-staff-token-0123456789"};
  options.trusted_proxies = TrustedProxies({*parseNetwork("127.0.0.0/8")});
  options.allowed_hosts = {"live.example.cn"};
  options.allowed_origins = {"https://live.example.cn"};
  options.max_http_connections_per_address = 1000;
  static ControlServer* server = nullptr;
  ControlServer::Handlers handlers;
  handlers.on_request = [](RequestId id, std::string,
                           std::vector<std::pair<std::string, std::string>> args) {
    std::string body = "{\"args\":" + std::to_string(args.size()) + "}";
    server->respond(id, 200, std::make_shared<const std::string>(std::move(body)));
  };
  server = new ControlServer(options, handlers);  // lives for the process
  std::string error;
  require(server->start(&error), "the server starts");
  server->setStatusJson(std::make_shared<const std::string>("{\"cue\":\"x\"}"));
  server->setMetricsText(std::make_shared<const std::string>("yst 1\n"));
  server->setPublicStatusJson(std::make_shared<const std::string>("{}"));
  return server;
}

// Sends the bytes, half-closes, and reads what comes back until the server
// closes or goes quiet. What it answers is not judged here (any status is
// fine); that it answers without crashing, leaking or hanging is.
void sendRequest(int port, std::string_view bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) break;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    ::shutdown(fd, SHUT_WR);
    char buffer[16384];
    for (int quiet = 0; quiet < 2;) {
      pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        ++quiet;
        continue;
      }
      if (::recv(fd, buffer, sizeof(buffer), 0) <= 0) break;
    }
  }
  ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ControlServer* server = startServer();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const ByteRange range = parseByteRange(input, 5000);
  if (range.kind == ByteRange::Kind::kPartial) {
    require(range.first <= range.last && range.last < 5000, "a partial range lies in the file");
  }
  static const TrustedProxies proxies({*parseNetwork("10.0.0.0/8"), *parseNetwork("::1/128")});
  const std::string client = proxies.clientAddress("10.0.0.1", input);
  require(client == "10.0.0.1" || parseAddress(client).has_value(),
          "the client is the peer or an address from the header");
  const std::string key = addressKey(client);
  require(!key.empty(), "every client has a key");
  if (auto network = parseNetwork(input)) {
    require(network->prefix_bits >= 0 && network->prefix_bits <= 128, "a prefix fits");
  }

  sendRequest(server->port(), input);
  return 0;
}
