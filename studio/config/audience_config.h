// The show file's [audience]: the server that viewers and staff reach. Where
// it listens and the address viewers are given; the staff's tokens (named by
// environment variables, generated when unset); the limits that keep one
// viewer or one address from flooding the show (questions, votes,
// connections); whom to believe about a client's address (trusted proxies)
// and which host names to answer to; the question length and the
// sensitive-word list.
#pragma once

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [audience]: optional; left out, every value is AudienceConfig's default
// and the staff tokens are still read from (or generated for) their default
// variables.
void readAudience(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                  AudienceConfig* audience);

}  // namespace yst::config
