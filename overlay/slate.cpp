#include "overlay/slate.h"

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

}  // namespace yst::overlay
