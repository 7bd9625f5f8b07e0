#include "streaming/media_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "studio/base/in_quotes.h"

namespace yst::streaming {

namespace {

// videotestsrc's pattern nicks, so that test://ball maps straight onto
// `videotestsrc pattern=ball`.
constexpr std::string_view kTestPatterns[] = {"smpte",
                                              "snow",
                                              "black",
                                              "white",
                                              "red",
                                              "green",
                                              "blue",
                                              "checkers-1",
                                              "checkers-2",
                                              "checkers-4",
                                              "checkers-8",
                                              "circular",
                                              "blink",
                                              "smpte75",
                                              "zone-plate",
                                              "gamut",
                                              "chroma-zone-plate",
                                              "solid-color",
                                              "ball",
                                              "smpte100",
                                              "bar",
                                              "pinwheel",
                                              "spokes",
                                              "gradient",
                                              "colors"};

// Spaces that do not look like spaces. Chat apps and word processors slip
// them into copied URLs; the URL then looks right and fails at the partner.
constexpr std::string_view kInvisibleSpaces[] = {
    "\xc2\xa0",      // U+00A0 no-break space
    "\xe1\x9a\x80",  // U+1680
    "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
    "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
    "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\x8b",  // U+2000..U+200B
    "\xe2\x80\xa8", "\xe2\x80\xa9",  // line and paragraph separators
    "\xe2\x80\xaf",                  // U+202F narrow no-break space
    "\xe3\x80\x80",                  // U+3000 ideographic space (Chinese IMEs)
    "\xef\xbb\xbf",                  // U+FEFF zero-width no-break space / BOM
};

bool isTestPattern(std::string_view name) {
  return std::find(std::begin(kTestPatterns), std::end(kTestPatterns), name) !=
         std::end(kTestPatterns);
}

std::string testPatternList() {
  std::string out;
  for (std::string_view s : kTestPatterns) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isAlnum(char c) {
  return isAlpha(c) || isDigit(c);
}
char lowered(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// The checks below say what is wrong, or nothing; the public functions wrap
// that into their variants.
using Problem = std::optional<std::string>;

Problem checkCharacters(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) {
      return std::string("contains a space or a control character (write a space as %20)");
    }
  }
  for (std::string_view space : kInvisibleSpaces) {
    if (s.find(space) != std::string_view::npos) {
      return std::string(
          "contains an invisible or full-width space (often pasted from a chat app); retype it");
    }
  }
  return std::nullopt;
}

Problem checkPercentEscapes(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
      return std::string("has a '%' not followed by two hex digits (write a literal % as %25)");
    }
  }
  return std::nullopt;
}

enum class SchemeCase { kLower, kAny };

// Splits "scheme://rest". What people write must have the scheme in lower
// case: GStreamer and the partner servers are not all forgiving about
// "RTMP://". The RTMP client takes any case, as GLib did for it.
Problem splitScheme(std::string_view url, SchemeCase letter_case, std::string_view* scheme,
                    std::string_view* rest) {
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return std::string("has no scheme (it should start like rtmp://, srt://, …)");
  }
  const std::string_view s = url.substr(0, sep);
  bool lower = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = isAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'));
    if (!ok) return std::string("has no scheme (it should start like rtmp://, srt://, …)");
    if (c >= 'A' && c <= 'Z') lower = false;
  }
  if (!lower && letter_case == SchemeCase::kLower) {
    return "write the scheme " + inQuotes(s) + " in lower case";
  }
  *scheme = s;
  *rest = url.substr(sep + 3);
  return std::nullopt;
}

Problem checkPort(std::string_view text, int lowest, int* port) {
  if (text.empty()) return std::string("has ':' but no port number after it");
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), isDigit)) {
    // Not quoted: "user:password" without the '@' reads as host:port.
    return std::string("the port is not a number");
  }
  const int value = std::stoi(std::string(text));
  if (value < lowest || value > 65535) {
    return "port " + std::to_string(value) + " is not in " + std::to_string(lowest) + "..65535";
  }
  *port = value;
  return std::nullopt;
}

// An IPv6 address as the network stack reads it (inet_pton; GLib agrees):
// eight groups of up to four hex digits, "::" once for a run of zero groups,
// the last two groups possibly written as an IPv4 address. No zone ("%eth0").
bool isIpv6Address(std::string_view text) {
  in6_addr address;
  return inet_pton(AF_INET6, std::string(text).c_str(), &address) == 1;
}

