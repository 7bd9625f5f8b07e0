// Full-frame slates drawn by the engine itself: the "信号中断" card a source
// shows while its camera is gone. The theme system of the graphics layer will
// restyle these; the engine only needs a bin with a video src pad that it can
// run at a low frame rate (the mixer repeats the last frame).
#pragma once

#include <gst/gst.h>

#include <string>
#include <string_view>

#include "overlay/image.h"

namespace yst::overlay {

// The text of the source-lost slate: Chinese first, English below.
std::string signalLostText(std::string_view label);

// A bin "videotestsrc ! capsfilter ! textoverlay" with one always src pad
// producing I420 width x height at fps. Floating reference; the caller adds it
// to a pipeline.
GstElement* makeSignalLostSlate(std::string_view label, int width, int height, int fps);

// A bin "appsrc ! imagefreeze ! videoconvert ! capsfilter" that shows one
// picture (the theme's slate, drawn by the graphics renderer at the program
// size) as I420 width x height at fps. Floating reference.
GstElement* makePictureSlate(const Image& picture, int width, int height, int fps);

}  // namespace yst::overlay
