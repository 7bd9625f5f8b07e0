// Reading the NATS link's keys (see nats_config.h). A server's host and port
// are read by streaming/media_url's pieces, as the [audience] listen address
// is, so that a host here looks like a host anywhere else in the file.
#include "studio/config/nats_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <variant>
#include <vector>

#include "streaming/media_url.h"
#include "studio/base/in_quotes.h"
#include "studio/config/env_secrets.h"

namespace yst::config {

namespace {

constexpr int kDefaultNatsPort = 4222;

struct NatsServer {
  std::string url;  // scheme://host:port, the port written out
  bool tls = false;
};

// One server of the list, or what is wrong with it. A server is quoted in a
// message only when it cannot hold a password (no '@').
std::variant<NatsServer, std::string> parseNatsServer(std::string_view text) {
  const std::string shown = text.find('@') == std::string_view::npos ? " " + inQuotes(text) : "";
  if (auto problem = streaming::checkUrlCharacters(text))
    return "server" + shown + " " + problem->text;
  NatsServer server;
  std::string_view rest;
  if (text.starts_with("nats://")) {
    rest = text.substr(7);
  } else if (text.starts_with("tls://")) {
    rest = text.substr(6);
    server.tls = true;
  } else {
    return "expected nats://host[:port] or tls://host[:port]; got" +
           (shown.empty() ? " a server with '@'" : shown);
  }
  if (rest.find('@') != std::string_view::npos) {
    return std::string(
        "a server must not contain a user name or password (user@host): name the variables "
        "that hold them with user_env and password_env, or token_env");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return "server" + shown + " has a path or query; a NATS server's URL has neither";
  }
  const auto split = streaming::splitHostPort(rest);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&split)) {
    return "server" + shown + " " + problem->text;
  }
  const streaming::HostPort& address = std::get<streaming::HostPort>(split);
  int port = kDefaultNatsPort;
  if (address.port) {
    const auto parsed = streaming::parsePort(*address.port, 1);
    if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) {
      return "server" + shown + ": " + problem->text;
    }
    port = std::get<int>(parsed);
  }
  const std::string host =
      address.ipv6 ? "[" + std::string(address.host) + "]" : std::string(address.host);
  server.url = std::string(server.tls ? "tls://" : "nats://") + host + ":" + std::to_string(port);
  return server;
}

// "a, b" → {"a", "b"}: libnats takes the same list with spaces after commas.
std::vector<std::string_view> splitServerList(std::string_view list) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    out.push_back(item);
    if (comma == std::string_view::npos) return out;
    list = list.substr(comma + 1);
  }
}

// A file the config names beside itself: it must be a regular file.
std::string readFileKey(const TomlReader& reader, const toml::table& table, const std::string& path,
                        std::string_view key, int* line) {
  const std::optional<std::string> given = reader.get<std::string>(table, path, key, line);
  if (!given) return {};
  if (given->empty()) reader.fail(*line, joinPath(path, key), "is empty");
  const std::filesystem::path file = reader.besideFile(*given);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    reader.fail(*line, joinPath(path, key), "no such file: " + inQuotes(file.string()));
  }
  return file.string();
}

}  // namespace

