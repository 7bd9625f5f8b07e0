#include "streaming/outputs.h"

#include <filesystem>
#include <stdexcept>

#include "streaming/gst_ptr.h"
#include "streaming/pipeline_transport.h"
#include "streaming/rtmp_transport.h"

namespace yst::streaming {

namespace {

void linkToRequest(GstElement* src, GstElement* mux, const char* pad_template) {
  PadPtr pad(linkToRequestPad(src, mux, pad_template));
}

// hlssink2 writes each buffer of its muxer with a write() of its own, and
// mpegtsmux hands out every 188-byte packet as a buffer: ~1,800 system calls
// a second at 2.5 Mb/s. Seven packets a buffer (as for UDP) make that ~260;
// a segment then ends with at most six padding packets.
void writeSevenTsPacketsAtATime(GstElement* hlssink) {
  GstIterator* it = gst_bin_iterate_elements(GST_BIN(hlssink));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GObject* element = G_OBJECT(g_value_get_object(&item));
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "muxer")) {  // splitmuxsink
      GstElement* mux = nullptr;
      g_object_get(element, "muxer", &mux, nullptr);
      if (mux && g_object_class_find_property(G_OBJECT_GET_CLASS(mux), "alignment")) {
        g_object_set(mux, "alignment", 7, nullptr);
      }
      if (mux) gst_object_unref(mux);
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

}  // namespace

Destination::Destination(DestinationSpec spec, QObject* parent)
    : Output("destination " + spec.id, destinationSecrets(spec), parent), spec_(std::move(spec)) {}

std::unique_ptr<Transport> Destination::makeTransport() {
  switch (destinationProtocol(spec_.url)) {
    case DestinationProtocol::kRtmp:
    case DestinationProtocol::kRtmps:
      return std::make_unique<RtmpTransport>(spec_.url, spec_.key, spec_.tls_verify);
    case DestinationProtocol::kSrt:
      return std::make_unique<PipelineTransport>(
          [url = spec_.url, key = spec_.key](GstElement* pipeline, GstElement* video_src,
                                             GstElement* audio_src) {
            GstElement* parse = addElement(pipeline, "h264parse");
            g_object_set(parse, "config-interval", -1, nullptr);
            GstElement* mux = addElement(pipeline, "mpegtsmux");
            g_object_set(mux, "alignment", 7, nullptr);  // 7 TS packets per UDP datagram
            GstElement* sink = addElement(pipeline, "srtsink");
            // srtsink blocks the stream until a peer connects unless told otherwise.
            g_object_set(sink, "uri", url.c_str(), "wait-for-connection", FALSE, "sync", FALSE,
                         "async", FALSE, nullptr);
            if (!key.empty()) g_object_set(sink, "streamid", key.c_str(), nullptr);
            linkChain({video_src, parse});
            linkToRequest(parse, mux, "sink_%d");
            linkToRequest(audio_src, mux, "sink_%d");
            linkChain({mux, sink});
            return sink;
          });
    case DestinationProtocol::kInvalid:
      break;
  }
  throw std::runtime_error("unsupported destination URL scheme");
}

Archive::Archive(std::string directory, std::string stem, QObject* parent)
    : Output("archive", {}, parent), directory_(std::move(directory)), stem_(std::move(stem)) {
  backoff_policy.initial_ms = 1000;
  backoff_policy.max_ms = 10000;
  connect(this, &Output::stateChanged, this, [this] {
    if (state() == OutputState::kLive) part_recorded_ = true;
  });
}

std::unique_ptr<Transport> Archive::makeTransport() {
  std::filesystem::create_directories(directory_);
  if (!path_.empty() && !part_recorded_) {
    // The last attempt failed before it counted as recording (a full disk
    // fails at the first writes): its file is not on record and holds
    // nothing worth keeping, and this attempt takes its number.
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    --part_;
  }
  part_recorded_ = false;
  do {
    ++part_;
    path_ = directory_ + "/" + stem_ + (part_ > 1 ? "-part" + std::to_string(part_) : "") + ".mkv";
  } while (std::filesystem::exists(path_));
  return std::make_unique<PipelineTransport>(
      [path = path_](GstElement* pipeline, GstElement* video_src, GstElement* audio_src) {
        GstElement* mux = addElement(pipeline, "matroskamux");
        // Short clusters: at most ~1 s of program is ever in flight when the
        // process dies.
        g_object_set(mux, "max-cluster-duration", gint64{1} * GST_SECOND, "writing-app",
                     "Yishiting Studio", nullptr);
        GstElement* sink = addElement(pipeline, "filesink");
        g_object_set(sink, "location", path.c_str(), "sync", FALSE, "async", FALSE, nullptr);
        // Each of the muxer's buffers is written at once (some 60 writes a
        // second): nothing waits in a user-space buffer when the process
        // dies, and a full disk is an error at the write that meets it, not
        // one flush later.
        gst_util_set_object_arg(G_OBJECT(sink), "buffer-mode", "unbuffered");
        linkToRequest(video_src, mux, "video_%u");
        linkToRequest(audio_src, mux, "audio_%u");
        linkChain({mux, sink});
        return sink;
      });
}

Hls::Hls(std::string directory, int segment_s, int playlist_length, QObject* parent)
    : Output("hls", {}, parent),
      directory_(std::move(directory)),
      segment_s_(segment_s),
      playlist_length_(playlist_length) {
  backoff_policy.initial_ms = 1000;
  backoff_policy.max_ms = 10000;
}

std::unique_ptr<Transport> Hls::makeTransport() {
  std::filesystem::create_directories(directory_);
  return std::make_unique<PipelineTransport>(
      [segments = directory_ + "/segment%05d.ts", playlist = playlistPath(), segment_s = segment_s_,
       playlist_length = playlist_length_](GstElement* pipeline, GstElement* video_src,
                                           GstElement* audio_src) {
        GstElement* parse = addElement(pipeline, "h264parse");
        g_object_set(parse, "config-interval", -1, nullptr);
        GstElement* sink = addElement(pipeline, "hlssink2");
        // Keyframes come from the program's fixed GOP; the appsrc upstream
        // cannot honour keyframe requests anyway.
        g_object_set(sink, "location", segments.c_str(), "playlist-location", playlist.c_str(),
                     "target-duration", static_cast<guint>(segment_s), "playlist-length",
                     static_cast<guint>(playlist_length), "max-files",
                     static_cast<guint>(playlist_length + 4), "send-keyframe-requests", FALSE,
                     nullptr);
        writeSevenTsPacketsAtATime(sink);
        linkChain({video_src, parse});
        linkToRequest(parse, sink, "video");
        linkToRequest(audio_src, sink, "audio");
        // Bytes (video) are counted where the parser takes them in.
        return parse;
      });
}

}  // namespace yst::streaming