Problem splitAuthority(std::string_view authority, HostPort* out) {
  *out = HostPort{};
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::string("has an IPv6 address without its closing ']'");
    }
    out->host = authority.substr(1, close - 1);
    out->ipv6 = true;
    if (!isIpv6Address(out->host)) return std::string("has a malformed IPv6 address");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("has text after the IPv6 address");
      out->port = after.substr(1);
    }
    return std::nullopt;
  }
  const std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    if (authority.find(':', colon + 1) != std::string_view::npos) {
      return std::string("has more than one ':' (write an IPv6 address in brackets: [::1])");
    }
    out->port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
  }
  out->host = authority;
  if (out->host.empty()) return std::string("has no host");
  const bool host_chars = std::all_of(out->host.begin(), out->host.end(), [](char c) {
    return isAlnum(c) || c == '-' || c == '.' || c == '_';
  });
  if (!host_chars) {
    return std::string("the host may contain only letters, digits, '-', '.' and '_'");
  }
  return std::nullopt;
}

enum class UserInfo { kRefuse, kAllow };

// The parts of a network URL after "scheme://", as views into it.
struct NetworkParts {
  std::string_view host;  // without the brackets of an IPv6 address
  bool ipv6 = false;
  std::optional<int> port;
  std::string_view path;  // "" or starting with '/'
  std::optional<std::string_view> query;
};

Problem splitNetworkUrl(std::string_view rest, UserInfo user_info, NetworkParts* out) {
  if (rest.find('#') != std::string_view::npos) {
    return std::string("must not contain '#' (write it as %23)");
  }
  if (auto problem = checkPercentEscapes(rest)) return problem;
  const std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  const std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    // Not quoted: the part before '@' is usually a camera's password.
    if (user_info == UserInfo::kRefuse) {
      return std::string("must not contain a user name or password (user@host)");
    }
    authority = authority.substr(at + 1);
  }
  HostPort host_port;
  if (auto problem = splitAuthority(authority, &host_port)) return problem;
  out->host = host_port.host;
  out->ipv6 = host_port.ipv6;
  if (host_port.port) {
    int port = 0;
    if (auto problem = checkPort(*host_port.port, 1, &port)) return problem;
    out->port = port;
  }
  const std::size_t q = tail.find('?');
  out->path = tail.substr(0, q);
  if (q != std::string_view::npos) out->query = tail.substr(q + 1);
  return std::nullopt;
}

