#pragma once

#include <gst/gst.h>

#include <cstdint>

namespace yst::streaming {

// "yst-boxscale": puts a camera into its program tile, on the camera's own
// thread, so the mixer only ever blends frames of the tile's size.
//
// A tile that is about half of the region shown (2×2 grid, the old
// side-by-side) or a quarter (the picture-in-picture inset) gets a 2×2 or
// 4×4 box filter, after trimming at most 1/32 of the region at its edges so
// the ratio is exact. That is sharper than the mixer's 2-tap bilinear scaling
// (every source pixel counts, none is skipped: at 4:1 the bilinear taps skip
// half the pixels and fine patterns shimmer) and costs a fraction: SSE2 over
// whole rows instead of orc's per-pixel C fallback for its bilinear load.
// A region of the tile's own size (side by side cut to 8:9 halves, a row of
// three) is copied; any other ratio goes through GStreamer's video converter
// with linear taps.
//
// Properties "target-width"/"target-height": the tile (0×0: frames pass
// through untouched, for a pad that is hidden); "crop-x", "crop-y",
// "crop-width", "crop-height": the region of the picture shown (width 0: the
// whole picture; framedRegion() in layout.h computes it). The mixer cannot do
// the crop: its pads' converter-config ignores the source rectangle. The
// element only ever sends frames at full size (passing through) or at the
// tile's size, and says which in its caps. Frames that are not I420 pass
// through.
void registerBoxScale();

// One plane's 2:1 box downscale: dst[y][x] is the rounded mean of the 2×2
// block at src[2y][2x]. `width`×`height` is the destination's size.
void halvePlane(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                int width, int height);
// The same without SIMD: the reference the tests hold halvePlane to.
void halvePlaneScalar(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                      int width, int height);
// One plane's 4:1 box downscale: the rounded mean of each 4×4 block.
void quarterPlane(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                  int width, int height);
void quarterPlaneScalar(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                        int width, int height);

// Where a `width`×`height` frame is cut to put it `factor`:1 (2 or 4) into a
// `target_width`×`target_height` slot; false when it cannot be (see above).
struct BoxCrop {
  int x = 0;
  int y = 0;
  int factor = 0;
};
bool boxCrop(int width, int height, int target_width, int target_height, BoxCrop* crop);

}  // namespace yst::streaming
