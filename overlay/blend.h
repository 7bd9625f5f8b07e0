// Blending graphics into the program's I420 frames.
//
// A graphic is converted once, when it is drawn, into premultiplied Y'CbCr
// 4:2:0 planes with alpha at full and at chroma resolution; each frame then
// costs one multiply-add per covered byte (d = s + d·(1 − a)), in loops the
// compiler vectorises. This is why the program compositor is not used for
// graphics: with I420 output it converts every input to I420 and so drops
// per-pixel alpha, and an RGBA→I420 conversion of the whole program per frame
// would cost more than the graphics themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "overlay/image.h"

namespace yst::overlay {

enum class ColorMatrix { kInvalid = 0, kBt601, kBt709 };

// What GStreamer assumes for I420 caps without colorimetry: BT.709 above
// 576 lines, BT.601 up to it (gst_video_info_set_format's default).
ColorMatrix defaultMatrix(int height);

struct YuvaGraphic {
  int width = 0;  // even
  int height = 0;
  std::vector<std::uint8_t> y, a;      // width x height, premultiplied
  std::vector<std::uint8_t> u, v, a2;  // (width/2) x (height/2), premultiplied
  // Rows [first_row, last_row) hold any non-transparent pixel.
  int first_row = 0;
  int last_row = 0;
  ColorMatrix matrix = ColorMatrix::kInvalid;  // what it was converted for
};
using GraphicPtr = std::shared_ptr<const YuvaGraphic>;

// Converts (padding to even width and height with transparency).
GraphicPtr toYuva(const Image& image, ColorMatrix matrix);

struct I420Planes {
  std::uint8_t* y;
  std::uint8_t* u;
  std::uint8_t* v;
  int stride_y, stride_u, stride_v;
  int width, height;
};

// Blends the graphic's columns [src_x, src_x + src_w) at frame position
// (x, y), clipped to the frame, with `alpha` (0..255) applied on top of its
// own. x, y, src_x are rounded down to even (chroma siting).
void blendI420(const I420Planes& frame, const YuvaGraphic& graphic, int x, int y, int alpha,
               int src_x = 0, int src_w = -1);

}  // namespace yst::overlay