void readNats(const TomlReader& reader, const EnvLookup& env, const toml::table& table,
              const std::string& path, std::string_view url_key, NatsConfig* nats) {
  const std::string url_path = joinPath(path, url_key);
  int line = 0;
  const std::optional<std::string> list = reader.get<std::string>(table, path, url_key, &line);
  if (!list) {
    reader.fail(lineOf(table), url_path,
                "missing: the NATS servers, such as \"tls://nats1.example.cn:4222\" (several "
                "separated by commas)");
  }
  nats->servers.clear();
  int plain = 0;
  for (std::string_view item : splitServerList(*list)) {
    if (item.empty())
      reader.fail(line, url_path, "has an empty server (two commas, or one at an end)");
    auto parsed = parseNatsServer(item);
    if (const std::string* problem = std::get_if<std::string>(&parsed)) {
      reader.fail(line, url_path, *problem);
    }
    NatsServer& server = std::get<NatsServer>(parsed);
    plain += server.tls ? 0 : 1;
    nats->servers.push_back(std::move(server.url));
  }
  // A client that fails over from a tls:// server to a nats:// one would send
  // its credentials in the clear.
  if (plain != 0 && plain != static_cast<int>(nats->servers.size())) {
    reader.fail(line, url_path, "mixes nats:// and tls:// servers; make them all tls://");
  }
  nats->tls = plain == 0;

  int user_line = 0;
  int password_line = 0;
  int token_line = 0;
  int credentials_line = 0;
  const auto user_env = reader.get<std::string>(table, path, "user_env", &user_line);
  const auto password_env = reader.get<std::string>(table, path, "password_env", &password_line);
  const auto token_env = reader.get<std::string>(table, path, "token_env", &token_line);
  const bool credentials = table.contains("credentials");
  if (credentials) reader.get<std::string>(table, path, "credentials", &credentials_line);
  const int kinds =
      ((user_env || password_env) ? 1 : 0) + (token_env ? 1 : 0) + (credentials ? 1 : 0);
  if (kinds > 1) {
    const int last = std::max({user_line, password_line, token_line, credentials_line});
    const char* key = last == credentials_line ? "credentials"
                      : last == token_line     ? "token_env"
                      : last == user_line      ? "user_env"
                                               : "password_env";
    reader.fail(last, joinPath(path, key),
                "give one way of signing in: user_env with password_env, token_env, or "
                "credentials");
  }
  if (user_env.has_value() != password_env.has_value()) {
    reader.fail(user_env ? user_line : password_line,
                joinPath(path, user_env ? "user_env" : "password_env"),
                user_env ? "needs password_env beside it" : "needs user_env beside it");
  }
  nats->auth = NatsAuth::kNone;
  nats->credentials_source.clear();
  if (user_env) {
    nats->user = readSecretEnv(reader, env, *user_env, user_line, joinPath(path, "user_env"), 1);
    nats->password = readSecretEnv(reader, env, *password_env, password_line,
                                   joinPath(path, "password_env"), kMinTokenChars);
    nats->auth = NatsAuth::kUserPassword;
    nats->credentials_source =
        envNameForMessage(*user_env) + " and " + envNameForMessage(*password_env);
  } else if (token_env) {
    nats->token = readSecretEnv(reader, env, *token_env, token_line, joinPath(path, "token_env"),
                                kMinTokenChars);
    nats->auth = NatsAuth::kToken;
    nats->credentials_source = envNameForMessage(*token_env);
  } else if (credentials) {
    nats->credentials_file = readFileKey(reader, table, path, "credentials", &credentials_line);
    // The file holds an NKey seed: as ssh does with a private key, refuse
    // one that every user of the machine can read.
    struct stat info {};
    if (::stat(nats->credentials_file.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0) {
      reader.fail(credentials_line, joinPath(path, "credentials"),
                  inQuotes(nats->credentials_file) +
                      " can be read by every user of this machine; it holds a secret "
                      "(chmod o-r it)");
    }
    nats->auth = NatsAuth::kCredentialsFile;
    nats->credentials_source = "credentials file " + nats->credentials_file;
  }

  int ca_line = 0;
  nats->ca_file = readFileKey(reader, table, path, "ca", &ca_line);
  if (!nats->ca_file.empty() && !nats->tls) {
    reader.fail(ca_line, joinPath(path, "ca"),
                "is for TLS, but the servers are nats:// (plain); write them as tls://");
  }
}

std::string readChannel(const TomlReader& reader, const toml::table& table,
                        const std::string& path) {
  int line = 0;
  const std::optional<std::string> channel = reader.get<std::string>(table, path, "channel", &line);
  if (!channel) {
    reader.fail(lineOf(table), joinPath(path, "channel"),
                "missing: the show's channel on NATS, the same for the studio and its edges "
                "(such as \"wenzhou-ysd\")");
  }
  IdsSeen seen;
  reader.checkId(*channel, line, joinPath(path, "channel"), &seen, path);
  return *channel;
}

std::optional<std::string> archiveUploadProblem(std::string_view url) {
  if (auto problem = streaming::checkUrlCharacters(url)) return problem->text;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return std::string("expected an http:// or https:// address");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    return std::string(
        "must not contain a user name or password (user@host): name the variables that hold "
        "them with archive_upload_user_env and archive_upload_password_env");
  }
  if (authority.empty()) return std::string("has no host");
  const auto split = streaming::splitHostPort(authority);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&split)) return problem->text;
  if (const auto& port = std::get<streaming::HostPort>(split).port) {
    const auto parsed = streaming::parsePort(*port, 1);
    if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return std::string("has a query or fragment; give the folder's address only");
  }
  if (!url.ends_with("/")) {
    return std::string("must end in '/': each show's files go into a folder under it");
  }
  return std::nullopt;
}

