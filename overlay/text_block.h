// Text set in a box, the way broadcast graphics need it: shaped and broken
// into lines by Pango (Unicode line breaking, which keeps closing punctuation
// such as ，。」！ off the start of a line and opening punctuation off the
// end), with fontconfig falling back per character to a font that has the
// glyph (emoji, rare characters). Text that does not fit shrinks down to a
// minimum readable size and is then cut with an ellipsis: it never overflows
// its box. A character that no installed font has is drawn as 〓 (the
// typesetter's mark for a missing character), never as an empty box.
#pragma once

#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

#include "overlay/theme.h"

typedef struct _PangoLayout PangoLayout;

namespace yst::overlay {

struct FontSpec {
  std::string family;
  int weight = 400;
  double size_px = 24;
};

enum class Align { kLeft = 0, kCenter, kRight };

struct TextBox {
  int width_px = 0;        // <= 0: one unbroken line as long as the text
  int height_px = 0;       // <= 0: no limit on lines (use max_lines)
  int max_lines = 0;       // > 0: at most this many lines
  double min_size_px = 0;  // shrink down to here before cutting; 0: the font's size
  Align align = Align::kLeft;
};

struct TextFit {
  double size_px = 0;
  int lines = 0;
  int width_px = 0;  // logical extents of the set text
  int height_px = 0;
  bool ellipsized = false;
  int replaced_characters = 0;  // drawn as 〓
  std::vector<std::string> line_texts;
};

class TextBlock {
 public:
  TextBlock(const std::string& text, const FontSpec& font, const TextBox& box);
  ~TextBlock();
  TextBlock(const TextBlock&) = delete;
  TextBlock& operator=(const TextBlock&) = delete;

  const TextFit& fit() const { return fit_; }
  // Draws with the top-left of the box at (x, y).
  void draw(cairo_t* cr, double x, double y, Color color) const;

 private:
  void setSize(double size_px);
  bool fits() const;
  void measure();

  PangoLayout* layout_ = nullptr;
  FontSpec font_;
  TextBox box_;
  TextFit fit_;
};

// Characters in `text` that no installed font can draw (for tests and logs).
int missingGlyphs(const std::string& text, const FontSpec& font);

}  // namespace yst::overlay
