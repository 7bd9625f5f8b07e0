#include "streaming/boxscale.h"

#include <gst/video/video.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>
#include <mutex>

namespace yst::streaming {

namespace {

void halveRows(const std::uint8_t* r0, const std::uint8_t* r1, std::uint8_t* d, int x, int width) {
  for (; x < width; ++x) {
    d[x] =
        static_cast<std::uint8_t>((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
  }
}

}  // namespace

void halvePlaneScalar(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                      int width, int height) {
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* r0 = src + static_cast<std::ptrdiff_t>(2 * y) * src_stride;
    halveRows(r0, r0 + src_stride, dst + static_cast<std::ptrdiff_t>(y) * dst_stride, 0, width);
  }
}

void halvePlane(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                int width, int height) {
#if defined(__SSE2__)
  const __m128i low_bytes = _mm_set1_epi16(0x00ff);
  const __m128i two = _mm_set1_epi16(2);
  // Sums of horizontal byte pairs as 16-bit lanes.
  auto pairs = [&](__m128i v) {
    return _mm_add_epi16(_mm_and_si128(v, low_bytes), _mm_srli_epi16(v, 8));
  };
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* r0 = src + static_cast<std::ptrdiff_t>(2 * y) * src_stride;
    const std::uint8_t* r1 = r0 + src_stride;
    std::uint8_t* d = dst + static_cast<std::ptrdiff_t>(y) * dst_stride;
    int x = 0;
    for (; x + 16 <= width; x += 16) {  // 32 source bytes of each row -> 16 pixels
      const auto* a = reinterpret_cast<const __m128i*>(r0 + 2 * x);
      const auto* b = reinterpret_cast<const __m128i*>(r1 + 2 * x);
      __m128i lo = _mm_add_epi16(pairs(_mm_loadu_si128(a)), pairs(_mm_loadu_si128(b)));
      __m128i hi = _mm_add_epi16(pairs(_mm_loadu_si128(a + 1)), pairs(_mm_loadu_si128(b + 1)));
      lo = _mm_srli_epi16(_mm_add_epi16(lo, two), 2);
      hi = _mm_srli_epi16(_mm_add_epi16(hi, two), 2);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), _mm_packus_epi16(lo, hi));
    }
    halveRows(r0, r1, d, x, width);
  }
#else
  halvePlaneScalar(src, src_stride, dst, dst_stride, width, height);
#endif
}

namespace {

void quarterRows(const std::uint8_t* r0, std::ptrdiff_t stride, std::uint8_t* d, int x, int width) {
  for (; x < width; ++x) {
    int sum = 8;
    for (int row = 0; row < 4; ++row) {
      const std::uint8_t* r = r0 + row * stride + 4 * x;
      sum += r[0] + r[1] + r[2] + r[3];
    }
    d[x] = static_cast<std::uint8_t>(sum >> 4);
  }
}

}  // namespace

void quarterPlaneScalar(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                        int width, int height) {
  for (int y = 0; y < height; ++y) {
    quarterRows(src + static_cast<std::ptrdiff_t>(4 * y) * src_stride, src_stride,
                dst + static_cast<std::ptrdiff_t>(y) * dst_stride, 0, width);
  }
}

void quarterPlane(const std::uint8_t* src, int src_stride, std::uint8_t* dst, int dst_stride,
                  int width, int height) {
#if defined(__SSE2__)
  const __m128i low_bytes = _mm_set1_epi16(0x00ff);
  const __m128i ones = _mm_set1_epi16(1);
  const __m128i eight = _mm_set1_epi32(8);
  auto pairs = [&](const std::uint8_t* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm_add_epi16(_mm_and_si128(v, low_bytes), _mm_srli_epi16(v, 8));
  };
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* r0 = src + static_cast<std::ptrdiff_t>(4 * y) * src_stride;
    const std::ptrdiff_t s = src_stride;
    std::uint8_t* d = dst + static_cast<std::ptrdiff_t>(y) * dst_stride;
    // 16 source bytes of each of the four rows -> four 4×4 sums (32-bit
    // lanes, at most 16 × 255 + 8), rounded and divided by 16.
    auto four = [&](const std::uint8_t* p) {
      __m128i sum = _mm_add_epi16(_mm_add_epi16(pairs(p), pairs(p + s)),
                                  _mm_add_epi16(pairs(p + 2 * s), pairs(p + 3 * s)));
      sum = _mm_madd_epi16(sum, ones);  // adjacent 16-bit lanes: whole 4-pixel runs
      return _mm_srli_epi32(_mm_add_epi32(sum, eight), 4);
    };
    int x = 0;
    for (; x + 16 <= width; x += 16) {  // 64 source bytes of each row -> 16 pixels
      const std::uint8_t* p = r0 + 4 * x;
      const __m128i lo = _mm_packs_epi32(four(p), four(p + 16));
      const __m128i hi = _mm_packs_epi32(four(p + 32), four(p + 48));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), _mm_packus_epi16(lo, hi));
    }
    quarterRows(r0, s, d, x, width);
  }
