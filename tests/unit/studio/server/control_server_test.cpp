// ControlServer against real sockets: a small blocking HTTP client and a small
// WebSocket client (RFC 6455 handshake, masked frames) written here, talking to
// a server on an ephemeral loopback port with a temporary HLS directory and
// web root.
#include "studio/server/control_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace yst::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kSecret[] = "TOP SECRET: stream key rtmp://x/live/abc";

// --- plain sockets ---------------------------------------------------------

// Connects from `source` (any 127.x.y.z is this machine) to 127.0.0.1:port.
int connectLoopback(int port, int receive_buffer_bytes = 0, const char* source = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (source) {
    sockaddr_in from = {};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
      ::close(fd);
      return -1;
    }
  }
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
  }
  timeval timeout = {5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  const int one = 1;  // small frames go out at once, not after a delayed ACK
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Appends what arrives within `timeout` (at most one recv). 0: EOF or error,
// -1: timeout.
int receiveSome(int fd, std::string* into, std::chrono::milliseconds timeout) {
  pollfd p = {fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0) return -1;
  if (ready < 0) return 0;
  char buffer[65536];
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  if (n <= 0) return 0;
  into->append(buffer, static_cast<std::size_t>(n));
  return 1;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct HttpResponse {
  int status = 0;                              // 0: no response (connection dropped)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Parses "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n"; returns the header
// size, or 0 when incomplete.
std::size_t parseHead(const std::string& raw, HttpResponse* response) {
  const std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::size_t line_end = raw.find("\r\n");
  const std::string status_line = raw.substr(0, line_end);
  const std::size_t space = status_line.find(' ');
  response->status = space == std::string::npos ? 0 : std::atoi(status_line.c_str() + space + 1);
  std::size_t position = line_end + 2;
  while (position < end) {
    line_end = raw.find("\r\n", position);
    const std::string line = raw.substr(position, line_end - position);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::size_t value_start = colon + 1;
      while (value_start < line.size() && line[value_start] == ' ') ++value_start;
      response->headers[lower(line.substr(0, colon))] = line.substr(value_start);
    }
    position = line_end + 2;
  }
  return end + 4;
}

// Reads one response from `fd`: up to Content-Length, or to EOF.
HttpResponse readResponse(int fd, bool head_only, std::string* leftover) {
  HttpResponse response;
  std::string raw = std::move(*leftover);
  leftover->clear();
  std::size_t head_size = 0;
  std::size_t body_size = std::string::npos;
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    if (!head_size && (head_size = parseHead(raw, &response))) {
      const std::string length = response.header("content-length");
      if (head_only) body_size = 0;
      if (!length.empty() && !head_only) body_size = std::stoull(length);
    }
    if (head_size && body_size != std::string::npos && raw.size() - head_size >= body_size) break;
    if (receiveSome(fd, &raw, 200ms) == 0) break;
  }
  if (!head_size) return response;
  if (body_size == std::string::npos) body_size = raw.size() - head_size;
  response.body = raw.substr(head_size, body_size);
  *leftover = raw.substr(std::min(raw.size(), head_size + body_size));
  return response;
}

// `target` is sent as is, so percent-encodings reach the server untouched.
HttpResponse httpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& extra_headers = "Connection: close\r\n") {
  const int fd = connectLoopback(port);
  if (fd < 0) return {};
  sendAll(fd, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n");
  std::string leftover;
  HttpResponse response = readResponse(fd, method == "HEAD", &leftover);
  ::close(fd);
  return response;
}

HttpResponse httpGet(int port, const std::string& target) {
  return httpRequest(port, "GET", target);
}

constexpr char kStaffToken[] = "staff-token-0123456789abcdef";

HttpResponse staffGet(int port, const std::string& target) {
  return httpRequest(
      port, "GET", target,
      std::string("Authorization: Bearer ") + kStaffToken + "\r\nConnection: close\r\n");
}

// --- WebSocket client --------------------------------------------------------

class WsClient {
 public:
  struct Frame {
    int opcode = 0;
    bool fin = true;
    std::string payload;
  };

  WsClient() = default;
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;
  ~WsClient() {
    if (fd_ >= 0) ::close(fd_);
  }

  // The handshake's HTTP status: 101 when upgraded. A refusal's body is kept
  // in refusal().
  int open(int port, const std::string& path = "/ws", const std::string& extra_headers = "",
           int receive_buffer_bytes = 0, const char* source = nullptr,
           const std::string& host = "") {
    fd_ = connectLoopback(port, receive_buffer_bytes, source);
    if (fd_ < 0) return 0;
    // The key and its accept value are the example in RFC 6455 section 1.3.
    sendAll(fd_, "GET " + path + " HTTP/1.1\r\nHost: " +
                     (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
                     "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n" +
                     extra_headers + "\r\n");
    HttpResponse response;
    std::size_t head_size = 0;
    const auto deadline = Clock::now() + 5s;
    while (!head_size && Clock::now() < deadline) {
      if (receiveSome(fd_, &buffer_, 200ms) == 0) break;
      head_size = parseHead(buffer_, &response);
    }
    if (!head_size) return 0;
    if (response.status == 101) {
      if (response.header("sec-websocket-accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") return -1;
      buffer_.erase(0, head_size);
      return 101;
    }
    const std::string length = response.header("content-length");
    while (!length.empty() && buffer_.size() - head_size < std::stoull(length) &&
           Clock::now() < deadline) {
      if (receiveSome(fd_, &buffer_, 200ms) == 0) break;
    }
    refusal_ = buffer_.substr(head_size);
    return response.status;
  }

  const std::string& refusal() const { return refusal_; }

  bool sendFrame(int opcode, std::string_view payload, bool fin = true) {
    return sendAll(fd_, encodeFrame(opcode, payload, fin));
  }
  bool sendText(std::string_view text) { return sendFrame(0x1, text); }
  // Several frames in one write, so that the server reads them all at once.
  bool sendRaw(std::string_view bytes) { return sendAll(fd_, bytes); }

  static std::string encodeFrame(int opcode, std::string_view payload, bool fin = true) {
    std::string frame;
    frame += static_cast<char>((fin ? 0x80 : 0) | opcode);
    const std::size_t n = payload.size();
    if (n < 126) {
      frame += static_cast<char>(0x80 | n);
    } else if (n < 65536) {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>(n >> 8);
      frame += static_cast<char>(n & 0xFF);
    } else {
      frame += static_cast<char>(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((n >> shift) & 0xFF);
    }
    const unsigned char mask[4] = {0x37, 0xFA, 0x21, 0x3D};
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < n; ++i) frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    return frame;
  }

  // nullopt: nothing within `timeout`, or the connection ended.
  std::optional<Frame> readFrame(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      if (std::optional<Frame> frame = parseFrame()) return frame;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return std::nullopt;
      const int got = receiveSome(fd_, &buffer_, left);
      if (got == 0) {
        eof_ = true;
        return std::nullopt;
      }
      if (got < 0) return std::nullopt;
    }
  }

  // The next text message; pings are skipped. A close frame is answered and
  // recorded (closeCode()).
  std::optional<std::string> readText(std::chrono::milliseconds timeout = 3000ms) {
    while (std::optional<Frame> frame = readFrame(timeout)) {
      if (frame->opcode == 0x1) return frame->payload;
      if (frame->opcode == 0x8) {
        recordClose(*frame);
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // Waits for the server's close frame; its status code, 0 if the connection
  // ended without one, -1 on timeout. Data frames before it are skipped.
  int waitClose(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      std::optional<Frame> frame = readFrame(left);
      if (!frame) return eof_ ? 0 : -1;
      if (frame->opcode == 0x8) {
        recordClose(*frame);
        return close_code_;
      }
    }
    return -1;
  }

  // True when the server has closed the TCP connection (after the close
  // handshake, or by cutting it off).
  bool waitEof(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    while (!eof_ && Clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      readFrame(left);
      buffer_.clear();
    }
    return eof_;
  }

  int closeCode() const { return close_code_; }
  const std::string& closeReason() const { return close_reason_; }

 private:
  std::optional<Frame> parseFrame() {
    if (buffer_.size() < 2) return std::nullopt;
    const auto* b = reinterpret_cast<const unsigned char*>(buffer_.data());
    Frame frame;
    frame.fin = (b[0] & 0x80) != 0;
    frame.opcode = b[0] & 0x0F;
    std::size_t length = b[1] & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
      if (buffer_.size() < 4) return std::nullopt;
      length = (static_cast<std::size_t>(b[2]) << 8) | b[3];
      header = 4;
    } else if (length == 127) {
      if (buffer_.size() < 10) return std::nullopt;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | b[2 + i];
      header = 10;
    }
    if (b[1] & 0x80) return std::nullopt;  // a server must not mask
    if (buffer_.size() < header + length) return std::nullopt;
    frame.payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    return frame;
  }

  void recordClose(const Frame& frame) {
    close_code_ = 0;
    if (frame.payload.size() >= 2) {
      close_code_ = (static_cast<unsigned char>(frame.payload[0]) << 8) |
                    static_cast<unsigned char>(frame.payload[1]);
      close_reason_ = frame.payload.substr(2);
    }
    sendFrame(0x8, frame.payload.substr(0, 2));  // complete the close handshake
  }

  int fd_ = -1;
  std::string buffer_;
  std::string refusal_;
  bool eof_ = false;
  int close_code_ = -1;
  std::string close_reason_;
};

// --- handlers that record what the server reports ----------------------------

struct Recorder {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<ClientId, std::string>> messages;  // Guarded by mutex.
  std::vector<ClientId> opened;                            // Guarded by mutex.
  std::map<ClientId, std::string> addresses;               // Guarded by mutex.
  std::map<ClientId, int> closed;                          // Guarded by mutex.
  // Runs on the service thread after a message is recorded; set before start().
  std::function<void(ClientId, const std::string&)> on_message;

  ControlServer::Handlers handlers() {
    ControlServer::Handlers h;
    h.on_message = [this](ClientId id, std::string message) {
      {
        std::lock_guard lock(mutex);
        messages.emplace_back(id, message);
      }
      changed.notify_all();
      if (on_message) on_message(id, message);
    };
    h.on_close = [this](ClientId id) {
      {
        std::lock_guard lock(mutex);
        ++closed[id];
      }
      changed.notify_all();
    };
    h.on_open = [this](ClientId id, const std::string& address) {
      {
        std::lock_guard lock(mutex);
        opened.push_back(id);
        addresses[id] = address;
      }
      changed.notify_all();
    };
    return h;
  }

  template <typename Predicate>
  bool waitFor(Predicate predicate, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return predicate(); });
  }

  std::size_t messageCount() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  ClientId lastOpened() {
    std::lock_guard lock(mutex);
    return opened.empty() ? 0 : opened.back();
  }
  int closeCount(ClientId id) {
    std::lock_guard lock(mutex);
    auto it = closed.find(id);
    return it == closed.end() ? 0 : it->second;
  }
};

void writeFile(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::shared_ptr<const std::string> shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/yst_control_server_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    hls_ = root_ / "hls";
    web_ = root_ / "web";
    std::filesystem::create_directories(hls_);
    std::filesystem::create_directories(web_ / "producer");
    writeFile(root_ / "secret.txt", kSecret);
    writeFile(hls_ / "live.m3u8", "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:2.0,\nseg_00001.ts\n");
    segment_.resize(3 * 1024 * 1024 + 17);
    for (std::size_t i = 0; i < segment_.size(); ++i) segment_[i] = static_cast<char>(i * 131 + 7);
    writeFile(hls_ / "seg_00001.ts", segment_);
    writeFile(hls_ / ".hidden.ts", "hidden");
    writeFile(web_ / "index.html", "<!doctype html><title>viewer</title>");
    writeFile(web_ / "app.js", "console.log('hi');");
    writeFile(web_ / "style.css", "body{}");
    writeFile(web_ / "producer" / "index.html", "<!doctype html><title>producer</title>");
    std::filesystem::create_symlink("../secret.txt", web_ / "escape.txt");
    std::filesystem::create_symlink("../secret.txt", hls_ / "escape.ts");
    std::filesystem::create_symlink("app.js", web_ / "alias.js");
  }

  void TearDown() override {
    server_.reset();  // stop(): every open client gets on_close
    {
      std::lock_guard lock(recorder_.mutex);
      for (ClientId id : recorder_.opened) {
        EXPECT_EQ(recorder_.closed[id], 1) << "on_close count for client " << id;
      }
      EXPECT_EQ(recorder_.closed.size(), recorder_.opened.size());
    }
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }

  ServerOptions defaultOptions() const {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.hls_dir = hls_.string();
    options.web_root = web_.string();
    options.staff_tokens = {kStaffToken};
    return options;
  }

  void startServer(ServerOptions options) {
    server_ = std::make_unique<ControlServer>(std::move(options), recorder_.handlers());
    std::string error;
    ASSERT_TRUE(server_->start(&error)) << error;
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }
  void startServer() { startServer(defaultOptions()); }

  // Opens a WebSocket and returns the id the server gave it.
  ClientId connect(WsClient& client, const std::string& extra_headers = "",
                   int receive_buffer_bytes = 0) {
    const std::size_t before = openedCount();
    EXPECT_EQ(client.open(port_, "/ws", extra_headers, receive_buffer_bytes), 101);
    EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.opened.size() > before; }));
    return recorder_.lastOpened();
  }

  std::size_t openedCount() {
    std::lock_guard lock(recorder_.mutex);
    return recorder_.opened.size();
  }

  std::filesystem::path root_, hls_, web_;
  std::string segment_;
  Recorder recorder_;
  std::unique_ptr<ControlServer> server_;
  int port_ = 0;
};

