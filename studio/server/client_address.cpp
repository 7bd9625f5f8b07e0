#include "studio/server/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace yst::server {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool IpNetwork::contains(const std::array<std::uint8_t, 16>& address) const {
  int bits = prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask =
        bits >= 8 ? std::uint8_t{0xff} : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address[i] & mask) != (bytes[i] & mask)) return false;
  }
  return true;
}

std::optional<std::array<std::uint8_t, 16>> parseAddress(std::string_view text) {
  // inet_pton wants a NUL-terminated string; addresses are short.
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buffer[46] = {};
  std::memcpy(buffer, text.data(), text.size());
  std::array<std::uint8_t, 16> out = {};
  in_addr v4 = {};
  if (inet_pton(AF_INET, buffer, &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6 = {};
  if (inet_pton(AF_INET6, buffer, &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<IpNetwork> parseNetwork(std::string_view text) {
  text = trim(text);
  std::string_view address = text;
  int prefix = -1;
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
  }
  const auto bytes = parseAddress(address);
  if (!bytes) return std::nullopt;
  const bool v4 = address.find(':') == std::string_view::npos;
  const int width = v4 ? 32 : 128;
  if (prefix < 0) prefix = width;
  if (prefix > width) return std::nullopt;
  return IpNetwork{*bytes, v4 ? 96 + prefix : prefix};
}

bool TrustedProxies::trusts(std::string_view address) const {
  if (networks_.empty()) return false;
  const auto bytes = parseAddress(address);
  if (!bytes) return false;
  for (const IpNetwork& network : networks_) {
    if (network.contains(*bytes)) return true;
  }
  return false;
}

std::string TrustedProxies::clientAddress(const std::string& peer,
                                          std::string_view forwarded_for) const {
  if (!trusts(peer)) return peer;
  std::string client = peer;
  // Right to left: each hop was appended by the proxy to its right.
  while (!forwarded_for.empty()) {
    const std::size_t comma = forwarded_for.rfind(',');
    const std::string_view hop =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    const auto bytes = parseAddress(hop);
    if (!bytes) break;
    client = std::string(hop);
    // IPv4-mapped IPv6 counts as the IPv4 address it is.
    if (client.starts_with("::ffff:") && client.find('.') != std::string::npos) {
      client.erase(0, 7);
    }
    if (!trusts(client)) break;
  }
  return client;
}

std::string addressKey(const std::string& address) {
  if (address.find(':') == std::string::npos) return address;
  const auto bytes = parseAddress(address);
  if (!bytes) return address;
  in6_addr prefix = {};
  std::memcpy(&prefix, bytes->data(), 8);
  char text[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(AF_INET6, &prefix, text, sizeof(text))) return address;
  return std::string(text) + "/64";
}

bool isIpLiteral(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    return host.find(':') != std::string_view::npos && parseAddress(host).has_value();
  }
  return parseAddress(host).has_value();
}

std::optional<std::string> urlOrigin(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, authority_end);
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // The default port is left out of an Origin.
  if (origin.starts_with("http://") && origin.ends_with(":80")) origin.resize(origin.size() - 3);
  if (origin.starts_with("https://") && origin.ends_with(":443")) origin.resize(origin.size() - 4);
  return origin;
}

std::string urlHost(const std::string& origin) {
  const std::size_t scheme_end = origin.find("://");
  std::string host = scheme_end == std::string::npos ? origin : origin.substr(scheme_end + 3);
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

}  // namespace yst::server
