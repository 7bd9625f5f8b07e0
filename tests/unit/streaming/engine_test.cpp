// Small real pipelines, headless: test sources into the program, the
// program's encoded packets into outputs. No mocks: these are the elements a
// show runs.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "streaming/outputs.h"
#include "streaming/program.h"
#include "streaming/reaper.h"
#include "streaming/source.h"
#include "studio/config/show_config.h"
#include "tests/unit/qt_test_app.h"

namespace yst::streaming {
namespace {

QCoreApplication* app() {
  return yst::qt_test::app();
}

// Runs the event loop until `done` or the timeout; returns done().
bool spinUntil(const std::function<bool()>& done, int timeout_ms) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < timeout_ms) {
    app()->processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  return done();
}

// These tests check behaviour, not speed (that is scripts/bench-pipeline's
// and scripts/bench-latency's): every deadline and rate floor below is the
// expected figure made kSlack times looser, because the same tests run
// under AddressSanitizer (scripts/test), several times slower, on a shared
// 2-core machine. A deadline costs nothing when the condition comes early.
constexpr int kSlack = 3;

int slack(int ms) {
  return ms * kSlack;
}

const VideoFormat kSmall{320, 180, 30};

EncoderSettings smallSettings() {
  EncoderSettings s;
  s.video = kSmall;
  s.video_bitrate_kbps = 400;
  s.preset = "ultrafast";
  s.keyframe_interval_s = 1;
  return s;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app();
    dir_ = std::filesystem::temp_directory_path() /
           ("yst-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    joinDisposals();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST(SourcePlan, MapsEveryUriKind) {
  EXPECT_EQ(planSource("test://smpte").scheme, UrlScheme::kTest);
  EXPECT_EQ(planSource("test://smpte").argument, "smpte");
  EXPECT_FALSE(planSource("test://smpte").tone);
  EXPECT_TRUE(planSource("test://smpte?audio=tone").tone);
  EXPECT_EQ(planSource("test://smpte?audio=tone").argument, "smpte");
  EXPECT_TRUE(planSource("file:///media/a.mp4").loops);
  EXPECT_EQ(planSource("file:///media/a.mp4").argument, "file:///media/a.mp4");
  const std::pair<const char*, UrlScheme> decoded[] = {
      {"v4l2:///dev/video0", UrlScheme::kV4l2},
      {"rtsp://cam/stream", UrlScheme::kRtsp},
      {"rtsps://cam:322/stream", UrlScheme::kRtsps},
      {"srt://10.0.0.2:7001", UrlScheme::kSrt},
      {"rtmp://127.0.0.1/live/cam", UrlScheme::kRtmp},
      {"rtmps://relay.example.com/live/cam", UrlScheme::kRtmps}};
  for (const auto& [uri, scheme] : decoded) {
    EXPECT_EQ(planSource(uri).scheme, scheme) << uri;
    EXPECT_EQ(planSource(uri).argument, uri) << uri;
    EXPECT_FALSE(planSource(uri).loops) << uri;
  }
  // What the show file refuses, the engine refuses too (one URL reader).
  for (const char* uri :
       {"http://x/", "srt://host-without-port", "test://", "rtsp://", "file:relative.mp4"}) {
    EXPECT_EQ(planSource(uri).scheme, UrlScheme::kInvalid) << uri;
    EXPECT_TRUE(config::checkSourceUri(uri).has_value()) << uri;
  }
  // Only an SRT listener waits for its caller.
  EXPECT_TRUE(planSource("srt://0.0.0.0:7001?mode=listener&latency=300").listens);
  EXPECT_TRUE(planSource("srt://0.0.0.0:7001?latency=300&mode=listener").listens);
  EXPECT_FALSE(planSource("srt://relay:9000?mode=caller&streamid=mode=listener").listens);
  EXPECT_FALSE(planSource("srt://relay:9000").listens);
  EXPECT_FALSE(planSource("rtsp://cam/stream?mode=listener").listens);
}

TEST(SourcePlan, CaptureCardsAndMicrophones) {
  SourcePlan card = planSource("decklink://1/sdi?mode=1080i50");
  EXPECT_EQ(card.scheme, UrlScheme::kDecklink);
  EXPECT_EQ(card.device, 1);
  EXPECT_EQ(card.connector, "sdi");
  EXPECT_EQ(card.mode, "1080i50");
  EXPECT_FALSE(card.audio_only);
  EXPECT_EQ(planSource("decklink://0/hdmi").mode, "auto");
  EXPECT_TRUE(planSource("decklink://0/hdmi").channels.empty());
  // The embedded sound's channels 9 and 10 (a 16-channel SDI signal).
  card = planSource("decklink://2/sdi?channels=9,10&mode=1080p25");
  EXPECT_EQ(card.mode, "1080p25");
  EXPECT_EQ(card.channels, (std::vector<int>{9, 10}));
  SourcePlan mic = planSource("alsa://plughw:1,0?channels=3");
  EXPECT_EQ(mic.scheme, UrlScheme::kAlsa);
  EXPECT_TRUE(mic.audio_only);
  EXPECT_EQ(mic.argument, "plughw:1,0");
  EXPECT_EQ(mic.channels, std::vector<int>{3});
  SourcePlan pair = planSource("pulse://alsa_input.usb-Focusrite.multichannel-input?channels=2,1");
  EXPECT_EQ(pair.scheme, UrlScheme::kPulse);
  EXPECT_EQ(pair.argument, "alsa_input.usb-Focusrite.multichannel-input");
  EXPECT_EQ(pair.channels, (std::vector<int>{2, 1}));
  EXPECT_TRUE(planSource("pulse://default").channels.empty());
}

TEST_F(EngineTest, TestSourcesFeedTheProgramAndTheEncoder) {
  Source host({"host", "主持人机位", "test://smpte", {}, {}, {}}, kSmall);
  Source guest({"guest", "嘉宾机位", "test://ball", {}, {}, {}}, kSmall);
  Program program(smallSettings(), {{"host", host.channel(), 1.0, false, true, {}},
                                    {"guest", guest.channel(), 1.0, false, true, {}}});
  std::string error;
  ASSERT_TRUE(program.start(&error)) << error;
  host.start();
  guest.start();
  ASSERT_TRUE(spinUntil(
      [&] { return host.state() == SourceState::kLive && guest.state() == SourceState::kLive; },
      slack(5000)));
  ASSERT_TRUE(spinUntil([&] { return program.encodedFrames() > 30; }, slack(5000)))
      << "encoded " << program.encodedFrames();
  // The preview taps carry small frames.
  ASSERT_TRUE(
      spinUntil([&] { return program.tap("source:host")->latest() != nullptr; }, slack(3000)));
  SamplePtr frame;
  ASSERT_TRUE(
      spinUntil([&] { return (frame = program.tap("program")->latest()) != nullptr; }, slack(3000)))
      << "a tap opens on its first read";
  const GstStructure* caps = gst_caps_get_structure(gst_sample_get_caps(frame.get()), 0);
  int width = 0;
  gst_structure_get_int(caps, "width", &width);
  EXPECT_EQ(width, 320);
  // Levels arrive from every source and the program.
  ASSERT_TRUE(spinUntil([&] { return program.levels().size() >= 3; }, slack(3000)));
  EXPECT_EQ(program.levels().at("program").peak_db.size(), 2u);

  program.setScene({Layout::kPip, {"guest", "host"}}, Transition::kFade, 300);
  EXPECT_TRUE(program.transitionRunning());
  ASSERT_TRUE(spinUntil([&] { return !program.transitionRunning(); }, slack(2000)));
  EXPECT_EQ(program.scene().tile(0), "guest");
  host.stop();
  guest.stop();
  program.stop();
}

// Side by side, each camera is cut to its 8:9 half before the mixer
// (yst-boxscale). On a cut from single, the mixer still holds a whole frame
// or two of the camera: shown in the half, they would be squeezed to half
// their width for a frame, soft. The cut must wait for the cut frames. A 1-pixel checkerboard makes
// the difference plain: whole, neighbouring pixels differ by far; halved (a 2×2 mean) and blown up,
// they are flat.
TEST_F(EngineTest, ACutNeverShowsAPictureSqueezedIntoAnotherTile) {
  Source cam({"cam", "现场机位", "test://checkers-1", {}, {}, {}}, kSmall);
  Source other({"other", "嘉宾机位", "test://ball", {}, {}, {}}, kSmall);
  Program program(smallSettings(), {{"cam", cam.channel(), 1.0, false, true, {}},
                                    {"other", other.channel(), 1.0, false, true, {}}});
  program.setScene({Layout::kSingle, {"cam", "other"}}, Transition::kCut, 0);
  std::string error;
  ASSERT_TRUE(program.start(&error)) << error;
  cam.start();
  other.start();
  ASSERT_TRUE(spinUntil(
      [&] { return cam.state() == SourceState::kLive && other.state() == SourceState::kLive; },
      slack(5000)));
  ASSERT_TRUE(spinUntil([&] { return program.frames() > 30; }, slack(5000)));

  struct Seen {
    std::mutex mutex;
    std::vector<std::pair<bool, double>> frames;  // single?, share of sharp pixel pairs
  } seen;
  PadPtr src(gst_element_get_static_pad(program.mixer(), "src"));
  const gulong probe = gst_pad_add_probe(
      src.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        GstMapInfo map;
        GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
        const int w = kSmall.width;                   // I420, luma stride = width
        const std::uint8_t* top = map.data + 20 * w;  // side by side: the ball's on the right
        const std::uint8_t* mid = map.data + (kSmall.height / 2) * w;
        int top_sum = 0, sharp = 0;
        for (int x = w * 3 / 4; x < w; ++x) top_sum += top[x];
        for (int x = 0; x + 1 < w / 2 - 4; ++x) sharp += std::abs(mid[x] - mid[x + 1]) > 32;
        gst_buffer_unmap(buffer, &map);
        auto* s = static_cast<Seen*>(data);
        {
          std::lock_guard lock(s->mutex);
          // Checkers average ~125; the ball's slate-blue background ~63.
          s->frames.emplace_back(top_sum / (w - w * 3 / 4) > 95, sharp / double(w / 2 - 5));
        }
        // Hold the mixer's thread for longer than a frame, as an overloaded
        // machine would: the cameras' frames then queue in the mixer's pads
        // (about 20 frames a second come out), and the cut lands while
        // whole ones are queued.
        g_usleep(45000);
        return GST_PAD_PROBE_OK;
      },
      &seen, nullptr);
  auto count = [&seen](bool single) {
    std::lock_guard lock(seen.mutex);
    return std::count_if(seen.frames.begin(), seen.frames.end(),
                         [single](const auto& f) { return f.first == single; });
  };
  // Some single frames, the cut, then enough frames after it to see that it
  // held: counted, not timed (20 a second here, fewer under ASan).
  ASSERT_TRUE(spinUntil([&] { return count(true) > 3; }, slack(300)));
  program.setScene({Layout::kSideBySide, {"cam", "other"}}, Transition::kCut, 0);
  ASSERT_TRUE(spinUntil([&] { return count(false) > 12; }, slack(1000)))
      << "the cut took effect within a few frames: " << count(false) << " side-by-side frames";
  gst_pad_remove_probe(src.get(), probe);

  std::lock_guard lock(seen.mutex);
  int before = 0, after = 0;
  for (const auto& [is_single, sharp] : seen.frames) {
    if (is_single) {
      EXPECT_EQ(after, 0) << "once cut, the program stays side by side";
      ++before;
    } else {
      ++after;
    }
    EXPECT_GT(sharp, 0.8) << (is_single ? "single" : "side-by-side") << " frame " << before + after
                          << ": the camera's half is soft: " << sharp;
  }
  EXPECT_GT(before, 3) << "single before the cut";
  EXPECT_GT(after, 10) << "the cut took effect within a few frames";
  cam.stop();
  other.stop();
  program.stop();
}

TEST_F(EngineTest, MissingCameraShowsSlateAndRetriesWhileProgramRuns) {
  Source missing({"cam", "现场机位", "file:///nonexistent/cam.mp4", {}, {}, {}}, kSmall);
  Program program(smallSettings(), {{"cam", missing.channel(), 1.0, false, true, {}}});
  std::string error;
  ASSERT_TRUE(program.start(&error)) << error;
  missing.start();
  ASSERT_TRUE(spinUntil([&] { return missing.state() == SourceState::kRetrying; }, slack(5000)));
  EXPECT_FALSE(missing.lastError().empty());
  const auto frames_before = program.frames();
  QElapsedTimer clock;
  clock.start();
  spinUntil([&] { return program.frames() - frames_before >= 45; }, slack(1500));
  const double fps =
      (program.frames() - frames_before) * 1000.0 / std::max<qint64>(1, clock.elapsed());
  std::printf(
      "[measured] program frame rate with the camera gone: %.1f fps (test bound >= %d; budget "
      "24 in scripts/bench-latency)\n",
      fps, kSmall.fps / kSlack);
  EXPECT_GE(fps, kSmall.fps / kSlack) << "the program keeps its frame rate with the camera gone";
  EXPECT_GE(missing.reconnects(), 1);
  missing.stop();
  program.stop();
}

// No DeckLink card in this machine (nor, here, its driver): the source is
// built as for a card, fails with the card's reason, retries, and its slate
// stands in, as for any camera that is not there.
TEST_F(EngineTest, ACaptureCardThatIsNotThereShowsItsSlateAndRetries) {
  Source card({"sdi", "演播室 SDI", "decklink://0/sdi?mode=1080i50", {}, {}, {}}, kSmall);
  Program program(smallSettings(), {{"sdi", card.channel(), 1.0, false, true, {}}});
  std::string error;
  ASSERT_TRUE(program.start(&error)) << error;
  card.start();
  ASSERT_TRUE(spinUntil([&] { return card.state() == SourceState::kRetrying; }, slack(5000)))
      << sourceStateName(card.state());
  EXPECT_EQ(card.lastError(),
            "DeckLink card 0 did not open: is the card in this machine, and Blackmagic's Desktop "
            "Video driver installed?");
  EXPECT_GE(card.reconnects(), 1);
  // The program keeps running on the slate.
  const std::uint64_t frames = program.frames();
  ASSERT_TRUE(spinUntil([&] { return program.frames() > frames + 10; }, slack(3000)));
  SamplePtr frame;
  ASSERT_TRUE(spinUntil([&] { return (frame = program.tap("source:sdi")->latest()) != nullptr; },
                        slack(3000)));
  card.stop();
  program.stop();
}

// A figure of each program frame's luma plane (I420, stride = width), from
// the mixer's output, until `count` frames are seen.
using LumaFigure = double (*)(const std::uint8_t* luma, int width, int height);
std::vector<double> frameFigures(Program& program, int count, int timeout_ms, LumaFigure figure) {
  struct Seen {
    std::mutex mutex;
    std::vector<double> figures;
    int width = 0, height = 0;
    LumaFigure figure = nullptr;
  } seen;
  const VideoFormat& v = program.settings().video;
  seen.width = v.width;
  seen.height = v.height;
  seen.figure = figure;
  PadPtr src(gst_element_get_static_pad(program.mixer(), "src"));
  const gulong probe = gst_pad_add_probe(
      src.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        auto* s = static_cast<Seen*>(data);
        GstMapInfo map;
        GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
        const double value = s->figure(map.data, s->width, s->height);
        gst_buffer_unmap(buffer, &map);
        std::lock_guard lock(s->mutex);
        s->figures.push_back(value);
        return GST_PAD_PROBE_OK;
      },
      &seen, nullptr);
  spinUntil(
      [&] {
        std::lock_guard lock(seen.mutex);
        return static_cast<int>(seen.figures.size()) >= count;
      },
      timeout_ms);
  gst_pad_remove_probe(src.get(), probe);
  std::lock_guard lock(seen.mutex);
  return seen.figures;
}

