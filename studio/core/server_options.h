// The server's settings for a show: where it listens, what it serves (pages,
// hls.js, HLS, the archive's API and packages), its limits, who is staff,
// which proxies are trusted and which hosts and origins it answers.
#pragma once

#include <string>

#include "studio/config/show_config.h"
#include "studio/server/control_server.h"

namespace yst::core {

// `assets` is the folder of web pages and word lists (assetDir()).
server::ServerOptions serverOptions(const config::ShowConfig& show, const std::string& data_dir,
                                    const std::string& assets);

}  // namespace yst::core
