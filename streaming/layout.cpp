#include "streaming/layout.h"

namespace yst::streaming {

std::string_view layoutName(Layout layout) {
  switch (layout) {
    case Layout::kSingle:
      return "single";
    case Layout::kSideBySide:
      return "side_by_side";
    case Layout::kPip:
      return "pip";
    case Layout::kInvalid:
      break;
  }
  return "invalid";
}

std::optional<Layout> parseLayout(std::string_view name) {
  if (name == "single") return Layout::kSingle;
  if (name == "side_by_side") return Layout::kSideBySide;
  if (name == "pip") return Layout::kPip;
  return std::nullopt;
}

namespace {
// Even values keep I420 chroma planes aligned, so the compositor never has to
// blend half pixels at a slot edge.
int even(int v) {
  return v & ~1;
}
}  // namespace

LayoutGeometry layoutGeometry(Layout layout, int frame_width, int frame_height) {
  LayoutGeometry g;
  const Rect full{0, 0, frame_width, frame_height};
  switch (layout) {
    case Layout::kSideBySide: {
      // Two 16:9 pictures, each half the width, centred vertically with a
      // small gutter between them so the two faces do not touch.
      const int gutter = even(frame_width / 80);
      const int w = even((frame_width - gutter) / 2);
      const int h = even(w * frame_height / frame_width);
      const int y = even((frame_height - h) / 2);
      g.primary = Rect{0, y, w, h};
      g.secondary = Rect{frame_width - w, y, w, h};
      break;
    }
    case Layout::kPip: {
      // The inset is a quarter of the width, in the lower right corner, inside
      // the 5% action-safe margin.
      const int w = even(frame_width / 4);
      const int h = even(w * frame_height / frame_width);
      const int margin_x = even(frame_width / 20);
      const int margin_y = even(frame_height / 20);
      g.primary = full;
      g.secondary = Rect{frame_width - w - margin_x, frame_height - h - margin_y, w, h};
      g.secondary_on_top = true;
      break;
    }
    case Layout::kSingle:
    case Layout::kInvalid:
      g.primary = full;
      break;
  }
  return g;
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
