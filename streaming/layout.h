// Program layouts and their geometry, the framing of a source in a tile, and
// the scenes made of them.
//
// A layout decides where the tiles sit in the program frame: one picture,
// two side by side, a picture-in-picture inset, or a panel of three to six
// people (嘉宾团) in a grid, a host beside a column of guests, or a row of
// three. Every tile but the inset is filled: a camera is cut to the tile's
// shape (side by side: 8:9 halves) instead of letterboxed, around the part of
// the picture its framing says. The geometry is pure arithmetic so that the
// mixer, the graphics (a name bar in each tile), the UI previews and the
// tests agree on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yst::streaming {

// Zero is the invalid value, so a default-constructed Layout is never mistaken
// for a real one.
enum class Layout { kInvalid = 0, kSingle, kSideBySide, kPip, kGrid, kHostPlus, kRow3 };

std::string_view layoutName(Layout layout);
// "single" | "side_by_side" | "pip" | "grid" | "host_plus" | "row3"
std::optional<Layout> parseLayout(std::string_view name);
// "single, side_by_side, pip, grid, host_plus or row3", for error messages.
const char* layoutNames();

// How many tiles a layout shows: single 1, side by side and pip 2, row3 3,
// grid 3–6 (2×2 up to four, 3×2 up to six), host_plus 3–5 (the host and
// two to four guests). A scene's tile list may be longer; the layout shows
// its first `max` (or all of them when fewer).
struct TileRange {
  int min = 1;
  int max = 1;
};
TileRange tileRange(Layout layout);
// The number of tiles shown from a list of `listed` sources (0 when too few).
int tilesShown(Layout layout, int listed);

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool operator==(const Rect&) const = default;
};

// Where one tile sits and how it stacks (the inset above the full picture).
struct Tile {
  Rect rect;
  int z = 1;
};

// The tiles of `layout` showing `count` sources in a frame_width x
// frame_height frame, in tile order: tile 0 is the main picture (the host in
// host_plus), the rest follow left to right, top to bottom. Even values, so
// I420's chroma planes stay aligned. Empty when `count` is out of range.
std::vector<Tile> layoutTiles(Layout layout, int count, int frame_width, int frame_height);

// The thin gap between tiles (the background shows through it).
int tileGutter(int frame_width);

// Which part of a source a tile shows. Either a zoom (1 = the whole picture's
// height or width, whichever the tile's shape allows) around a centre point,
// or a crop rectangle: the area that must be kept, which the tile's shape
// then cuts around its middle. Fractions of the source picture.
struct Framing {
  double zoom = 1.0;      // 1 … kMaxZoom
  double center_x = 0.5;  // 0 … 1
  double center_y = 0.5;
  bool has_crop = false;
  double crop_x = 0.0, crop_y = 0.0, crop_width = 1.0, crop_height = 1.0;
  bool isDefault() const { return *this == Framing{}; }
  bool operator==(const Framing&) const = default;
  static constexpr double kMaxZoom = 4.0;
  static constexpr double kMinCrop = 0.1;  // a crop is at least a tenth each way
};
// An error message when a framing's values are out of range, else empty.
std::string framingError(const Framing& framing);

// The region of a source_width x source_height picture that a tile of
// tile_width x tile_height shows: the tile's shape, as large as the framing
// allows, around its centre, kept inside the picture. Even values.
Rect framedRegion(const Framing& framing, int source_width, int source_height, int tile_width,
                  int tile_height);

// What the program shows: a layout and the sources in its tiles, in order.
// Source ids in the shown tiles are distinct.
struct Scene {
  Layout layout = Layout::kSingle;
  std::vector<std::string> tiles;
  // The sources the layout shows (the first tilesShown() of `tiles`).
  std::vector<std::string> shown() const;
  // The tile a source is shown in, or -1.
  int tileOf(const std::string& source) const;
  // Tile `i`'s source, or empty.
  const std::string& tile(std::size_t i) const;
  bool operator==(const Scene&) const = default;
};

// Puts `source` into tile `index` of `tiles`, moving what was there to where
// `source` was (or appending), so the list never repeats a source.
void placeInTile(std::vector<std::string>* tiles, std::size_t index, const std::string& source);

// How the program goes from one scene to the next.
enum class Transition { kInvalid = 0, kCut, kFade };
const char* transitionName(Transition transition);

}  // namespace yst::streaming
