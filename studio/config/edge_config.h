// The public edge's own file (`yishiting edge --config FILE`): which show it
// serves, where it listens and what it tells viewers, how it reaches NATS,
// and the limits it puts on viewers. An edge serves the studio's viewers with
// the studio's rules, so the file is read with the show file's parts and in
// its error style: the same typed getters (toml_reading.h), the listen
// address, public URL, trusted proxies, allowed hosts and limits as
// [audience] reads them (audience_config.h), the NATS keys as the show's
// [edge] reads them (nats_config.h), secrets only from the environment
// (env_secrets.h). The whole file is checked before the edge starts; the
// first problem is a ConfigError naming the file, the line and the key, and
// never a secret.
//
//   [edge]     id, channel, listen, public_url, hls_url, trusted_proxies,
//              allowed_hosts
//   [nats]     url, user_env, password_env, token_env, credentials, ca
//   [limits]   the [audience] limits: question_interval_s, question_burst,
//              vote_interval_s, vote_burst, max_connections_per_address,
//              max_question_chars, max_connections, ws_ping_s
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "studio/config/config_error.h"
#include "studio/config/show_config.h"

namespace yst::config {

struct EdgeConfig {
  std::string path;  // the file it came from, for messages
  // This edge among the others (logs, metrics, the viewer counts the studio
  // sums): an id; left out, from the host name (edgeIdFromHostName).
  std::string id;
  bool id_from_host_name = false;
  std::string channel;  // which show: the studio's [edge] channel
  // Where viewers' connections arrive (from nginx, usually on another host).
  std::string listen_host = "127.0.0.1";
  int listen_port = 8090;
  std::string public_url;  // what viewers open; defaults to http://listen/
  bool public_url_from_listen = true;
  // What the viewer page plays: an http(s):// URL, or a path on the page's
  // own origin ("/hls/program.m3u8", when nginx in front serves the HLS
  // cache there).
  std::string hls_url;
  std::vector<std::string> trusted_proxies;  // as [audience] trusted_proxies
  std::vector<std::string> allowed_hosts;    // as [audience] allowed_hosts
  NatsConfig nats;
  LimitsConfig limits;
};

// This machine's host name (gethostname); "" when it cannot be read.
std::string localHostName();
// An id made from a host name: its first label, lower case, with every
// character outside a-z, 0-9, '_' and '-' made '-', at most 32 characters
// ("Edge-A.example.cn" → "edge-a"); "edge" when nothing is left.
std::string edgeIdFromHostName(std::string_view host_name);

// Parses and checks an edge's file. `source_name` names the text in messages;
// `host_name` gives the default id.
EdgeConfig parseEdgeConfig(std::string_view toml_text, std::string_view source_name,
                           const EnvLookup& env = processEnvironment(),
                           const std::string& host_name = localHostName());
// Reads the file and parses it; an unreadable file is a ConfigError too.
EdgeConfig loadEdgeFile(const std::string& path, const EnvLookup& env = processEnvironment());

}  // namespace yst::config