#else
  quarterPlaneScalar(src, src_stride, dst, dst_stride, width, height);
#endif
}

bool boxCrop(int width, int height, int target_width, int target_height, BoxCrop* crop) {
  // Even slot sides keep the I420 chroma planes exactly half the luma's.
  if (target_width <= 0 || target_height <= 0 || target_width % 2 || target_height % 2) {
    return false;
  }
  for (int factor : {2, 4}) {
    const int spare_x = width - factor * target_width;
    const int spare_y = height - factor * target_height;
    if (spare_x < 0 || spare_y < 0 || spare_x > width / 32 || spare_y > height / 32) continue;
    crop->x = (spare_x / 2) & ~1;  // even, so the chroma cut falls on a whole sample
    crop->y = (spare_y / 2) & ~1;
    crop->factor = factor;
    return true;
  }
  return false;
}

}  // namespace yst::streaming

// The element. Plain GObject boilerplate; the work is in chain().
namespace {

using yst::streaming::BoxCrop;

// What the element does to each frame, decided when the input, the tile or
// the crop changes (streaming thread).
enum class Mode { kPass = 0, kBox, kCopy, kConvert };

struct Plan {
  Mode mode = Mode::kPass;
  int x = 0, y = 0, width = 0, height = 0;  // the source region (kBox: where its blocks start)
  int factor = 0;                           // kBox: 2 or 4
  int out_width = 0, out_height = 0;        // the tile (kPass: the input's size)
  bool operator==(const Plan&) const = default;
};

struct YstBoxScale {
  GstElement parent;
  GstPad* sinkpad;
  GstPad* srcpad;
  // Guarded by the object lock.
  int target_width;
  int target_height;
  int crop_x, crop_y, crop_width, crop_height;  // crop_width 0: the whole picture
  // Streaming thread only.
  GstVideoInfo in_info;
  bool have_info;
  Plan plan;
  GstVideoInfo out_info;  // valid unless plan.mode is kPass
  GstBufferPool* pool;
  GstVideoConverter* converter;  // kConvert
};

struct YstBoxScaleClass {
  GstElementClass parent_class;
};

enum {
  PROP_0,
  PROP_TARGET_WIDTH,
  PROP_TARGET_HEIGHT,
  PROP_CROP_X,
  PROP_CROP_Y,
  PROP_CROP_WIDTH,
  PROP_CROP_HEIGHT
};

GType yst_box_scale_get_type();
G_DEFINE_TYPE(YstBoxScale, yst_box_scale, GST_TYPE_ELEMENT)

GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));
GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));

YstBoxScale* self_of(GstObject* parent) {
  return reinterpret_cast<YstBoxScale*>(parent);
}

void drop_pool(YstBoxScale* self) {
  if (self->pool) {
    gst_buffer_pool_set_active(self->pool, FALSE);
    gst_object_unref(self->pool);
    self->pool = nullptr;
  }
}

void drop_converter(YstBoxScale* self) {
  if (self->converter) {
    gst_video_converter_free(self->converter);
    self->converter = nullptr;
  }
}