// --- HTTP ----------------------------------------------------------------------

TEST_F(ControlServerTest, StatusIs503UntilSetThenServed) {
  startServer();
  HttpResponse before = staffGet(port_, "/api/status");
  EXPECT_EQ(before.status, 503);
  EXPECT_NE(before.body.find("\"type\":\"error\""), std::string::npos) << before.body;
  EXPECT_EQ(before.header("x-content-type-options"), "nosniff");

  server_->setStatusJson(shared(R"({"type":"status","on_air":null,"title":"议事厅"})"));
  HttpResponse after = staffGet(port_, "/api/status");
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, R"({"type":"status","on_air":null,"title":"议事厅"})");
  EXPECT_EQ(after.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(after.header("cache-control"), "no-store");
  EXPECT_EQ(after.header("x-content-type-options"), "nosniff");

  // A body larger than one write goes out in pieces.
  std::string big = "{\"pad\":\"" + std::string(200000, 'x') + "\"}";
  server_->setStatusJson(shared(big));
  EXPECT_EQ(staffGet(port_, "/api/status").body, big);

  HttpResponse head = httpRequest(
      port_, "HEAD", "/api/status",
      std::string("Authorization: Bearer ") + kStaffToken + "\r\nConnection: close\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(big.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ControlServerTest, MetricsServedAsPrometheusText) {
  startServer();
  EXPECT_EQ(staffGet(port_, "/metrics").status, 503);
  server_->setMetricsText(shared("# TYPE yst_viewers gauge\nyst_viewers 3\n"));
  HttpResponse metrics = staffGet(port_, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "# TYPE yst_viewers gauge\nyst_viewers 3\n");
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.header("x-content-type-options"), "nosniff");
}

