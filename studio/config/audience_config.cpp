// Reading [audience] (see audience_config.h). Addresses and URLs are read by
// streaming/media_url, trusted proxies' networks by server/client_address, so
// the show file accepts what the server will parse.
#include "studio/config/audience_config.h"

#include "streaming/media_url.h"
#include "studio/base/in_quotes.h"
#include "studio/config/env_secrets.h"
#include "studio/server/client_address.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <variant>

namespace yst::config {

namespace {

bool isIpv4(std::string_view s) {
  int parts = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    const std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), isAsciiDigit)) {
      return false;
    }
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  return parts == 4;
}

std::optional<std::string> parseListen(std::string_view listen, std::string* host, int* port) {
  const std::string expected =
      "expected \"host:port\" such as \"127.0.0.1:8080\" (host: an IPv4 address, localhost or "
      "[IPv6]; port 0..65535, 0 picks a free one); got " +
      inQuotes(listen);
  if (streaming::checkUrlCharacters(listen)) return expected;
  const auto split = streaming::splitHostPort(listen);
  const streaming::HostPort* address = std::get_if<streaming::HostPort>(&split);
  if (!address || !address->port) return expected;
  if (!address->ipv6 && address->host != "localhost" && !isIpv4(address->host)) return expected;
  const auto parsed_port = streaming::parsePort(*address->port, 0);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed_port)) return problem->text;
  *host = std::string(address->host);
  *port = std::get<int>(parsed_port);
  return std::nullopt;
}

std::optional<std::string> checkPublicUrl(std::string_view url) {
  const auto parsed = streaming::parseWebUrl(url);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  return std::nullopt;
}

// A number of seconds in 0..3600.
void readInterval(const TomlReader& reader, const toml::table& table, const std::string& path,
                  std::string_view key, double* interval_s) {
  int line = 0;
  if (auto interval = reader.get<double>(table, path, key, &line)) {
    if (!(*interval >= 0.0 && *interval <= 3600.0)) {
      reader.fail(line, joinPath(path, key), "must be between 0 and 3600 seconds");
    }
    *interval_s = *interval;
  }
}

// A staff token named by an environment variable in the show file (the key
// holds the variable's name); generated when the variable is unset.
void readTokenKey(const TomlReader& reader, const EnvLookup& env, const toml::table& table,
                  const char* key, std::string* env_field, std::string* token, bool* generated) {
  int line = 0;
  if (auto env_name = reader.get<std::string>(table, "audience", key, &line)) {
    *env_field = *env_name;
  }
  StaffToken read = readStaffToken(reader, env, *env_field, line, std::string("audience.") + key);
  *token = std::move(read.value);
  *generated = read.generated;
}

}  // namespace

void readLimits(const TomlReader& reader, const toml::table& table, const std::string& path,
                LimitsConfig* limits) {
  readInterval(reader, table, path, "question_interval_s", &limits->question_interval_s);
  limits->question_burst =
      reader.intInRange(table, path, "question_burst", 1, 1000, limits->question_burst);
  readInterval(reader, table, path, "vote_interval_s", &limits->vote_interval_s);
  limits->vote_burst = reader.intInRange(table, path, "vote_burst", 1, 1000, limits->vote_burst);
  limits->max_connections_per_address = reader.intInRange(
      table, path, "max_connections_per_address", 1, 100000, limits->max_connections_per_address);
  limits->max_question_chars =
      reader.intInRange(table, path, "max_question_chars", 10, 1000, limits->max_question_chars);
  limits->max_connections =
      reader.intInRange(table, path, "max_connections", 0, 1000000, limits->max_connections);
  limits->ws_ping_s = reader.intInRange(table, path, "ws_ping_s", 0, 3600, limits->ws_ping_s);
}

