// The server's settings for a show: where it listens, what it serves (pages,
// hls.js, HLS, the archive's API and packages), its limits, who is staff,
// which proxies are trusted and which hosts and origins it answers.
#pragma once

#include <optional>
#include <string>

#include "studio/config/show_config.h"
#include "studio/server/control_server.h"

namespace yst::core {

// `assets` is the folder of web pages and word lists (assetDir()).
server::ServerOptions serverOptions(const config::ShowConfig& show, const std::string& data_dir,
                                    const std::string& assets);

// "https://Studio.Example.cn:8443/live?x" → "https://studio.example.cn:8443"
// (scheme and host lower-cased, the default port left out, as browsers send
// Origin); nullopt without "://".
std::optional<std::string> urlOrigin(const std::string& url);
// The host of an origin, without its port ("[::1]" keeps its brackets).
std::string urlHost(const std::string& origin);

}  // namespace yst::core
