#include "overlay/blend.h"

#include <algorithm>
#include <cmath>

namespace yst::overlay {

ColorMatrix defaultMatrix(int height) {
  return height > 576 ? ColorMatrix::kBt709 : ColorMatrix::kBt601;
}

namespace {

struct Coefficients {
  double yr, yg, yb;
  double ur, ug, ub;
  double vr, vg, vb;
};

// Limited range ("studio swing"), from 8-bit R'G'B'.
constexpr Coefficients kBt709{0.18259, 0.61423, 0.06201,  -0.10064, -0.33857,
                              0.43922, 0.43922, -0.39894, -0.04027};
constexpr Coefficients kBt601{0.25679, 0.50413, 0.09791,  -0.14822, -0.29099,
                              0.43922, 0.43922, -0.36779, -0.07142};

// x·y/255, rounded, for x, y in 0..255.
inline unsigned div255(unsigned v) {
  v += 128;
  return (v + (v >> 8)) >> 8;
}

// d = s + d·(255 − a)/255 over n bytes (premultiplied "over").
inline void over(std::uint8_t* __restrict d, const std::uint8_t* __restrict s,
                 const std::uint8_t* __restrict a, int n) {
  for (int i = 0; i < n; ++i) {
    const unsigned v = s[i] + div255(d[i] * (255u - a[i]));
    d[i] = static_cast<std::uint8_t>(v > 255u ? 255u : v);
  }
}

// The same with a global alpha g (0..255) on top of the graphic's own.
inline void overFaded(std::uint8_t* __restrict d, const std::uint8_t* __restrict s,
                      const std::uint8_t* __restrict a, int n, unsigned g) {
  for (int i = 0; i < n; ++i) {
    const unsigned sa = div255(a[i] * g);
    const unsigned v = div255(s[i] * g) + div255(d[i] * (255u - sa));
    d[i] = static_cast<std::uint8_t>(v > 255u ? 255u : v);
  }
}

}  // namespace

GraphicPtr toYuva(const Image& image, ColorMatrix matrix) {
  auto g = std::make_shared<YuvaGraphic>();
  if (image.empty()) return g;
  // 16.16 fixed point; the offsets (16, 128) scale with alpha because the
  // values are premultiplied.
  const Coefficients& k = matrix == ColorMatrix::kBt601 ? kBt601 : kBt709;
  auto fx = [](double c) { return static_cast<std::int32_t>(std::lround(c * 65536)); };
  const std::int32_t yr = fx(k.yr), yg = fx(k.yg), yb = fx(k.yb);
  const std::int32_t ur = fx(k.ur), ug = fx(k.ug), ub = fx(k.ub);
  const std::int32_t vr = fx(k.vr), vg = fx(k.vg), vb = fx(k.vb);
  const std::int32_t y_offset = fx(16.0 / 255), c_offset = fx(128.0 / 255);

  const int iw = image.width();
  const int ih = image.height();
  const int w = (iw + 1) & ~1;
  const int h = (ih + 1) & ~1;
  const int cw = w / 2;
  g->width = w;
  g->height = h;
  g->matrix = matrix == ColorMatrix::kBt601 ? ColorMatrix::kBt601 : ColorMatrix::kBt709;
  g->y.assign(static_cast<std::size_t>(w) * h, 0);
  g->a.assign(static_cast<std::size_t>(w) * h, 0);
  g->u.assign(static_cast<std::size_t>(cw) * (h / 2), 0);
  g->v.assign(static_cast<std::size_t>(cw) * (h / 2), 0);
  g->a2.assign(static_cast<std::size_t>(cw) * (h / 2), 0);
  g->first_row = h;
  g->last_row = 0;
  const std::uint8_t* data = image.data();  // flushed once
  const int stride = image.stride();
  for (int cy = 0; cy < h / 2; ++cy) {
    bool any = false;
    for (int cx = 0; cx < cw; ++cx) {
      std::int64_t su = 0, sv = 0;
      unsigned sa = 0;
      for (int dy = 0; dy < 2; ++dy) {
        const int yy = cy * 2 + dy;
        if (yy >= ih) break;
        const auto* row =
            reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(yy) * stride);
        for (int dx = 0; dx < 2; ++dx) {
          const int xx = cx * 2 + dx;
          if (xx >= iw) break;
          const std::uint32_t p = row[xx];  // premultiplied ARGB
          const std::int32_t a = static_cast<std::int32_t>(p >> 24);
          if (a == 0) continue;
          const std::int32_t r = (p >> 16) & 0xff, gg = (p >> 8) & 0xff, b = p & 0xff;
          const std::size_t i = static_cast<std::size_t>(yy) * w + xx;
          g->a[i] = static_cast<std::uint8_t>(a);
          const std::int32_t yv = (y_offset * a + yr * r + yg * gg + yb * b + 32768) >> 16;
          g->y[i] = static_cast<std::uint8_t>(std::clamp(yv, 0, 255));
          su += c_offset * a + ur * r + ug * gg + ub * b;
          sv += c_offset * a + vr * r + vg * gg + vb * b;
          sa += static_cast<unsigned>(a);
        }
      }
      if (sa == 0) continue;
      any = true;
      const std::size_t o = static_cast<std::size_t>(cy) * cw + cx;
      // The mean of four premultiplied values (4 · 65536 = 2^18).
      g->u[o] = static_cast<std::uint8_t>(std::clamp<std::int64_t>((su + (1 << 17)) >> 18, 0, 255));
      g->v[o] = static_cast<std::uint8_t>(std::clamp<std::int64_t>((sv + (1 << 17)) >> 18, 0, 255));
      g->a2[o] = static_cast<std::uint8_t>((sa + 2) / 4);
    }
    if (any) {
      g->first_row = std::min(g->first_row, cy * 2);
      g->last_row = std::max(g->last_row, cy * 2 + 2);
    }
  }
  if (g->first_row >= g->last_row) g->first_row = g->last_row = 0;
  return g;
}

