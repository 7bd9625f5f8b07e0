// Draws every broadcast graphic of a show in a theme at one program size:
// lower-thirds, the on-air question card, the show bug, the LIVE badge and
// clock, the QR code to the question page, the ticker and the full-frame
// slates. Each call returns a picture and where it sits in the frame; the
// graphics layer blends it into the program, and the console shows the very
// same picture as its preview.
//
// Pure: no state but the theme and size, no GStreamer. Pango and Cairo are
// used from one thread at a time per Renderer (the render thread; tests).
#pragma once

#include <string>
#include <string_view>

#include "overlay/image.h"
#include "overlay/text_block.h"
#include "overlay/theme.h"

namespace yst::overlay {

struct Person {
  std::string name;
  std::string title;
};

struct QuestionCardContent {
  std::int64_t number = 0;  // the question's id, shown as "Q12"; 0: none
  std::string text;
  std::string nickname;               // empty: 网友
  std::string category = "question";  // question | suggestion | complaint
  std::string observer;               // a citizen observer's name, or empty
};

enum class SlateKind { kInvalid = 0, kStarting, kHold, kSignalLost };
const char* slateName(SlateKind kind);

struct SlateContent {
  SlateKind kind = SlateKind::kInvalid;
  std::string show_title;
  // kStarting: the countdown ("04:59", or empty once it has run out);
  // kSignalLost: the source's label.
  std::string detail;
};

// A picture and the frame position of its top-left corner.
struct Placed {
  Image image;
  int x = 0;
  int y = 0;
};

class Renderer {
 public:
  Renderer(Theme theme, int frame_width, int frame_height);

  const Theme& theme() const { return theme_; }
  int frameWidth() const { return width_; }
  int frameHeight() const { return height_; }

  Placed lowerThird(const Person& person) const;
  // A panel layout's name bar: the person's name and title, smaller than a
  // lower-third, in the lower left corner inside the tile at tile_x, tile_y
  // of tile_width x tile_height (frame pixels), cut to the tile's width.
  Placed nameBar(const Person& person, int tile_x, int tile_y, int tile_width,
                 int tile_height) const;
  // `fit` (optional) reports how the question's text was set.
  Placed questionCard(const QuestionCardContent& card, TextFit* fit = nullptr) const;
  Placed bug(std::string_view title) const;
  Placed clock(std::string_view time_text) const;
  // Empty Placed (and `error`) when the URL cannot be encoded.
  Placed qr(std::string_view url, std::string_view caption, std::string* error = nullptr) const;
  // The ticker: a bar (with its label) that stays, and one long strip of
  // text that scrolls through the bar's window.
  Placed tickerBar() const;
  Image tickerStrip(std::string_view text) const;
  struct Window {
    int x = 0, y = 0, width = 0, height = 0;
  };
  Window tickerWindow() const;
  double tickerSpeedPxPerS() const;
  // A full frame.
  Image slate(const SlateContent& content) const;

  // The text the card would show for an empty nickname etc. (for the UI).
  static std::string categoryLabel(std::string_view category);

 private:
  int px(double fraction_of_height) const;
  // A person's name over their title on a panel with the accent bar, at
  // `scale` of a lower-third's sizes, the text at most `max_text_px` wide
  // with the panel's padding (a longer name is set smaller, then cut).
  Image personPanel(const Person& person, double scale, int max_text_px) const;
  FontSpec textFont(double size) const;
  FontSpec displayFont(double size) const;

  Theme theme_;
  Image logo_;
  int width_;
  int height_;
  int safe_left_, safe_top_, safe_right_, safe_bottom_;
};

}  // namespace yst::overlay
