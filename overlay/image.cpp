#include "overlay/image.h"

#include <algorithm>

namespace yst::overlay {

Image::Image(cairo_surface_t* adopted) : surface_(adopted, cairo_surface_destroy) {}

Image::Image(int width, int height)
    : Image(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, std::max(1, width),
                                       std::max(1, height))) {}

Image Image::fromPng(const std::string& path, std::string* error) {
  cairo_surface_t* png = cairo_image_surface_create_from_png(path.c_str());
  if (cairo_surface_status(png) != CAIRO_STATUS_SUCCESS) {
    if (error) *error = path + ": " + cairo_status_to_string(cairo_surface_status(png));
    cairo_surface_destroy(png);
    return {};
  }
  // Whatever the PNG's format, hand out ARGB32 like every other Image.
  Image image(cairo_image_surface_get_width(png), cairo_image_surface_get_height(png));
  cairo_t* cr = cairo_create(image.surface());
  cairo_set_source_surface(cr, png, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(png);
  cairo_surface_flush(image.surface());
  return image;
}

int Image::width() const {
  return surface_ ? cairo_image_surface_get_width(surface_.get()) : 0;
}

int Image::height() const {
  return surface_ ? cairo_image_surface_get_height(surface_.get()) : 0;
}

int Image::stride() const {
  return surface_ ? cairo_image_surface_get_stride(surface_.get()) : 0;
}

const std::uint8_t* Image::data() const {
  if (!surface_) return nullptr;
  cairo_surface_flush(surface_.get());
  return cairo_image_surface_get_data(surface_.get());
}

std::uint32_t Image::pixel(int x, int y) const {
  if (!surface_ || x < 0 || y < 0 || x >= width() || y >= height()) return 0;
  return reinterpret_cast<const std::uint32_t*>(data() + static_cast<std::size_t>(y) * stride())[x];
}

bool Image::savePng(const std::string& path) const {
  return surface_ &&
         cairo_surface_write_to_png(surface_.get(), path.c_str()) == CAIRO_STATUS_SUCCESS;
}

}  // namespace yst::overlay
