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

std::uint8_t clampByte(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

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
  const Coefficients& k = matrix == ColorMatrix::kBt601 ? kBt601 : kBt709;
  const int w = (image.width() + 1) & ~1;
  const int h = (image.height() + 1) & ~1;
  g->width = w;
  g->height = h;
  g->y.assign(static_cast<std::size_t>(w) * h, 0);
  g->a.assign(static_cast<std::size_t>(w) * h, 0);
  std::vector<double> up(static_cast<std::size_t>(w) * h, 0.0);
  std::vector<double> vp(static_cast<std::size_t>(w) * h, 0.0);
  g->first_row = h;
  g->last_row = 0;
  for (int yy = 0; yy < image.height(); ++yy) {
    bool any = false;
    for (int xx = 0; xx < image.width(); ++xx) {
      const std::uint32_t p = image.pixel(xx, yy);  // premultiplied ARGB
      const double a = (p >> 24) & 0xff;
      if (a == 0) continue;
      any = true;
      const double r = (p >> 16) & 0xff;
      const double gg = (p >> 8) & 0xff;
      const double b = p & 0xff;
      const double alpha = a / 255.0;
      const std::size_t i = static_cast<std::size_t>(yy) * w + xx;
      g->a[i] = static_cast<std::uint8_t>(a);
      g->y[i] = clampByte(16 * alpha + k.yr * r + k.yg * gg + k.yb * b);
      up[i] = 128 * alpha + k.ur * r + k.ug * gg + k.ub * b;
      vp[i] = 128 * alpha + k.vr * r + k.vg * gg + k.vb * b;
    }
    if (any) {
      g->first_row = std::min(g->first_row, yy & ~1);
      g->last_row = std::max(g->last_row, (yy | 1) + 1);
    }
  }
  if (g->first_row >= g->last_row) g->first_row = g->last_row = 0;
  const int cw = w / 2;
  const int ch = h / 2;
  g->u.assign(static_cast<std::size_t>(cw) * ch, 0);
  g->v.assign(static_cast<std::size_t>(cw) * ch, 0);
  g->a2.assign(static_cast<std::size_t>(cw) * ch, 0);
  for (int cy = 0; cy < ch; ++cy) {
    for (int cx = 0; cx < cw; ++cx) {
      double su = 0, sv = 0, sa = 0;
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) {
          const std::size_t i = static_cast<std::size_t>(cy * 2 + dy) * w + cx * 2 + dx;
          su += up[i];
          sv += vp[i];
          sa += g->a[i];
        }
      }
      const std::size_t o = static_cast<std::size_t>(cy) * cw + cx;
      g->u[o] = clampByte(su / 4);
      g->v[o] = clampByte(sv / 4);
      g->a2[o] = clampByte(sa / 4);
    }
  }
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