void blendI420(const I420Planes& f, const YuvaGraphic& g, int x, int y, int alpha, int src_x,
               int src_w) {
  if (alpha <= 0 || g.width == 0) return;
  alpha = std::min(alpha, 255);
  x &= ~1;
  y &= ~1;
  src_x = std::clamp(src_x & ~1, 0, g.width);
  if (src_w < 0 || src_x + src_w > g.width) src_w = g.width - src_x;
  src_w &= ~1;
  // Clip to the frame.
  int x0 = x, sx = src_x, w = src_w;
  if (x0 < 0) {
    sx -= x0;
    w += x0;
    x0 = 0;
  }
  w = std::min(w, (f.width & ~1) - x0);
  int row0 = std::max(g.first_row, -y);
  int row1 = std::min(g.last_row, (f.height & ~1) - y);
  if (w <= 0 || row0 >= row1) return;
  row0 &= ~1;
  const unsigned ga = static_cast<unsigned>(alpha);
  for (int r = row0; r < row1; ++r) {
    std::uint8_t* d = f.y + static_cast<std::ptrdiff_t>(y + r) * f.stride_y + x0;
    const std::size_t o = static_cast<std::size_t>(r) * g.width + sx;
    if (ga == 255) {
      over(d, &g.y[o], &g.a[o], w);
    } else {
      overFaded(d, &g.y[o], &g.a[o], w, ga);
    }
  }
  const int cw = g.width / 2;
  for (int r = row0 / 2; r < (row1 + 1) / 2; ++r) {
    const std::ptrdiff_t fy = (y / 2 + r);
    std::uint8_t* du = f.u + fy * f.stride_u + x0 / 2;
    std::uint8_t* dv = f.v + fy * f.stride_v + x0 / 2;
    const std::size_t o = static_cast<std::size_t>(r) * cw + sx / 2;
    if (ga == 255) {
      over(du, &g.u[o], &g.a2[o], w / 2);
      over(dv, &g.v[o], &g.a2[o], w / 2);
    } else {
      overFaded(du, &g.u[o], &g.a2[o], w / 2, ga);
      overFaded(dv, &g.v[o], &g.a2[o], w / 2, ga);
    }
  }
}

}  // namespace yst::overlay
