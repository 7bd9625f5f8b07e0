// The link to NATS, read alike in the two files that hold it: the studio's
// show file ([edge]: `nats`, `channel` and the credentials) and the public
// edge's own file ([nats]: `url` and the credentials; edge_config.h). One
// reader, so that a studio and its edges accept the same URLs and the same
// ways of signing in, with the same words when something is wrong.
//
// Servers: a comma-separated list of nats://host[:port] or tls://host[:port]
// (IPv6 in brackets; the port defaults to 4222), all plain or all TLS, with
// no user name, password, path or query. Credentials, at most one kind:
// `user_env` with `password_env`, `token_env` (each naming an environment
// variable, read as env_secrets.h reads secrets: never echoed, the password
// and the token at least kMinTokenChars long, since a NATS port in the
// cloud can be tried by anyone), or `credentials` (a NATS .creds file, which
// must not be readable by every user). `ca` (TLS only): the servers' CA
// bundle, when it is not among the system's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// The credential and TLS keys, which both files take beside the servers' key
// (`nats` in the show's [edge], `url` in the edge's [nats]).
inline constexpr std::string_view kNatsKeys[] = {"user_env", "password_env", "token_env",
                                                 "credentials", "ca"};

// Reads the servers from `url_key` (required) and the keys of kNatsKeys from
// `table`, whose dotted path is `path`. The caller refuses unknown keys.
void readNats(const TomlReader& reader, const EnvLookup& env, const toml::table& table,
              const std::string& path, std::string_view url_key, NatsConfig* nats);

// `channel` (required): which show, as the studio and its edges name it on
// NATS; an id (1..32 of a-z, 0-9, '_', '-').
std::string readChannel(const TomlReader& reader, const toml::table& table,
                        const std::string& path);

// What is wrong with an [edge] archive_upload address, or nothing: http://
// or https://, a host, no user-info, query or fragment, ending in '/'.
std::optional<std::string> archiveUploadProblem(std::string_view url);

// The show file's [edge]: optional (left out, `edge` stays empty); given, it
// needs `nats` and `channel`; `archive_upload` with its keys is optional.
void readEdgeLink(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                  std::optional<EdgeLinkConfig>* edge);

}  // namespace yst::config