// SRT carries its options (mode, latency, streamid, passphrase) in the query;
// the values are not echoed because passphrase is a secret.
Problem checkSrt(const NetworkParts& url) {
  if (!url.port) return std::string("needs a port (srt://host:port)");
  if (!url.path.empty() && url.path != "/") {
    return std::string("must not have a path; SRT options go in the query (?mode=caller)");
  }
  if (!url.query) return std::nullopt;
  std::string_view query = *url.query;
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    const std::size_t eq = option.find('=');
    if (option.empty() || eq == 0) return std::string("has an empty option in its query");
    if (option.substr(0, eq) == "mode") {
      const std::string_view mode =
          eq == std::string_view::npos ? std::string_view() : option.substr(eq + 1);
      if (mode != "caller" && mode != "listener" && mode != "rendezvous") {
        return std::string("mode must be caller, listener or rendezvous");
      }
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

enum class TrailingSlash { kAllow, kRefuse };

Problem checkRtmp(const NetworkParts& url, TrailingSlash trailing) {
  if (url.path.size() < 2 || url.path[1] == '/') {
    return std::string("needs an application after the host (rtmp://host/app)");
  }
  if (trailing == TrailingSlash::kRefuse && url.path.back() == '/') {
    // The stream key is appended as its own path segment.
    return std::string("must not end with '/' (the stream key is added after it)");
  }
  return std::nullopt;
}

// The hint matters: the obvious guess for a field unit calling in is
// srt://:PORT, which GStreamer accepts and the studio does not.
Problem srtEmptyHostHint(std::string_view rest) {
  if (!rest.empty() && rest.front() == ':') {
    return std::string(
        "has no host; to listen on every interface write srt://0.0.0.0:PORT?mode=listener");
  }
  return std::nullopt;
}

int defaultPort(UrlScheme scheme) {
  switch (scheme) {
    case UrlScheme::kRtmp:
      return 1935;
    case UrlScheme::kRtmps:
    case UrlScheme::kHttps:
      return 443;
    case UrlScheme::kRtsp:
      return 554;
    case UrlScheme::kRtsps:
      return 322;
    case UrlScheme::kHttp:
      return 80;
    case UrlScheme::kInvalid:
    case UrlScheme::kTest:
    case UrlScheme::kFile:
    case UrlScheme::kV4l2:
    case UrlScheme::kSrt:
    case UrlScheme::kDecklink:
    case UrlScheme::kAlsa:
    case UrlScheme::kPulse:
    case UrlScheme::kWebrtc:
      break;
  }
  return 0;
}

MediaUrl networkUrl(UrlScheme scheme, const NetworkParts& parts) {
  MediaUrl url;
  url.scheme = scheme;
  url.host = parts.host;
  url.ipv6 = parts.ipv6;
  url.written_port = parts.port;
  url.port = parts.port.value_or(defaultPort(scheme));
  url.path = parts.path;
  if (parts.query) url.query = std::string(*parts.query);
  return url;
}

// Whether the bytes are UTF-8 text without a NUL, as g_utf8_validate judges
// them: no overlong forms, no surrogates, nothing past U+10FFFF.
bool isUtf8Text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The lead byte gives the sequence's length; a code point below the
    // lowest that needs that length is an overlong form.
    std::size_t length = 0;
    char32_t lowest = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      lowest = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      lowest = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      lowest = 0x10000;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    char32_t code = c & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < lowest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// RFC 3986's "remove dot segments" (5.2.4) on an absolute path:
// "/live/./a/../b" -> "/live/b".
std::string withoutDotSegments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const std::size_t slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', 1);
      out.append(in.substr(0, next));
      in = next == std::string_view::npos ? std::string_view() : in.substr(next);
    }
  }
  return out;
}

// The srt:// and rtmp[s]:// URLs after their scheme, as sources and
// destinations both take them (a source's RTMP URL may end in '/').
std::variant<MediaUrl, UrlProblem> srtUrl(std::string_view rest) {
  if (auto problem = srtEmptyHostHint(rest)) return UrlProblem{*problem};
  NetworkParts parts;
  if (auto problem = splitNetworkUrl(rest, UserInfo::kRefuse, &parts)) {
    return UrlProblem{*problem};
  }
  if (auto problem = checkSrt(parts)) return UrlProblem{*problem};
  return networkUrl(UrlScheme::kSrt, parts);
}

std::variant<MediaUrl, UrlProblem> rtmpUrl(UrlScheme scheme, std::string_view rest,
                                           TrailingSlash trailing) {
  NetworkParts parts;
  if (auto problem = splitNetworkUrl(rest, UserInfo::kRefuse, &parts)) {
    return UrlProblem{*problem};
  }
  if (auto problem = checkRtmp(parts, trailing)) return UrlProblem{*problem};
  return networkUrl(scheme, parts);
}

// The DeckLink modes a capture can be told to expect (decklinkvideosrc's
// "mode" nicks for broadcast formats); auto detects the signal.
constexpr std::string_view kDecklinkModes[] = {
    "auto",     "pal",       "pal-p",   "ntsc",      "ntsc-p",    "720p50",
    "720p5994", "720p60",    "1080i50", "1080i5994", "1080i60",   "1080p24",
    "1080p25",  "1080p2997", "1080p30", "1080p50",   "1080p5994", "1080p60",
    "2160p25",  "2160p2997", "2160p30", "2160p50",   "2160p5994", "2160p60"};
constexpr std::string_view kDecklinkConnectors[] = {
    "auto", "sdi", "hdmi", "optical-sdi", "component", "composite", "svideo"};

