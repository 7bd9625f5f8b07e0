// A graphics theme: the look of every broadcast graphic (colours, fonts,
// sizes, positions, animation), kept as data in assets/themes/<name>/theme.toml
// so that a newsroom restyles its show without a build.
//
// Sizes and positions are fractions of the program's height (sizes) or of
// the title-safe area (positions), never pixels: a theme looks the same at
// 720p and 1080p. Every key has a default (the built-in look), so a theme
// file holds only what it changes; an unknown key or a wrong type is refused
// with the file, line and key, as the show file is.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace yst::overlay {

// Straight (not premultiplied) RGBA, from "#rrggbb" or "#rrggbbaa".
struct Color {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Color&) const = default;
};

enum class Motion { kInvalid = 0, kFade, kSlideUp, kSlideLeft, kSlideRight, kSlideDown };
const char* motionName(Motion motion);

struct Theme {
  std::string id;       // the folder name
  std::string name;     // shown to producers, Chinese
  std::string name_en;  // and English
  std::string logo;     // absolute path of a PNG, or empty

  // Fonts: Pango family names; fontconfig falls back per character (emoji,
  // rare characters) to whatever installed font has the glyph.
  std::string font = "Noto Sans CJK SC";
  std::string font_display = "Noto Sans CJK SC";  // names, titles, slates
  int weight_text = 500;                          // CSS-style weights
  int weight_display = 700;

  struct Colors {
    Color panel{0x0d, 0x2b, 0x4e, 0xee};
    Color panel_text{0xff, 0xff, 0xff, 0xff};
    Color muted_text{0xc8, 0xd6, 0xe8, 0xff};
    Color accent{0xf5, 0xb8, 0x00, 0xff};
    Color accent_text{0x0d, 0x2b, 0x4e, 0xff};
    Color live{0xd7, 0x26, 0x2e, 0xff};
    Color observer{0x1f, 0x9d, 0x55, 0xff};
    Color complaint{0xc2, 0x41, 0x0c, 0xff};
    Color suggestion{0x25, 0x63, 0xeb, 0xff};
    Color slate_background{0x08, 0x1a, 0x30, 0xff};
    Color slate_accent{0xf5, 0xb8, 0x00, 0xff};
    Color slate_text{0xff, 0xff, 0xff, 0xff};
    Color shadow{0x00, 0x00, 0x00, 0x66};
  } colors;

  // Title-safe area, as fractions of the frame's width and height.
  struct SafeArea {
    double left = 0.05, top = 0.05, right = 0.05, bottom = 0.05;
  } safe;

  // Type and spacing, as fractions of the frame height.
  struct Sizes {
    double name = 0.050;
    double title = 0.031;
    double card_text = 0.044;
    double card_text_min = 0.030;  // below this the card cuts with an ellipsis
    double card_meta = 0.028;
    double bug_title = 0.030;
    double clock = 0.032;
    double ticker = 0.034;
    double slate_title = 0.075;
    double slate_text = 0.040;
    double padding = 0.018;
    double radius = 0.008;
    double accent_bar = 0.008;
    double shadow = 0.006;
  } sizes;

  struct LowerThird {
    double max_width = 0.55;  // of the safe area's width
    double bottom = 0.14;     // gap above the safe area's bottom, of the frame height
    Motion motion = Motion::kSlideLeft;
    int animation_ms = 450;
    double auto_show_s = 6;  // shown this long when a layout puts the person on screen
  } lower_third;

  struct Card {
    double width = 0.78;       // of the safe area's width
    double max_height = 0.34;  // of the frame height
    double bottom = 0.10;      // gap above the safe area's bottom, of the frame height
    Motion motion = Motion::kSlideUp;
    int animation_ms = 500;
  } card;

  struct Corner {
    double qr_size = 0.20;  // the QR code's side, of the frame height
    int fade_ms = 300;
  } corner;

  struct Ticker {
    double speed = 0.11;  // frame heights per second
    std::string label = "扫码提问";
    int animation_ms = 400;
  } ticker;

  struct Slate {
    int fade_ms = 600;
  } slate;
};

class ThemeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The built-in look (every default above), id "builtin".
Theme builtinTheme();
// Reads <themes_dir>/<id>/theme.toml over the built-in defaults. Throws
// ThemeError("…/theme.toml:12: colors.panel: expected \"#rrggbb\" or …").
Theme loadTheme(const std::string& themes_dir, const std::string& id);
// Parses theme text (for tests); `dir` resolves the logo path.
Theme parseTheme(const std::string& text, const std::string& id, const std::string& dir,
                 const std::string& source_name);

}  // namespace yst::overlay
