#include "studio/server/public_address.h"

#include <optional>
#include <utility>

namespace yst::server {

void setPublicAddress(ServerOptions* options, const std::vector<std::string>& trusted_proxies,
                      const std::string& listen_host, const std::string& public_url,
                      const std::vector<std::string>& allowed_hosts) {
  std::vector<IpNetwork> proxies;
  for (const std::string& text : trusted_proxies) {
    if (auto network = parseNetwork(text)) proxies.push_back(*network);
  }
  options->trusted_proxies = TrustedProxies(std::move(proxies));
  options->allowed_hosts = allowed_hosts;
  options->allowed_hosts.push_back(listen_host);
  if (const std::optional<std::string> origin = urlOrigin(public_url)) {
    options->allowed_origins.push_back(*origin);
    options->allowed_hosts.push_back(urlHost(*origin));
  }
}

}  // namespace yst::server