TEST_F(ControlServerTest, HlsFilesServedWithTheirContentTypes) {
  startServer();
  HttpResponse playlist = httpGet(port_, "/hls/live.m3u8");
  EXPECT_EQ(playlist.status, 200);
  EXPECT_EQ(playlist.header("content-type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(playlist.header("cache-control"), "no-cache");
  EXPECT_EQ(playlist.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(playlist.body.substr(0, 7), "#EXTM3U");

  HttpResponse segment = httpGet(port_, "/hls/seg_00001.ts");
  EXPECT_EQ(segment.status, 200);
  EXPECT_EQ(segment.header("content-type"), "video/mp2t");
  EXPECT_EQ(segment.body.size(), segment_.size());
  EXPECT_TRUE(segment.body == segment_);
}

TEST_F(ControlServerTest, StaticFilesCarryContentTypesAndSecurityHeaders) {
  startServer();
  const std::string csp =
      "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
      "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";
  HttpResponse index = httpGet(port_, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>viewer</title>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("content-security-policy"), csp);
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");

  HttpResponse script = httpGet(port_, "/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(script.header("content-security-policy"), "");
  EXPECT_EQ(httpGet(port_, "/style.css").header("content-type"), "text/css; charset=utf-8");
  // A symlink that stays inside the root is fine.
  EXPECT_EQ(httpGet(port_, "/alias.js").body, "console.log('hi');");

  HttpResponse redirect = httpGet(port_, "/producer");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.header("location"), "/producer/");
  HttpResponse producer = httpGet(port_, "/producer/");
  EXPECT_EQ(producer.status, 200);
  EXPECT_EQ(producer.body, "<!doctype html><title>producer</title>");
  EXPECT_EQ(producer.header("content-security-policy"), csp);
}

// An edge whose HLS is on a CDN: its pages may fetch and play from there,
// and an origin that would end the source list is left out.
TEST_F(ControlServerTest, MediaOriginsWidenOnlyMediaAndFetches) {
  ServerOptions options = defaultOptions();
  options.media_origins = {"https://live.example.cn", "https://x.example; script-src *"};
  startServer(options);
  EXPECT_EQ(httpGet(port_, "/").header("content-security-policy"),
            "default-src 'self'; img-src 'self' data:; media-src 'self' blob: "
            "https://live.example.cn; connect-src 'self' https://live.example.cn; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'");
}

TEST_F(ControlServerTest, UnknownPathsAre404) {
  startServer();
  for (const char* target :
       {"/nope", "/nope.html", "/hls/missing.ts", "/hls/sub/seg.ts", "/hls/.hidden.ts", "/hls/",
        "/hls/live.exe", "/hls/app.js", "/index.html/", "/producer/missing.js"}) {
    HttpResponse response = httpGet(port_, target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.header("x-content-type-options"), "nosniff") << target;
  }
  HttpResponse post = httpRequest(port_, "POST", "/api/status");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(httpGet(port_, "/ws").status, 426);
}

TEST_F(ControlServerTest, NoWebRootMeansOnlyTheApiRoutes) {
  ServerOptions options = defaultOptions();
  options.web_root.clear();
  options.hls_dir.clear();
  startServer(options);
  EXPECT_EQ(httpGet(port_, "/").status, 404);
  EXPECT_EQ(httpGet(port_, "/app.js").status, 404);
  EXPECT_EQ(httpGet(port_, "/hls/live.m3u8").status, 404);
}

TEST_F(ControlServerTest, PathTraversalIsRefused) {
  startServer();
  for (const char* target : {"/hls/../secret.txt",
                             "/hls/%2e%2e%2fsecret.txt",
                             "/hls/..%2fsecret.txt",
                             "/hls/%2e%2e/secret.txt",
                             "/%2e%2e/%2e%2e/etc/passwd",
                             "/../secret.txt",
                             "/%2e%2e/secret.txt",
                             "/..%2f..%2fetc%2fpasswd",
                             "/hls/a%00b",
                             "/a%00b.html",
                             "/hls/%252e%252e%252fsecret.txt",
                             "/%252e%252e/secret.txt",
                             "/hls/..\\secret.txt",
                             "/escape.txt",
                             "/hls/escape.ts",
                             "/hls/%2fetc%2fpasswd",
                             "//etc/passwd",
                             "/hls/....//secret.txt",
                             "/%c0%ae%c0%ae/secret.txt",
                             "/hls/%zz"}) {
    HttpResponse response = httpGet(port_, target);
    EXPECT_NE(response.status, 200) << target;
    EXPECT_EQ(response.body.find("TOP SECRET"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
  }
  // The server is still fine afterwards.
  EXPECT_EQ(httpGet(port_, "/hls/live.m3u8").status, 200);
}

// Which route answers a path is decided by the order the routes are tried in,
// not by which matches more of it: the exact API paths, /ws, /hls/, the
// request prefixes, the media mounts, the redirects, the prefix redirects,
// the mounts, then the web root. A route that matches answers even when it
// finds nothing (404); the path never falls through to a later route.
TEST_F(ControlServerTest, RouteOrderIsPrecedence) {
  const std::filesystem::path media = root_ / "media";
  const std::filesystem::path vendor = root_ / "vendor";
  std::filesystem::create_directories(media / "show1");
  std::filesystem::create_directories(vendor);
  std::filesystem::create_directories(web_ / "vendor");
  std::filesystem::create_directories(web_ / "media" / "show1");
  writeFile(media / "show1" / "program.mp4", std::string(1000, 'm'));
  writeFile(vendor / "lib.js", "mount");
  writeFile(vendor / "only.js", "mount only");
  writeFile(web_ / "vendor" / "lib.js", "web root");
  writeFile(web_ / "vendor" / "web-only.js", "web root only");
  writeFile(web_ / "media" / "show1" / "other.mp4", "web root");

  ServerOptions options = defaultOptions();
  options.request_prefixes = {"/api/", "/hls/x"};
  options.media_mounts = {{"/api/media/", media.string(), {"program.mp4"}},
                          {"/media/", media.string(), {"program.mp4", "other.mp4"}}};
  options.redirects = {{"/ws", "/elsewhere"},
                       {"/hls/old.m3u8", "/elsewhere"},
                       {"/media/show1/program.mp4", "/elsewhere"},
                       {"/go/here", "/exact"},
                       {"/vendor/lib.js", "/elsewhere"}};
  options.prefix_redirects = {{"/go/", "/#go="}, {"/vendor/x", "/#x="}};
  options.mounts = {{"/vendor/", vendor.string()}};
  ControlServer::Handlers handlers = recorder_.handlers();
  handlers.on_request = [this](RequestId id, std::string path,
                               std::vector<std::pair<std::string, std::string>>) {
    server_->respond(id, 200, shared("async " + path));
  };
  server_ = std::make_unique<ControlServer>(options, handlers);
  std::string error;
  ASSERT_TRUE(server_->start(&error)) << error;
  port_ = server_->port();

  // Exact API paths before the request prefix "/api/".
  EXPECT_EQ(httpGet(port_, "/api/status").status, 401);
  EXPECT_EQ(httpGet(port_, "/api/public-status").status, 503);
  EXPECT_EQ(httpGet(port_, "/api/other").body, "async /api/other");
  // /ws before a redirect of /ws.
  EXPECT_EQ(httpGet(port_, "/ws").status, 426);
  // /hls/ before a request prefix under it and a redirect under it.
  EXPECT_EQ(httpGet(port_, "/hls/x.m3u8").status, 404);
  EXPECT_EQ(httpGet(port_, "/hls/old.m3u8").status, 404);
  EXPECT_EQ(httpGet(port_, "/hls/live.m3u8").status, 200);
  // A request prefix before a media mount under it.
  EXPECT_EQ(httpGet(port_, "/api/media/show1/program.mp4").body,
            "async /api/media/show1/program.mp4");
  // A media mount before a redirect of one of its files, and before the web
  // root even where the mount finds nothing.
  HttpResponse video = httpGet(port_, "/media/show1/program.mp4");
  EXPECT_EQ(video.status, 200);
  EXPECT_EQ(video.header("accept-ranges"), "bytes");
  EXPECT_EQ(video.body, std::string(1000, 'm'));
  EXPECT_EQ(httpGet(port_, "/media/show1/other.mp4").status, 404);
  // An exact redirect before a prefix redirect that also matches.
  EXPECT_EQ(httpGet(port_, "/go/here").header("location"), "/exact");
  EXPECT_EQ(httpGet(port_, "/go/there").header("location"), "/#go=there");
  // A redirect before a mount; a prefix redirect before a mount, even where
  // its rest is not a link (404 "no such link").
  EXPECT_EQ(httpGet(port_, "/vendor/lib.js").header("location"), "/elsewhere");
  EXPECT_EQ(httpGet(port_, "/vendor/xyz").header("location"), "/#x=yz");
  HttpResponse not_a_link = httpGet(port_, "/go/a/b");
  EXPECT_EQ(not_a_link.status, 404);
  EXPECT_NE(not_a_link.body.find("no such link"), std::string::npos) << not_a_link.body;
  // A mount before the web root, even where the mount finds nothing.
  EXPECT_EQ(httpGet(port_, "/vendor/only.js").body, "mount only");
  EXPECT_EQ(httpGet(port_, "/vendor/web-only.js").status, 404);
  // A folder under a mount, asked for without its slash, is redirected to
  // itself with the slash, under the mount.
  std::filesystem::create_directories(vendor / "pkg");
  HttpResponse folder = httpGet(port_, "/vendor/pkg");
  EXPECT_EQ(folder.status, 301);
  EXPECT_EQ(folder.header("location"), "/vendor/pkg/");
  // The web root answers the rest.
  EXPECT_EQ(httpGet(port_, "/app.js").body, "console.log('hi');");
}

// A request with a body, sent as is (the tests of API requests: WHIP's SDP offers).
HttpResponse httpWithBody(int port, const std::string& method, const std::string& target,
                          const std::string& headers, const std::string& body) {
  const int fd = connectLoopback(port);
  if (fd < 0) return {};
  sendAll(fd, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                  headers + "\r\n" + body);
  std::string leftover;
  HttpResponse response = readResponse(fd, false, &leftover);
  ::close(fd);
  return response;
}

TEST_F(ControlServerTest, ApiRequestsCarryTheirMethodTokenAndBody) {
  ServerOptions options = defaultOptions();
  options.api_prefixes = {"/whip/", "/api/guest"};
  options.max_api_body_bytes = 1000;
  ControlServer::Handlers handlers = recorder_.handlers();
  std::vector<ApiRequest> seen;
  std::mutex seen_mutex;
  handlers.on_api = [this, &seen, &seen_mutex](RequestId id, ApiRequest request) {
    ApiResponse response;
    response.status = request.authorization == "Bearer right" ? 201 : 401;
    response.content_type = "application/sdp";
    response.body = "answer to " + request.method + " " + request.path + ": " + request.body;
    response.headers = {{"location", request.path + "/s1"}};
    {
      std::lock_guard lock(seen_mutex);
      seen.push_back(std::move(request));
    }
    server_->respond(id, std::move(response));
  };
  server_ = std::make_unique<ControlServer>(options, handlers);
  std::string error;
  ASSERT_TRUE(server_->start(&error)) << error;
  port_ = server_->port();

  const std::string offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n";
  HttpResponse created = httpWithBody(
      port_, "POST", "/whip/remote1",
      "Authorization: Bearer right\r\nContent-Type: application/sdp\r\nContent-Length: " +
          std::to_string(offer.size()) + "\r\n",
      offer);
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.header("location"), "/whip/remote1/s1");
  EXPECT_EQ(created.header("content-type"), "application/sdp");
  EXPECT_EQ(created.body, "answer to POST /whip/remote1: " + offer);
  {
    std::lock_guard lock(seen_mutex);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].content_type, "application/sdp");
    EXPECT_EQ(seen[0].address, "127.0.0.1");
  }
  EXPECT_EQ(httpRequest(port_, "DELETE", "/whip/remote1/s1",
                        "Authorization: Bearer right\r\nConnection: close\r\n")
                .status,
            201);
  EXPECT_EQ(httpGet(port_, "/api/guest").status, 401);
  // No length, too long, a method no API takes; and a POST elsewhere.
  EXPECT_EQ(httpWithBody(port_, "POST", "/whip/remote1", "", "").status, 411);
  EXPECT_EQ(httpWithBody(port_, "POST", "/whip/remote1", "Content-Length: 1001\r\n",
                         std::string(1001, 'x'))
                .status,
            413);
  EXPECT_EQ(httpWithBody(port_, "PUT", "/whip/remote1", "Content-Length: 2\r\n", "xx").status, 405);
  EXPECT_EQ(httpWithBody(port_, "POST", "/index.html", "Content-Length: 2\r\n", "xx").status, 405);
  // 401s from one address: after two, it waits (429) without reaching the handler.
  std::size_t before = 0;
  {
    std::lock_guard lock(seen_mutex);
    before = seen.size();
  }
  std::vector<int> codes;
  for (int i = 0; i < 4; ++i) {
    codes.push_back(httpRequest(port_, "DELETE", "/whip/remote1/s1",
                                "Authorization: Bearer wrong\r\nConnection: close\r\n")
                        .status);
  }
  EXPECT_EQ(codes, (std::vector<int>{401, 401, 401, 429}));
  std::lock_guard lock(seen_mutex);
  EXPECT_EQ(seen.size(), before + 3);
}

// --- WebSocket -------------------------------------------------------------------

TEST_F(ControlServerTest, MessageReachesHandlerAndReplyArrives) {
  ControlServer* server = nullptr;
  recorder_.on_message = [&server](ClientId id, const std::string& message) {
    server->send(id, shared("{\"type\":\"reply\",\"echo\":" + message + "}"));
  };
  startServer();
  server = server_.get();

  WsClient client;
  const ClientId id = connect(client);
  EXPECT_EQ(id, 1u);  // ids start at 1
  EXPECT_EQ(server_->connectionCount(), 1u);
  ASSERT_TRUE(client.sendText(R"({"type":"hello","问":"好"})"));
  std::optional<std::string> reply = client.readText();
  ASSERT_TRUE(reply);
  EXPECT_EQ(*reply, R"({"type":"reply","echo":{"type":"hello","问":"好"}})");
  {
    std::lock_guard lock(recorder_.mutex);
    ASSERT_EQ(recorder_.messages.size(), 1u);
    EXPECT_EQ(recorder_.messages[0].first, id);
  }

  // A second client gets a new, larger id; the subprotocol we name is accepted.
  WsClient second;
  const ClientId second_id = connect(second, "Sec-WebSocket-Protocol: yishiting\r\n");
  EXPECT_GT(second_id, id);
  // Unknown ids are ignored.
  server_->send(999, shared("nobody"));
}

TEST_F(ControlServerTest, FragmentedMessageIsReassembled) {
  startServer();
  WsClient client;
  const ClientId id = connect(client);
  ASSERT_TRUE(client.sendFrame(0x1, "{\"type\":", false));
  ASSERT_TRUE(client.sendFrame(0x0, "\"frag", false));
  ASSERT_TRUE(client.sendFrame(0x9, "ping in between"));  // control frames may interleave
  ASSERT_TRUE(client.sendFrame(0x0, "ment\"}", true));
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.messages.size() == 1; }));
  std::lock_guard lock(recorder_.mutex);
  EXPECT_EQ(recorder_.messages[0], std::make_pair(id, std::string(R"({"type":"fragment"})")));
}