double centreLuma(const std::uint8_t* luma, int width, int height) {
  return luma[(height / 2) * width + width / 2];
}

// How combed a picture is: the mean distance of each line from the mean of
// the lines above and below it. Two fields of a moving picture woven into
// one frame differ line by line at every moving edge; a whole frame does not.
double combing(const std::uint8_t* luma, int width, int height) {
  double sum = 0;
  for (int y = 1; y + 1 < height; ++y) {
    const std::uint8_t* row = luma + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      sum += std::abs(2 * row[x] - row[x - width] - row[x + width]) / 2.0;
    }
  }
  return sum / (double(width) * (height - 2));
}

// A file as a camera of a 25 fps program (320×180): `count` frames' figures,
// once the camera is live and the program running (empty if it never is).
std::vector<double> figuresAt25Fps(const std::filesystem::path& clip, int count,
                                   LumaFigure figure) {
  Source cam({"cam", "现场机位", "file://" + clip.string(), {}, {}, {}}, {320, 180, 25});
  EncoderSettings settings = smallSettings();
  settings.video.fps = 25;
  Program program(settings, {{"cam", cam.channel(), 1.0, false, true, {}}});
  std::string error;
  if (!program.start(&error)) {
    ADD_FAILURE() << error;
    return {};
  }
  cam.start();
  std::vector<double> figures;
  if (spinUntil([&] { return cam.state() == SourceState::kLive; }, slack(5000)) &&
      spinUntil([&] { return program.frames() > 25; }, slack(5000))) {
    figures = frameFigures(program, count, slack(8000), figure);
  } else {
    ADD_FAILURE() << "the camera never went live, or the program never ran";
  }
  cam.stop();
  program.stop();
  return figures;
}

