#include "studio/core/server_options.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "studio/core/archive_service.h"

namespace yst::core {

std::optional<std::string> urlOrigin(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, authority_end);
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // The default port is left out of an Origin.
  if (origin.starts_with("http://") && origin.ends_with(":80")) origin.resize(origin.size() - 3);
  if (origin.starts_with("https://") && origin.ends_with(":443")) origin.resize(origin.size() - 4);
  return origin;
}

std::string urlHost(const std::string& origin) {
  const std::size_t scheme_end = origin.find("://");
  std::string host = scheme_end == std::string::npos ? origin : origin.substr(scheme_end + 3);
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

server::ServerOptions serverOptions(const config::ShowConfig& show, const std::string& data_dir,
                                    const std::string& assets) {
  const config::AudienceConfig& audience = show.audience;
  server::ServerOptions options;
  options.host = audience.listen_host;
  options.port = audience.listen_port;
  options.hls_dir = data_dir + "/hls";
  options.web_root = assets + "/web";
  // hls.js as npm installs it (scripts/setup), next to the assets.
  options.mounts = {{"/vendor/", assets + "/../node_modules/hls.js/dist"}};
  options.redirects = {{"/q", "/"}};
  options.prefix_redirects = {{"/o/", "/#o="}};
  // The public archive of past shows (/archive): its API and package files.
  options.request_prefixes = {ArchiveService::kApiPrefix};
  options.media_mounts = {{ArchiveService::kMediaPrefix, ArchiveService::packagesDir(data_dir),
                           ArchiveService::publicFiles()}};
  options.max_connections_per_address =
      static_cast<std::size_t>(audience.max_connections_per_address);
  options.max_connections = static_cast<std::size_t>(audience.max_connections);
  // Sockets before any header: the WebSockets one address may have plus
  // room for its page, script and HLS requests (32 by default).
  options.max_http_connections_per_address = options.max_connections_per_address + 16;
  options.ping_interval_s = audience.ws_ping_s;
  // /api/status and /metrics carry the cue to the host, paths, camera hosts
  // and destinations: staff only (the producer token, as a bearer token).
  options.staff_tokens = {audience.producer_token};
  std::vector<server::IpNetwork> proxies;
  for (const std::string& text : audience.trusted_proxies) {
    if (auto network = server::parseNetwork(text)) proxies.push_back(*network);
  }
  options.trusted_proxies = server::TrustedProxies(std::move(proxies));
  // The names this studio answers to (DNS rebinding): the public URL's host
  // and the listen host, plus those the show file adds; IP literals and
  // localhost always. Browser pages from the public URL's origin may open
  // WebSockets (behind a proxy that does not pass Host on).
  options.allowed_hosts = audience.allowed_hosts;
  options.allowed_hosts.push_back(audience.listen_host);
  if (const std::optional<std::string> origin = urlOrigin(audience.public_url)) {
    options.allowed_origins.push_back(*origin);
    options.allowed_hosts.push_back(urlHost(*origin));
  }
  return options;
}

}  // namespace yst::core
