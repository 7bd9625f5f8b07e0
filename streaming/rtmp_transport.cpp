#include "streaming/rtmp_transport.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>
#include <utility>

#include "streaming/reaper.h"
#include "streaming/rtmp_publisher.h"

namespace yst::streaming {

RtmpTransport::RtmpTransport(std::string url, std::string key, bool tls_verify)
    : url_(std::move(url)), key_(std::move(key)), tls_verify_(tls_verify) {}

RtmpTransport::~RtmpTransport() {
  (void)close(StopMode::kImmediate, 0);
  for (GstBuffer* tag : tags_) gst_buffer_unref(tag);
}

void RtmpTransport::start(TransportListener& listener) {
  listener_ = &listener;
  // Errors come from the publisher's thread or the encoder's; the listener
  // hears them on the controller thread. Every failure is retried the same
  // way; its text tells the producer which.
  publisher_ = std::make_shared<RtmpPublisher>(
      url_, key_, tls_verify_,
      [this, life = std::weak_ptr<int>(life_)](RtmpPublisher::Failure, const std::string& reason) {
        QCoreApplication* app = QCoreApplication::instance();
        if (!app) return;
        QMetaObject::invokeMethod(
            app,
            [this, life, reason] {
              if (!life.expired()) listener_->transportFailed(reason);
            },
            Qt::QueuedConnection);
      });
  publisher_->start();
}

bool RtmpTransport::ready() const {
  return publisher_ && publisher_->ready();
}

std::uint64_t RtmpTransport::droppedPackets() const {
  return publisher_ ? publisher_->droppedTags() : 0;
}

void RtmpTransport::push(MediaKind kind, GstBuffer* packet, GstCaps* caps) {
  if (!publisher_ || !caps) {  // FLV needs the codec data
    gst_buffer_unref(packet);
    return;
  }
  flv_.push(kind, packet, caps, tags_);
  sendTags(false);
}

void RtmpTransport::sendTags(bool force) {
  if (tags_.empty()) return;
  const bool frame = std::any_of(tags_.begin(), tags_.end(), isVideoTag);
  if (!force && !frame &&
      GST_BUFFER_DTS(tags_.back()) - GST_BUFFER_DTS(tags_.front()) < kMaxAudioHold) {
    return;
  }
  if (!header_sent_) {
    // What a viewer needs before the first keyframe, first on the connection.
    const std::vector<GstBuffer*>& header = flv_.streamHeader();
    bytes_.fetch_add(publisher_->send(header.data(), header.size()), std::memory_order_relaxed);
    header_sent_ = true;
  }
  bytes_.fetch_add(publisher_->send(tags_.data(), tags_.size()), std::memory_order_relaxed);
  for (GstBuffer* tag : tags_) gst_buffer_unref(tag);
  tags_.clear();
}

std::string RtmpTransport::close(StopMode mode, int finalize_timeout_ms) {
  life_.reset();  // the listener hears nothing more
  if (!publisher_) return {};
  if (mode == StopMode::kFinalize) {
    flv_.flush(tags_);  // what waited for the other kind
    sendTags(true);
  }
  // Unpublishing and closing may wait on the network: off this thread. With
  // kImmediate the partner site still hears that the stream ended if it
  // answers within a second.
  const int timeout_ms = mode == StopMode::kFinalize ? finalize_timeout_ms : 1000;
  disposeAsync([rtmp = std::move(publisher_), timeout_ms] { rtmp->close(timeout_ms); });
  return {};
}

}  // namespace yst::streaming
