#include "studio/console/preview_item.h"

#include <gst/gst.h>
#include <gst/video/video.h>

#include <QDateTime>
#include <QQuickWindow>
#include <QSGImageNode>
#include <algorithm>
#include <map>

#include "streaming/program.h"
#include "studio/core/controller.h"

namespace yst::console {

namespace {

core::Controller* g_controller = nullptr;  // GUI thread only
// The latest picture converted per tap: the program is shown twice (the
// console's program view, the host monitor), converted once. GUI thread.
struct Converted {
  const void* buffer = nullptr;  // identity only
  QImage image;
};
std::map<QString, Converted>& convertedFrames() {
  static std::map<QString, Converted> frames;
  return frames;
}
constexpr int kPollMs = 100;
constexpr qint64 kStaleMs = 1000;

inline unsigned char clamp255(int v) {
  return static_cast<unsigned char>(std::clamp(v, 0, 255));
}

}  // namespace

void i420ToRgb32(const unsigned char* y, int y_stride, const unsigned char* u, int u_stride,
                 const unsigned char* v, int v_stride, int width, int height, QImage* out) {
  if (out->width() != width || out->height() != height || out->format() != QImage::Format_RGB32) {
    *out = QImage(width, height, QImage::Format_RGB32);
  }
  // Fixed-point BT.601: R = 1.164(Y-16) + 1.596(V-128), and so on, ×256.
  // Two pixels share a chroma sample: its terms are worked out once.
  for (int row = 0; row < height; ++row) {
    const unsigned char* yr = y + row * y_stride;
    const unsigned char* ur = u + (row / 2) * u_stride;
    const unsigned char* vr = v + (row / 2) * v_stride;
    auto* dst = reinterpret_cast<QRgb*>(out->scanLine(row));
    for (int col = 0; col < width; col += 2) {
      const int d = ur[col / 2] - 128;
      const int e = vr[col / 2] - 128;
      const int r = 409 * e + 128;
      const int g = -100 * d - 208 * e + 128;
      const int b = 516 * d + 128;
      const int pair = std::min(2, width - col);
      for (int k = 0; k < pair; ++k) {
        const int c = 298 * (yr[col + k] - 16);
        dst[col + k] = qRgb(clamp255((c + r) >> 8), clamp255((c + g) >> 8), clamp255((c + b) >> 8));
      }
    }
  }
}

PreviewItem::PreviewItem(QQuickItem* parent) : QQuickItem(parent) {
  setFlag(ItemHasContents, true);
  timer_.setInterval(kPollMs);
  connect(&timer_, &QTimer::timeout, this, &PreviewItem::poll);
}

void PreviewItem::setController(core::Controller* controller) {
  g_controller = controller;
}

void PreviewItem::setTap(const QString& tap) {
  if (tap == tap_) return;
  tap_ = tap;
  last_buffer_ = nullptr;
  emit tapChanged();
  if (isVisible() && !tap_.isEmpty()) {
    timer_.start();
    poll();
  }
}

void PreviewItem::itemChange(ItemChange change, const ItemChangeData& value) {
  if (change == ItemVisibleHasChanged || change == ItemSceneChange) {
    const bool showing = isVisible() && window() && !tap_.isEmpty();
    if (showing && !timer_.isActive()) {
      timer_.start();
    } else if (!showing) {
      timer_.stop();  // the tap closes itself when nobody asks
    }
  }
  QQuickItem::itemChange(change, value);
}

void PreviewItem::setLive(bool live) {
  if (live == live_) return;
  live_ = live;
  emit liveChanged();
}

void PreviewItem::poll() {
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  streaming::FrameTap* tap = g_controller ? g_controller->frameTap(tap_.toStdString()) : nullptr;
  streaming::SamplePtr sample = tap ? tap->latest() : nullptr;
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  if (buffer && buffer != last_buffer_) {
    Converted& shared = convertedFrames()[tap_];
    bool ok = shared.buffer == buffer;
    if (!ok) {
      GstVideoInfo info;
      GstVideoFrame frame;
      if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample.get())) &&
          GST_VIDEO_INFO_FORMAT(&info) == GST_VIDEO_FORMAT_I420 &&
          gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) {
        QImage converted;
        i420ToRgb32(static_cast<const unsigned char*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                    GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
                    static_cast<const unsigned char*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 1)),
                    GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1),
                    static_cast<const unsigned char*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 2)),
                    GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 2), GST_VIDEO_INFO_WIDTH(&info),
                    GST_VIDEO_INFO_HEIGHT(&info), &converted);
        gst_video_frame_unmap(&frame);
        shared = {buffer, std::move(converted)};
        ok = true;
      }
    }
    if (ok) {
      image_ = shared.image;  // implicitly shared, not copied
      last_buffer_ = buffer;
      last_frame_ms_ = now;
      image_dirty_ = true;
      ++frames_shown_;
      emit framesShownChanged();
      update();
    }
  }
  setLive(last_frame_ms_ > 0 && now - last_frame_ms_ < kStaleMs);
}

QSGNode* PreviewItem::updatePaintNode(QSGNode* old, UpdatePaintNodeData*) {
  auto* node = static_cast<QSGImageNode*>(old);
  if (image_.isNull() || width() <= 0 || height() <= 0) {
    delete node;
    return nullptr;
  }
  if (!node) {
    node = window()->createImageNode();
    node->setOwnsTexture(true);
    node->setFiltering(QSGTexture::Linear);
    image_dirty_ = true;
  }
  if (image_dirty_) {
    node->setTexture(window()->createTextureFromImage(image_));
    image_dirty_ = false;
  }
  // Letterboxed: the whole picture, its aspect kept, centred.
  const qreal scale = std::min(width() / image_.width(), height() / image_.height());
  const QSizeF size(image_.width() * scale, image_.height() * scale);
  node->setRect(
      QRectF(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size));
  return node;
}

}  // namespace yst::console
