#include "overlay/renderer.h"

#include <qrencode.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace yst::overlay {

const char* slateName(SlateKind kind) {
  switch (kind) {
    case SlateKind::kStarting:
      return "starting";
    case SlateKind::kHold:
      return "hold";
    case SlateKind::kSignalLost:
      return "signal_lost";
    case SlateKind::kInvalid:
      break;
  }
  return "none";
}

namespace {

using CairoPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

CairoPtr paint(const Image& image) {
  return CairoPtr(cairo_create(image.surface()), cairo_destroy);
}

void setColor(cairo_t* cr, Color c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0 * alpha);
}

void roundedRect(cairo_t* cr, double x, double y, double w, double h, double r) {
  r = std::min({r, w / 2, h / 2});
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

// A panel with a soft offset shadow below it.
void panel(cairo_t* cr, const Theme& theme, double x, double y, double w, double h, double radius,
           double shadow, Color fill) {
  if (shadow > 0) {
    for (int i = 3; i >= 1; --i) {
      roundedRect(cr, x + shadow * i / 3.0, y + shadow * i / 2.0, w, h, radius);
      setColor(cr, theme.colors.shadow, 0.45);
      cairo_fill(cr);
    }
  }
  roundedRect(cr, x, y, w, h, radius);
  setColor(cr, fill);
  cairo_fill(cr);
}

// A pill with a label: returns its width.
int pill(cairo_t* cr, const TextBlock& text, double x, double y, double pad_x, double pad_y,
         Color fill, Color ink) {
  const TextFit& f = text.fit();
  const double w = f.width_px + 2 * pad_x;
  const double h = f.height_px + 2 * pad_y;
  roundedRect(cr, x, y, w, h, h / 2);
  setColor(cr, fill);
  cairo_fill(cr);
  text.draw(cr, x + pad_x, y + pad_y, ink);
  return static_cast<int>(std::ceil(w));
}

int even(double v) {
  return static_cast<int>(std::lround(v)) & ~1;
}

}  // namespace

Renderer::Renderer(Theme theme, int frame_width, int frame_height)
    : theme_(std::move(theme)), width_(frame_width), height_(frame_height) {
  if (!theme_.logo.empty()) logo_ = Image::fromPng(theme_.logo, nullptr);
  safe_left_ = even(width_ * theme_.safe.left);
  safe_top_ = even(height_ * theme_.safe.top);
  safe_right_ = even(width_ * (1 - theme_.safe.right));
  safe_bottom_ = even(height_ * (1 - theme_.safe.bottom));
}

int Renderer::px(double fraction_of_height) const {
  return std::max(1, static_cast<int>(std::lround(fraction_of_height * height_)));
}

FontSpec Renderer::textFont(double size) const {
  return {theme_.font, theme_.weight_text, size * height_};
}

FontSpec Renderer::displayFont(double size) const {
  return {theme_.font_display, theme_.weight_display, size * height_};
}

std::string Renderer::categoryLabel(std::string_view category) {
  if (category == "suggestion") return "网友建议";
  if (category == "complaint") return "网友投诉";
  return "网友提问";
}

Image Renderer::personPanel(const Person& person, double scale, int max_text_px) const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = std::max(2, px(s.padding * (scale < 1 ? scale * 0.8 : 1.0)));
  const int bar = std::max(2, px(s.accent_bar * scale));
  const int shadow = px(s.shadow * scale);
  TextBox one_line{max_text_px - 2 * pad - bar, 0, 1, 0, Align::kLeft};
  const double min_share = scale < 1 ? 0.75 : 0.8;
  one_line.min_size_px = s.name * scale * height_ * min_share;
  const TextBlock name(person.name, displayFont(s.name * scale), one_line);
  one_line.min_size_px = s.title * scale * height_ * min_share;
  const TextBlock title(person.title, textFont(s.title * scale), one_line);
  const int gap = px(s.padding * scale * (scale < 1 ? 0.25 : 0.3));
  const int text_w = std::max(name.fit().width_px, title.fit().width_px);
  const int w = bar + text_w + 2 * pad;
  const int h =
      pad + name.fit().height_px + (person.title.empty() ? 0 : gap + title.fit().height_px) + pad;
  Image image(w + shadow + 2, h + shadow + 2);
  CairoPtr cr = paint(image);
  panel(cr.get(), theme_, 0, 0, w, h, px(s.radius * scale), shadow, theme_.colors.panel);
  cairo_rectangle(cr.get(), 0, 0, bar, h);
  setColor(cr.get(), theme_.colors.accent);
  cairo_fill(cr.get());
  name.draw(cr.get(), bar + pad, pad, theme_.colors.panel_text);
  if (!person.title.empty()) {
    title.draw(cr.get(), bar + pad, pad + name.fit().height_px + gap, theme_.colors.muted_text);
  }
  return image;
}

