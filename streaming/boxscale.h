#pragma once

#include <gst/gst.h>

#include <cstdint>

namespace yst::streaming {

// "yst-boxscale": puts a camera's frame into a program slot that is about
// half its size (side by side) or a quarter (the picture-in-picture inset)
// with a 2×2 or 4×4 box filter, after trimming at most 1/32 of the picture
// at its edges so the ratio is exact. That is sharper than the mixer's 2-tap
// bilinear scaling (every source pixel counts, none is skipped: at 4:1 the
// bilinear taps skip half the pixels and fine patterns shimmer), keeps the
// aspect exact instead of stretching it by the gutter's 0.4%, and costs a
// fraction: SSE2 over whole rows instead of orc's per-pixel C fallback for
// its bilinear load, on the camera's own thread instead of a round trip
// through the mixer's pool.
//
// Properties "target-width"/"target-height": the slot. When the slot is not
// (nearly) a half or a quarter of the frame, or is 0×0, or the frame is not
// I420, frames pass through untouched and the mixer scales them. The element
// only ever sends frames at full size or at the slot's size, and says which
// in its caps.
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