TEST_F(ControlServerTest, PublishReachesOnlySubscribedClients) {
  startServer();
  WsClient viewer, producer, nobody;
  const ClientId viewer_id = connect(viewer);
  const ClientId producer_id = connect(producer);
  const ClientId nobody_id = connect(nobody);
  server_->setChannels(viewer_id, kChannelViewer);
  server_->setChannels(producer_id, kChannelProducer);

  server_->publish(kChannelViewer, shared("for viewers"));
  server_->publish(kChannelProducer | kChannelViewer, shared("for everyone"));
  server_->publish(kChannelProducer, shared("for producers"));
  server_->send(nobody_id, shared("direct"));

  EXPECT_EQ(viewer.readText(), "for viewers");
  EXPECT_EQ(viewer.readText(), "for everyone");
  EXPECT_EQ(producer.readText(), "for everyone");
  EXPECT_EQ(producer.readText(), "for producers");
  // Sent after the publishes on the same queue: had it received any of them,
  // they would come first.
  EXPECT_EQ(nobody.readText(), "direct");
  EXPECT_EQ(viewer.readText(200ms), std::nullopt);
}

// Messages are written at once while the socket takes them and queued when
// it does not (a frame cut short, the rest held by lws): whichever way each
// one goes, a client gets every message whole, the replies in order and the
// broadcasts in order (a reply may overtake queued broadcasts, by design).
TEST_F(ControlServerTest, MessagesArriveWholeAndInOrderWhetherWrittenAtOnceOrQueued) {
  startServer();
  WsClient client;
  const ClientId id = connect(client, "", /*receive_buffer_bytes=*/8192);
  server_->setChannels(id, kChannelViewer);
  constexpr int kMessages = 300;
  auto message = [](int i) {
    // 20 bytes to 48 KB, so that some fill the socket and some fit in what is left.
    const std::size_t size = 20 + static_cast<std::size_t>(i * 7919 % (48 * 1024));
    std::string text = std::to_string(i) + ":";
    text.resize(size, static_cast<char>('a' + i % 26));
    return text;
  };
  for (int i = 0; i < kMessages; ++i) {
    if (i % 3 == 0) {
      server_->send(id, shared(message(i)));
    } else {
      server_->publish(kChannelViewer, shared(message(i)));
    }
    if (i % 40 == 0) std::this_thread::sleep_for(20ms);  // let some go out at once
  }
  int last_reply = -1;
  int last_broadcast = -1;
  int broadcast_first = 0;  // a broadcast came before a reply sent earlier
  for (int n = 0; n < kMessages; ++n) {
    const std::optional<std::string> got = client.readText(5000ms);
    ASSERT_TRUE(got) << "only " << n << " of " << kMessages << " messages arrived";
    const int i = std::stoi(got->substr(0, got->find(':')));
    ASSERT_EQ(*got, message(i)) << "message " << i << " is not whole";
    int& last = i % 3 == 0 ? last_reply : last_broadcast;
    ASSERT_GT(i, last) << "message " << i << " came after " << last;
    last = i;
    if (i % 3 == 0 && i < last_broadcast) ++broadcast_first;
  }
  EXPECT_EQ(last_reply, 297);
  EXPECT_EQ(last_broadcast, 299);
  EXPECT_EQ(server_->stats().dropped_slow_clients, 0u);
  EXPECT_EQ(broadcast_first, 0);
}

