#include "streaming/layout.h"

#include <algorithm>
#include <cmath>

namespace yst::streaming {

std::string_view layoutName(Layout layout) {
  switch (layout) {
    case Layout::kSingle:
      return "single";
    case Layout::kSideBySide:
      return "side_by_side";
    case Layout::kPip:
      return "pip";
    case Layout::kGrid:
      return "grid";
    case Layout::kHostPlus:
      return "host_plus";
    case Layout::kRow3:
      return "row3";
    case Layout::kInvalid:
      break;
  }
  return "invalid";
}

std::optional<Layout> parseLayout(std::string_view name) {
  for (Layout l : {Layout::kSingle, Layout::kSideBySide, Layout::kPip, Layout::kGrid,
                   Layout::kHostPlus, Layout::kRow3}) {
    if (name == layoutName(l)) return l;
  }
  return std::nullopt;
}

const char* layoutNames() {
  return "single, side_by_side, pip, grid, host_plus or row3";
}

TileRange tileRange(Layout layout) {
  switch (layout) {
    case Layout::kSingle:
      return {1, 1};
    case Layout::kSideBySide:
    case Layout::kPip:
      return {2, 2};
    case Layout::kRow3:
      return {3, 3};
    case Layout::kGrid:
      return {3, 6};
    case Layout::kHostPlus:
      return {3, 5};
    case Layout::kInvalid:
      break;
  }
  return {0, 0};
}

int tilesShown(Layout layout, int listed) {
  const TileRange r = tileRange(layout);
  if (r.max == 0 || listed < r.min) return 0;
  return std::min(listed, r.max);
}

namespace {
// Even values keep I420 chroma planes aligned, so the compositor never has to
// blend half pixels at a tile edge.
int even(int v) {
  return v & ~1;
}
}  // namespace

int tileGutter(int frame_width) {
  return std::max(2, even(frame_width / 320));
}

std::vector<Tile> layoutTiles(Layout layout, int count, int frame_width, int frame_height) {
  const int W = frame_width, H = frame_height;
  if (count < 1 || tilesShown(layout, count) != count) return {};
  const int g = tileGutter(W);
  std::vector<Tile> tiles;
  // `n` tiles of `w` in a row from `x0`, the last one ending at `x_end`
  // when given (so rounding never leaves a ragged right edge).
  auto row = [&](int n, int w, int x0, int y, int h, int x_end) {
    for (int i = 0; i < n; ++i) {
      const int x = (x_end > 0 && i == n - 1) ? x_end - w : x0 + i * (w + g);
      tiles.push_back({Rect{x, y, w, h}, 1});
    }
  };
  switch (layout) {
    case Layout::kSingle:
      tiles.push_back({Rect{0, 0, W, H}, 1});
      break;
    case Layout::kSideBySide: {
      // Each camera cut to its half (8:9), full height.
      const int w = even((W - g) / 2);
      row(2, w, 0, 0, H, W);
      break;
    }
    case Layout::kPip: {
      // The inset is a quarter of the width, in the lower right corner, inside
      // the 5% action-safe margin, and keeps the whole 16:9 picture.
      const int w = even(W / 4);
      const int h = even(w * H / W);
      tiles.push_back({Rect{0, 0, W, H}, 1});
      tiles.push_back({Rect{W - w - even(W / 20), H - h - even(H / 20), w, h}, 2});
      break;
    }
    case Layout::kRow3: {
      const int w = even((W - 2 * g) / 3);
      tiles.push_back({Rect{0, 0, w, H}, 1});
      tiles.push_back({Rect{even((W - w) / 2), 0, w, H}, 1});
      tiles.push_back({Rect{W - w, 0, w, H}, 1});
      break;
    }
    case Layout::kGrid: {
      // 2×2 up to four people, 3×2 up to six; a short bottom row is centred.
      const int cols = count <= 4 ? 2 : 3;
      const int w = even((W - (cols - 1) * g) / cols);
      const int h = even((H - g) / 2);
      row(cols, w, 0, 0, h, W);
      const int bottom = count - cols;
      const int span = bottom * w + (bottom - 1) * g;
      row(bottom, w, even((W - span) / 2), H - h, h, bottom == cols ? W : 0);
      break;
    }
    case Layout::kHostPlus: {
      // The host large on the left; the guests in a column on the right,
      // about 16:9 each but the column between a quarter and a third of the
      // frame, so the host is never narrower than two thirds.
      const int guests = count - 1;
      const int h = even((H - (guests - 1) * g) / guests);
      const int column = std::clamp(even(h * 16 / 9), even(W / 4), even(W / 3));
      tiles.push_back({Rect{0, 0, W - column - g, H}, 1});
      for (int i = 0; i < guests; ++i) {
        const int y = i == guests - 1 ? H - h : i * (h + g);
        tiles.push_back({Rect{W - column, y, column, h}, 1});
      }
      break;
    }
    case Layout::kInvalid:
      break;
  }
  return tiles;
}

std::string framingError(const Framing& f) {
  if (!(f.zoom >= 1.0 && f.zoom <= Framing::kMaxZoom)) return "zoom is 1…4";
  if (!(f.center_x >= 0.0 && f.center_x <= 1.0 && f.center_y >= 0.0 && f.center_y <= 1.0)) {
    return "center is [x, y], each 0…1 (fractions of the picture)";
  }
  if (f.has_crop) {
    const bool inside = f.crop_x >= 0.0 && f.crop_y >= 0.0 && f.crop_width >= Framing::kMinCrop &&
                        f.crop_height >= Framing::kMinCrop &&
                        f.crop_x + f.crop_width <= 1.0 + 1e-9 &&
                        f.crop_y + f.crop_height <= 1.0 + 1e-9;
    if (!inside) {
      return "crop is [x, y, width, height], fractions of the picture, inside it, each side at "
             "least 0.1";
    }
  }
  return {};
}

Rect framedRegion(const Framing& f, int source_width, int source_height, int tile_width,
                  int tile_height) {
  const double W = source_width, H = source_height;
  if (source_width < 2 || source_height < 2 || tile_width < 1 || tile_height < 1) {
    return Rect{0, 0, source_width, source_height};
  }
  double area_w, area_h, cx, cy;
  if (f.has_crop) {
    area_w = f.crop_width * W;
    area_h = f.crop_height * H;
    cx = (f.crop_x + f.crop_width / 2) * W;
    cy = (f.crop_y + f.crop_height / 2) * H;
  } else {
    const double zoom = std::clamp(f.zoom, 1.0, Framing::kMaxZoom);
    area_w = W / zoom;
    area_h = H / zoom;
    cx = f.center_x * W;
    cy = f.center_y * H;
  }
  // The tile's shape, as large as fits in the area.
  const double aspect = double(tile_width) / tile_height;
  double w = area_w, h = area_h;
  if (area_w / area_h > aspect) {
    w = area_h * aspect;
  } else {
    h = area_w / aspect;
  }
  const int wi = std::clamp(even(int(std::lround(w))), 2, even(source_width));
  const int hi = std::clamp(even(int(std::lround(h))), 2, even(source_height));
  const int x = even(std::clamp(int(std::lround(cx - wi / 2.0)), 0, source_width - wi));
  const int y = even(std::clamp(int(std::lround(cy - hi / 2.0)), 0, source_height - hi));
  return Rect{x, y, wi, hi};
}

std::vector<std::string> Scene::shown() const {
  const int n = tilesShown(layout, static_cast<int>(tiles.size()));
  return {tiles.begin(), tiles.begin() + n};
}

int Scene::tileOf(const std::string& source) const {
  const int n = tilesShown(layout, static_cast<int>(tiles.size()));
  for (int i = 0; i < n; ++i) {
    if (tiles[static_cast<std::size_t>(i)] == source) return i;
  }
  return -1;
}

const std::string& Scene::tile(std::size_t i) const {
  static const std::string kNone;
  return i < tiles.size() ? tiles[i] : kNone;
}

void placeInTile(std::vector<std::string>* tiles, std::size_t index, const std::string& source) {
  auto at = std::find(tiles->begin(), tiles->end(), source);
  if (index >= tiles->size()) {
    if (at != tiles->end()) tiles->erase(at);
    tiles->push_back(source);
  } else if (at != tiles->end()) {
    std::iter_swap(at, tiles->begin() + static_cast<std::ptrdiff_t>(index));
  } else {
    tiles->push_back((*tiles)[index]);
    (*tiles)[index] = source;
  }
}

const char* transitionName(Transition transition) {
  switch (transition) {
    case Transition::kCut:
      return "cut";
    case Transition::kFade:
      return "fade";
    case Transition::kInvalid:
      break;
  }
  return "invalid";
}

}  // namespace yst::streaming
