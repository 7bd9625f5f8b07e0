#include "studio/core/http_put.h"

#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "streaming/gobject_ptr.h"

namespace yst::core {

using streaming::GErrorPtr;
using streaming::GObjectPtr;

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

struct GUriUnref {
  void operator()(GUri* uri) const {
    if (uri) g_uri_unref(uri);
  }
};

std::string errorText(GError* error) {
  GErrorPtr owned(error);
  return owned ? owned->message : "unknown error";
}

std::string base64(const std::string& text) {
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(text.data()), text.size());
  std::string out(encoded);
  g_free(encoded);
  return out;
}

}  // namespace

std::string httpPutFile(const HttpPutTarget& target, const std::string& file, GCancellable* cancel,
                        std::uint64_t* bytes_sent) {
  if (bytes_sent) *bytes_sent = 0;
  GError* error = nullptr;
  std::unique_ptr<GUri, GUriUnref> uri(
      g_uri_parse(target.url.c_str(), G_URI_FLAGS_ENCODED, &error));
  if (!uri) return "not an address: " + errorText(error);
  const std::string scheme = g_uri_get_scheme(uri.get());
  const bool tls = scheme == "https";
  if (!tls && scheme != "http") return "not an http:// or https:// address";
  const char* host = g_uri_get_host(uri.get());
  if (!host || !*host) return "no host in the address";
  const int port = g_uri_get_port(uri.get()) > 0 ? g_uri_get_port(uri.get()) : (tls ? 443 : 80);
  std::string path = g_uri_get_path(uri.get());
  if (path.empty()) path = "/";
  // Shown in messages: the address, which holds no secret (the user and
  // password travel in the Authorization header only).
  const std::string where = target.url;

  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return "cannot read " + file;
  const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);

  GObjectPtr<GSocketClient> client(g_socket_client_new());
  g_socket_client_set_timeout(client.get(), kIoTimeoutS);
  // Dialled directly: no proxy lookup (its thread outlives a cancelled
  // connect; see rtmp_publisher.cpp).
  g_socket_client_set_enable_proxy(client.get(), FALSE);
  GObjectPtr<GSocketConnection> tcp(g_socket_client_connect_to_host(
      client.get(), host, static_cast<guint16>(port), cancel, &error));
  if (!tcp) return "could not connect to " + where + ": " + errorText(error);
  GObjectPtr<GIOStream> io;
  if (tls) {
    GObjectPtr<GSocketConnectable> identity(
        g_network_address_new(host, static_cast<guint16>(port)));
    io.reset(g_tls_client_connection_new(G_IO_STREAM(tcp.get()), identity.get(), &error));
    if (!io) return "TLS is not available for " + where + ": " + errorText(error);
    if (!target.ca_file.empty()) {
      GObjectPtr<GTlsDatabase> database(g_tls_file_database_new(target.ca_file.c_str(), &error));
      if (!database) return "cannot read the CA file " + target.ca_file + ": " + errorText(error);
      g_tls_connection_set_database(G_TLS_CONNECTION(io.get()), database.get());
    }
    if (!g_tls_connection_handshake(G_TLS_CONNECTION(io.get()), cancel, &error)) {
      return "TLS with " + where + " failed: " + errorText(error);
    }
  } else {
    io.reset(G_IO_STREAM(g_object_ref(tcp.get())));
  }
  GOutputStream* out = g_io_stream_get_output_stream(io.get());

  std::string head = "PUT " + path + " HTTP/1.1\r\nHost: " + std::string(host) +
                     (g_uri_get_port(uri.get()) > 0 ? ":" + std::to_string(port) : "") +
                     "\r\nUser-Agent: yishiting\r\nContent-Length: " + std::to_string(size) +
                     "\r\nConnection: close\r\n";
  if (!target.content_type.empty()) head += "Content-Type: " + target.content_type + "\r\n";
  if (!target.user.empty()) {
    head += "Authorization: Basic " + base64(target.user + ":" + target.password) + "\r\n";
  }
  head += "\r\n";
  const bool head_sent =
      g_output_stream_write_all(out, head.data(), head.size(), nullptr, cancel, &error);
  std::fill(head.begin(), head.end(), '\0');  // it held the password
  if (!head_sent) return "lost the connection to " + where + ": " + errorText(error);

  std::vector<char> chunk(kChunkBytes);
  std::uint64_t sent = 0;
  // A server that refuses the upload may answer and close before the body
  // is all sent: then its answer says more than the failed write.
  std::string write_problem;
  while (sent < size) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0) return "could not read " + file + " after " + std::to_string(sent) + " bytes";
    if (!g_output_stream_write_all(out, chunk.data(), static_cast<gsize>(got), nullptr, cancel,
                                   &error)) {
      write_problem = "lost the connection to " + where + " after " + std::to_string(sent) +
                      " bytes: " + errorText(error);
      error = nullptr;
      break;
    }
    sent += static_cast<std::uint64_t>(got);
    if (bytes_sent) *bytes_sent = sent;
  }

  // The answer's status line is what matters; the rest is read and dropped.
  GObjectPtr<GDataInputStream> answer(
      g_data_input_stream_new(g_io_stream_get_input_stream(io.get())));
  g_data_input_stream_set_newline_type(answer.get(), G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  gsize length = 0;
  char* line = g_data_input_stream_read_line(answer.get(), &length, cancel, &error);
  if (!line) {
    if (!write_problem.empty()) {
      GErrorPtr ignored(error);
      return write_problem;
    }
    return "no answer from " + where + (error ? ": " + errorText(error) : std::string());
  }
  std::string status_line(line, length);
  g_free(line);
  int status = 0;
  if (std::sscanf(status_line.c_str(), "HTTP/%*d.%*d %d", &status) != 1) {
    return "not an HTTP answer from " + where;
  }
  if (status < 200 || status > 299) {
    // "HTTP/1.1 403 Forbidden" → "403 Forbidden"
    const std::size_t space = status_line.find(' ');
    return where + " answered " + status_line.substr(space + 1);
  }
  return write_problem;  // a 2xx before the whole body is not a success
}

}  // namespace yst::core
