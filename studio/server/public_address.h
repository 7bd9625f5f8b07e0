// Error style: nothing fails; the addresses were checked when the file was read.
//
// What a listener that faces the public sets the same way, on the studio's
// own address and on an edge's: whose X-Forwarded-For it believes, and which
// names and origins it answers (DNS rebinding): the listen host and the
// public URL's host, plus the ones the file adds; IP literals and localhost
// always (control_server.h). Browser pages from the public URL's origin may
// open WebSockets (behind a proxy that does not pass Host on).
#pragma once

#include <string>
#include <vector>

#include "studio/server/control_server.h"

namespace yst::server {

void setPublicAddress(ServerOptions* options, const std::vector<std::string>& trusted_proxies,
                      const std::string& listen_host, const std::string& public_url,
                      const std::vector<std::string>& allowed_hosts);

}  // namespace yst::server
