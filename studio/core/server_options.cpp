#include "studio/core/server_options.h"

#include <utility>
#include <vector>

#include "studio/core/archive_service.h"

namespace yst::core {

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
  if (const std::optional<std::string> origin = server::urlOrigin(audience.public_url)) {
    options.allowed_origins.push_back(*origin);
    options.allowed_hosts.push_back(server::urlHost(*origin));
  }
  return options;
}

}  // namespace yst::core