namespace {

void readArchiveUpload(const TomlReader& reader, const EnvLookup& env, const toml::table& table,
                       const std::string& path, EdgeLinkConfig* link) {
  int url_line = 0, user_line = 0, password_line = 0, ca_line = 0;
  const auto url = reader.get<std::string>(table, path, "archive_upload", &url_line);
  const auto user_env = reader.get<std::string>(table, path, "archive_upload_user_env", &user_line);
  const auto password_env =
      reader.get<std::string>(table, path, "archive_upload_password_env", &password_line);
  link->archive_upload_ca = readFileKey(reader, table, path, "archive_upload_ca", &ca_line);
  if (!url) {
    const int stray = std::max({user_line, password_line, ca_line});
    if (stray > 0) {
      reader.fail(stray, joinPath(path, "archive_upload"),
                  "missing: the address the packages are uploaded to, which the other "
                  "archive_upload keys are for");
    }
    return;
  }
  if (const auto problem = archiveUploadProblem(*url)) {
    // Quoted only when it cannot hold a password.
    const std::string shown = url->find('@') == std::string::npos ? " " + inQuotes(*url) : "";
    reader.fail(url_line, joinPath(path, "archive_upload"), "address" + shown + " " + *problem);
  }
  if (user_env.has_value() != password_env.has_value()) {
    reader.fail(
        user_env ? user_line : password_line,
        joinPath(path, user_env ? "archive_upload_user_env" : "archive_upload_password_env"),
        user_env ? "needs archive_upload_password_env beside it"
                 : "needs archive_upload_user_env beside it");
  }
  if (!link->archive_upload_ca.empty() && !url->starts_with("https://")) {
    reader.fail(ca_line, joinPath(path, "archive_upload_ca"),
                "is for https://, but archive_upload is http://");
  }
  link->archive_upload = *url;
  if (user_env) {
    link->archive_upload_user = readSecretEnv(reader, env, *user_env, user_line,
                                              joinPath(path, "archive_upload_user_env"), 1);
    link->archive_upload_password =
        readSecretEnv(reader, env, *password_env, password_line,
                      joinPath(path, "archive_upload_password_env"), kMinTokenChars);
  }
}

}  // namespace

void readEdgeLink(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                  std::optional<EdgeLinkConfig>* edge) {
  const toml::table* table = reader.getTable(root, "", "edge");
  if (!table) return;
  const std::string path = "edge";
  std::vector<std::string_view> keys = {"nats",
                                        "channel",
                                        "replicas",
                                        "archive_upload",
                                        "archive_upload_user_env",
                                        "archive_upload_password_env",
                                        "archive_upload_ca"};
  keys.insert(keys.end(), std::begin(kNatsKeys), std::end(kNatsKeys));
  reader.refuseUnknownKeys(*table, path, keys);
  EdgeLinkConfig link;
  link.channel = readChannel(reader, *table, path);
  readNats(reader, env, *table, path, "nats", &link.nats);
  // JetStream takes 1 to 5 replicas (an odd number is what survives a split).
  link.replicas = reader.intInRange(*table, path, "replicas", 1, 5, 1);
  readArchiveUpload(reader, env, *table, path, &link);
  *edge = std::move(link);
}

}  // namespace yst::config
