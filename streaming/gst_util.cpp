#include <stdexcept>

#include "streaming/gst_ptr.h"
#include "streaming/media_format.h"

namespace yst::streaming {

GstElement* makeElement(const char* factory, const char* name) {
  GstElement* e = gst_element_factory_make(factory, name);
  if (!e) {
    throw std::runtime_error(
        std::string("GStreamer element '") + factory +
        "' is not available (is its plugin package installed? run scripts/setup)");
  }
  return e;
}

GstElement* addElement(GstElement* bin, const char* factory, const char* name) {
  GstElement* e = makeElement(factory, name);
  gst_bin_add(GST_BIN(bin), e);
  return e;
}

GstElement* makeCapsFilter(const std::string& caps) {
  GstElement* f = makeElement("capsfilter");
  CapsPtr c(gst_caps_from_string(caps.c_str()));
  if (!c) {
    gst_object_unref(gst_object_ref_sink(f));
    throw std::runtime_error("bad caps: " + caps);
  }
  g_object_set(f, "caps", c.get(), nullptr);
  return f;
}

void linkChain(std::initializer_list<GstElement*> chain) {
  GstElement* prev = nullptr;
  for (GstElement* e : chain) {
    if (prev && !gst_element_link(prev, e)) {
      throw std::runtime_error(std::string("could not link ") + GST_OBJECT_NAME(prev) + " to " +
                               GST_OBJECT_NAME(e));
    }
    prev = e;
  }
}

GstElement* addCapsFilter(GstElement* bin, const std::string& caps) {
  GstElement* f = makeCapsFilter(caps);
  gst_bin_add(GST_BIN(bin), f);
  return f;
}

GstElement* addLeakyQueue(GstElement* bin, guint buffers) {
  GstElement* q = addElement(bin, "queue");
  g_object_set(q, "max-size-buffers", buffers, "max-size-bytes", 0u, "max-size-time", guint64{0},
               nullptr);
  gst_util_set_object_arg(G_OBJECT(q), "leaky", "downstream");
  return q;
}

GstPad* linkToRequestPad(GstElement* upstream, GstElement* target, const char* pad_template) {
  GstPad* sinkpad = gst_element_request_pad_simple(target, pad_template);
  PadPtr srcpad(gst_element_get_static_pad(upstream, "src"));
  if (!srcpad) srcpad.reset(gst_element_request_pad_simple(upstream, "src_%u"));  // a tee
  if (!sinkpad || !srcpad || gst_pad_link(srcpad.get(), sinkpad) != GST_PAD_LINK_OK) {
    if (sinkpad) gst_object_unref(sinkpad);
    throw std::runtime_error(std::string("could not link ") + GST_OBJECT_NAME(upstream) + " to " +
                             GST_OBJECT_NAME(target) + " (" + pad_template + ")");
  }
  return sinkpad;
}

std::string describeMessage(GstMessage* message) {
  GError* err = nullptr;
  gchar* debug = nullptr;
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error(message, &err, &debug);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning(message, &err, &debug);
      break;
    default:
      return GST_MESSAGE_TYPE_NAME(message);
  }
  std::string out = GST_OBJECT_NAME(GST_MESSAGE_SRC(message));
  out += ": ";
  out += err ? err->message : "unknown error";
  g_clear_error(&err);
  g_free(debug);  // debug strings carry full URLs (and so stream keys): never shown
  return out;
}

std::string messageReason(GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ERROR) return {};
  GError* err = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &err, &debug);
  g_clear_error(&err);
  std::string text = debug ? debug : "";
  g_free(debug);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string last = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  // The first line is where in the source the error was raised; a reason
  // is on a line of its own after it.
  if (last == text || last.find("://") != std::string::npos ||
      last.find('@') != std::string::npos || last.size() > 200) {
    return {};
  }
  return last;
}

std::string describeFailure(GstMessage* message) {
  std::string text = describeMessage(message);
  const std::string reason = messageReason(message);
  if (reason.empty()) return text;
  const std::size_t colon = text.find(": ");
  const std::string said = colon == std::string::npos ? text : text.substr(colon + 2);
  return colon != std::string::npos && reason.rfind(said, 0) == 0
             ? text.substr(0, colon + 2) + reason
             : text + " (" + reason + ")";
}

bool setStateAndWait(GstElement* element, GstState state, GstClockTime timeout,
                     std::string* error) {
  GstStateChangeReturn ret = gst_element_set_state(element, state);
  if (ret == GST_STATE_CHANGE_ASYNC) {
    ret = gst_element_get_state(element, nullptr, nullptr, timeout);
  }
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (error)
      *error = std::string("could not set ") + GST_OBJECT_NAME(element) + " to " +
               gst_element_state_get_name(state);
    return false;
  }
  return true;
}

std::string rawVideoCaps(const VideoFormat& f, int fps_override) {
  return "video/x-raw,format=I420,width=" + std::to_string(f.width) +
         ",height=" + std::to_string(f.height) +
         ",framerate=" + std::to_string(fps_override > 0 ? fps_override : f.fps) +
         "/1,pixel-aspect-ratio=1/1,interlace-mode=progressive";
}

std::string rawAudioCaps() {
  return "audio/x-raw,format=S16LE,layout=interleaved,rate=" + std::to_string(kAudioRate) +
         ",channels=" + std::to_string(kAudioChannels);
}

}  // namespace yst::streaming