Placed Renderer::lowerThird(const Person& person) const {
  const int max_text = static_cast<int>((safe_right_ - safe_left_) * theme_.lower_third.max_width);
  Image image = personPanel(person, 1.0, max_text);
  const int h = image.height() - px(theme_.sizes.shadow) - 2;
  const int bottom = safe_bottom_ - px(theme_.lower_third.bottom);
  return {image, safe_left_, even(bottom - h)};
}

Placed Renderer::nameBar(const Person& person, int tile_x, int tile_y, int tile_width,
                         int tile_height) const {
  // Two thirds of a lower-third's type: a tile is a third to a half of the
  // frame, and six names at full size would cover the faces.
  constexpr double kScale = 0.66;
  const int margin = even(std::max(4, tile_height / 24));
  const int shadow = px(theme_.sizes.shadow * kScale);
  Image image = personPanel(person, kScale, std::max(16, tile_width - 2 * margin - shadow));
  const int h = image.height() - shadow - 2;
  return {image, even(tile_x + margin), even(tile_y + tile_height - margin - h)};
}

Placed Renderer::questionCard(const QuestionCardContent& card, TextFit* fit) const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = px(s.padding);
  const int shadow = px(s.shadow);
  const int radius = px(s.radius);
  const int w = even((safe_right_ - safe_left_) * theme_.card.width);
  const int max_h = px(theme_.card.max_height);

  // Header: category pill (with the question's number), then who asked.
  const FontSpec meta = displayFont(s.card_meta);
  std::string label = categoryLabel(card.category);
  if (card.number > 0) label += "  Q" + std::to_string(card.number);
  const TextBlock label_text(label, meta, {0, 0, 1, 0, Align::kLeft});
  const double pill_pad_x = pad * 0.7;
  const double pill_pad_y = pad * 0.25;
  const int header_h = static_cast<int>(label_text.fit().height_px + 2 * pill_pad_y);
  const int text_w = w - 2 * pad;
  const std::string nickname = card.nickname.empty() ? "网友" : "网友「" + card.nickname + "」";
  const bool observer = !card.observer.empty();
  const TextBlock badge("市民观察员", meta, {0, 0, 1, 0, Align::kLeft});
  const std::string who = observer ? card.observer : nickname;
  const int who_x0 =
      static_cast<int>(label_text.fit().width_px + 2 * pill_pad_x + pad * 0.6 +
                       (observer ? badge.fit().width_px + 2 * pill_pad_x + pad * 0.4 : 0));
  const TextBlock who_text(who, textFont(s.card_meta),
                           {text_w - who_x0, 0, 1, s.card_meta * height_ * 0.8, Align::kLeft});

  // The question: as large as fits, down to the minimum, then cut.
  const int body_max_h = max_h - (pad + header_h + pad * 0.6 + pad);
  TextBox body_box{text_w, body_max_h, 0, s.card_text_min * height_, Align::kLeft};
  const TextBlock body(card.text, textFont(s.card_text), body_box);
  if (fit) *fit = body.fit();

  const int h =
      std::min(max_h, static_cast<int>(pad + header_h + pad * 0.6 + body.fit().height_px + pad));
  Image image(w + shadow + 2, h + shadow + 2);
  CairoPtr cr = paint(image);
  panel(cr.get(), theme_, 0, 0, w, h, radius, shadow, theme_.colors.panel);
  Color label_fill = theme_.colors.accent;
  if (card.category == "suggestion") label_fill = theme_.colors.suggestion;
  if (card.category == "complaint") label_fill = theme_.colors.complaint;
  const Color label_ink =
      card.category == "question" ? theme_.colors.accent_text : theme_.colors.panel_text;
  double x = pad;
  x +=
      pill(cr.get(), label_text, x, pad, pill_pad_x, pill_pad_y, label_fill, label_ink) + pad * 0.6;
  if (observer) {
    x += pill(cr.get(), badge, x, pad, pill_pad_x, pill_pad_y, theme_.colors.observer,
              theme_.colors.panel_text) +
         pad * 0.4;
  }
  who_text.draw(cr.get(), x, pad + (header_h - who_text.fit().height_px) / 2.0,
                theme_.colors.muted_text);
  body.draw(cr.get(), pad, pad + header_h + pad * 0.6, theme_.colors.panel_text);
  const int bottom = safe_bottom_ - px(theme_.card.bottom);
  return {image, even(safe_left_ + (safe_right_ - safe_left_ - w) / 2.0), even(bottom - h)};
}

