#include "streaming/output_types.h"

#include "streaming/uri_secrets.h"

namespace yst::streaming {

namespace {

RtmpKey rtmpKey(const DestinationSpec& spec) {
  return spec.key.empty() ? RtmpKey::kInPath : RtmpKey::kApart;
}

}  // namespace

const char* outputStateName(OutputState state) {
  switch (state) {
    case OutputState::kStopped:
      return "stopped";
    case OutputState::kConnecting:
      return "connecting";
    case OutputState::kLive:
      return "live";
    case OutputState::kRetrying:
      return "retrying";
    case OutputState::kFailed:
      return "failed";
    case OutputState::kInvalid:
      break;
  }
  return "invalid";
}

DestinationProtocol destinationProtocol(const std::string& url) {
  if (url.rfind("rtmp://", 0) == 0) return DestinationProtocol::kRtmp;
  if (url.rfind("rtmps://", 0) == 0) return DestinationProtocol::kRtmps;
  if (url.rfind("srt://", 0) == 0) return DestinationProtocol::kSrt;
  return DestinationProtocol::kInvalid;
}

std::string maskedDestinationUrl(const DestinationSpec& spec) {
  return maskUri(spec.url, rtmpKey(spec));
}

std::vector<std::string> destinationSecrets(const DestinationSpec& spec) {
  std::vector<std::string> secrets = uriSecrets(spec.url, rtmpKey(spec));
  secrets.push_back(spec.key);
  return secrets;
}

}  // namespace yst::streaming
