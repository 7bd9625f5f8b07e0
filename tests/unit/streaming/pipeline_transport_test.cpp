// PipelineTransport (streaming/pipeline_transport.h) with small real
// pipelines behind its appsrcs: what the counted sink takes is its bytes, an
// end of stream on kFinalize reaches the sinks, a builder that throws fails
// the start, and an element that cannot start reports its own reason through
// the listener on the controller thread before "could not start" does. The
// muxers the outputs build (Matroska, MPEG-TS, HLS) are in engine_test.cpp
// and tests/integration.
#include "streaming/pipeline_transport.h"

#include <gtest/gtest.h>

#include <QThread>

#include <stdexcept>
#include <string>
#include <vector>

#include "streaming/gst_ptr.h"
#include "tests/unit/qt_test_app.h"

namespace yst::streaming {
namespace {

// What the transport told its owner, and on which thread.
struct PipelineEvents : TransportListener {
  std::vector<std::string> failures;
  std::vector<std::string> warnings;
  bool off_thread = false;  // a call away from the controller thread
  void transportFailed(const std::string& reason) override {
    off_thread |= QThread::currentThread() != qt_test::app()->thread();
    failures.push_back(reason);
  }
  void transportWarning(const std::string& text) override {
    off_thread |= QThread::currentThread() != qt_test::app()->thread();
    warnings.push_back(text);
  }
};

class PipelineTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { qt_test::app(); }
};

GstBuffer* packet(GstClockTime pts, std::size_t size) {
  GstBuffer* b = gst_buffer_new_allocate(nullptr, size, nullptr);
  GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = pts;
  return b;
}

TEST_F(PipelineTransportTest, CountsWhatItsSinkTakesAndEndsTheStreamOnFinalize) {
  GstElement* counted = nullptr;
  PipelineTransport transport([&](GstElement* pipeline, GstElement* video, GstElement* audio) {
    counted = addElement(pipeline, "fakesink");
    GstElement* audio_sink = addElement(pipeline, "fakesink");
    for (GstElement* sink : {counted, audio_sink}) g_object_set(sink, "sync", FALSE, nullptr);
    linkChain({video, counted});
    linkChain({audio, audio_sink});
    return counted;
  });
  PipelineEvents events;
  EXPECT_FALSE(transport.ready());
  transport.start(events);
  ASSERT_TRUE(transport.ready());
  GstCaps* video_caps = gst_caps_from_string("video/x-h264,stream-format=avc,alignment=au");
  GstCaps* audio_caps = gst_caps_from_string("audio/mpeg,mpegversion=4,stream-format=raw");
  for (int i = 0; i < 10; ++i) {
    transport.push(MediaKind::kVideo, packet(i * 33 * GST_MSECOND, 1000), video_caps);
    transport.push(MediaKind::kAudio, packet(i * 21 * GST_MSECOND, 100), audio_caps);
  }
  gst_caps_unref(video_caps);
  gst_caps_unref(audio_caps);
  EXPECT_TRUE(qt_test::spinUntil([&] { return transport.bytes() == 10 * 1000; }, 5000))
      << transport.bytes() << " bytes: the video sink's, not the audio's";
  EXPECT_EQ(transport.close(StopMode::kFinalize, 5000), "") << "both sinks saw the end of stream";
  EXPECT_FALSE(transport.ready());
  EXPECT_EQ(transport.bytes(), 10u * 1000u) << "kept after close";
  qt_test::spinUntil([] { return false; }, 100);
  EXPECT_TRUE(events.failures.empty()) << events.failures.front();
  EXPECT_FALSE(events.off_thread);
}

TEST_F(PipelineTransportTest, ABuilderThatThrowsFailsTheStart) {
  PipelineTransport transport([](GstElement*, GstElement*, GstElement*) -> GstElement* {
    throw std::runtime_error("no element \"srtsink\"");
  });
  PipelineEvents events;
  EXPECT_THROW(transport.start(events), std::runtime_error);
  EXPECT_FALSE(transport.ready());
  EXPECT_EQ(transport.close(StopMode::kFinalize, 1000), "");
  qt_test::spinUntil([] { return false; }, 100);
  EXPECT_TRUE(events.failures.empty());
}

TEST_F(PipelineTransportTest, ASinkThatCannotStartSaysWhyFirst) {
  PipelineTransport transport([](GstElement* pipeline, GstElement* video, GstElement* audio) {
    GstElement* file = addElement(pipeline, "filesink");
    g_object_set(file, "location", "/nonexistent-folder/program.mkv", nullptr);
    GstElement* audio_sink = addElement(pipeline, "fakesink");
    linkChain({video, file});
    linkChain({audio, audio_sink});
    return file;
  });
  PipelineEvents events;
  transport.start(events);
  EXPECT_FALSE(transport.ready()) << "a pipeline that did not start takes nothing";
  EXPECT_TRUE(events.failures.empty()) << "never from within start()";
  ASSERT_TRUE(qt_test::spinUntil([&] { return events.failures.size() >= 2; }, 5000));
  EXPECT_NE(events.failures[0].find("/nonexistent-folder/program.mkv"), std::string::npos)
      << events.failures[0];
  EXPECT_EQ(events.failures.back(), "could not start") << "after the element's own reason";
  EXPECT_FALSE(events.off_thread);
  (void)transport.close(StopMode::kImmediate, 0);
}

TEST_F(PipelineTransportTest, TellsNothingOnceClosed) {
  PipelineTransport transport([](GstElement* pipeline, GstElement* video, GstElement* audio) {
    GstElement* file = addElement(pipeline, "filesink");
    g_object_set(file, "location", "/nonexistent-folder/program.mkv", nullptr);
    GstElement* audio_sink = addElement(pipeline, "fakesink");
    linkChain({video, file});
    linkChain({audio, audio_sink});
    return file;
  });
  PipelineEvents events;
  transport.start(events);  // the element's error and "could not start" are queued
  (void)transport.close(StopMode::kImmediate, 0);
  qt_test::spinUntil([] { return false; }, 300);
  EXPECT_TRUE(events.failures.empty()) << events.failures.front();
}

}  // namespace
}  // namespace yst::streaming