Placed Renderer::bug(std::string_view title) const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = px(s.padding * 0.6);
  const int max_w = static_cast<int>((safe_right_ - safe_left_) * 0.45);
  const TextBlock text(std::string(title), displayFont(s.bug_title),
                       {max_w, 0, 1, s.bug_title * height_ * 0.8, Align::kLeft});
  const int h = text.fit().height_px + 2 * pad;
  int logo_w = 0;
  if (!logo_.empty())
    logo_w = static_cast<int>(std::lround(h * logo_.width() / double(logo_.height())));
  const int w = logo_w + (title.empty() ? 0 : text.fit().width_px + 2 * pad);
  Image image(w + 2, h + 2);
  CairoPtr cr = paint(image);
  if (!title.empty()) {
    roundedRect(cr.get(), logo_w > 0 ? logo_w / 2.0 : 0, 0, w - (logo_w > 0 ? logo_w / 2.0 : 0), h,
                px(s.radius));
    setColor(cr.get(), theme_.colors.panel);
    cairo_fill(cr.get());
    text.draw(cr.get(), logo_w + pad, pad, theme_.colors.panel_text);
  }
  if (!logo_.empty()) {
    cairo_save(cr.get());
    const double scale = h / double(logo_.height());
    cairo_scale(cr.get(), scale, scale);
    cairo_set_source_surface(cr.get(), logo_.surface(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr.get()), CAIRO_FILTER_GOOD);
    cairo_paint(cr.get());
    cairo_restore(cr.get());
  }
  return {image, safe_left_, safe_top_};
}

Placed Renderer::clock(std::string_view time_text) const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = px(s.padding * 0.6);
  const TextBlock live("直播 LIVE", displayFont(s.clock * 0.85), {0, 0, 1, 0, Align::kLeft});
  // Digits of equal width, so the clock does not jitter as it ticks.
  FontSpec digits = displayFont(s.clock);
  const TextBlock time(std::string(time_text), digits, {0, 0, 1, 0, Align::kLeft});
  const TextBlock widest("00:00:00", digits, {0, 0, 1, 0, Align::kLeft});
  const int h = std::max(live.fit().height_px, time.fit().height_px) + 2 * pad;
  const int dot = h / 4;
  const int live_w = dot + pad / 2 + live.fit().width_px + 2 * pad;
  const int time_w = std::max(widest.fit().width_px, time.fit().width_px) + 2 * pad;
  const int w = live_w + time_w;
  Image image(w + 2, h + 2);
  CairoPtr cr = paint(image);
  roundedRect(cr.get(), 0, 0, w, h, px(s.radius));
  setColor(cr.get(), theme_.colors.panel);
  cairo_fill(cr.get());
  roundedRect(cr.get(), 0, 0, live_w, h, px(s.radius));
  setColor(cr.get(), theme_.colors.live);
  cairo_fill(cr.get());
  cairo_arc(cr.get(), pad + dot / 2.0, h / 2.0, dot / 2.0, 0, 2 * M_PI);
  setColor(cr.get(), theme_.colors.panel_text);
  cairo_fill(cr.get());
  live.draw(cr.get(), pad + dot + pad / 2.0, (h - live.fit().height_px) / 2.0,
            theme_.colors.panel_text);
  time.draw(cr.get(), live_w + (time_w - time.fit().width_px) / 2.0,
            (h - time.fit().height_px) / 2.0, theme_.colors.panel_text);
  return {image, even(safe_right_ - w), safe_top_};
}