template <std::size_t N>
std::string listOf(const std::string_view (&names)[N]) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// decklink://N/connector[?mode=…]
std::variant<MediaUrl, UrlProblem> decklinkUrl(std::string_view rest) {
  const std::string_view hint =
      "expected decklink://DEVICE/CONNECTOR[?mode=MODE], such as decklink://0/sdi?mode=1080i50";
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return UrlProblem{std::string(hint)};
  const std::string_view device = rest.substr(0, slash);
  std::string_view connector = rest.substr(slash + 1);
  std::optional<std::string> query;
  if (const std::size_t q = connector.find('?'); q != std::string_view::npos) {
    query = std::string(connector.substr(q + 1));
    connector = connector.substr(0, q);
  }
  if (device.empty() || device.size() > 2 ||
      !std::all_of(device.begin(), device.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return UrlProblem{"the device is a card's number from 0 (" + inQuotes(device) + "); " +
                      std::string(hint)};
  }
  if (std::find(std::begin(kDecklinkConnectors), std::end(kDecklinkConnectors), connector) ==
      std::end(kDecklinkConnectors)) {
    return UrlProblem{"unknown connector " + inQuotes(connector) + "; use one of " +
                      listOf(kDecklinkConnectors)};
  }
  if (query) {
    const auto options = decklinkOptions(*query);
    if (const auto* problem = std::get_if<UrlProblem>(&options)) return *problem;
  }
  MediaUrl url;
  url.scheme = UrlScheme::kDecklink;
  url.host = device;
  url.path = connector;
  url.query = query;
  return url;
}

// alsa://DEVICE[?channels=…], pulse://SOURCE[?channels=…]
std::variant<MediaUrl, UrlProblem> audioDeviceUrl(UrlScheme scheme, std::string_view rest) {
  std::string_view name = rest;
  std::optional<std::string> query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    name = rest.substr(0, q);
    query = std::string(rest.substr(q + 1));
  }
  const bool alsa = scheme == UrlScheme::kAlsa;
  // ALSA names: hw:1,0, plughw:CARD=USB,DEV=0, default; Pulse's:
  // alsa_input.usb-…analog-stereo, a sink's "….monitor".
  const auto allowed = [alsa](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':' || (alsa && (c == ',' || c == '='));
  };
  if (name.empty() || name.size() > 128 || !std::all_of(name.begin(), name.end(), allowed)) {
    return UrlProblem{alsa ? "expected alsa://DEVICE, such as alsa://hw:1,0 or alsa://plughw:1,0 "
                             "(arecord -L lists them)"
                           : "expected pulse://SOURCE, such as "
                             "pulse://alsa_input.usb-Focusrite-00.analog-stereo (pactl list "
                             "short sources lists them)"};
  }
  if (query) {
    const auto pick = channelPick(*query);
    if (const auto* problem = std::get_if<UrlProblem>(&pick)) return *problem;
  }
  MediaUrl url;
  url.scheme = scheme;
  url.host = name;
  url.query = query;
  return url;
}

}  // namespace

std::variant<DecklinkOptions, UrlProblem> decklinkOptions(std::string_view query) {
  DecklinkOptions options;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    if (option.starts_with("mode=")) {
      const std::string_view mode = option.substr(5);
      if (std::find(std::begin(kDecklinkModes), std::end(kDecklinkModes), mode) ==
          std::end(kDecklinkModes)) {
        return UrlProblem{"unknown mode " + inQuotes(mode) + "; use one of " +
                          listOf(kDecklinkModes)};
      }
      options.mode = mode;
    } else if (option.starts_with("channels=")) {
      auto pick = channelPick(option);
      if (const auto* problem = std::get_if<UrlProblem>(&pick)) return *problem;
      options.channels = std::get<ChannelPick>(pick).channels;
      if (std::any_of(options.channels.begin(), options.channels.end(),
                      [](int c) { return c > 16; })) {
        return UrlProblem{"a DeckLink card carries 16 channels of sound at most; got " +
                          inQuotes(option)};
      }
    } else {
      return UrlProblem{"the options are mode= and channels=; got " + inQuotes(option)};
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return options;
}

bool isAudioOnly(UrlScheme scheme) {
  return scheme == UrlScheme::kAlsa || scheme == UrlScheme::kPulse;
}

std::variant<ChannelPick, UrlProblem> channelPick(std::string_view query) {
  const UrlProblem problem{
      "expected ?channels= with one or two of the input's channels, "
      "numbered from 1 (channels=3 for a mono microphone on input 3, "
      "channels=1,2 for a stereo pair); got " +
      inQuotes(query)};
  if (!query.starts_with("channels=")) return problem;
  std::string_view list = query.substr(9);
  ChannelPick pick;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    int value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec != std::errc() || end != item.data() + item.size() || value < 1 || value > 64) {
      return problem;
    }
    pick.channels.push_back(value);
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
    if (list.empty()) return problem;
  }
  if (pick.channels.empty() || pick.channels.size() > 2 ||
      (pick.channels.size() == 2 && pick.channels[0] == pick.channels[1])) {
    return problem;
  }
  return pick;
}

