// The URLs the studio takes, read in one place: a source (a test pattern, a
// file, a V4L2 device, an RTSP camera, an SRT or RTMP field unit), a partner
// site's push URL (RTMP, RTMPS, SRT) and the viewers' page (HTTP). The show
// file, the destination commands and the RTMP client all read them here, so
// that what one accepts the others understand the same way.
//
// A problem is worded as the show file prints it after the key
// ("sources[1].uri: port 99999 is not in 1..65535"): a fragment naming the
// part at fault and how to fix it. Users and tests rely on these words; treat
// them as an interface. None repeats a password, a stream key or a query
// value (only a scheme or a test pattern is quoted).
//
// What a person writes (a show file, a destination command) is read
// strictly: the scheme in lower case, no spaces, well-formed percent escapes,
// no user name but a camera's. The RTMP client's reading (parseRtmpTarget)
// is the one GLib's g_uri_parse gave it before, for every URL that strict
// reading accepts (tests/unit/streaming/media_url_test.cpp compares them).
//
// Pure text: no GStreamer, GLib or Qt (it is part of yst_media).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "streaming/output_types.h"

namespace yst::streaming {

enum class UrlScheme {
  kInvalid = 0,
  kTest,
  kFile,
  kV4l2,
  kRtsp,
  kRtsps,
  kSrt,
  kRtmp,
  kRtmps,
  kHttp,
  kHttps,
  kDecklink,  // decklink://N/connector[?mode=…]: a Blackmagic capture card
  kAlsa,      // alsa://DEVICE[?channels=…]: a sound card's input (microphones)
  kPulse,     // pulse://SOURCE[?channels=…]: a PulseAudio or PipeWire source
  kWebrtc,    // webrtc://SLOT: a remote guest's browser or a WHIP publisher
};

// "rtmp", "srt", …; "" for kInvalid.
const char* urlSchemeName(UrlScheme scheme);

// Why a URL is refused, in the show file's words (see above).
struct UrlProblem {
  std::string text;
};

// A URL's parts, as written: percent escapes are kept, and a camera's user
// name and password (rtsp:// only) are not kept here at all; they stay in the
// URL that GStreamer opens.
struct MediaUrl {
  UrlScheme scheme = UrlScheme::kInvalid;
  std::string host;  // network URLs: without an IPv6 address's brackets
  bool ipv6 = false;
  std::optional<int> written_port;
  // written_port, else the scheme's default: 1935 rtmp, 443 rtmps and https,
  // 554 rtsp, 322 rtsps, 80 http; srt has none (its URLs must name one);
  // 0 for test, file and v4l2.
  int port = 0;
  // Network URLs: "" or from its '/'. test://: the pattern's name; file://
  // and v4l2://: the absolute path.
  std::string path;
  std::optional<std::string> query;  // after the '?'
};

// A source's URI: test://PATTERN (videotestsrc's pattern names),
// file:///absolute/path, v4l2:///dev/videoN, rtsp(s)://[user:password@]host…,
// srt://host:port[?options], rtmp(s)://host[:port]/app[/stream],
// decklink://N/connector[?mode=…] (host: the device's number; path: the
// connector), alsa://DEVICE[?channels=…] and pulse://SOURCE[?channels=…]
// (host: the device or source name), webrtc://SLOT (host: the slot's name,
// letters, digits, '_' and '-').
std::variant<MediaUrl, UrlProblem> parseSourceUrl(std::string_view url);

// The control room's monitor output ([audio] monitor): alsa://DEVICE or
// pulse://SINK (host: the device or sink name), without options.
std::variant<MediaUrl, UrlProblem> parseMonitorUrl(std::string_view url);

// Sources that carry sound only (microphones through a mixer or an
// interface): no picture of their own.
bool isAudioOnly(UrlScheme scheme);

// Which of an audio input's channels go into the program's stereo: one
// (heard in both ears) or two (left, right), numbered from 1 as on the
// interface. Empty: the input's own first two (or its one).
struct ChannelPick {
  std::vector<int> channels;
};
// ?channels=1,2 of an alsa:// or pulse:// URL's query (nullopt: none given);
// a problem when the list is not one or two distinct numbers 1…64.
std::variant<ChannelPick, UrlProblem> channelPick(std::string_view query);

// A decklink:// URL's options: mode=MODE (decklinkvideosrc's mode nicks for
// broadcast formats; "auto" detects the signal) and channels=… (of the up to
// 16 embedded in SDI), joined by '&'.
struct DecklinkOptions {
  std::string mode = "auto";
  std::vector<int> channels;
};
std::variant<DecklinkOptions, UrlProblem> decklinkOptions(std::string_view query);
// A partner site's push URL: rtmp(s)://host[:port]/app[/stream][?query] (not
// ending in '/', since a key given apart is added after it) or
// srt://host:port[?options].
std::variant<MediaUrl, UrlProblem> parseDestinationUrl(std::string_view url);
// The viewers' page: http(s)://host[:port][/path][?query].
std::variant<MediaUrl, UrlProblem> parseWebUrl(std::string_view url);

// kRtmp, kRtmps or kSrt for a URL that parseDestinationUrl took; kInvalid
// for any other scheme.
DestinationProtocol destinationProtocolOf(UrlScheme scheme);

// Where a destination URL sends the stream: its scheme, host (lower case,
// without an IPv6 address's brackets) and port (the scheme's default when
// not written: 1935 for rtmp, 443 for rtmps). Two URLs with the same endpoint
// reach the same server, whatever their paths and signatures.
struct DestinationEndpoint {
  std::string scheme;
  std::string host;
  int port = 0;
  bool operator==(const DestinationEndpoint&) const = default;
};
// The endpoint of a URL that parseDestinationUrl takes; nothing otherwise.
std::optional<DestinationEndpoint> destinationEndpoint(std::string_view url);

// Where an RTMP publisher connects and what it asks for there.
struct RtmpTarget {
  bool tls = false;  // rtmps://
  std::string host;  // as written, without an IPv6 address's brackets
  int port = 0;      // as written, else 1935 (rtmp) or 443 (rtmps)
  // connect's application: the path without its outer slashes (and without
  // the stream when that is in the path), with the URL's query when the key
  // is given apart.
  std::string app;
  // publish's stream name: the key given apart, or the path's last segment
  // with the URL's query, as partners hand it out ("show42?txSecret=…").
  std::string stream;
};
// Reads an RTMP push URL as the publisher takes it: `key` empty means the
// stream name is the URL's last path segment (rtmp://host/app/stream, as
// players and ffmpeg take it), otherwise the path names only the
// application. Unlike the show file, any case of the scheme and a trailing
// '/' are taken; path and query are percent-decoded (they must decode to
// UTF-8 text) and the path's "." and ".." segments are resolved, as
// g_uri_parse did for the publisher. The problems are whole sentences:
// "not a valid RTMP URL: …", "the URL names no application and stream",
// "the URL names no host or application".
std::variant<RtmpTarget, UrlProblem> parseRtmpTarget(std::string_view url, std::string_view key);

// "live%2Fa" -> "live/a" (bytes, not checked as UTF-8); nothing when an
// escape is malformed ("%", "%4", "%zz").
std::optional<std::string> percentDecoded(std::string_view text);

// Pieces for the show file's other addresses (the [audience] listen address,
// its allowed host names), so that they agree with the URLs on what a host
// and a port look like.

// A space, a control character, or a space that does not look like one
// (no-break, ideographic, zero-width: chat apps and IMEs slip them into
// copied text, which then looks right and fails at the partner).
std::optional<UrlProblem> checkUrlCharacters(std::string_view text);

// "host[:port]", the host possibly an IPv6 address in brackets. The views
// point into the text given.
struct HostPort {
  std::string_view host;  // without the brackets
  bool ipv6 = false;
  std::optional<std::string_view> port;  // what follows the ':', unchecked
};
std::variant<HostPort, UrlProblem> splitHostPort(std::string_view authority);

// A port number between `lowest` and 65535.
std::variant<int, UrlProblem> parsePort(std::string_view text, int lowest);

}  // namespace yst::streaming