Placed Renderer::qr(std::string_view url, std::string_view caption, std::string* error) const {
  const std::string text(url);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!code) {
    if (error) *error = "the address cannot be put in a QR code (too long?)";
    return {};
  }
  const Theme::Sizes& s = theme_.sizes;
  const int modules = code->width + 8;  // with the 4-module quiet zone on each side
  const int side = std::max(modules * 2, px(theme_.corner.qr_size));
  const int module_px = side / modules;  // whole pixels per module: crisp through the encoder
  const int qr_side = module_px * modules;
  const int pad = px(s.padding * 0.4);
  const TextBlock cap(std::string(caption), displayFont(s.card_meta),
                      {qr_side, 0, 1, s.card_meta * height_ * 0.7, Align::kCenter});
  const int cap_h = caption.empty() ? 0 : cap.fit().height_px + 2 * pad;
  const int w = qr_side;
  const int h = qr_side + cap_h;
  Image image(w, h);
  CairoPtr cr = paint(image);
  roundedRect(cr.get(), 0, 0, w, h, px(s.radius));
  setColor(cr.get(), theme_.colors.panel);
  cairo_fill(cr.get());
  cairo_rectangle(cr.get(), 0, 0, qr_side, qr_side);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_fill(cr.get());
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if (code->data[y * code->width + x] & 1) {
        cairo_rectangle(cr.get(), (x + 4) * module_px, (y + 4) * module_px, module_px, module_px);
      }
    }
  }
  cairo_fill(cr.get());
  if (!caption.empty()) cap.draw(cr.get(), 0, qr_side + pad, theme_.colors.panel_text);
  // Top right, under the LIVE badge and clock.
  const int clock_h = px(s.clock) * 3 / 2 + 2 * px(s.padding * 0.6);
  return {image, even(safe_right_ - w), even(safe_top_ + clock_h + px(s.padding))};
}

Placed Renderer::tickerBar() const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = px(s.padding * 0.6);
  const TextBlock label(theme_.ticker.label, displayFont(s.ticker), {0, 0, 1, 0, Align::kLeft});
  const int h = even(s.ticker * height_ * 1.45 + 2 * pad);
  const int w = safe_right_ - safe_left_;
  Image image(w, h);
  CairoPtr cr = paint(image);
  roundedRect(cr.get(), 0, 0, w, h, px(s.radius));
  setColor(cr.get(), theme_.colors.panel);
  cairo_fill(cr.get());
  if (!theme_.ticker.label.empty()) {
    const int label_w = label.fit().width_px + 2 * pad;
    roundedRect(cr.get(), 0, 0, label_w, h, px(s.radius));
    setColor(cr.get(), theme_.colors.accent);
    cairo_fill(cr.get());
    label.draw(cr.get(), pad, (h - label.fit().height_px) / 2.0, theme_.colors.accent_text);
  }
  return {image, safe_left_, safe_bottom_ - h};
}

Renderer::Window Renderer::tickerWindow() const {
  const Theme::Sizes& s = theme_.sizes;
  const int pad = px(s.padding * 0.6);
  const int h = even(s.ticker * height_ * 1.45 + 2 * pad);
  int label_w = 0;
  if (!theme_.ticker.label.empty()) {
    const TextBlock label(theme_.ticker.label, displayFont(s.ticker), {0, 0, 1, 0, Align::kLeft});
    label_w = label.fit().width_px + 2 * pad;
  }
  Window window;
  window.x = even(safe_left_ + label_w + pad);
  window.width = even(safe_right_ - pad - window.x);
  window.height = even(s.ticker * height_ * 1.45);
  window.y = even(safe_bottom_ - h + (h - window.height) / 2.0);
  return window;
}