const char* urlSchemeName(UrlScheme scheme) {
  switch (scheme) {
    case UrlScheme::kTest:
      return "test";
    case UrlScheme::kFile:
      return "file";
    case UrlScheme::kV4l2:
      return "v4l2";
    case UrlScheme::kRtsp:
      return "rtsp";
    case UrlScheme::kRtsps:
      return "rtsps";
    case UrlScheme::kSrt:
      return "srt";
    case UrlScheme::kRtmp:
      return "rtmp";
    case UrlScheme::kRtmps:
      return "rtmps";
    case UrlScheme::kHttp:
      return "http";
    case UrlScheme::kHttps:
      return "https";
    case UrlScheme::kDecklink:
      return "decklink";
    case UrlScheme::kAlsa:
      return "alsa";
    case UrlScheme::kPulse:
      return "pulse";
    case UrlScheme::kWebrtc:
      return "webrtc";
    case UrlScheme::kInvalid:
      break;
  }
  return "";
}

std::variant<MediaUrl, UrlProblem> parseMonitorUrl(std::string_view uri) {
  const auto parsed = parseSourceUrl(uri);
  if (const auto* problem = std::get_if<UrlProblem>(&parsed)) return *problem;
  const MediaUrl& url = std::get<MediaUrl>(parsed);
  if (url.scheme != UrlScheme::kAlsa && url.scheme != UrlScheme::kPulse) {
    return UrlProblem{
        "expected alsa://DEVICE (aplay -L lists them) or pulse://SINK (pactl list "
        "short sinks lists them)"};
  }
  if (url.query) return UrlProblem{"takes no options (" + inQuotes(*url.query) + ")"};
  return url;
}

std::variant<MediaUrl, UrlProblem> parseSourceUrl(std::string_view uri) {
  if (uri.empty()) return UrlProblem{"is empty"};
  if (auto problem = checkCharacters(uri)) return UrlProblem{*problem};
  std::string_view scheme;
  std::string_view rest;
  if (auto problem = splitScheme(uri, SchemeCase::kLower, &scheme, &rest)) {
    return UrlProblem{*problem};
  }
  if (scheme == "test") {
    std::string_view pattern = rest;
    std::optional<std::string> query;
    if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
      pattern = rest.substr(0, q);
      query = std::string(rest.substr(q + 1));
    }
    if (!isTestPattern(pattern)) {
      return UrlProblem{"unknown test pattern " + inQuotes(pattern) + "; use one of " +
                        testPatternList()};
    }
    // Its sound: a tick a second (the default, for lip sync by ear) or a
    // steady line-up tone at -18 dBFS (bars and tone, for levels).
    if (query && *query != "audio=ticks" && *query != "audio=tone") {
      return UrlProblem{"unknown option " + inQuotes(*query) +
                        " for a test pattern; use ?audio=ticks or ?audio=tone"};
    }
    MediaUrl url;
    url.scheme = UrlScheme::kTest;
    url.path = pattern;
    url.query = query;
    return url;
  }
  if (scheme == "file" || scheme == "v4l2") {
    const bool file = scheme == "file";
    // Local paths only: a file:// with a host is a network share GStreamer
    // cannot open, and a relative path would depend on the working directory.
    if (rest.empty() || rest.front() != '/') {
      return UrlProblem{file ? "expected file:///absolute/path (three slashes)"
                             : "expected v4l2:///dev/videoN (three slashes)"};
    }
    if (file && rest.size() < 2) return UrlProblem{"has no path after file:///"};
    if (!file && (rest.substr(0, 5) != "/dev/" || rest.size() == 5)) {
      return UrlProblem{"expected a device under /dev, such as v4l2:///dev/video0"};
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
      return UrlProblem{"must not contain '?' or '#' (write them as %3F and %23)"};
    }
    if (auto problem = checkPercentEscapes(rest)) return UrlProblem{*problem};
    MediaUrl url;
    url.scheme = file ? UrlScheme::kFile : UrlScheme::kV4l2;
    url.path = rest;
    return url;
  }
  NetworkParts parts;
  if (scheme == "rtsp" || scheme == "rtsps") {
    // IP cameras usually want rtsp://user:password@host/…
    if (auto problem = splitNetworkUrl(rest, UserInfo::kAllow, &parts)) {
      return UrlProblem{*problem};
    }
    return networkUrl(scheme == "rtsp" ? UrlScheme::kRtsp : UrlScheme::kRtsps, parts);
  }
  if (scheme == "srt") return srtUrl(rest);
  if (scheme == "rtmp" || scheme == "rtmps") {
    return rtmpUrl(scheme == "rtmp" ? UrlScheme::kRtmp : UrlScheme::kRtmps, rest,
                   TrailingSlash::kAllow);
  }
  if (scheme == "decklink") return decklinkUrl(rest);
  if (scheme == "alsa" || scheme == "pulse") {
    return audioDeviceUrl(scheme == "alsa" ? UrlScheme::kAlsa : UrlScheme::kPulse, rest);
  }
  if (scheme == "webrtc") {
    // A slot that a guest's browser or a WHIP publisher fills: nothing to
    // open, only a name.
    const auto allowed = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    };
    if (rest.empty() || rest.size() > 64 || !std::all_of(rest.begin(), rest.end(), allowed)) {
      return UrlProblem{
          "expected webrtc://SLOT, such as webrtc://remote1 (letters, digits, '_' and '-')"};
    }
    MediaUrl url;
    url.scheme = UrlScheme::kWebrtc;
    url.host = rest;
    return url;
  }
  return UrlProblem{"unsupported scheme " + inQuotes(scheme) +
                    "; expected test://, file://, v4l2://, rtsp://, rtsps://, srt://, rtmp://, "
                    "rtmps://, decklink://, alsa://, pulse:// or webrtc://"};
}

