// Reading the public edge's file (see edge_config.h): its own keys here, the
// rest through the show file's readers.
#include "studio/config/edge_config.h"

#include <unistd.h>

#include <iterator>
#include <optional>
#include <variant>

#include "streaming/media_url.h"
#include "studio/base/in_quotes.h"
#include "studio/config/audience_config.h"
#include "studio/config/nats_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

namespace {

// hls_url: a web URL, or a path on the viewer page's own origin.
std::optional<std::string> checkHlsUrl(std::string_view url) {
  const char* expected =
      "expected an http:// or https:// URL, or a path on the viewer page's origin such as "
      "\"/hls/program.m3u8\"; ";
  if (url.starts_with('/')) {
    if (url.starts_with("//")) {
      return std::string(expected) + "a path must not start with \"//\" (that names another host)";
    }
    if (auto problem = streaming::checkUrlCharacters(url)) return expected + problem->text;
    return std::nullopt;
  }
  const auto parsed = streaming::parseWebUrl(url);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) {
    return expected + problem->text;
  }
  return std::nullopt;
}

void readEdgeTable(const TomlReader& reader, const toml::table& root, const std::string& host_name,
                   EdgeConfig* config) {
  const toml::table* table = reader.getTable(root, "", "edge");
  if (!table) {
    reader.fail(0, "edge", "missing: the [edge] table, with at least channel and hls_url");
  }
  const std::string path = "edge";
  reader.refuseUnknownKeys(
      *table, path,
      {"id", "channel", "listen", "public_url", "hls_url", "trusted_proxies", "allowed_hosts"});
  int line = 0;
  if (auto id = reader.get<std::string>(*table, path, "id", &line)) {
    IdsSeen seen;
    reader.checkId(*id, line, "edge.id", &seen, path);
    config->id = *id;
    config->id_from_host_name = false;
  } else {
    config->id = edgeIdFromHostName(host_name);
    config->id_from_host_name = true;
  }
  config->channel = readChannel(reader, *table, path);
  readListen(reader, *table, path, &config->listen_host, &config->listen_port);
  readPublicUrl(reader, *table, path, config->listen_host, config->listen_port, &config->public_url,
                &config->public_url_from_listen);
  const std::optional<std::string> hls_url =
      reader.get<std::string>(*table, path, "hls_url", &line);
  if (!hls_url) {
    reader.fail(lineOf(*table), "edge.hls_url",
                "missing: what the viewer page plays, such as "
                "\"https://live.example.cn/hls/program.m3u8\"");
  }
  if (auto problem = checkHlsUrl(*hls_url)) reader.fail(line, "edge.hls_url", *problem);
  // Browsers refuse to load http:// media into an https:// page.
  if (config->public_url.starts_with("https://") && hls_url->starts_with("http://")) {
    reader.fail(line, "edge.hls_url",
                "is http:// but the viewer page is https:// (public_url), and browsers block "
                "plain-HTTP media on a secure page: use https://");
  }
  config->hls_url = *hls_url;
  readTrustedProxies(reader, *table, path, &config->trusted_proxies);
  readAllowedHosts(reader, *table, path, &config->allowed_hosts);
}

}  // namespace

std::string localHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

std::string edgeIdFromHostName(std::string_view host_name) {
  std::string id;
  for (char c : host_name.substr(0, host_name.find('.'))) {
    if (id.size() == 32) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool kept = (c >= 'a' && c <= 'z') || isAsciiDigit(c) || c == '_' || c == '-';
    id += kept ? c : '-';
  }
  return id.empty() ? "edge" : id;
}

EdgeConfig parseEdgeConfig(std::string_view toml_text, std::string_view source_name,
                           const EnvLookup& env, const std::string& host_name) {
  const TomlReader reader{std::string(source_name)};
  const toml::table root = reader.parse(toml_text);
  EdgeConfig config;
  config.path = reader.file();
  reader.refuseUnknownKeys(root, "", {"edge", "nats", "limits"});
  readEdgeTable(reader, root, host_name, &config);

  const toml::table* nats = reader.getTable(root, "", "nats");
  if (!nats) {
    reader.fail(0, "nats", "missing: the [nats] table, with at least url (the NATS servers)");
  }
  std::vector<std::string_view> nats_keys = {"url"};
  nats_keys.insert(nats_keys.end(), std::begin(kNatsKeys), std::end(kNatsKeys));
  reader.refuseUnknownKeys(*nats, "nats", nats_keys);
  readNats(reader, env, *nats, "nats", "url", &config.nats);

  if (const toml::table* limits = reader.getTable(root, "", "limits")) {
    reader.refuseUnknownKeys(
        *limits, "limits",
        std::vector<std::string_view>(std::begin(kLimitKeys), std::end(kLimitKeys)));
    readLimits(reader, *limits, "limits", &config.limits);
  }
  return config;
}

EdgeConfig loadEdgeFile(const std::string& path, const EnvLookup& env) {
  return parseEdgeConfig(readConfigFile(path, "edge file"), path, env);
}

}  // namespace yst::config
