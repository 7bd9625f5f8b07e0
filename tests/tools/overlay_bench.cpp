// The graphics renderer's costs, for scripts/bench-overlay (a benchmark, not
// a test): the time to draw a question card (what a producer waits for after
// "on air"), to convert it for blending, and to blend every graphic into one
// program frame. Prints one JSON object.
//
//   overlay_bench [--height 720] [--cards 300] [--frames 600] [--theme DIR/ID]
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "overlay/layer.h"
#include "overlay/renderer.h"
#include "overlay/theme.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

std::string questionOf(int chars, int seed) {
  static const char32_t kText[] =
      U"请问局长，异地就医备案以后，医保卡在外地住院能直接结算吗？如果不能，报销要多久？"
      U"我父亲在上海做手术，已经等了三个月还没有拿到钱。另外，个人账户的钱能不能给家人用？";
  const std::size_t n = sizeof(kText) / sizeof(kText[0]) - 1;
  std::string out;
  for (int i = 0; i < chars; ++i) {
    const char32_t c = kText[(i + seed) % n];
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  int height = 720;
  int cards = 300;
  int frames = 600;
  std::string themes = YST_SOURCE_DIR "/assets/themes";
  std::string theme_id = "default";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--height") height = std::atoi(argv[i + 1]);
    if (flag == "--cards") cards = std::atoi(argv[i + 1]);
    if (flag == "--frames") frames = std::atoi(argv[i + 1]);
    if (flag == "--theme") theme_id = argv[i + 1];
  }
  const int width = height * 16 / 9;
  const yst::overlay::Renderer renderer(yst::overlay::loadTheme(themes, theme_id), width, height);
  yst::overlay::GraphicsLayer layer(width, height);

  // Cards of every length a viewer can send, each drawn from scratch (the
  // renderer caches nothing).
  std::vector<double> draw_ms, convert_ms;
  const int lengths[] = {8, 30, 60, 120, 200, 300};
  for (int i = 0; i < cards; ++i) {
    const int chars = lengths[i % 6];
    const auto t0 = Clock::now();
    const yst::overlay::Placed card = renderer.questionCard(
        {i + 1, questionOf(chars, i), "网友" + std::to_string(i), "question", ""});
    const auto t1 = Clock::now();
    const auto yuva = yst::overlay::toYuva(card.image, layer.matrix());
    const auto t2 = Clock::now();
    draw_ms.push_back(ms(t1 - t0));
    convert_ms.push_back(ms(t2 - t1));
  }
  std::vector<double> total;
  for (std::size_t i = 0; i < draw_ms.size(); ++i) total.push_back(draw_ms[i] + convert_ms[i]);

  // Every graphic up at once, the ticker crawling, blended into I420 frames.
  auto show = [&](const std::string& id, const yst::overlay::Placed& p, int z) {
    yst::overlay::LayerChange c;
    c.kind = yst::overlay::LayerChange::Kind::kShow;
    c.id = id;
    c.graphic = yst::overlay::toYuva(p.image, layer.matrix());
    c.x = p.x;
    c.y = p.y;
    c.z = z;
    c.animation = {yst::overlay::Motion::kFade, 0, 0};
    return c;
  };
  const auto window = renderer.tickerWindow();
  auto ticker = show(
      "ticker_text",
      {renderer.tickerStrip("扫码提问 · 12345 政务服务热线 · 温网议事厅每周五晚 8 点直播"), 0, 0},
      21);
  ticker.scroll = true;
  ticker.window_x = window.x;
  ticker.window_y = window.y;
  ticker.window_width = window.width;
  ticker.speed_px_per_s = renderer.tickerSpeedPxPerS();
  layer.apply(
      {show("bug", renderer.bug("温网议事厅 · 对话市医保局"), 10),
       show("clock", renderer.clock("20:15:08"), 10),
       show("qr", renderer.qr("https://wzrb.example.cn/q", "扫码提问"), 10),
       show("ticker", renderer.tickerBar(), 20), ticker,
       show("lower_third:left", renderer.lowerThird({"张三", "温州市医疗保障局局长"}), 30),
       show("card", renderer.questionCard({12, questionOf(60, 0), "瓯海小李", "question", ""}),
            40)});
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  std::vector<double> blend_ms;
  for (int f = 0; f < frames; ++f) {
    GstVideoFrame frame;
    gst_video_frame_map(&frame, &info, buffer, GST_MAP_READWRITE);
    std::memset(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), 60,
                GST_VIDEO_INFO_PLANE_STRIDE(&info, 0) * height);
    const auto t0 = Clock::now();
    layer.process(&frame, static_cast<GstClockTime>(f) * GST_SECOND / 30);
    blend_ms.push_back(ms(Clock::now() - t0));
    gst_video_frame_unmap(&frame);
  }
  gst_buffer_unref(buffer);
  double blend_sum = 0;
  for (double v : blend_ms) blend_sum += v;

  std::printf(
      "{\"width\":%d,\"height\":%d,\"cards\":%d,"
      "\"card_draw_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
      "\"card_convert_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
      "\"card_total_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
      "\"blend_all_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"mean\":%.3f}}\n",
      width, height, cards, percentile(draw_ms, 0.5), percentile(draw_ms, 0.99),
      percentile(convert_ms, 0.5), percentile(convert_ms, 0.99), percentile(total, 0.5),
      percentile(total, 0.99), percentile(total, 1.0), percentile(blend_ms, 0.5),
      percentile(blend_ms, 0.99), blend_sum / std::max(1, frames));
  return 0;
}
