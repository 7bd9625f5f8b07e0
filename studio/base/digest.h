// Digests and their text forms, from OpenSSL's libcrypto (which the server's
// TLS already brings): what signs a viewer id and what the database keeps of
// an invitation token (only its hash).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yst {

// SHA-256 of `text`, as 64 lower-case hex digits.
std::string sha256Hex(std::string_view text);
// Bytes as lower-case hex, and back (nullopt: odd length or not hex).
std::string hexEncode(std::string_view bytes);
std::optional<std::string> hexDecode(std::string_view hex);
// HMAC-SHA-256 of `message` under `key`: 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view message);
// RFC 4648's URL-safe base64 (- and _), without '=' padding.
std::string base64Url(std::string_view bytes);
// TURN's time-limited credentials (coturn's use-auth-secret, the "TURN REST
// API" draft): the password for `username` ("<expiry in Unix seconds>:<who>")
// is base64 of HMAC-SHA-1 over it under the secret the studio shares with
// the TURN server.
std::string turnPassword(std::string_view secret, std::string_view username);

}  // namespace yst