// The plan for an input of `in`, a tile of tw×th and a crop (cw 0: none).
Plan make_plan(const GstVideoInfo& in, int tw, int th, int cx, int cy, int cw, int ch) {
  const int W = GST_VIDEO_INFO_WIDTH(&in), H = GST_VIDEO_INFO_HEIGHT(&in);
  Plan plan;
  plan.out_width = W;
  plan.out_height = H;
  if (GST_VIDEO_INFO_FORMAT(&in) != GST_VIDEO_FORMAT_I420 || tw <= 0 || th <= 0 || tw % 2 ||
      th % 2) {
    return plan;
  }
  // The region, kept inside the picture on even lines and columns.
  int x = 0, y = 0, w = W, h = H;
  if (cw > 0 && ch > 0) {
    w = std::clamp(cw & ~1, 2, W & ~1);
    h = std::clamp(ch & ~1, 2, H & ~1);
    x = std::clamp(cx, 0, W - w) & ~1;
    y = std::clamp(cy, 0, H - h) & ~1;
  }
  if (x == 0 && y == 0 && w == W && h == H && tw == W && th == H) return plan;
  plan.out_width = tw;
  plan.out_height = th;
  BoxCrop box;
  if (yst::streaming::boxCrop(w, h, tw, th, &box)) {
    plan.mode = Mode::kBox;
    plan.x = x + box.x;
    plan.y = y + box.y;
    plan.width = box.factor * tw;
    plan.height = box.factor * th;
    plan.factor = box.factor;
  } else {
    plan.mode = w == tw && h == th ? Mode::kCopy : Mode::kConvert;
    plan.x = x;
    plan.y = y;
    plan.width = w;
    plan.height = h;
  }
  return plan;
}

// The camera's frames at a tile's size: same format, colorimetry, chroma
// siting and rate, so the mixer blends them without converting.
GstVideoInfo tile_info(const GstVideoInfo& in, int width, int height) {
  GstVideoInfo out = in;
  gst_video_info_set_interlaced_format(&out, GST_VIDEO_INFO_FORMAT(&in),
                                       GST_VIDEO_INFO_INTERLACE_MODE(&in), width, height);
  out.colorimetry = in.colorimetry;
  out.chroma_site = in.chroma_site;
  out.par_n = in.par_n;
  out.par_d = in.par_d;
  out.fps_n = in.fps_n;
  out.fps_d = in.fps_d;
  return out;
}

// Decides, for the frame about to go out, what is done to it; when the output
// size or the input changed, tells downstream first (a caps event) and sets
// up the pool for the element's own frames.
bool configure(YstBoxScale* self, bool input_changed) {
  GST_OBJECT_LOCK(self);
  const int tw = self->target_width, th = self->target_height;
  const int cx = self->crop_x, cy = self->crop_y, cw = self->crop_width, ch = self->crop_height;
  GST_OBJECT_UNLOCK(self);
  const GstVideoInfo& in = self->in_info;
  const Plan plan = make_plan(in, tw, th, cx, cy, cw, ch);
  if (plan == self->plan && !input_changed) return true;
  const bool same_output =
      !input_changed && plan.mode != Mode::kPass && self->plan.mode != Mode::kPass &&
      plan.out_width == self->plan.out_width && plan.out_height == self->plan.out_height;
  drop_converter(self);
  self->plan = plan;
  if (plan.mode == Mode::kConvert) {
    // Linear taps (the mixer's own choice for speed is nearest): a crop of a
    // person into a panel tile is scaled by at most about 3:1 either way.
    GstVideoInfo out = tile_info(in, plan.out_width, plan.out_height);
    self->converter = gst_video_converter_new(
        const_cast<GstVideoInfo*>(&in), &out,
        gst_structure_new(
            "config", GST_VIDEO_CONVERTER_OPT_SRC_X, G_TYPE_INT, plan.x,
            GST_VIDEO_CONVERTER_OPT_SRC_Y, G_TYPE_INT, plan.y, GST_VIDEO_CONVERTER_OPT_SRC_WIDTH,
            G_TYPE_INT, plan.width, GST_VIDEO_CONVERTER_OPT_SRC_HEIGHT, G_TYPE_INT, plan.height,
            GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
            GST_VIDEO_RESAMPLER_METHOD_LINEAR, GST_VIDEO_CONVERTER_OPT_CHROMA_RESAMPLER_METHOD,
            GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_LINEAR,
            GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1u, nullptr));
    if (!self->converter) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                        ("cannot scale %dx%d into %dx%d", plan.width, plan.height, plan.out_width,
                         plan.out_height),
                        (nullptr));
      return false;
    }
  }
  if (same_output) return true;  // the same frames downstream, from another region

  drop_pool(self);
  const GstVideoInfo out =
      plan.mode == Mode::kPass ? in : tile_info(in, plan.out_width, plan.out_height);
  GstCaps* caps = gst_video_info_to_caps(&out);
  if (plan.mode != Mode::kPass) {
    GstBufferPool* pool = gst_video_buffer_pool_new();
    GstStructure* config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, static_cast<guint>(out.size), 2, 0);
    if (!gst_buffer_pool_set_config(pool, config) || !gst_buffer_pool_set_active(pool, TRUE)) {
      gst_object_unref(pool);
      gst_caps_unref(caps);
      GST_ELEMENT_ERROR(self, RESOURCE, FAILED,
                        ("no buffer pool for %dx%d frames", plan.out_width, plan.out_height),
                        (nullptr));
      return false;
    }
    self->pool = pool;
  }
  const bool sent = gst_pad_push_event(self->srcpad, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  self->out_info = out;
  return sent || !gst_pad_is_linked(self->srcpad);
}