TEST_F(ControlServerTest, OversizeMessageClosesWith1009) {
  ServerOptions options = defaultOptions();
  options.max_message_bytes = 1000;
  startServer(options);

  WsClient single;
  const ClientId single_id = connect(single);
  ASSERT_TRUE(single.sendText(std::string(1001, 'a')));
  EXPECT_EQ(single.waitClose(), 1009);
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(single_id) == 1; }));

  // Fragments that are each small but add up to too much.
  WsClient fragments;
  const ClientId fragments_id = connect(fragments);
  ASSERT_TRUE(fragments.sendFrame(0x1, std::string(600, 'b'), false));
  ASSERT_TRUE(fragments.sendFrame(0x0, std::string(600, 'b'), true));
  EXPECT_EQ(fragments.waitClose(), 1009);
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(fragments_id) == 1; }));

  // Exactly at the limit is fine.
  WsClient fits;
  connect(fits);
  ASSERT_TRUE(fits.sendText(std::string(1000, 'c')));
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.messages.size() == 1; }));
  EXPECT_EQ(recorder_.messageCount(), 1u);
  EXPECT_EQ(server_->stats().oversize_closes, 2u);
}

TEST_F(ControlServerTest, InvalidUtf8AndBinaryGetErrorsAndAreNotPassedOn) {
  ServerOptions options = defaultOptions();
  options.messages_per_second = 1000;
  options.message_burst = 1000;
  startServer(options);
  WsClient client;
  connect(client);

  const std::string invalid_utf8 =
      R"({"type":"error","code":"bad_message","message":"invalid UTF-8"})";
  for (const std::string& bad : {
           std::string("\xC0\xAF"),              // overlong '/'
           std::string("\xE0\x80\xAF"),          // overlong, 3 bytes
           std::string("\xF0\x80\x80\xAF"),      // overlong, 4 bytes
           std::string("\xED\xA0\x80"),          // UTF-16 surrogate U+D800
           std::string("\xED\xBF\xBF"),          // surrogate U+DFFF
           std::string("\xF4\x90\x80\x80"),      // above U+10FFFF
           std::string("abc\xE4\xBD"),           // truncated 3-byte sequence
           std::string("\x80"),                  // lone continuation byte
           std::string("\xFF\xFE"),              // never valid
           std::string("ok \xE4\xBD\xA0 \xC3"),  // valid, then truncated
       }) {
    ASSERT_TRUE(client.sendText(bad));
    EXPECT_EQ(client.readText(), invalid_utf8);
  }
  ASSERT_TRUE(client.sendFrame(0x2, std::string("\x00\x01\x02", 3)));
  EXPECT_EQ(client.readText(),
            R"({"type":"error","code":"bad_message","message":"text frames only"})");
  EXPECT_EQ(recorder_.messageCount(), 0u);

  const std::string valid = "问题 ✓ 😀 \xF4\x8F\xBF\xBF \xEF\xBF\xBD";
  ASSERT_TRUE(client.sendText(valid));
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.messages.size() == 1; }));
  std::lock_guard lock(recorder_.mutex);
  EXPECT_EQ(recorder_.messages[0].second, valid);
}

