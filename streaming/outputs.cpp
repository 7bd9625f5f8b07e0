#include "streaming/outputs.h"

#include "streaming/uri_secrets.h"

#include <filesystem>
#include <stdexcept>

namespace yst::streaming {

namespace {

void linkOrThrow(GstElement* a, GstElement* b, const char* what) {
  if (!gst_element_link(a, b)) throw std::runtime_error(std::string("could not link ") + what);
}

void linkToRequest(GstElement* src, GstElement* mux, const char* pad_template, const char* what) {
  PadPtr srcpad(gst_element_get_static_pad(src, "src"));
  PadPtr sinkpad(gst_element_request_pad_simple(mux, pad_template));
  if (!sinkpad || gst_pad_link(srcpad.get(), sinkpad.get()) != GST_PAD_LINK_OK) {
    throw std::runtime_error(std::string("could not link ") + what);
  }
}

GstElement* add(GstElement* pipeline, const char* factory) {
  GstElement* e = makeElement(factory);
  gst_bin_add(GST_BIN(pipeline), e);
  return e;
}

}  // namespace

DestinationProtocol destinationProtocol(const std::string& url) {
  if (url.rfind("rtmp://", 0) == 0) return DestinationProtocol::kRtmp;
  if (url.rfind("rtmps://", 0) == 0) return DestinationProtocol::kRtmps;
  if (url.rfind("srt://", 0) == 0) return DestinationProtocol::kSrt;
  return DestinationProtocol::kInvalid;
}

std::string rtmpLocation(const std::string& url, const std::string& key) {
  if (key.empty()) return url;
  std::string location = url;
  if (location.back() != '/') location += '/';
  return location + key;
}

namespace {
std::vector<std::string> destinationSecrets(const DestinationSpec& spec) {
  std::vector<std::string> secrets = uriSecrets(spec.url);
  secrets.push_back(spec.key);
  return secrets;
}
}  // namespace

Destination::Destination(DestinationSpec spec, QObject* parent)
    : Output("destination " + spec.id, destinationSecrets(spec), parent), spec_(std::move(spec)) {}

GstElement* Destination::buildTransport(GstElement* pipeline, GstElement* video_src,
                                        GstElement* audio_src) {
  switch (destinationProtocol(spec_.url)) {
    case DestinationProtocol::kRtmp:
    case DestinationProtocol::kRtmps: {
      GstElement* mux = add(pipeline, "flvmux");
      g_object_set(mux, "streamable", TRUE, nullptr);
      GstElement* sink = add(pipeline, "rtmp2sink");
      const std::string location = rtmpLocation(spec_.url, spec_.key);
      g_object_set(sink, "location", location.c_str(), "sync", FALSE, "async", FALSE, nullptr);
      if (!spec_.tls_verify) g_object_set(sink, "tls-validation-flags", 0, nullptr);
      linkToRequest(video_src, mux, "video", "video to flvmux");
      linkToRequest(audio_src, mux, "audio", "audio to flvmux");
      linkOrThrow(mux, sink, "flvmux to rtmp2sink");
      return sink;
    }
    case DestinationProtocol::kSrt: {
      GstElement* parse = add(pipeline, "h264parse");
      g_object_set(parse, "config-interval", -1, nullptr);
      GstElement* mux = add(pipeline, "mpegtsmux");
      g_object_set(mux, "alignment", 7, nullptr);  // 7 TS packets per UDP datagram
      GstElement* sink = add(pipeline, "srtsink");
      // srtsink blocks the stream until a peer connects unless told otherwise.
      g_object_set(sink, "uri", spec_.url.c_str(), "wait-for-connection", FALSE, "sync", FALSE,
                   "async", FALSE, nullptr);
      if (!spec_.key.empty()) g_object_set(sink, "streamid", spec_.key.c_str(), nullptr);
      linkOrThrow(video_src, parse, "video to h264parse");
      linkToRequest(parse, mux, "sink_%d", "video to mpegtsmux");
      linkToRequest(audio_src, mux, "sink_%d", "audio to mpegtsmux");
      linkOrThrow(mux, sink, "mpegtsmux to srtsink");
      return sink;
    }
    case DestinationProtocol::kInvalid:
      break;
  }
  throw std::runtime_error("unsupported destination URL scheme");
}

Archive::Archive(std::string directory, std::string stem, QObject* parent)
    : Output("archive", {}, parent), directory_(std::move(directory)), stem_(std::move(stem)) {
  backoff_policy.initial_ms = 1000;
  backoff_policy.max_ms = 10000;
}

void Archive::prepareAttempt() {
  std::filesystem::create_directories(directory_);
  do {
    ++part_;
    path_ = directory_ + "/" + stem_ + (part_ > 1 ? "-part" + std::to_string(part_) : "") + ".mkv";
  } while (std::filesystem::exists(path_));
}

GstElement* Archive::buildTransport(GstElement* pipeline, GstElement* video_src,
                                    GstElement* audio_src) {
  GstElement* mux = add(pipeline, "matroskamux");
  // Short clusters: at most ~1 s of program is ever in flight when the
  // process dies.
  g_object_set(mux, "max-cluster-duration", gint64{1} * GST_SECOND, "writing-app",
               "Yishiting Studio", nullptr);
  GstElement* sink = add(pipeline, "filesink");
  g_object_set(sink, "location", path_.c_str(), "sync", FALSE, "async", FALSE, nullptr);
  linkToRequest(video_src, mux, "video_%u", "video to matroskamux");
  linkToRequest(audio_src, mux, "audio_%u", "audio to matroskamux");
  linkOrThrow(mux, sink, "matroskamux to filesink");
  return sink;
}

Hls::Hls(std::string directory, int segment_s, int playlist_length, QObject* parent)
    : Output("hls", {}, parent),
      directory_(std::move(directory)),
      segment_s_(segment_s),
      playlist_length_(playlist_length) {
  backoff_policy.initial_ms = 1000;
  backoff_policy.max_ms = 10000;
}

void Hls::prepareAttempt() {
  std::filesystem::create_directories(directory_);
}

GstElement* Hls::buildTransport(GstElement* pipeline, GstElement* video_src,
                                GstElement* audio_src) {
  GstElement* parse = add(pipeline, "h264parse");
  g_object_set(parse, "config-interval", -1, nullptr);
  GstElement* sink = add(pipeline, "hlssink2");
  const std::string segments = directory_ + "/segment%05d.ts";
  const std::string playlist = playlistPath();
  // Keyframes come from the program's fixed GOP; the appsrc upstream cannot
  // honour keyframe requests anyway.
  g_object_set(sink, "location", segments.c_str(), "playlist-location", playlist.c_str(),
               "target-duration", static_cast<guint>(segment_s_), "playlist-length",
               static_cast<guint>(playlist_length_), "max-files",
               static_cast<guint>(playlist_length_ + 4), "send-keyframe-requests", FALSE, nullptr);
  linkOrThrow(video_src, parse, "video to h264parse");
  linkToRequest(parse, sink, "video", "video to hlssink2");
  linkToRequest(audio_src, sink, "audio", "audio to hlssink2");
  // Bytes (video) are counted where the parser takes them in.
  return parse;
}

}  // namespace yst::streaming