// One frame's planes, cut from the plan's region and box-filtered or copied.
void box_or_copy(const Plan& plan, const GstVideoFrame& src, GstVideoFrame& dst) {
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&dst); ++p) {
    // I420: the chroma planes are half the luma's each way, cut and all.
    const int shift = p == 0 ? 0 : 1;
    const int src_stride = GST_VIDEO_FRAME_PLANE_STRIDE(&src, p);
    const auto* s = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&src, p)) +
                    static_cast<std::ptrdiff_t>(plan.y >> shift) * src_stride + (plan.x >> shift);
    auto* d = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&dst, p));
    const int dst_stride = GST_VIDEO_FRAME_PLANE_STRIDE(&dst, p);
    const int w = GST_VIDEO_FRAME_COMP_WIDTH(&dst, p), h = GST_VIDEO_FRAME_COMP_HEIGHT(&dst, p);
    if (plan.mode == Mode::kCopy) {
      for (int y = 0; y < h; ++y) {
        std::memcpy(d + static_cast<std::ptrdiff_t>(y) * dst_stride,
                    s + static_cast<std::ptrdiff_t>(y) * src_stride, static_cast<size_t>(w));
      }
    } else if (plan.factor == 4) {
      yst::streaming::quarterPlane(s, src_stride, d, dst_stride, w, h);
    } else {
      yst::streaming::halvePlane(s, src_stride, d, dst_stride, w, h);
    }
  }
}

GstFlowReturn chain(GstPad*, GstObject* parent, GstBuffer* buffer) {
  YstBoxScale* self = self_of(parent);
  if (!self->have_info) {
    gst_buffer_unref(buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!configure(self, false)) {
    gst_buffer_unref(buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (self->plan.mode == Mode::kPass) return gst_pad_push(self->srcpad, buffer);

  GstBuffer* out = nullptr;
  GstFlowReturn ret = gst_buffer_pool_acquire_buffer(self->pool, &out, nullptr);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref(buffer);
    return ret;
  }
  GstVideoFrame src, dst;
  if (!gst_video_frame_map(&src, &self->in_info, buffer, GST_MAP_READ)) {
    gst_buffer_unref(out);
    gst_buffer_unref(buffer);
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("could not read a frame"), (nullptr));
    return GST_FLOW_ERROR;
  }
  if (!gst_video_frame_map(&dst, &self->out_info, out, GST_MAP_WRITE)) {
    gst_video_frame_unmap(&src);
    gst_buffer_unref(out);
    gst_buffer_unref(buffer);
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("could not write a frame"), (nullptr));
    return GST_FLOW_ERROR;
  }
  if (self->plan.mode == Mode::kConvert) {
    gst_video_converter_frame(self->converter, &src, &dst);
  } else {
    box_or_copy(self->plan, src, dst);
  }
  gst_video_frame_unmap(&dst);
  gst_video_frame_unmap(&src);
  gst_buffer_copy_into(
      out, buffer,
      static_cast<GstBufferCopyFlags>(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS), 0,
      static_cast<gsize>(-1));
  gst_buffer_unref(buffer);
  return gst_pad_push(self->srcpad, out);
}

gboolean sink_event(GstPad* pad, GstObject* parent, GstEvent* event) {
  YstBoxScale* self = self_of(parent);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    GstVideoInfo info;
    if (!gst_video_info_from_caps(&info, caps)) {
      gst_event_unref(event);
      return FALSE;
    }
    self->in_info = info;
    self->have_info = true;
    gst_event_unref(event);
    // Caps go downstream now (their order among the sticky events matters),
    // for whichever size the first frame will have.
    return configure(self, true) ? TRUE : FALSE;
  }
  return gst_pad_event_default(pad, parent, event);
}

