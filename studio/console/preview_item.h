// A live picture in the console: one of the program's preview taps
// ("program", "preview", "source:<id>"; small I420 frames, 10 per second)
// drawn as a texture, letterboxed to keep its aspect. QML never touches
// GStreamer: this item asks the controller for the tap's newest frame ten
// times a second while it is visible — a tap nobody looks at closes itself
// and costs nothing — and converts only frames it has not seen.
#pragma once

#include <QImage>
#include <QQuickItem>
#include <QTimer>

namespace yst::core {
class Controller;
}

namespace yst::console {

class PreviewItem : public QQuickItem {
  Q_OBJECT
  Q_PROPERTY(QString tap READ tap WRITE setTap NOTIFY tapChanged)
  // True while frames arrive (the last one is under a second old).
  Q_PROPERTY(bool live READ live NOTIFY liveChanged)
  // Frames converted so far: for tests and the console benchmark.
  Q_PROPERTY(int framesShown READ framesShown NOTIFY framesShownChanged)

 public:
  explicit PreviewItem(QQuickItem* parent = nullptr);

  // The controller every preview reads from (one per process).
  static void setController(core::Controller* controller);

  QString tap() const { return tap_; }
  void setTap(const QString& tap);
  bool live() const { return live_; }
  int framesShown() const { return frames_shown_; }

 signals:
  void tapChanged();
  void liveChanged();
  void framesShownChanged();

 protected:
  QSGNode* updatePaintNode(QSGNode* old, UpdatePaintNodeData* data) override;
  void itemChange(ItemChange change, const ItemChangeData& value) override;

 private:
  void poll();
  void setLive(bool live);

  QString tap_;
  QTimer timer_;
  QImage image_;
  bool image_dirty_ = false;
  const void* last_buffer_ = nullptr;  // identity only, never dereferenced
  qint64 last_frame_ms_ = 0;
  bool live_ = false;
  int frames_shown_ = 0;
};

// I420 (BT.601, limited range: what the taps carry) to 32-bit RGB, one
// frame. Strides in bytes per row of each plane. Exposed for tests.
void i420ToRgb32(const unsigned char* y, int y_stride, const unsigned char* u, int u_stride,
                 const unsigned char* v, int v_stride, int width, int height, QImage* out);

}  // namespace yst::console
