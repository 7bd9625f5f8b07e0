#include "studio/core/server_options.h"

#include <utility>
#include <vector>

#include "studio/core/archive_service.h"
#include "studio/followup/followup_service.h"
#include "studio/server/public_address.h"

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
  // Invitation links: an observer's, a department's (问政跟踪's desk); the
  // token goes into the fragment, which no log or Referer carries.
  options.prefix_redirects = {{"/o/", "/#o="}, {"/d/", "/dept/#d="}, {"/g/", "/guest/#t="}};
  // Remote guests and WHIP publishers (desks/guests.h): SDP offers in,
  // answers out, and the guest page's own details, each behind a bearer token.
  options.api_prefixes = {"/whip/", "/api/guest"};
  // The public archive of past shows (/archive): its API and package files;
  // 问政跟踪's tracker API and feed.
  options.request_prefixes = {ArchiveService::kApiPrefix, followup::FollowupService::kApiPrefix,
                              followup::FollowupService::kFeedPath};
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
  server::setPublicAddress(&options, audience.trusted_proxies, audience.listen_host,
                           audience.public_url, audience.allowed_hosts);
  return options;
}

}  // namespace yst::core