TEST_F(ControlServerTest, RateLimitSendsErrorThenCloses) {
  ServerOptions options = defaultOptions();
  options.messages_per_second = 0.1;  // no refill within the test
  options.message_burst = 3;
  startServer(options);
  WsClient client;
  const ClientId id = connect(client);
  // One write: the server closes after the 4th, and must not find the rest
  // unread in its socket then (that would turn its FIN into a reset).
  std::string burst;
  for (int i = 0; i < 6; ++i) {
    burst += WsClient::encodeFrame(0x1, "{\"n\":" + std::to_string(i) + "}");
  }
  ASSERT_TRUE(client.sendRaw(burst));
  std::optional<std::string> error = client.readText();
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("\"code\":\"rate_limited\""), std::string::npos) << *error;
  EXPECT_EQ(client.waitClose(), 1008);
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(id) == 1; }));
  EXPECT_EQ(recorder_.messageCount(), 3u);
  EXPECT_EQ(server_->stats().rate_limited_closes, 1u);
}

TEST_F(ControlServerTest, TooManyConnectionsFromOneAddressAreRefused) {
  ServerOptions options = defaultOptions();
  options.max_connections_per_address = 2;
  startServer(options);
  auto first = std::make_unique<WsClient>();
  WsClient second;
  const ClientId first_id = connect(*first);
  connect(second);

  WsClient third;
  EXPECT_EQ(third.open(port_), 429);
  EXPECT_NE(third.refusal().find("\"code\":\"too_many_connections\""), std::string::npos)
      << third.refusal();
  EXPECT_EQ(server_->connectionCount(), 2u);
  EXPECT_EQ(server_->stats().refused_connections, 1u);

  // A slot frees up when a connection goes.
  first.reset();
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(first_id) == 1; }));
  WsClient fourth;
  connect(fourth);
  EXPECT_EQ(server_->connectionCount(), 2u);

  // Other paths cannot be upgraded.
  WsClient elsewhere;
  EXPECT_EQ(elsewhere.open(port_, "/api/status"), 404);
}

TEST_F(ControlServerTest, SlowReaderIsDroppedAndMemoryStaysBounded) {
  ServerOptions options = defaultOptions();
  options.max_queued_messages = 8;
  startServer(options);
  WsClient slow;
  const ClientId slow_id = connect(slow, "", /*receive_buffer_bytes=*/4096);
  WsClient healthy;
  const ClientId healthy_id = connect(healthy);
  server_->setChannels(slow_id, kChannelViewer);

  // 400 x 64 KB = 25 MB the slow client never reads.
  auto big = shared(std::string(64 * 1024, 'v'));
  std::size_t max_queued = 0;
  for (int i = 0; i < 400 && recorder_.closeCount(slow_id) == 0; ++i) {
    server_->publish(kChannelViewer, big);
    max_queued = std::max(max_queued, server_->stats().queued_messages);
    if (i % 50 == 0) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(slow_id) == 1; }, 5000ms));
  EXPECT_LE(max_queued, options.max_queued_messages);
  const ServerStats stats = server_->stats();
  EXPECT_EQ(stats.dropped_slow_clients, 1u);
  EXPECT_EQ(stats.queued_messages, 0u);
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_TRUE(slow.waitEof());

  // Everyone else is unaffected.
  server_->send(healthy_id, shared("still here"));
  EXPECT_EQ(healthy.readText(), "still here");
}

TEST_F(ControlServerTest, SlowReaderIsDroppedByQueuedBytesToo) {
  ServerOptions options = defaultOptions();
  options.max_queued_messages = 100000;    // the byte limit must act first
  options.max_queued_bytes = 1024 * 1024;  // 1 MiB
  startServer(options);
  WsClient slow;
  const ClientId slow_id = connect(slow, "", /*receive_buffer_bytes=*/4096);
  server_->setChannels(slow_id, kChannelViewer);
  auto message = shared(std::string(3000, 'q'));  // a questions.public of ~15 questions
  std::size_t max_queued = 0;
  for (int i = 0; i < 5000 && recorder_.closeCount(slow_id) == 0; ++i) {
    server_->publish(kChannelViewer, message);
    max_queued = std::max(max_queued, server_->stats().queued_messages);
    if (i % 100 == 0) std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(slow_id) == 1; }, 5000ms));
  // 1 MiB / 3000 bytes, plus what the sockets hold.
  EXPECT_LE(max_queued, options.max_queued_bytes / 3000 + 1);
  EXPECT_EQ(server_->stats().dropped_slow_clients, 1u);
}

TEST_F(ControlServerTest, IdleConnectionIsClosed) {
  ServerOptions options = defaultOptions();
  options.idle_timeout_s = 1;
  startServer(options);
  WsClient idle;
  const ClientId id = connect(idle);
  const auto started = Clock::now();
  // Closed after the timeout, not before; how soon after depends on the
  // machine's load (a starved test once took over 3 s), so the wait is long.
  EXPECT_EQ(idle.waitClose(10000ms), 1000);
  EXPECT_EQ(idle.closeReason(), "idle timeout");
  EXPECT_GE(Clock::now() - started, 900ms);
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(id) == 1; }));
  EXPECT_EQ(server_->stats().idle_closes, 1u);
}

TEST_F(ControlServerTest, CloseWritesQueuedMessagesFirst) {
  startServer();
  WsClient client;
  const ClientId id = connect(client);
  server_->send(id, shared("one"));
  server_->send(id, shared("two"));
  server_->close(id);
  server_->send(id, shared("after close"));
  EXPECT_EQ(client.readText(), "one");
  EXPECT_EQ(client.readText(), "two");
  EXPECT_EQ(client.waitClose(), 1000);
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.count(id) == 1; }));
  EXPECT_EQ(server_->connectionCount(), 0u);
}

TEST_F(ControlServerTest, PendingQueueIsBoundedWhenTheServiceThreadStalls) {
  ServerOptions options = defaultOptions();
  options.max_pending_messages = 16;
  std::mutex gate_mutex;
  std::condition_variable gate_changed;
  bool stalled = false;
  bool released = false;
  // A handler that blocks (which real handlers must not do) stalls the
  // service thread.
  recorder_.on_message = [&](ClientId, const std::string& message) {
    if (message != "stall") return;
    std::unique_lock lock(gate_mutex);
    stalled = true;
    gate_changed.notify_all();
    gate_changed.wait(lock, [&] { return released; });
  };
  startServer(options);
  WsClient client;
  const ClientId id = connect(client);
  server_->setChannels(id, kChannelViewer);
  ASSERT_TRUE(client.sendText("stall"));
  {
    std::unique_lock lock(gate_mutex);
    ASSERT_TRUE(gate_changed.wait_for(lock, 3s, [&] { return stalled; }));
  }
  for (int i = 0; i < 50; ++i) server_->publish(kChannelViewer, shared(std::to_string(i)));
  EXPECT_EQ(server_->stats().dropped_pending_messages, 34u);
  {
    std::lock_guard lock(gate_mutex);
    released = true;
  }
  gate_changed.notify_all();
  // The oldest were dropped; the newest 16 arrive, in order.
  for (int i = 34; i < 50; ++i) EXPECT_EQ(client.readText(), std::to_string(i));
}

