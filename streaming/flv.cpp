#include "streaming/flv.h"

#include "streaming/amf0.h"

#include <cstring>
#include <string_view>

namespace yst::streaming {

namespace {

constexpr std::uint8_t kTagAudio = 8;
constexpr std::uint8_t kTagVideo = 9;
constexpr std::uint8_t kTagScript = 18;
constexpr std::size_t kTagHeaderSize = 11;
constexpr std::size_t kTagTrailerSize = 4;  // PreviousTagSize

// Video tag prefix: frame type (1 key, 2 inter) << 4 | codec 7 (AVC), then
// AVCPacketType (0 sequence header, 1 NAL units) and a 24-bit composition
// time offset in ms.
constexpr std::uint8_t kAvcKeyFrame = 0x17;
constexpr std::uint8_t kAvcInterFrame = 0x27;
// Audio tag prefix: codec 10 (AAC) << 4 with the rate, size and channel bits
// FLV fixes for AAC (3, 1, 1); the real ones are in the AudioSpecificConfig.
// Then AACPacketType (0 sequence header, 1 raw frame).
constexpr std::uint8_t kAac = 0xAF;

void putU16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void putU24(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 16);
  putU16(p + 1, v);
}
void putU32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  putU24(p + 1, v);
}

std::uint32_t toMs(GstClockTime t) {
  return static_cast<std::uint32_t>(GST_TIME_AS_MSECONDS(t));  // FLV wraps at 2^32 ms
}

GstBuffer* codecData(GstCaps* caps) {
  if (!caps || gst_caps_get_size(caps) == 0) return nullptr;
  const GValue* value = gst_structure_get_value(gst_caps_get_structure(caps, 0), "codec_data");
  return value && GST_VALUE_HOLDS_BUFFER(value) ? gst_value_get_buffer(value) : nullptr;
}

bool sameBytes(GstBuffer* a, GstBuffer* b) {
  if (gst_buffer_get_size(a) != gst_buffer_get_size(b)) return false;
  GstMapInfo map;
  if (!gst_buffer_map(b, &map, GST_MAP_READ)) return false;
  const bool same = gst_buffer_memcmp(a, 0, map.data, map.size) == 0;
  gst_buffer_unmap(b, &map);
  return same;
}

GstBuffer* sequenceHeader(int kind, GstBuffer* codec_data, std::uint32_t timestamp_ms) {
  if (kind == 0) {
    const std::uint8_t prefix[] = {kAvcKeyFrame, 0, 0, 0, 0};
    return flvTag(kTagVideo, timestamp_ms, prefix, sizeof prefix, codec_data);
  }
  const std::uint8_t prefix[] = {kAac, 0};
  return flvTag(kTagAudio, timestamp_ms, prefix, sizeof prefix, codec_data);
}

// onMetaData's properties, as an AMF0 ECMA array.
class Metadata {
 public:
  void number(std::string_view name, double v) { add(name).number(v); }
  void boolean(std::string_view name, bool v) { add(name).boolean(v); }
  void text(std::string_view name, std::string_view v) { add(name).string(v); }
  GstBuffer* onMetaData() const {
    const std::string bytes =
        rtmp::AmfWriter().string("onMetaData").beginEcmaArray(count_).bytes() +
        properties_.bytes() + rtmp::AmfWriter().endObject().bytes();
    return gst_buffer_new_memdup(bytes.data(), bytes.size());
  }

 private:
  rtmp::AmfWriter& add(std::string_view name) {
    ++count_;
    return properties_.key(name);
  }
  rtmp::AmfWriter properties_;
  std::uint32_t count_ = 0;
};

}  // namespace

GstBuffer* flvTag(std::uint8_t type, std::uint32_t timestamp_ms, const std::uint8_t* prefix,
                  std::size_t prefix_size, GstBuffer* body) {
  const std::size_t body_size = body ? gst_buffer_get_size(body) : 0;
  const std::size_t data_size = prefix_size + body_size;
  const std::size_t total = kTagHeaderSize + data_size + kTagTrailerSize;
  // One block: the RTMP sender maps the tag whole.
  GstBuffer* tag = gst_buffer_new_allocate(nullptr, total, nullptr);
  GstMapInfo map;
  gst_buffer_map(tag, &map, GST_MAP_WRITE);
  std::uint8_t* p = map.data;
  p[0] = type;
  putU24(p + 1, static_cast<std::uint32_t>(data_size));
  putU24(p + 4, timestamp_ms & 0xFFFFFF);
  p[7] = static_cast<std::uint8_t>(timestamp_ms >> 24);
  putU24(p + 8, 0);  // stream id
  if (prefix_size) std::memcpy(p + kTagHeaderSize, prefix, prefix_size);
  if (body_size) gst_buffer_extract(body, 0, p + kTagHeaderSize + prefix_size, body_size);
  putU32(p + kTagHeaderSize + data_size, static_cast<std::uint32_t>(kTagHeaderSize + data_size));
  gst_buffer_unmap(tag, &map);
  return tag;
}

bool isVideoTag(GstBuffer* tag) {
  std::uint8_t type = 0;
  return gst_buffer_extract(tag, 0, &type, 1) == 1 && type == kTagVideo;
}

FlvPackager::~FlvPackager() {
  for (auto& queue : queue_) {
    for (Pending& p : queue) {
      gst_buffer_unref(p.packet);
      gst_caps_unref(p.caps);
    }
  }
  for (GstCaps*& caps : announced_) gst_caps_replace(&caps, nullptr);
  for (GstBuffer* tag : header_) gst_buffer_unref(tag);
}