// A 30 fps camera into a 25 fps program: one frame in six is dropped, and
// frames are not shown twice (a repeat is judder: motion that stops for a
// frame), after the file's first pass. The file's
// frame N has luma 20 + 3N, so each program frame says which it is.
TEST_F(EngineTest, ThirtyFramesASecondIntoTwentyFiveDropOneInSixAndRepeatNone) {
  const std::filesystem::path clip = dir_ / "counting-30fps.mkv";
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i color=c=black:s=320x180:r=30:d=2 -vf "
      "\"geq=lum='20+3*mod(N\\,60)':cb=128:cr=128,format=yuv420p\" -c:v ffv1 " +
      clip.string();
  ASSERT_EQ(std::system(make.c_str()), 0) << make;
  const std::vector<double> lumas = figuresAt25Fps(clip, 150, centreLuma);
  ASSERT_GE(lumas.size(), 150u);
  int ones = 0, drops = 0, repeats = 0, other = 0;
  std::string seen;
  bool looped = false;  // the first pass of the file, while it starts, is not judged
  for (std::size_t i = 1; i < lumas.size(); ++i) {
    const int a = static_cast<int>(lumas[i - 1] - 20 + 1) / 3;
    const int b = static_cast<int>(lumas[i] - 20 + 1) / 3;
    seen += std::to_string(b) + " ";
    looped = looped || b < a;
    // Not across the seam where the 2 s file loops (a seek: a frame may
    // stay there while the file starts again).
    if (!looped || b < a || a >= 57 || b <= 1) continue;
    const int step = b - a;
    ones += step == 1;
    drops += step == 2;
    repeats += step == 0;
    other += step > 2;
  }
  ASSERT_GT(ones + drops, 60) << seen;
  // A judder would repeat a frame every few frames; a moment's stall of this
  // shared machine costs one repeat and one double drop, which is allowed.
  EXPECT_LE(repeats, 2) << "frames shown twice: " << seen;
  EXPECT_LE(other, 2) << "more than one frame dropped at once: " << seen;
  // 25 of every 30: a drop per five frames shown.
  EXPECT_NEAR(double(drops) / (ones + drops), 0.2, 0.05) << seen;
}