// A channel change handed over while the service thread is stalled waits in
// line with the messages; when the queue overflows, messages are dropped but
// the change is not (it used to be, as the oldest entry: the client then never
// joined its channel and heard nothing more).
TEST_F(ControlServerTest, PendingQueueOverflowKeepsChannelChanges) {
  ServerOptions options = defaultOptions();
  options.max_pending_messages = 16;
  std::mutex gate_mutex;
  std::condition_variable gate_changed;
  bool stalled = false;
  bool released = false;
  recorder_.on_message = [&](ClientId, const std::string& message) {
    if (message != "stall") return;
    std::unique_lock lock(gate_mutex);
    stalled = true;
    gate_changed.notify_all();
    gate_changed.wait(lock, [&] { return released; });
  };
  startServer(options);
  WsClient staller;
  connect(staller);
  WsClient viewer;
  const ClientId viewer_id = connect(viewer);
  ASSERT_TRUE(staller.sendText("stall"));
  {
    std::unique_lock lock(gate_mutex);
    ASSERT_TRUE(gate_changed.wait_for(lock, 3s, [&] { return stalled; }));
  }
  server_->setChannels(viewer_id, kChannelViewer);  // first in the queue
  for (int i = 0; i < 50; ++i) server_->publish(kChannelViewer, shared(std::to_string(i)));
  EXPECT_EQ(server_->stats().dropped_pending_messages, 34u);
  {
    std::lock_guard lock(gate_mutex);
    released = true;
  }
  gate_changed.notify_all();
  for (int i = 34; i < 50; ++i) EXPECT_EQ(viewer.readText(), std::to_string(i));
}

TEST_F(ControlServerTest, OriginAllowListAppliesToBrowsers) {
  ServerOptions options = defaultOptions();
  options.allowed_origins = {"http://studio.local:8080"};
  startServer(options);
  WsClient evil;
  EXPECT_EQ(evil.open(port_, "/ws", "Origin: http://evil.example\r\n"), 403);
  WsClient good;
  connect(good, "Origin: http://studio.local:8080\r\n");
  WsClient no_origin;  // not a browser
  connect(no_origin);
  EXPECT_EQ(server_->connectionCount(), 2u);
}

TEST_F(ControlServerTest, KeepAliveAndDeclinedH2cUpgradeStayOnHttp1) {
  startServer();
  server_->setPublicStatusJson(shared("{}"));
  const int fd = connectLoopback(port_);
  ASSERT_GE(fd, 0);
  std::string leftover;
  for (const char* target : {"/api/public-status", "/hls/live.m3u8", "/app.js"}) {
    ASSERT_TRUE(sendAll(fd, std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    HttpResponse response = readResponse(fd, false, &leftover);
    EXPECT_EQ(response.status, 200) << target;
  }
  ::close(fd);

  // What curl --http2 sends on http://: served as HTTP/1.1, not switched.
  HttpResponse response =
      httpRequest(port_, "GET", "/index.html",
                  "Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
                  "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "<!doctype html><title>viewer</title>");
}

TEST_F(ControlServerTest, StopWithClientsConnectedIsClean) {
  startServer();
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<WsClient>());
    connect(*clients.back());
  }
  server_->setChannels(recorder_.lastOpened(), kChannelViewer);
  server_->publish(kChannelViewer, shared("last words"));
  server_->stop();  // the clients are not reading: stop() must not wait on them
  EXPECT_EQ(server_->connectionCount(), 0u);
  {
    std::lock_guard lock(recorder_.mutex);
    EXPECT_EQ(recorder_.closed.size(), 3u);
  }
  // What was handed over before stop() is still delivered.
  EXPECT_EQ(clients.back()->readText(), "last words");
  for (auto& client : clients) {
    const int code = client->waitClose();
    EXPECT_TRUE(code == 1001 || code == 0) << code;  // going away, or cut off
    EXPECT_TRUE(client->waitEof());
  }
  server_->stop();  // idempotent
  server_->send(1, shared("ignored"));
  server_->publish(kChannelViewer, shared("ignored"));
}

TEST_F(ControlServerTest, RestartKeepsIdsIncreasing) {
  startServer();
  {
    WsClient client;
    EXPECT_EQ(connect(client), 1u);
  }
  server_->stop();
  std::string error;
  ASSERT_TRUE(server_->start(&error)) << error;
  port_ = server_->port();
  WsClient again;
  EXPECT_EQ(connect(again), 2u);
}

TEST_F(ControlServerTest, StartFailsWhenPortInUse) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int busy_port = ntohs(address.sin_port);

  ServerOptions options = defaultOptions();
  options.port = busy_port;
  ControlServer server(options, {});
  std::string error;
  EXPECT_FALSE(server.start(&error));
  EXPECT_NE(error.find(std::to_string(busy_port)), std::string::npos) << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  EXPECT_EQ(server.connectionCount(), 0u);
  server.stop();  // harmless when never started
  ::close(fd);
}

}  // namespace

// --- public internet ---------------------------------------------------------

TEST_F(ControlServerTest, StatusAndMetricsAreStaffOnly) {
  startServer();
  server_->setStatusJson(shared(R"({"cue":"请放慢语速"})"));
  server_->setMetricsText(shared("yst_viewers 3\n"));
  server_->setPublicStatusJson(shared(R"({"hls":{"state":"running"}})"));
  for (const char* path : {"/api/status", "/metrics"}) {
    HttpResponse anonymous = httpGet(port_, path);
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_EQ(anonymous.body.find("请放慢语速"), std::string::npos);
    EXPECT_NE(anonymous.header("www-authenticate").find("Bearer"), std::string::npos);
    EXPECT_EQ(staffGet(port_, path).status, 200) << path;
  }
  // The public part needs nothing.
  HttpResponse open = httpGet(port_, "/api/public-status");
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(open.body, R"({"hls":{"state":"running"}})");
  // A wrong token: 401, and after three from one address, 429 even for the
  // right one (brute force pays in time), while another address is served.
  const std::string wrong = "Authorization: Bearer guess\r\nConnection: close\r\n";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(httpRequest(port_, "GET", "/metrics", wrong).status, 401);
  EXPECT_EQ(staffGet(port_, "/metrics").status, 429);
  EXPECT_EQ(server_->stats().unauthorized_requests, 5u);
}

