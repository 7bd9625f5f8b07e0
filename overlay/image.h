// An RGBA picture as the graphics renderer draws it: a Cairo image surface,
// premultiplied ARGB32 in native byte order (one uint32 per pixel,
// 0xAARRGGBB). Cheap to copy (shared, immutable once drawn).
#pragma once

#include <cairo.h>

#include <cstdint>
#include <memory>
#include <string>

namespace yst::overlay {

class Image {
 public:
  Image() = default;
  // Transparent, width x height (at least 1 x 1).
  Image(int width, int height);
  // Reads a PNG; an empty Image and `error` set when it cannot.
  static Image fromPng(const std::string& path, std::string* error);

  bool empty() const { return !surface_; }
  int width() const;
  int height() const;
  int stride() const;  // bytes per row
  const std::uint8_t* data() const;
  std::uint32_t pixel(int x, int y) const;  // premultiplied 0xAARRGGBB
  cairo_surface_t* surface() const { return surface_.get(); }
  bool savePng(const std::string& path) const;

 private:
  explicit Image(cairo_surface_t* adopted);
  std::shared_ptr<cairo_surface_t> surface_;
};

}  // namespace yst::overlay