// A 1080i50-style camera (here 320×180, fields 1/50 s apart, a bar moving
// across them): its frames reach the program as whole frames (yadif), not as
// two fields woven together. The same file decoded without the studio is
// the reference for how combed the woven frames are.
TEST_F(EngineTest, AnInterlacedCameraIsDeinterlaced) {
  const std::filesystem::path clip = dir_ / "interlaced-50i.mkv";
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i \"color=c=gray:s=320x180:r=50:d=2[bg];"
      "color=c=white:s=48x180:r=50:d=2[bar];[bg][bar]overlay=x='mod(t*480\\,320)':y=0\" "
      "-vf tinterlace=mode=interleave_top,setfield=tff -c:v libx264 -preset ultrafast "
      "-flags +ilme+ildct -x264-params tff=1 " +
      clip.string();
  ASSERT_EQ(std::system(make.c_str()), 0) << make;

  // The reference: the file's frames as decoded.
  double woven = 0;
  {
    GError* error = nullptr;
    const std::string launch = "uridecodebin uri=file://" + clip.string() +
                               " ! videoconvert ! video/x-raw,format=I420 ! "
                               "appsink name=sink sync=false";
    ElementPtr pipeline = holdElement(gst_parse_launch(launch.c_str(), &error));
    ASSERT_EQ(error, nullptr) << (error ? error->message : "");
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    int frames = 0;
    while (SamplePtr sample{gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND)}) {
      GstMapInfo map;
      GstBuffer* buffer = gst_sample_get_buffer(sample.get());
      ASSERT_TRUE(gst_buffer_map(buffer, &map, GST_MAP_READ));
      woven += combing(map.data, 320, 180);
      gst_buffer_unmap(buffer, &map);
      ++frames;
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    gst_object_unref(sink);
    ASSERT_GT(frames, 40);
    woven /= frames;
  }

  const std::vector<double> combs = figuresAt25Fps(clip, 40, combing);
  ASSERT_GE(combs.size(), 40u);
  double deinterlaced = 0;
  for (double c : combs) deinterlaced += c;
  deinterlaced /= static_cast<double>(combs.size());
  EXPECT_GT(woven, 2.0) << "the file's frames are combed (else the test proves nothing)";
  EXPECT_LT(deinterlaced, woven / 4) << "woven " << woven << ", in the program " << deinterlaced;
}