gboolean sink_query(GstPad* pad, GstObject* parent, GstQuery* query) {
  switch (GST_QUERY_TYPE(query)) {
    case GST_QUERY_CAPS: {
      // Any raw video: whatever the size, it either goes through as it is
      // (the mixer takes any) or comes out at the tile's size.
      GstCaps* filter = nullptr;
      gst_query_parse_caps(query, &filter);
      GstCaps* caps = gst_pad_get_pad_template_caps(pad);
      if (filter) {
        GstCaps* both = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref(caps);
        caps = both;
      }
      gst_query_set_caps_result(query, caps);
      gst_caps_unref(caps);
      return TRUE;
    }
    case GST_QUERY_ALLOCATION:
      // Frames that are scaled come from this element's own pool, the others
      // are the camera's: nothing downstream's pool could serve both.
      return FALSE;
    default:
      return gst_pad_query_default(pad, parent, query);
  }
}

GstStateChangeReturn change_state(GstElement* element, GstStateChange transition) {
  YstBoxScale* self = reinterpret_cast<YstBoxScale*>(element);
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS(yst_box_scale_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    drop_pool(self);
    drop_converter(self);
    self->have_info = false;
    self->plan = Plan{};
  }
  return ret;
}

int* int_property(YstBoxScale* self, guint id) {
  switch (id) {
    case PROP_TARGET_WIDTH:
      return &self->target_width;
    case PROP_TARGET_HEIGHT:
      return &self->target_height;
    case PROP_CROP_X:
      return &self->crop_x;
    case PROP_CROP_Y:
      return &self->crop_y;
    case PROP_CROP_WIDTH:
      return &self->crop_width;
    case PROP_CROP_HEIGHT:
      return &self->crop_height;
    default:
      return nullptr;
  }
}

void set_property(GObject* object, guint id, const GValue* value, GParamSpec* pspec) {
  YstBoxScale* self = reinterpret_cast<YstBoxScale*>(object);
  GST_OBJECT_LOCK(self);
  if (int* field = int_property(self, id)) {
    *field = g_value_get_int(value);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

void get_property(GObject* object, guint id, GValue* value, GParamSpec* pspec) {
  YstBoxScale* self = reinterpret_cast<YstBoxScale*>(object);
  GST_OBJECT_LOCK(self);
  if (int* field = int_property(self, id)) {
    g_value_set_int(value, *field);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

void finalize(GObject* object) {
  drop_pool(reinterpret_cast<YstBoxScale*>(object));
  drop_converter(reinterpret_cast<YstBoxScale*>(object));
  G_OBJECT_CLASS(yst_box_scale_parent_class)->finalize(object);
}

void yst_box_scale_class_init(YstBoxScaleClass* klass) {
  GObjectClass* object_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  object_class->set_property = set_property;
  object_class->get_property = get_property;
  object_class->finalize = finalize;
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  struct {
    guint id;
    const char* name;
    const char* blurb;
  } const props[] = {
      {PROP_TARGET_WIDTH, "target-width", "Width of the tile (0: pass through)"},
      {PROP_TARGET_HEIGHT, "target-height", "Height of the tile (0: pass through)"},
      {PROP_CROP_X, "crop-x", "Left edge of the region shown (pixels)"},
      {PROP_CROP_Y, "crop-y", "Top edge of the region shown (pixels)"},
      {PROP_CROP_WIDTH, "crop-width", "Width of the region shown (0: the whole picture)"},
      {PROP_CROP_HEIGHT, "crop-height", "Height of the region shown (0: the whole picture)"},
  };
  for (const auto& p : props) {
    g_object_class_install_property(
        object_class, p.id, g_param_spec_int(p.name, p.name, p.blurb, 0, G_MAXINT, 0, flags));
  }
  element_class->change_state = change_state;
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "Yishiting tile scaler", "Filter/Converter/Video/Scaler",
      "A camera's region cut and scaled into a program tile (2:1 and 4:1 box filtered)",
      "Yishiting Studio");
}

void yst_box_scale_init(YstBoxScale* self) {
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, chain);
  gst_pad_set_event_function(self->sinkpad, sink_event);
  gst_pad_set_query_function(self->sinkpad, sink_query);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
  self->target_width = 0;
  self->target_height = 0;
  self->crop_x = self->crop_y = self->crop_width = self->crop_height = 0;
  gst_video_info_init(&self->in_info);
  gst_video_info_init(&self->out_info);
  self->have_info = false;
  self->plan = Plan{};
  self->pool = nullptr;
  self->converter = nullptr;
}

}  // namespace

namespace yst::streaming {

void registerBoxScale() {
  static std::once_flag once;
  std::call_once(once, [] {
    gst_element_register(nullptr, "yst-boxscale", GST_RANK_NONE, yst_box_scale_get_type());
  });
}

}  // namespace yst::streaming
