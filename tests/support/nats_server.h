// A real nats-server for tests: started on free loopback ports with a
// directory of its own (JetStream's store, its log), it can be stopped
// (SIGTERM), killed (SIGKILL, as a crash) and started again on the same ports
// and store, which is what a client meets when the server restarts.
// Header-only, for any test binary (the NATS link's unit tests, and the edge's
// tests after them).
//
// The first start() lets the server pick its ports (-p -1, -m -1) and reads
// them from its ports file, so two tests never race for a port; later starts
// ask for the same ones. Ready means the monitoring port's /healthz answers
// 200, which nats-server 2.9 says only once JetStream has recovered its store.
// The server dies with the thread that started it (PR_SET_PDEATHSIG), so a
// crashed test leaves none behind: start it from the test's main thread.
//
// Error style: start() throws std::runtime_error (with the end of the
// server's log) when the server does not come up; the rest do not throw.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace yst::testing {

struct NatsServerOptions {
  bool jetstream = true;
  // More arguments for nats-server: {"--user", "u", "--pass", "p"}, {"-c", file}.
  std::vector<std::string> extra_args;
  // "" for $YST_NATS_SERVER, else nats-server on PATH.
  std::string binary;
  int ready_timeout_ms = 15000;
  int stop_timeout_ms = 10000;  // after SIGTERM, before SIGKILL
};

class NatsServer {
 public:
  explicit NatsServer(NatsServerOptions options = {}) : options_(std::move(options)) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/yst-nats-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("nats-server fixture: cannot make a directory under " + pattern);
    }
    dir_ = pattern;
    binary_ = findBinary();
  }
  ~NatsServer() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts it (the same ports and store as before, after the first time) and
  // returns once it is ready.
  void start() {
    if (running()) return;
    removePortsFiles();
    const std::string port = port_ > 0 ? std::to_string(port_) : "-1";
    const std::string monitor_port = monitor_port_ > 0 ? std::to_string(monitor_port_) : "-1";
    std::vector<std::string> args = {binary_, "-a", "127.0.0.1",         "-p",
                                     port,    "-m", monitor_port,        "--ports_file_dir",
                                     dir_,    "-l", dir_ + "/server.log"};
    if (options_.jetstream) {
      args.insert(args.end(), {"-js", "-sd", storeDir()});
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string out_path = dir_ + "/stdout.log";
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("nats-server fixture: fork failed");
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec (the test is
      // multi-threaded: nats.c's threads).
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int in = open("/dev/null", O_RDONLY);
      if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
      }
      if (in >= 0) dup2(in, 0);
      execv(argv[0], argv.data());
      _exit(127);
    }
    pid_ = pid;
    waitUntilReady();
  }

  // SIGTERM, and waits for it to exit (SIGKILL after stop_timeout_ms).
  void stop() {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    if (!waitForExit(options_.stop_timeout_ms)) {
      ::kill(pid_, SIGKILL);
      waitForExit(-1);
    }
  }
  // SIGKILL: no goodbye to the clients, no flush of the store.
  void kill() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    waitForExit(-1);
  }
  void restart() {
    stop();
    start();
  }

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  int monitorPort() const { return monitor_port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }
  std::string storeDir() const { return dir_ + "/store"; }

  // The end of the server's log, for a failing test's message.
  std::string logTail(std::size_t bytes = 4000) const {
    std::string log = readFile(dir_ + "/server.log") + readFile(dir_ + "/stdout.log");
    return log.size() > bytes ? log.substr(log.size() - bytes) : log;
  }

  // GET `path` on the monitoring port: the body, and the HTTP status in
  // *status (0 when the server does not answer).
  std::string monitor(const std::string& path, int* status = nullptr) const {
    if (status != nullptr) *status = 0;
    if (monitor_port_ <= 0) return "";
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(monitor_port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
      if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
        char buffer[4096];
        ssize_t n = 0;
        while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, n);
      }
    }
    close(fd);
    const std::size_t space = response.find(' ');
    if (response.rfind("HTTP/", 0) != 0 || space == std::string::npos) return "";
    if (status != nullptr) *status = std::atoi(response.c_str() + space + 1);
    const std::size_t body = response.find("\r\n\r\n");
    return body == std::string::npos ? "" : response.substr(body + 4);
  }

 private:
  static std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  std::string findBinary() const {
    if (!options_.binary.empty()) return options_.binary;
    if (const char* env = std::getenv("YST_NATS_SERVER"); env != nullptr && *env != '\0') {
      return env;
    }
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const std::string candidate = (dir.empty() ? "." : dir) + "/nats-server";
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "/usr/bin/nats-server";
  }

  void removePortsFiles() const {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      if (entry.path().extension() == ".ports") std::filesystem::remove(entry.path(), ec);
    }
  }

  // Reaps the server; -1 waits as long as it takes. True once it has exited.
  bool waitForExit(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      int wstatus = 0;
      const pid_t r = waitpid(pid_, &wstatus, timeout_ms < 0 ? 0 : WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) {
        pid_ = -1;
        return true;
      }
      if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return false;
      if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // The ports file: {"nats":["nats://127.0.0.1:1234"],"monitoring":[...]}
  // (tls:// with --tls). The port of the first URL under `key`.
  static int portOf(const std::string& text, const std::string& key) {
    const std::size_t at = text.find("\"" + key + "\"");
    if (at == std::string::npos) return 0;
    const std::size_t scheme = text.find("://", at);
    if (scheme == std::string::npos) return 0;
    const std::size_t colon = text.find(':', scheme + 3);
    if (colon == std::string::npos) return 0;
    return std::atoi(text.c_str() + colon + 1);
  }

  void failStart(const std::string& why) {
    const std::string tail = logTail();
    kill();
    throw std::runtime_error("nats-server fixture: " + why + "\n--- its log:\n" + tail);
  }

  void waitUntilReady() {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.ready_timeout_ms);
    const std::string ports_suffix = "_" + std::to_string(pid_) + ".ports";
    bool have_ports = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int wstatus = 0;
      if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
        pid_ = -1;
        failStart("nats-server exited while starting (status " + std::to_string(wstatus) + ")");
      }
      if (!have_ports) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
          const std::string name = entry.path().filename().string();
          if (name.size() <= ports_suffix.size() ||
              name.compare(name.size() - ports_suffix.size(), ports_suffix.size(), ports_suffix) !=
                  0) {
            continue;
          }
          const std::string text = readFile(entry.path().string());
          const int port = portOf(text, "nats");
          const int monitor_port = portOf(text, "monitoring");
          if (port > 0 && monitor_port > 0) {
            port_ = port;
            monitor_port_ = monitor_port;
            have_ports = true;
          }
        }
      }
      if (have_ports) {
        int status = 0;
        monitor("/healthz", &status);
        if (status == 200) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    failStart("not ready within " + std::to_string(options_.ready_timeout_ms) + " ms");
  }

  const NatsServerOptions options_;
  std::string dir_;
  std::string binary_;
  pid_t pid_ = -1;
  int port_ = 0;          // 0 until the first start
  int monitor_port_ = 0;  // 0 until the first start
};

}  // namespace yst::testing