TEST_F(EngineTest, ArchiveWritesDecodableMatroskaAndDestinationRetriesWithKeyMasked) {
  Source host({"host", "主持人机位", "test://smpte", {}, {}, {}}, kSmall);
  Program program(smallSettings(), {{"host", host.channel(), 1.0, false, true, {}}});
  std::string error;
  ASSERT_TRUE(program.start(&error)) << error;
  host.start();

  Archive archive(dir_.string(), "test");
  program.addConsumer(&archive);
  archive.start();
  // Nothing listens on port 9 of loopback: refused at once.
  Destination dead({"dead", "Dead", "rtmp://127.0.0.1:9/live", "sk_SECRET_123456"});
  dead.backoff_policy.initial_ms = 200;
  program.addConsumer(&dead);
  dead.start();

  ASSERT_TRUE(spinUntil([&] { return dead.stats().reconnects >= 2; }, slack(8000)));
  EXPECT_EQ(dead.state(), OutputState::kRetrying);
  EXPECT_FALSE(dead.stats().last_error.empty());
  EXPECT_EQ(dead.stats().last_error.find("SECRET"), std::string::npos);
  ASSERT_TRUE(spinUntil([&] { return archive.stats().bytes_sent > 20000; }, slack(5000)))
      << "archive keeps recording while a destination fails";
  // A second and a half of program in the file (media time, not wall time).
  ASSERT_TRUE(spinUntil([&] { return archive.stats().media_duration_ms >= 1500; }, slack(5000)))
      << "recorded " << archive.stats().media_duration_ms << " ms";
  program.removeConsumer(&dead);
  program.removeConsumer(&archive);
  dead.stop();
  archive.stop(Output::StopMode::kFinalize);
  const std::string path = archive.currentPath();
  host.stop();
  program.stop();

  ASSERT_TRUE(std::filesystem::exists(path));
  const std::string cmd =
      "ffprobe -v error -select_streams v:0 -count_packets -show_entries "
      "stream=codec_name,nb_read_packets -of csv=p=0 '" +
      path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, p), nullptr);
  pclose(p);
  EXPECT_EQ(std::string(line).substr(0, 5), "h264,");
  EXPECT_GT(std::atoi(std::string(line).substr(5).c_str()), 30);
}

}  // namespace
}  // namespace yst::streaming
