// Program layouts and their geometry, and the scenes made of them.
//
// A layout decides where the primary and secondary sources sit in the program
// frame. The geometry is pure arithmetic so that the mixer, the UI previews and
// the tests agree on it; the mixer turns each Rect into compositor pad
// properties (xpos, ypos, width, height, zorder).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yst::streaming {

// Zero is the invalid value, so a default-constructed Layout is never mistaken
// for a real one.
enum class Layout { kInvalid = 0, kSingle, kSideBySide, kPip };

std::string_view layoutName(Layout layout);
std::optional<Layout> parseLayout(std::string_view name);  // "single" | "side_by_side" | "pip"

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool operator==(const Rect&) const = default;
};

// Where the two slots of a layout go in a frame of frame_width x frame_height.
// A slot that the layout does not show has no value.
struct LayoutGeometry {
  Rect primary;
  std::optional<Rect> secondary;
  bool secondary_on_top = false;  // pip: the inset is drawn above the primary
};

LayoutGeometry layoutGeometry(Layout layout, int frame_width, int frame_height);

// What the program shows: a layout and the sources in its slots.
struct Scene {
  Layout layout = Layout::kSingle;
  std::string primary;
  std::string secondary;
  bool operator==(const Scene&) const = default;
};

// How the program goes from one scene to the next.
enum class Transition { kInvalid = 0, kCut, kFade };
const char* transitionName(Transition transition);

}  // namespace yst::streaming
