#include "overlay/slate.h"

#include <gst/app/gstappsrc.h>

#include <cstring>
#include <stdexcept>

namespace yst::overlay {

namespace {
GstElement* make(const char* factory) {
  GstElement* e = gst_element_factory_make(factory, nullptr);
  if (!e) throw std::runtime_error(std::string("GStreamer element '") + factory + "' is missing");
  return e;
}
}  // namespace

std::string signalLostText(std::string_view label) {
  std::string text = "信号中断 · ";
  text += label;
  text += "\nSIGNAL LOST";
  return text;
}

GstElement* makeSignalLostSlate(std::string_view label, int width, int height, int fps) {
  GstElement* bin = gst_bin_new(nullptr);
  GstElement* src = make("videotestsrc");
  GstElement* caps = make("capsfilter");
  GstElement* text = make("textoverlay");
  g_object_set(src, "is-live", TRUE, "pattern", 17 /* solid-color */, "foreground-color",
               0xff1b2430u, nullptr);
  GstCaps* c =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                          width, "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps,
                          1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(caps, "caps", c, nullptr);
  gst_caps_unref(c);
  // The type scales with the frame so that 720p and 1080p slates look alike.
  const std::string font = "Noto Sans CJK SC Bold " + std::to_string(std::max(12, height / 24));
  const std::string message = signalLostText(label);
  g_object_set(text, "text", message.c_str(), "font-desc", font.c_str(), "halignment",
               1 /* center */, "valignment", 4 /* center */, "line-alignment", 1 /* center */,
               "shaded-background", FALSE, "draw-shadow", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(bin), src, caps, text, nullptr);
  if (!gst_element_link_many(src, caps, text, nullptr)) {
    gst_object_unref(bin);
    throw std::runtime_error("could not link the signal-lost slate");
  }
  GstPad* out = gst_element_get_static_pad(text, "src");
  gst_element_add_pad(bin, gst_ghost_pad_new("src", out));
  gst_object_unref(out);
  return bin;
}

GstElement* makePictureSlate(const Image& picture, int width, int height, int fps) {
  if (picture.empty()) throw std::runtime_error("no slate picture");
  GstElement* bin = gst_bin_new(nullptr);
  GstElement* src = make("appsrc");
  GstElement* freeze = make("imagefreeze");
  GstElement* convert = make("videoconvert");
  GstElement* scale = make("videoscale");
  GstElement* caps = make("capsfilter");
  // Cairo's ARGB32 is BGRA in memory on little-endian machines; the slate is
  // opaque, so its premultiplication does not matter.
  GstCaps* in = gst_caps_new_simple(
      "video/x-raw", "format", G_TYPE_STRING, G_BYTE_ORDER == G_LITTLE_ENDIAN ? "BGRA" : "ARGB",
      "width", G_TYPE_INT, picture.width(), "height", G_TYPE_INT, picture.height(), "framerate",
      GST_TYPE_FRACTION, 0, 1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(src, "caps", in, "format", GST_FORMAT_TIME, nullptr);
  gst_caps_unref(in);
  g_object_set(freeze, "is-live", TRUE, nullptr);
  GstCaps* out =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                          width, "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps,
                          1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(caps, "caps", out, nullptr);
  gst_caps_unref(out);
  gst_bin_add_many(GST_BIN(bin), src, freeze, convert, scale, caps, nullptr);
  if (!gst_element_link_many(src, freeze, convert, scale, caps, nullptr)) {
    gst_object_unref(bin);
    throw std::runtime_error("could not link the slate");
  }
  // Packed rows, as the caps say (Cairo may pad its stride).
  const std::size_t row = static_cast<std::size_t>(picture.width()) * 4;
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, row * picture.height(), nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  for (int y = 0; y < picture.height(); ++y) {
    std::memcpy(map.data + row * y, picture.data() + static_cast<std::size_t>(picture.stride()) * y,
                row);
  }
  gst_buffer_unmap(buffer, &map);
  GST_BUFFER_PTS(buffer) = 0;
  gst_app_src_push_buffer(GST_APP_SRC(src), buffer);  // takes the buffer
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstPad* pad = gst_element_get_static_pad(caps, "src");
  gst_element_add_pad(bin, gst_ghost_pad_new("src", pad));
  gst_object_unref(pad);
  return bin;
}

}  // namespace yst::overlay
