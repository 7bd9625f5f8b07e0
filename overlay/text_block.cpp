#include "overlay/text_block.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>

namespace yst::overlay {

namespace {

// Pango's default font map is per thread; a context per layout is cheap.
PangoContext* newContext() {
  PangoFontMap* map = pango_cairo_font_map_get_default();
  PangoContext* context = pango_font_map_create_context(map);
  // Unhinted outlines and metrics: the same text is the same shape at every
  // size, so 720p and 1080p graphics look alike and goldens stay stable.
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  pango_context_set_language(context, pango_language_from_string("zh-cn"));
  return context;
}

PangoLayout* newLayout() {
  PangoContext* context = newContext();
  PangoLayout* layout = pango_layout_new(context);
  g_object_unref(context);
  return layout;
}

void setFont(PangoLayout* layout, const FontSpec& font, double size_px) {
  PangoFontDescription* desc = pango_font_description_new();
  pango_font_description_set_family(desc, font.family.c_str());
  pango_font_description_set_weight(desc, static_cast<PangoWeight>(font.weight));
  pango_font_description_set_absolute_size(desc, size_px * PANGO_SCALE);
  pango_layout_set_font_description(layout, desc);
  pango_font_description_free(desc);
}

// Byte offsets of the characters drawn with Pango's unknown-glyph box.
std::vector<int> unknownGlyphOffsets(PangoLayout* layout) {
  std::vector<int> offsets;
  if (pango_layout_get_unknown_glyphs_count(layout) == 0) return offsets;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
    if (!run) continue;
    for (int i = 0; i < run->glyphs->num_glyphs; ++i) {
      if (run->glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
        offsets.push_back(run->item->offset + run->glyphs->log_clusters[i]);
      }
    }
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

int utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;
}

}  // namespace

TextBlock::TextBlock(const std::string& text, const FontSpec& font, const TextBox& box)
    : layout_(newLayout()), font_(font), box_(box) {
  // Text arrives validated (UTF-8, no control characters) but Pango must
  // never be handed anything else.
  const std::string safe = g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)
                               ? text
                               : std::string("\xe3\x80\x93");  // 〓
  pango_layout_set_text(layout_, safe.c_str(), static_cast<int>(safe.size()));
  pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
  switch (box_.align) {
    case Align::kLeft:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_LEFT);
      break;
    case Align::kCenter:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_CENTER);
      break;
    case Align::kRight:
      pango_layout_set_alignment(layout_, PANGO_ALIGN_RIGHT);
      break;
  }
  pango_layout_set_width(layout_, box_.width_px > 0 ? box_.width_px * PANGO_SCALE : -1);
  setFont(layout_, font_, font_.size_px);

  // Characters no font has: replace each with 〓 before fitting.
  const std::vector<int> unknown = unknownGlyphOffsets(layout_);
  if (!unknown.empty()) {
    std::string fixed;
    std::size_t from = 0;
    for (int offset : unknown) {
      const auto at = static_cast<std::size_t>(offset);
      if (at < from || at >= safe.size()) continue;
      fixed.append(safe, from, at - from);
      fixed += "\xe3\x80\x93";
      from = at + static_cast<std::size_t>(utf8Length(static_cast<unsigned char>(safe[at])));
    }
    fixed.append(safe, std::min(from, safe.size()), std::string::npos);
    pango_layout_set_text(layout_, fixed.c_str(), static_cast<int>(fixed.size()));
    fit_.replaced_characters = static_cast<int>(unknown.size());
  }

  // The largest size that fits, by bisection over whole pixels.
  const double max_px = font_.size_px;
  const double min_px = box_.min_size_px > 0 ? std::min(box_.min_size_px, max_px) : max_px;
  setSize(max_px);
  if (!fits()) {
    int lo = static_cast<int>(std::ceil(min_px));  // fits (or the floor)
    int hi = static_cast<int>(std::floor(max_px));
    setSize(lo);
    if (fits()) {
      while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        setSize(mid);
        (fits() ? lo : hi) = mid;
      }
      setSize(lo);
    } else {
      // At the floor and still too much: cut at the box with an ellipsis.
      pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_END);
      if (box_.height_px > 0) {
        pango_layout_set_height(layout_, box_.height_px * PANGO_SCALE);
      } else if (box_.max_lines > 0) {
        pango_layout_set_height(layout_, -box_.max_lines);
      }
    }
  }
  measure();
}

TextBlock::~TextBlock() {
  if (layout_) g_object_unref(layout_);
}

void TextBlock::setSize(double size_px) {
  fit_.size_px = size_px;
  setFont(layout_, font_, size_px);
}

bool TextBlock::fits() const {
  PangoRectangle logical;
  pango_layout_get_pixel_extents(layout_, nullptr, &logical);
  if (box_.height_px > 0 && logical.height > box_.height_px) return false;
  if (box_.max_lines > 0 && pango_layout_get_line_count(layout_) > box_.max_lines) return false;
  if (box_.width_px > 0 && logical.width > box_.width_px) return false;
  return true;
}

void TextBlock::measure() {
  PangoRectangle logical;
  pango_layout_get_pixel_extents(layout_, nullptr, &logical);
  fit_.width_px = logical.width;
  fit_.height_px = logical.height;
  fit_.lines = pango_layout_get_line_count(layout_);
  fit_.ellipsized = pango_layout_is_ellipsized(layout_);
  fit_.line_texts.clear();
  const char* text = pango_layout_get_text(layout_);
  for (GSList* l = pango_layout_get_lines_readonly(layout_); l; l = l->next) {
    const auto* line = static_cast<PangoLayoutLine*>(l->data);
    fit_.line_texts.emplace_back(text + line->start_index, static_cast<std::size_t>(line->length));
  }
}

void TextBlock::draw(cairo_t* cr, double x, double y, Color color) const {
  cairo_save(cr);
  cairo_set_source_rgba(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0, color.a / 255.0);
  cairo_move_to(cr, x, y);
  pango_cairo_update_layout(cr, layout_);
  pango_cairo_show_layout(cr, layout_);
  cairo_restore(cr);
}

int missingGlyphs(const std::string& text, const FontSpec& font) {
  PangoLayout* layout = newLayout();
  setFont(layout, font, font.size_px);
  pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));
  const int count = pango_layout_get_unknown_glyphs_count(layout);
  g_object_unref(layout);
  return count;
}

}  // namespace yst::overlay
