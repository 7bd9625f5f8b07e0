// The show file's [audience]: the server that viewers and staff reach. Where
// it listens and the address viewers are given; the staff's tokens (named by
// environment variables, generated when unset); the limits that keep one
// viewer or one address from flooding the show (questions, votes,
// connections); whom to believe about a client's address (trusted proxies)
// and which host names to answer to; the question length and the
// sensitive-word list.
//
// The public edge's file (edge_config.h) serves the same viewers with the
// same rules, so its reader uses the parts below rather than a copy: each
// reads its keys from `table`, whose dotted path (for messages) is `path`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [audience]: optional; left out, every value is AudienceConfig's default
// and the staff tokens are still read from (or generated for) their default
// variables.
void readAudience(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                  AudienceConfig* audience);

// The keys of LimitsConfig, read by readLimits.
inline constexpr std::string_view kLimitKeys[] = {
    "question_interval_s",         "question_burst",     "vote_interval_s", "vote_burst",
    "max_connections_per_address", "max_question_chars", "max_connections", "ws_ping_s"};
// Each key that is given, checked against its range; the others keep the
// values `limits` holds.
void readLimits(const TomlReader& reader, const toml::table& table, const std::string& path,
                LimitsConfig* limits);

// `listen` = "host:port": an IPv4 address, localhost or [IPv6]; port 0..65535
// (0: any free one). Left out, host and port keep their values.
void readListen(const TomlReader& reader, const toml::table& table, const std::string& path,
                std::string* host, int* port);
// `public_url` (http:// or https://), or else http://<listen>/ with
// from_listen set.
void readPublicUrl(const TomlReader& reader, const toml::table& table, const std::string& path,
                   const std::string& listen_host, int listen_port, std::string* url,
                   bool* from_listen);
// `trusted_proxies`: addresses or networks ("10.0.0.0/8") as the server reads
// them (server/client_address.h).
void readTrustedProxies(const TomlReader& reader, const toml::table& table, const std::string& path,
                        std::vector<std::string>* proxies);
// `allowed_hosts`: host names, without scheme, port or path.
void readAllowedHosts(const TomlReader& reader, const toml::table& table, const std::string& path,
                      std::vector<std::string>* hosts);

}  // namespace yst::config