void readListen(const TomlReader& reader, const toml::table& table, const std::string& path,
                std::string* host, int* port) {
  int line = 0;
  if (auto listen = reader.get<std::string>(table, path, "listen", &line)) {
    if (auto problem = parseListen(*listen, host, port)) {
      reader.fail(line, joinPath(path, "listen"), *problem);
    }
  }
}

void readPublicUrl(const TomlReader& reader, const toml::table& table, const std::string& path,
                   const std::string& listen_host, int listen_port, std::string* url,
                   bool* from_listen) {
  int line = 0;
  if (auto given = reader.get<std::string>(table, path, "public_url", &line)) {
    if (auto problem = checkPublicUrl(*given)) {
      reader.fail(line, joinPath(path, "public_url"), *problem);
    }
    *url = *given;
    *from_listen = false;
  } else {
    const bool ipv6 = listen_host.find(':') != std::string::npos;
    *url = "http://" + (ipv6 ? "[" + listen_host + "]" : listen_host) + ":" +
           std::to_string(listen_port) + "/";
    *from_listen = true;
  }
}

void readTrustedProxies(const TomlReader& reader, const toml::table& table, const std::string& path,
                        std::vector<std::string>* proxies) {
  for (const auto& [text, item_line] : reader.getStringArray(table, path, "trusted_proxies")) {
    if (!server::parseNetwork(text)) {
      reader.fail(item_line, joinPath(path, "trusted_proxies"),
                  "expected an IP address or network such as \"127.0.0.1\" or \"10.0.0.0/8\"; "
                  "got " +
                      inQuotes(text));
    }
    proxies->push_back(text);
  }
}

void readAllowedHosts(const TomlReader& reader, const toml::table& table, const std::string& path,
                      std::vector<std::string>* hosts) {
  for (const auto& [text, item_line] : reader.getStringArray(table, path, "allowed_hosts")) {
    if (text.empty() || streaming::checkUrlCharacters(text) ||
        text.find_first_of("/:@ ") != std::string::npos) {
      reader.fail(item_line, joinPath(path, "allowed_hosts"),
                  "expected a host name such as \"studio.example.cn\"; got " + inQuotes(text));
    }
    hosts->push_back(text);
  }
}

void readAudience(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                  AudienceConfig* audience) {
  const toml::table* table = reader.getTable(root, "", "audience");
  static const toml::table kEmpty;
  if (!table) table = &kEmpty;
  const std::string path = "audience";
  std::vector<std::string_view> keys = {"listen",           "public_url",     "producer_token_env",
                                        "typist_token_env", "host_token_env", "word_list",
                                        "trusted_proxies",  "allowed_hosts"};
  keys.insert(keys.end(), std::begin(kLimitKeys), std::end(kLimitKeys));
  reader.refuseUnknownKeys(*table, path, keys);
  readLimits(reader, *table, path, audience);
  readTrustedProxies(reader, *table, path, &audience->trusted_proxies);
  readAllowedHosts(reader, *table, path, &audience->allowed_hosts);
  int line = 0;
  if (auto list = reader.get<std::string>(*table, path, "word_list", &line)) {
    const std::filesystem::path file = reader.besideFile(*list);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      reader.fail(line, "audience.word_list", "no such file: " + inQuotes(file.string()));
    }
    audience->word_list = file.string();
  }
  readListen(reader, *table, path, &audience->listen_host, &audience->listen_port);
  readPublicUrl(reader, *table, path, audience->listen_host, audience->listen_port,
                &audience->public_url, &audience->public_url_from_listen);
  readTokenKey(reader, env, *table, "producer_token_env", &audience->producer_token_env,
               &audience->producer_token, &audience->producer_token_generated);
  readTokenKey(reader, env, *table, "typist_token_env", &audience->typist_token_env,
               &audience->typist_token, &audience->typist_token_generated);
  readTokenKey(reader, env, *table, "host_token_env", &audience->host_token_env,
               &audience->host_token, &audience->host_token_generated);
}

}  // namespace yst::config
