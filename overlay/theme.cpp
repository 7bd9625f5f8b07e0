#include "overlay/theme.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace yst::overlay {

const char* motionName(Motion motion) {
  switch (motion) {
    case Motion::kFade:
      return "fade";
    case Motion::kSlideUp:
      return "slide_up";
    case Motion::kSlideLeft:
      return "slide_left";
    case Motion::kSlideRight:
      return "slide_right";
    case Motion::kSlideDown:
      return "slide_down";
    case Motion::kInvalid:
      break;
  }
  return "invalid";
}

Theme builtinTheme() {
  Theme theme;
  theme.id = "builtin";
  theme.name = "内置";
  theme.name_en = "Built-in";
  return theme;
}

namespace {

int lineOf(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parseColor(std::string_view text, Color* color) {
  if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return false;
  std::uint8_t bytes[4] = {0, 0, 0, 255};
  for (std::size_t i = 1, b = 0; i < text.size(); i += 2, ++b) {
    const int hi = hexDigit(text[i]);
    const int lo = hexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[b] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  *color = {bytes[0], bytes[1], bytes[2], bytes[3]};
  return true;
}

// Reads one table strictly: every key must be bound, with its type.
class Reader {
 public:
  Reader(std::string source, std::string dir) : source_(std::move(source)), dir_(std::move(dir)) {}

  [[noreturn]] void fail(int line, const std::string& key, const std::string& problem) const {
    throw ThemeError(source_ + ":" + std::to_string(line) + ": " + key + ": " + problem);
  }

  using Binder = std::function<void(const toml::node&, const std::string& key)>;

  void table(const toml::table& table, const std::string& prefix,
             const std::map<std::string, Binder>& binders) const {
    for (const auto& [key, node] : table) {
      const std::string name = prefix + std::string(key.str());
      auto it = binders.find(std::string(key.str()));
      if (it == binders.end()) fail(lineOf(node), name, "unknown key");
      it->second(node, name);
    }
  }

  Binder text(std::string* out) const {
    return [this, out](const toml::node& node, const std::string& key) {
      if (!node.is_string()) fail(lineOf(node), key, "expected a string");
      *out = node.as_string()->get();
    };
  }
  Binder color(Color* out) const {
    return [this, out](const toml::node& node, const std::string& key) {
      if (!node.is_string() || !parseColor(node.as_string()->get(), out)) {
        fail(lineOf(node), key, "expected a colour \"#rrggbb\" or \"#rrggbbaa\"");
      }
    };
  }
  Binder fraction(double* out, double max = 1.0) const {
    return [this, out, max](const toml::node& node, const std::string& key) {
      double value = 0;
      if (node.is_floating_point()) {
        value = node.as_floating_point()->get();
      } else if (node.is_integer()) {
        value = static_cast<double>(node.as_integer()->get());
      } else {
        fail(lineOf(node), key, "expected a number");
      }
      if (!(value >= 0 && value <= max)) {
        fail(lineOf(node), key, "expected a number from 0 to " + std::to_string(max).substr(0, 4));
      }
      *out = value;
    };
  }
  Binder integer(int* out, int min, int max) const {
    return [this, out, min, max](const toml::node& node, const std::string& key) {
      if (!node.is_integer()) fail(lineOf(node), key, "expected an integer");
      const std::int64_t value = node.as_integer()->get();
      if (value < min || value > max) {
        fail(lineOf(node), key,
             "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
      }
      *out = static_cast<int>(value);
    };
  }
  Binder motion(Motion* out) const {
    return [this, out](const toml::node& node, const std::string& key) {
      static const std::map<std::string, Motion> kNames = {{"fade", Motion::kFade},
                                                           {"slide_up", Motion::kSlideUp},
                                                           {"slide_left", Motion::kSlideLeft},
                                                           {"slide_right", Motion::kSlideRight},
                                                           {"slide_down", Motion::kSlideDown}};
      auto it = node.is_string() ? kNames.find(node.as_string()->get()) : kNames.end();
      if (it == kNames.end()) {
        fail(lineOf(node), key,
             "expected one of fade, slide_up, slide_left, slide_right, slide_down");
      }
      *out = it->second;
    };
  }
  Binder file(std::string* out) const {
    return [this, out](const toml::node& node, const std::string& key) {
      if (!node.is_string()) fail(lineOf(node), key, "expected a file name");
      const std::filesystem::path path = std::filesystem::path(dir_) / node.as_string()->get();
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) {
        fail(lineOf(node), key, "no such file: " + path.string());
      }
      *out = path.string();
    };
  }
  Binder sub(std::function<void(const toml::table&, const std::string&)> read) const {
    return [this, read](const toml::node& node, const std::string& key) {
      if (!node.is_table()) fail(lineOf(node), key, "expected a table");
      read(*node.as_table(), key + ".");
    };
  }

 private:
  std::string source_;
  std::string dir_;
};

}  // namespace

Theme parseTheme(const std::string& text, const std::string& id, const std::string& dir,
                 const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    throw ThemeError(source_name + ":" + std::to_string(e.source().begin.line) + ": " +
                     std::string(e.description()));
  }
  Theme t = builtinTheme();
  t.id = id;
  t.name = id;
  t.name_en = id;
  const Reader r(source_name, dir);
  Theme::Colors& c = t.colors;
  Theme::Sizes& s = t.sizes;
  r.table(root, "",
          {{"name", r.text(&t.name)},
           {"name_en", r.text(&t.name_en)},
           {"logo", r.file(&t.logo)},
           {"fonts", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"text", r.text(&t.font)},
                       {"display", r.text(&t.font_display)},
                       {"weight_text", r.integer(&t.weight_text, 100, 1000)},
                       {"weight_display", r.integer(&t.weight_display, 100, 1000)}});
            })},
           {"colors", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"panel", r.color(&c.panel)},
                       {"panel_text", r.color(&c.panel_text)},
                       {"muted_text", r.color(&c.muted_text)},
                       {"accent", r.color(&c.accent)},
                       {"accent_text", r.color(&c.accent_text)},
                       {"live", r.color(&c.live)},
                       {"observer", r.color(&c.observer)},
                       {"complaint", r.color(&c.complaint)},
                       {"suggestion", r.color(&c.suggestion)},
                       {"slate_background", r.color(&c.slate_background)},
                       {"slate_accent", r.color(&c.slate_accent)},
                       {"slate_text", r.color(&c.slate_text)},
                       {"shadow", r.color(&c.shadow)}});
            })},
           {"safe_area", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"left", r.fraction(&t.safe.left, 0.3)},
                       {"top", r.fraction(&t.safe.top, 0.3)},
                       {"right", r.fraction(&t.safe.right, 0.3)},
                       {"bottom", r.fraction(&t.safe.bottom, 0.3)}});
            })},
           {"sizes", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"name", r.fraction(&s.name, 0.2)},
                       {"title", r.fraction(&s.title, 0.2)},
                       {"card_text", r.fraction(&s.card_text, 0.2)},
                       {"card_text_min", r.fraction(&s.card_text_min, 0.2)},
                       {"card_meta", r.fraction(&s.card_meta, 0.2)},
                       {"bug_title", r.fraction(&s.bug_title, 0.2)},
                       {"clock", r.fraction(&s.clock, 0.2)},
                       {"ticker", r.fraction(&s.ticker, 0.2)},
                       {"slate_title", r.fraction(&s.slate_title, 0.3)},
                       {"slate_text", r.fraction(&s.slate_text, 0.2)},
                       {"padding", r.fraction(&s.padding, 0.2)},
                       {"radius", r.fraction(&s.radius, 0.1)},
                       {"accent_bar", r.fraction(&s.accent_bar, 0.1)},
                       {"shadow", r.fraction(&s.shadow, 0.1)}});
            })},
           {"lower_third", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"max_width", r.fraction(&t.lower_third.max_width)},
                       {"bottom", r.fraction(&t.lower_third.bottom, 0.9)},
                       {"motion", r.motion(&t.lower_third.motion)},
                       {"animation_ms", r.integer(&t.lower_third.animation_ms, 0, 5000)},
                       {"auto_show_s", r.fraction(&t.lower_third.auto_show_s, 120)}});
            })},
           {"card", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"width", r.fraction(&t.card.width)},
                       {"max_height", r.fraction(&t.card.max_height, 0.9)},
                       {"bottom", r.fraction(&t.card.bottom, 0.9)},
                       {"motion", r.motion(&t.card.motion)},
                       {"animation_ms", r.integer(&t.card.animation_ms, 0, 5000)}});
            })},
           {"corner", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"qr_size", r.fraction(&t.corner.qr_size, 0.5)},
                       {"fade_ms", r.integer(&t.corner.fade_ms, 0, 5000)}});
            })},
           {"ticker", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p,
                      {{"speed", r.fraction(&t.ticker.speed, 2)},
                       {"label", r.text(&t.ticker.label)},
                       {"animation_ms", r.integer(&t.ticker.animation_ms, 0, 5000)}});
            })},
           {"slate", r.sub([&](const toml::table& tb, const std::string& p) {
              r.table(tb, p, {{"fade_ms", r.integer(&t.slate.fade_ms, 0, 5000)}});
            })}});
  if (t.sizes.card_text_min > t.sizes.card_text) {
    throw ThemeError(source_name + ": sizes.card_text_min: larger than sizes.card_text");
  }
  return t;
}

Theme loadTheme(const std::string& themes_dir, const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos) {
    throw ThemeError("theme \"" + id + "\": expected the name of a folder in " + themes_dir);
  }
  const std::filesystem::path dir = std::filesystem::path(themes_dir) / id;
  const std::filesystem::path file = dir / "theme.toml";
  std::ifstream in(file);
  if (!in) throw ThemeError(file.string() + ": cannot read the theme");
  std::stringstream text;
  text << in.rdbuf();
  return parseTheme(text.str(), id, dir.string(), file.string());
}

}  // namespace yst::overlay
