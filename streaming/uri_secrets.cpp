#include "streaming/uri_secrets.h"

#include <algorithm>

#include "streaming/media_url.h"

namespace yst::streaming {

namespace {

struct Span {
  std::size_t begin;
  std::size_t end;
};

// rtmp and rtmps, in any case: a masking function must not be fooled by
// "RTMP://" even where the show file refuses it.
bool isRtmpScheme(std::string_view scheme) {
  const auto equals = [scheme](std::string_view lower) {
    return std::equal(scheme.begin(), scheme.end(), lower.begin(), lower.end(),
                      [](char a, char b) { return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b; });
  };
  return equals("rtmp") || equals("rtmps");
}

// Where the secrets sit in `uri`, in order.
std::vector<Span> secretSpans(std::string_view uri, RtmpKey rtmp_key) {
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
  const std::size_t path_end = query == std::string_view::npos ? uri.size() : query;
  if (rtmp_key != RtmpKey::kApart && isRtmpScheme(uri.substr(0, scheme_end)) && limit < path_end &&
      uri[limit] == '/') {
    // rtmp://host/app/stream: the stream is the key. A trailing '/' is
    // dropped by the client, so "app/stream/" names the same stream; a lone
    // "app" names no stream at all.
    std::size_t end = path_end;
    while (end > limit + 1 && uri[end - 1] == '/') --end;
    const std::size_t slash = uri.rfind('/', end - 1);
    if (slash != std::string_view::npos && slash > limit && slash + 1 < end) {
      spans.push_back({slash + 1, end});
    }
  }
  if (query == std::string_view::npos) return spans;
  std::size_t pos = query + 1;
  while (pos < uri.size()) {
    // Only '&' ends a value: SRT stream ids are written with a literal '#'
    // ("streamid=#!::r=live/abc"), so there is no fragment to respect.
    std::size_t end = uri.find('&', pos);
    if (end == std::string_view::npos) end = uri.size();
    const std::string_view pair = uri.substr(pos, end - pos);
    // A bare "?token" is all value.
    const std::size_t eq = pair.find('=');
    const std::size_t value = eq == std::string_view::npos ? pos : pos + eq + 1;
    if (value < end) spans.push_back({value, end});
    if (end >= uri.size()) break;
    pos = end + 1;
  }
  return spans;
}

}  // namespace

std::string maskUri(std::string_view uri, RtmpKey rtmp_key) {
  std::string out;
  std::size_t copied = 0;
  for (const Span& s : secretSpans(uri, rtmp_key)) {
    out.append(uri.substr(copied, s.begin - copied));
    out += "***";
    copied = s.end;
  }
  out.append(uri.substr(copied));
  return out;
}

std::vector<std::string> uriSecrets(std::string_view uri, RtmpKey rtmp_key) {
  std::vector<std::string> secrets;
  for (const Span& s : secretSpans(uri, rtmp_key)) {
    const std::string_view secret = uri.substr(s.begin, s.end - s.begin);
    secrets.emplace_back(secret);
    // "user:password": the password is the secret; a lone user name is too.
    if (const auto colon = secret.find(':'); colon != std::string_view::npos) {
      secrets.emplace_back(secret.substr(colon + 1));
    }
  }
  for (std::size_t i = 0, n = secrets.size(); i < n; ++i) {
    // "a%2Bb" is echoed as "a+b" by a server that decodes the URL.
    std::optional<std::string> decoded = percentDecoded(secrets[i]);
    if (decoded && *decoded != secrets[i]) secrets.push_back(std::move(*decoded));
  }
  std::erase_if(secrets, [](const std::string& s) { return s.size() < 3; });
  return secrets;
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> longest_first;
  for (const std::string& secret : secrets) {
    if (secret.size() >= 3) longest_first.push_back(&secret);
  }
  std::stable_sort(
      longest_first.begin(), longest_first.end(),
      [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* secret : longest_first) {
    for (std::size_t at = text.find(*secret); at != std::string::npos;
         at = text.find(*secret, at)) {
      text.replace(at, secret->size(), "***");
      at += 3;  // past the mask, even when a secret is itself "***"
    }
  }
  return text;
}

}  // namespace yst::streaming
