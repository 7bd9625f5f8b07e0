// Error style: returns what went wrong as text (empty: done); never throws.
//
// One file sent with HTTP/1.1 PUT over GIO (TLS for https://, the system's
// CAs or a given bundle, no proxy lookup), the way the studio uploads a
// show's package to the cloud (nginx's WebDAV module answers 201 or 204).
// Written here rather than with FFmpeg's http protocol, which sends a PUT
// but never reads the server's answer: a refused upload (401, 403, 413, a
// full disk's 507) must be seen as one.
//
// Blocking: call it on a worker thread. Every read and write waits at most
// kIoTimeoutS; `cancel` stops it from another thread.
#pragma once

#include <cstdint>
#include <string>

typedef struct _GCancellable GCancellable;

namespace yst::core {

struct HttpPutTarget {
  std::string url;       // http:// or https://host[:port]/path
  std::string user;      // Basic authentication when not empty (secret)
  std::string password;  // secret
  std::string ca_file;   // https://: a PEM bundle instead of the system's CAs
  std::string content_type;
};

inline constexpr int kIoTimeoutS = 30;

// Sends `file` to `target.url`. Empty when the server answered 2xx; else
// why, naming the address (never the user or password).
std::string httpPutFile(const HttpPutTarget& target, const std::string& file, GCancellable* cancel,
                        std::uint64_t* bytes_sent = nullptr);

}  // namespace yst::core