std::variant<MediaUrl, UrlProblem> parseDestinationUrl(std::string_view url) {
  if (url.empty()) return UrlProblem{"is empty"};
  if (auto problem = checkCharacters(url)) return UrlProblem{*problem};
  if (url.find("***") != std::string_view::npos) {
    // The studio shows addresses with their secrets as "***"; one copied
    // back from the console would push to a stream named "***".
    return UrlProblem{
        "contains \"***\", a part the studio masks when it shows an address; write the whole "
        "address as the partner gave it"};
  }
  std::string_view scheme;
  std::string_view rest;
  if (auto problem = splitScheme(url, SchemeCase::kLower, &scheme, &rest)) {
    return UrlProblem{*problem};
  }
  if (scheme == "rtmp" || scheme == "rtmps") {
    return rtmpUrl(scheme == "rtmp" ? UrlScheme::kRtmp : UrlScheme::kRtmps, rest,
                   TrailingSlash::kRefuse);
  }
  if (scheme == "srt") return srtUrl(rest);
  return UrlProblem{"unsupported scheme " + inQuotes(scheme) +
                    "; expected rtmp://, rtmps:// or srt://"};
}

std::variant<MediaUrl, UrlProblem> parseWebUrl(std::string_view url) {
  if (auto problem = checkCharacters(url)) return UrlProblem{*problem};
  std::string_view scheme;
  std::string_view rest;
  if (auto problem = splitScheme(url, SchemeCase::kLower, &scheme, &rest)) {
    return UrlProblem{*problem};
  }
  if (scheme != "http" && scheme != "https") {
    return UrlProblem{"expected an http:// or https:// URL; got scheme " + inQuotes(scheme)};
  }
  NetworkParts parts;
  if (auto problem = splitNetworkUrl(rest, UserInfo::kRefuse, &parts)) {
    return UrlProblem{*problem};
  }
  return networkUrl(scheme == "http" ? UrlScheme::kHttp : UrlScheme::kHttps, parts);
}