TEST_F(ControlServerTest, UnknownHostNamesAreRefused) {
  ServerOptions options = defaultOptions();
  options.allowed_hosts = {"studio.example.cn"};
  startServer(options);
  // httpRequest sends a Host of its own: this one sends the given one.
  auto getWithHost = [&](const std::string& host) {
    const int fd = connectLoopback(port_);
    sendAll(fd, "GET /index.html HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    std::string leftover;
    const int status = readResponse(fd, false, &leftover).status;
    ::close(fd);
    return status;
  };
  EXPECT_EQ(getWithHost("rebind.evil.example:" + std::to_string(port_)), 421);
  EXPECT_EQ(getWithHost("127.0.0.1:" + std::to_string(port_)), 200);
  EXPECT_EQ(getWithHost("[::1]:" + std::to_string(port_)), 200);
  EXPECT_EQ(getWithHost("localhost"), 200);
  EXPECT_EQ(getWithHost("Studio.Example.CN"), 200);
  // The same for a WebSocket: DNS rebinding would come this way.
  WsClient rebound;
  EXPECT_EQ(rebound.open(port_, "/ws", "", 0, nullptr, "rebind.evil.example"), 421);
  EXPECT_EQ(server_->stats().refused_hosts, 2u);
}

TEST_F(ControlServerTest, OriginMustBeThisServerOrAllowed) {
  ServerOptions options = defaultOptions();
  options.allowed_hosts = {"live.example.cn"};
  options.allowed_origins = {"https://live.example.cn"};
  startServer(options);
  const std::string self = "127.0.0.1:" + std::to_string(port_);
  WsClient evil;
  EXPECT_EQ(evil.open(port_, "/ws", "Origin: http://evil.example\r\n"), 403);
  WsClient same;  // the studio's own page
  EXPECT_EQ(same.open(port_, "/ws", "Origin: http://" + self + "\r\n"), 101);
  WsClient proxied;  // the public page behind TLS
  EXPECT_EQ(proxied.open(port_, "/ws", "Origin: https://live.example.cn\r\n", 0, nullptr,
                         "live.example.cn"),
            101);
  // A rebound name is refused for its Host before its Origin is looked at.
  WsClient rebound;
  EXPECT_EQ(
      rebound.open(port_, "/ws", "Origin: http://evil.example:1\r\n", 0, nullptr, "evil.example:1"),
      421);
}

TEST_F(ControlServerTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  ServerOptions options = defaultOptions();
  options.trusted_proxies = TrustedProxies({*parseNetwork("127.0.0.2")});
  options.max_connections_per_address = 2;
  startServer(options);
  auto addressOf = [&](ClientId id) {
    std::lock_guard lock(recorder_.mutex);
    return recorder_.addresses[id];
  };
  // Through the proxy (127.0.0.2): the rightmost hop it appended.
  WsClient a;
  EXPECT_EQ(a.open(port_, "/ws", "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n", 0, "127.0.0.2"),
            101);
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.opened.size() == 1; }));
  EXPECT_EQ(addressOf(recorder_.lastOpened()), "198.51.100.7");
  // Not through the proxy: the header is the client's own and ignored.
  WsClient b;
  EXPECT_EQ(b.open(port_, "/ws", "X-Forwarded-For: 198.51.100.7\r\n", 0, "127.0.0.3"), 101);
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.opened.size() == 2; }));
  EXPECT_EQ(addressOf(recorder_.lastOpened()), "127.0.0.3");
  // Per-address limits count the real clients: 198.51.100.7 has one place
  // left, 198.51.100.8 two, although all come from one proxy.
  WsClient c, d, e;
  EXPECT_EQ(c.open(port_, "/ws", "X-Forwarded-For: 198.51.100.7\r\n", 0, "127.0.0.2"), 101);
  EXPECT_EQ(d.open(port_, "/ws", "X-Forwarded-For: 198.51.100.7\r\n", 0, "127.0.0.2"), 429);
  EXPECT_EQ(e.open(port_, "/ws", "X-Forwarded-For: 198.51.100.8\r\n", 0, "127.0.0.2"), 101);
  // IPv6 clients count per /64.
  WsClient f, g, h;
  EXPECT_EQ(f.open(port_, "/ws", "X-Forwarded-For: 2001:db8:1:2::1\r\n", 0, "127.0.0.2"), 101);
  EXPECT_EQ(g.open(port_, "/ws", "X-Forwarded-For: 2001:db8:1:2:ffff::9\r\n", 0, "127.0.0.2"), 101);
  EXPECT_EQ(h.open(port_, "/ws", "X-Forwarded-For: 2001:db8:1:2::77\r\n", 0, "127.0.0.2"), 429);
}

TEST_F(ControlServerTest, SocketsAreCappedPerAddressAndInAll) {
  ServerOptions options = defaultOptions();
  options.max_http_connections_per_address = 4;
  options.max_connections = 7;
  options.staff_reserve = 2;
  startServer(options);
  // Four idle sockets from 127.0.0.5 are let in; the fifth is closed at once.
  std::vector<int> idle;
  for (int i = 0; i < 5; ++i) idle.push_back(connectLoopback(port_, 0, "127.0.0.5"));
  char byte = 0;
  pollfd fifth = {idle.back(), POLLIN, 0};
  ASSERT_EQ(::poll(&fifth, 1, 2000), 1);
  EXPECT_EQ(::recv(idle.back(), &byte, 1, 0), 0) << "the fifth socket must be closed";
  // Another address still gets in, also with a WebSocket...
  WsClient viewer;
  EXPECT_EQ(viewer.open(port_, "/ws", "", 0, "127.0.0.6"), 101);
  // ... until the viewers' share (7 - 2) is used: 4 idle + 1 viewer
  // sockets; the next viewer is refused, staff may still come in.
  WsClient late;
  EXPECT_EQ(late.open(port_, "/ws", "", 0, "127.0.0.7"), 503);
  EXPECT_NE(late.refusal().find("server_full"), std::string::npos) << late.refusal();
  WsClient staff;
  EXPECT_EQ(staff.open(port_, "/ws?staff", "", 0, "127.0.0.7"), 101);
  for (int fd : idle) ::close(fd);
  EXPECT_GE(server_->stats().refused_sockets, 1u);
  EXPECT_GE(server_->stats().refused_full, 1u);
  // Closed sockets are forgotten: the cap is about sockets open now.
  ASSERT_TRUE(recorder_.waitFor([&] { return server_->stats().sockets <= 2; }));
}

TEST_F(ControlServerTest, StaffPlaceWithoutStaffSignInIsTaken) {
  ServerOptions options = defaultOptions();
  options.max_connections = 3;
  options.staff_reserve = 2;
  startServer(options);
  WsClient viewer;
  connect(viewer);
  // Over the viewers' share: only by the staff reserve.
  WsClient pretender;
  EXPECT_EQ(pretender.open(port_, "/ws?staff"), 101);
  WsClient producer;
  EXPECT_EQ(producer.open(port_, "/ws?staff"), 101);
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.opened.size() == 3; }, 3000ms));
  const ClientId producer_id = recorder_.lastOpened();
  server_->markStaff(producer_id);
  // The pretender is told and closed after the sign-in deadline (10 s);
  // the producer stays.
  const std::optional<std::string> told = pretender.readText(12s);
  ASSERT_TRUE(told);
  EXPECT_NE(told->find("staff_required"), std::string::npos) << *told;
  EXPECT_TRUE(recorder_.waitFor([&] { return recorder_.closed.size() == 1; }, 3000ms));
  std::lock_guard lock(recorder_.mutex);
  EXPECT_EQ(recorder_.closed.count(producer_id), 0u);
}

TEST(ClientAddressTest, NetworksAndKeys) {
  EXPECT_TRUE(parseNetwork("10.0.0.0/8"));
  EXPECT_TRUE(parseNetwork("fd00::/8"));
  EXPECT_FALSE(parseNetwork("10.0.0.0/33"));
  EXPECT_FALSE(parseNetwork("example.org"));
  EXPECT_FALSE(parseNetwork("10.0.0.0/"));
  TrustedProxies proxies({*parseNetwork("10.0.0.0/8"), *parseNetwork("::1")});
  EXPECT_TRUE(proxies.trusts("10.1.2.3"));
  EXPECT_FALSE(proxies.trusts("11.1.2.3"));
  EXPECT_TRUE(proxies.trusts("::1"));
  // Rightmost untrusted hop; garbage stops the walk at the last good hop.
  EXPECT_EQ(proxies.clientAddress("10.0.0.1", "1.1.1.1, 203.0.113.5, 10.0.0.9"), "203.0.113.5");
  EXPECT_EQ(proxies.clientAddress("10.0.0.1", "203.0.113.5, <script>, 10.0.0.9"), "10.0.0.9");
  EXPECT_EQ(proxies.clientAddress("10.0.0.1", ""), "10.0.0.1");
  EXPECT_EQ(proxies.clientAddress("192.0.2.1", "203.0.113.5"), "192.0.2.1");
  EXPECT_EQ(proxies.clientAddress("::1", " ::ffff:198.51.100.2 "), "198.51.100.2");
  EXPECT_EQ(addressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(addressKey("198.51.100.2"), "198.51.100.2");
  EXPECT_TRUE(isIpLiteral("[::1]"));
  EXPECT_TRUE(isIpLiteral("127.0.0.1"));
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("::1]"));
}

}  // namespace yst::server
