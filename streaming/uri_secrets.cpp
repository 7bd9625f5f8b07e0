#include "streaming/uri_secrets.h"

#include <array>

namespace yst::streaming {

namespace {

constexpr std::array<std::string_view, 7> kSecretParams = {
    "passphrase", "streamid", "key", "token", "password", "pwd", "secret"};

bool isSecretParam(std::string_view name) {
  for (std::string_view p : kSecretParams) {
    if (name == p) return true;
  }
  return false;
}

struct Span {
  std::size_t begin;
  std::size_t end;
};

// Where the secrets sit in `uri`.
std::vector<Span> secretSpans(std::string_view uri) {
  std::vector<Span> spans;
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return spans;
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = uri.find_first_of("/?#", authority);
  const std::size_t limit = authority_end == std::string_view::npos ? uri.size() : authority_end;
  const std::size_t at = uri.rfind('@', limit);
  if (at != std::string_view::npos && at >= authority && at < limit) {
    spans.push_back({authority, at});
  }
  const std::size_t query = uri.find('?', authority);
  if (query == std::string_view::npos) return spans;
  std::size_t pos = query + 1;
  while (pos < uri.size()) {
    // Only '&' ends a value: SRT stream ids are written with a literal '#'
    // ("streamid=#!::r=live/abc"), so there is no fragment to respect.
    std::size_t end = uri.find('&', pos);
    if (end == std::string_view::npos) end = uri.size();
    const std::string_view pair = uri.substr(pos, end - pos);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && isSecretParam(pair.substr(0, eq)) && eq + 1 < pair.size()) {
      spans.push_back({pos + eq + 1, end});
    }
    if (end >= uri.size()) break;
    pos = end + 1;
  }
  return spans;
}

}  // namespace

std::string maskUri(std::string_view uri) {
  std::string out;
  std::size_t copied = 0;
  for (const Span& s : secretSpans(uri)) {
    out.append(uri.substr(copied, s.begin - copied));
    out += "***";
    copied = s.end;
  }
  out.append(uri.substr(copied));
  return out;
}

std::vector<std::string> uriSecrets(std::string_view uri) {
  std::vector<std::string> secrets;
  for (const Span& s : secretSpans(uri)) {
    std::string_view secret = uri.substr(s.begin, s.end - s.begin);
    // "user:password": the password is the secret; a lone user name is too.
    if (const auto colon = secret.find(':'); colon != std::string_view::npos) {
      secrets.emplace_back(secret.substr(colon + 1));
    }
    secrets.emplace_back(secret);
  }
  std::erase_if(secrets, [](const std::string& s) { return s.size() < 3; });
  return secrets;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 3) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace yst::streaming
