// What is said about an output without running one: its states and figures,
// how it is stopped, and a partner site's settings with their secrets. Plain
// types and text, no GStreamer: the desks and the show-file reader use them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace yst::streaming {

enum class OutputState { kInvalid = 0, kStopped, kConnecting, kLive, kRetrying, kFailed };
const char* outputStateName(OutputState state);

// kFinalize gives the muxer an end-of-stream first, so that the file it
// writes is complete; kImmediate drops the connection.
enum class StopMode { kInvalid = 0, kImmediate, kFinalize };

struct OutputStats {
  OutputState state = OutputState::kStopped;
  std::uint64_t bytes_sent = 0;
  double bitrate_kbps = 0;
  std::uint64_t media_duration_ms = 0;  // program time handed to the current attempt (file)
  int reconnects = 0;
  std::string last_error;  // secrets already masked
};

enum class DestinationProtocol { kInvalid = 0, kRtmp, kRtmps, kSrt };

struct DestinationSpec {
  std::string id;
  std::string name;
  std::string url;         // rtmp://host[:port]/app, rtmps://…, srt://host:port[?…]
  std::string key;         // secret: RTMP stream name / SRT streamid
  bool tls_verify = true;  // rtmps://: verify the server certificate
};

DestinationProtocol destinationProtocol(const std::string& url);

// The destination's URL as it may be shown: every query value masked, and
// the last path segment of an RTMP URL too unless the key is given apart
// (then the path is only the application).
std::string maskedDestinationUrl(const DestinationSpec& spec);
// What must not appear in its error texts and logs: the URL's secrets and
// the key.
std::vector<std::string> destinationSecrets(const DestinationSpec& spec);

}  // namespace yst::streaming
