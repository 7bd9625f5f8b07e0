// Who a request really comes from, and what it is counted as.
//
// Behind a reverse proxy every connection's TCP peer is the proxy, so every
// viewer would share one per-address budget (measured: the 17th viewer through
// nginx got HTTP 429). The proxy says who its client was in X-Forwarded-For;
// anyone can write that header, so it is believed only when the TCP peer is a
// configured proxy (`[audience] trusted_proxies`), and then read from the
// right: the rightmost address that is not itself a trusted proxy is the
// client (a client may send its own X-Forwarded-For, which the proxy appends
// to; only what our proxies appended is trusted).
//
// Per-address limits count an IPv6 client by its /64: one subscriber line
// gets a whole /64 (often far more), so counting single addresses would give
// one household millions of budgets.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yst::server {

// An address in 16 bytes (IPv4 as ::ffff:a.b.c.d) plus a prefix length.
struct IpNetwork {
  std::array<std::uint8_t, 16> bytes = {};
  int prefix_bits = 128;  // of the 16-byte form (an IPv4 /8 is 96 + 8)
  bool contains(const std::array<std::uint8_t, 16>& address) const;
};

// "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"; nullopt when malformed
// (the show-file reader reports it with its line).
std::optional<IpNetwork> parseNetwork(std::string_view text);

// A numeric IPv4 or IPv6 address (no brackets, no port, no zone) in the
// 16-byte form; nullopt otherwise.
std::optional<std::array<std::uint8_t, 16>> parseAddress(std::string_view text);

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}
  bool empty() const { return networks_.empty(); }
  bool trusts(std::string_view address) const;

  // The client's address: `peer` itself unless `peer` is trusted, then the
  // rightmost hop of `forwarded_for` (comma-separated, as proxies append)
  // that is not trusted. A malformed hop stops the walk at the last good one:
  // what lies left of garbage was written by the client and is not believed.
  std::string clientAddress(const std::string& peer, std::string_view forwarded_for) const;

 private:
  std::vector<IpNetwork> networks_;
};

// What a per-address limit counts: an IPv4 address as it is, an IPv6
// address as its /64 ("2001:db8:1:2::/64"). Anything else unchanged.
std::string addressKey(const std::string& address);

// True for a numeric IPv4 or IPv6 address, with or without [brackets].
bool isIpLiteral(std::string_view host);

// "https://Studio.Example.cn:8443/live?x" → "https://studio.example.cn:8443"
// (scheme and host lower-cased, the default port left out, as browsers send
// Origin); nullopt without "://".
std::optional<std::string> urlOrigin(const std::string& url);
// The host of an origin, without its port ("[::1]" keeps its brackets).
std::string urlHost(const std::string& origin);

}  // namespace yst::server
