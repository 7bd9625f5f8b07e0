// Secrets that travel inside URIs: a camera's `user:password@`, an SRT
// `passphrase=` or `streamid=`, a `key=`/`token=` query value. Everything the
// studio shows or logs about a source or destination goes through maskUri(),
// and error texts are scrubbed of uriSecrets() before anyone sees them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yst::streaming {

// "rtsp://admin:pw@cam/x" -> "rtsp://***@cam/x";
// "srt://h:1?mode=caller&passphrase=abc" -> "srt://h:1?mode=caller&passphrase=***".
std::string maskUri(std::string_view uri);

// The secret substrings of `uri` (the userinfo and the sensitive query
// values), each at least 3 characters, for scrubbing error texts.
std::vector<std::string> uriSecrets(std::string_view uri);

// Replaces every occurrence of each secret in `text` with "***".
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace yst::streaming