void FlvPackager::push(MediaKind kind, GstBuffer* packet, GstCaps* caps,
                       std::vector<GstBuffer*>& tags) {
  const int k = kind == MediaKind::kVideo ? 0 : 1;
  const GstClockTime dts =
      GST_BUFFER_DTS_IS_VALID(packet) ? GST_BUFFER_DTS(packet) : GST_BUFFER_PTS(packet);
  queue_[k].push_back({packet, dts, gst_caps_ref(caps)});
  drain(false, tags);
}

void FlvPackager::flush(std::vector<GstBuffer*>& tags) {
  drain(true, tags);
}

void FlvPackager::drain(bool all, std::vector<GstBuffer*>& tags) {
  for (;;) {
    const std::deque<Pending>& video = queue_[0];
    const std::deque<Pending>& audio = queue_[1];
    int k = -1;
    if (!video.empty() && !audio.empty()) {
      k = audio.front().dts < video.front().dts ? 1 : 0;
    } else {
      for (int i = 0; i < 2; ++i) {
        const std::deque<Pending>& q = queue_[i];
        // The other kind has fallen silent: do not hold this one back for it.
        if (!q.empty() && (all || q.back().dts - q.front().dts >= kMaxInterleaveWait)) k = i;
      }
    }
    if (k < 0) return;
    if (header_.empty()) buildStreamHeader();
    Pending next = queue_[k].front();
    queue_[k].pop_front();
    release(k, next, tags);
  }
}

void FlvPackager::release(int kind, Pending pending, std::vector<GstBuffer*>& tags) {
  GstBuffer* packet = pending.packet;
  const std::uint32_t dts_ms = toMs(pending.dts);
  if (pending.caps != announced_[kind]) {
    GstBuffer* now = codecData(pending.caps);
    GstBuffer* before = codecData(announced_[kind]);
    if (now && !(before && sameBytes(now, before))) {
      tags.push_back(sequenceHeader(kind, now, dts_ms));
    }
    gst_caps_replace(&announced_[kind], pending.caps);
  }
  gst_caps_unref(pending.caps);

  GstBuffer* tag = nullptr;
  const GstClockTime pts = GST_BUFFER_PTS_IS_VALID(packet) ? GST_BUFFER_PTS(packet) : pending.dts;
  if (kind == 0) {
    const bool key = !GST_BUFFER_FLAG_IS_SET(packet, GST_BUFFER_FLAG_DELTA_UNIT);
    const auto cts = static_cast<std::uint32_t>(static_cast<std::int32_t>(toMs(pts) - dts_ms));
    std::uint8_t prefix[5] = {key ? kAvcKeyFrame : kAvcInterFrame, 1};
    putU24(prefix + 2, cts & 0xFFFFFF);
    tag = flvTag(kTagVideo, dts_ms, prefix, sizeof prefix, packet);
    if (!key) GST_BUFFER_FLAG_SET(tag, GST_BUFFER_FLAG_DELTA_UNIT);
  } else {
    const std::uint8_t prefix[] = {kAac, 1};
    tag = flvTag(kTagAudio, dts_ms, prefix, sizeof prefix, packet);
  }
  GST_BUFFER_PTS(tag) = pts;
  GST_BUFFER_DTS(tag) = pending.dts;
  gst_buffer_unref(packet);
  tags.push_back(tag);
}

void FlvPackager::buildStreamHeader() {
  GstCaps* caps[2] = {};
  for (int k = 0; k < 2; ++k) {
    if (!queue_[k].empty()) caps[k] = queue_[k].front().caps;
  }
  Metadata meta;
  if (caps[0]) {
    const GstStructure* s = gst_caps_get_structure(caps[0], 0);
    int width = 0, height = 0, num = 0, den = 1;
    if (gst_structure_get_int(s, "width", &width)) meta.number("width", width);
    if (gst_structure_get_int(s, "height", &height)) meta.number("height", height);
    if (gst_structure_get_fraction(s, "framerate", &num, &den) && den > 0 && num > 0) {
      meta.number("framerate", static_cast<double>(num) / den);
    }
    meta.number("videocodecid", 7);
  }
  if (caps[1]) {
    const GstStructure* s = gst_caps_get_structure(caps[1], 0);
    int rate = 0, channels = 0;
    meta.number("audiocodecid", 10);
    if (gst_structure_get_int(s, "rate", &rate)) meta.number("audiosamplerate", rate);
    meta.number("audiosamplesize", 16);
    if (gst_structure_get_int(s, "channels", &channels)) meta.boolean("stereo", channels == 2);
  }
  meta.text("encoder", "Yishiting Studio");

  GstBuffer* script = meta.onMetaData();
  header_.push_back(flvTag(kTagScript, 0, nullptr, 0, script));
  gst_buffer_unref(script);
  for (int k = 0; k < 2; ++k) {
    if (GstBuffer* data = codecData(caps[k])) header_.push_back(sequenceHeader(k, data, 0));
    gst_caps_replace(&announced_[k], caps[k]);
  }
}

GstBuffer* flvFileHeader(bool video, bool audio) {
  // "FLV", version 1, audio (4) and video (1) present, header size 9, then
  // PreviousTagSize0.
  const std::uint8_t header[13] = {
      'F', 'L', 'V', 1, static_cast<std::uint8_t>((audio ? 4 : 0) | (video ? 1 : 0)), 0, 0, 0, 9,
      0,   0,   0,   0};
  return gst_buffer_new_memdup(header, sizeof header);
}

}  // namespace yst::streaming