DestinationProtocol destinationProtocolOf(UrlScheme scheme) {
  switch (scheme) {
    case UrlScheme::kRtmp:
      return DestinationProtocol::kRtmp;
    case UrlScheme::kRtmps:
      return DestinationProtocol::kRtmps;
    case UrlScheme::kSrt:
      return DestinationProtocol::kSrt;
    case UrlScheme::kInvalid:
    case UrlScheme::kTest:
    case UrlScheme::kFile:
    case UrlScheme::kV4l2:
    case UrlScheme::kRtsp:
    case UrlScheme::kRtsps:
    case UrlScheme::kHttp:
    case UrlScheme::kHttps:
    case UrlScheme::kDecklink:
    case UrlScheme::kAlsa:
    case UrlScheme::kPulse:
    case UrlScheme::kWebrtc:
      break;
  }
  return DestinationProtocol::kInvalid;
}

std::optional<DestinationEndpoint> destinationEndpoint(std::string_view text) {
  const auto parsed = parseDestinationUrl(text);
  const MediaUrl* url = std::get_if<MediaUrl>(&parsed);
  if (!url) return std::nullopt;
  DestinationEndpoint endpoint{urlSchemeName(url->scheme), url->host, url->port};
  std::transform(endpoint.host.begin(), endpoint.host.end(), endpoint.host.begin(), lowered);
  return endpoint;
}

std::variant<RtmpTarget, UrlProblem> parseRtmpTarget(std::string_view url, std::string_view key) {
  const auto invalid = [](const std::string& problem) {
    return UrlProblem{"not a valid RTMP URL: " + problem};
  };
  std::string_view scheme;
  std::string_view rest;
  if (auto problem = splitScheme(url, SchemeCase::kAny, &scheme, &rest)) return invalid(*problem);
  std::string lower_scheme(scheme);
  std::transform(lower_scheme.begin(), lower_scheme.end(), lower_scheme.begin(), lowered);
  if (lower_scheme != "rtmp" && lower_scheme != "rtmps") {
    return invalid("unsupported scheme " + inQuotes(scheme) + "; expected rtmp:// or rtmps://");
  }
  NetworkParts parts;
  if (auto problem = splitNetworkUrl(rest, UserInfo::kRefuse, &parts)) return invalid(*problem);
  // The escapes were checked by splitNetworkUrl; the text must be UTF-8.
  std::optional<std::string> path = percentDecoded(parts.path);
  const std::optional<std::string> query = percentDecoded(parts.query.value_or(""));
  if (!path || !query || !isUtf8Text(*path) || !isUtf8Text(*query)) {
    return invalid("has a percent escape that does not decode to UTF-8 text");
  }
  *path = withoutDotSegments(*path);

  RtmpTarget target;
  target.tls = lower_scheme == "rtmps";
  target.host = parts.host;
  target.port = parts.port.value_or(target.tls ? 443 : 1935);
  std::string_view app = *path;
  while (!app.empty() && app.front() == '/') app.remove_prefix(1);
  while (!app.empty() && app.back() == '/') app.remove_suffix(1);
  // An empty query ("…/show42?") adds nothing.
  std::string suffix = query->empty() ? std::string() : "?" + *query;
  if (key.empty()) {
    // The query is the stream's (a CDN's signature), not the application's.
    const std::size_t slash = app.rfind('/');
    if (slash == std::string_view::npos) {
      return UrlProblem{"the URL names no application and stream"};
    }
    target.stream = std::string(app.substr(slash + 1)) + suffix;
    app = app.substr(0, slash);
    suffix.clear();
  } else {
    target.stream = key;
  }
  if (target.host.empty() || app.empty()) {
    return UrlProblem{"the URL names no host or application"};
  }
  target.app = std::string(app) + suffix;
  return target;
}

std::optional<std::string> percentDecoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2])) return std::nullopt;
    const auto digit = [](char c) { return isDigit(c) ? c - '0' : lowered(c) - 'a' + 10; };
    out += static_cast<char>(digit(text[i + 1]) * 16 + digit(text[i + 2]));
    i += 2;
  }
  return out;
}

std::optional<UrlProblem> checkUrlCharacters(std::string_view text) {
  if (auto problem = checkCharacters(text)) return UrlProblem{*problem};
  return std::nullopt;
}

std::variant<HostPort, UrlProblem> splitHostPort(std::string_view authority) {
  HostPort out;
  if (auto problem = splitAuthority(authority, &out)) return UrlProblem{*problem};
  return out;
}

std::variant<int, UrlProblem> parsePort(std::string_view text, int lowest) {
  int port = 0;
  if (auto problem = checkPort(text, lowest, &port)) return UrlProblem{*problem};
  return port;
}

}  // namespace yst::streaming