double Renderer::tickerSpeedPxPerS() const {
  return theme_.ticker.speed * height_;
}

Image Renderer::tickerStrip(std::string_view text) const {
  const Window window = tickerWindow();
  const TextBlock line(std::string(text), textFont(theme_.sizes.ticker),
                       {0, 0, 1, 0, Align::kLeft});
  Image image(line.fit().width_px + 2, window.height);
  CairoPtr cr = paint(image);
  line.draw(cr.get(), 0, (window.height - line.fit().height_px) / 2.0, theme_.colors.panel_text);
  return image;
}

Image Renderer::slate(const SlateContent& content) const {
  const Theme::Sizes& s = theme_.sizes;
  const Theme::Colors& c = theme_.colors;
  Image image(width_, height_);
  CairoPtr cr = paint(image);
  setColor(cr.get(), c.slate_background);
  cairo_paint(cr.get());
  // A band of the accent across the lower third of the frame.
  cairo_rectangle(cr.get(), 0, height_ * 0.70, width_, px(s.accent_bar));
  setColor(cr.get(), c.slate_accent);
  cairo_fill(cr.get());

  std::string title;
  std::string title_en;
  std::string detail = content.detail;
  switch (content.kind) {
    case SlateKind::kStarting:
      title = "节目即将开始";
      title_en = "STARTING SOON";
      if (detail.empty()) detail = "马上开始";
      break;
    case SlateKind::kHold:
      title = "稍后回来";
      title_en = "WE'LL BE RIGHT BACK";
      break;
    case SlateKind::kSignalLost:
      title = "信号中断";
      title_en = "SIGNAL LOST";
      break;
    case SlateKind::kInvalid:
      break;
  }
  const int text_w = safe_right_ - safe_left_;
  double y = height_ * 0.22;
  if (!logo_.empty()) {
    const double logo_h = height_ * 0.12;
    const double scale = logo_h / logo_.height();
    cairo_save(cr.get());
    cairo_translate(cr.get(), (width_ - logo_.width() * scale) / 2.0, height_ * 0.08);
    cairo_scale(cr.get(), scale, scale);
    cairo_set_source_surface(cr.get(), logo_.surface(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr.get()), CAIRO_FILTER_GOOD);
    cairo_paint(cr.get());
    cairo_restore(cr.get());
  }
  const TextBlock big(title, displayFont(s.slate_title),
                      {text_w, 0, 1, s.slate_title * height_ * 0.6, Align::kCenter});
  big.draw(cr.get(), safe_left_, y, c.slate_text);
  y += big.fit().height_px + px(s.padding);
  const TextBlock en(title_en, displayFont(s.slate_text * 0.8), {text_w, 0, 1, 0, Align::kCenter});
  en.draw(cr.get(), safe_left_, y, c.slate_accent);
  y += en.fit().height_px + px(s.padding * 2);
  if (!detail.empty()) {
    const bool countdown = content.kind == SlateKind::kStarting && !content.detail.empty();
    const TextBlock d(detail, displayFont(countdown ? s.slate_title : s.slate_text),
                      {text_w, 0, 2, s.slate_text * height_ * 0.7, Align::kCenter});
    d.draw(cr.get(), safe_left_, y, countdown ? c.slate_accent : c.slate_text);
  }
  if (!content.show_title.empty()) {
    const TextBlock show(content.show_title, textFont(s.slate_text),
                         {text_w, 0, 1, s.slate_text * height_ * 0.7, Align::kCenter});
    show.draw(cr.get(), safe_left_, height_ * 0.70 + px(s.padding * 2), c.slate_text);
  }
  return image;
}

}  // namespace yst::overlay
