// FLV tags for RTMP destinations: the tag layout, decode-time interleaving,
// the stream header, codec data changes, and real encoders' packets written
// as a file that ffmpeg decodes without an error.
#include "streaming/flv.h"

#include <gst/app/gstappsink.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "streaming/gst_ptr.h"

namespace yst::streaming {
namespace {

std::vector<std::uint8_t> bytes(GstBuffer* buffer) {
  std::vector<std::uint8_t> out(gst_buffer_get_size(buffer));
  gst_buffer_extract(buffer, 0, out.data(), out.size());
  return out;
}

struct Tag {
  int type;
  std::uint32_t ms;
  std::vector<std::uint8_t> data;  // prefix and body
};

// Parses a tag as a receiver would, checking its framing.
Tag parse(GstBuffer* buffer) {
  const std::vector<std::uint8_t> b = bytes(buffer);
  EXPECT_GE(b.size(), 15u);
  if (b.size() < 15) return {};
  const std::uint32_t size = (b[1] << 16) | (b[2] << 8) | b[3];
  EXPECT_EQ(b.size(), 11 + size + 4) << "header, data, PreviousTagSize";
  const std::size_t end = 11 + size;
  const std::uint32_t previous =
      (b[end] << 24) | (b[end + 1] << 16) | (b[end + 2] << 8) | b[end + 3];
  EXPECT_EQ(previous, 11 + size);
  Tag tag;
  tag.type = b[0];
  tag.ms = (static_cast<std::uint32_t>(b[7]) << 24) | (b[4] << 16) | (b[5] << 8) | b[6];
  tag.data.assign(b.begin() + 11, b.begin() + static_cast<long>(end));
  return tag;
}

GstCaps* capsWithCodecData(const char* media, std::vector<std::uint8_t> codec_data) {
  GstCaps* caps = gst_caps_from_string(media);
  GstBuffer* data = gst_buffer_new_memdup(codec_data.data(), codec_data.size());
  gst_caps_set_simple(caps, "codec_data", GST_TYPE_BUFFER, data, nullptr);
  gst_buffer_unref(data);
  return caps;
}

class FlvPackagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
  void SetUp() override {
    video_caps_ = capsWithCodecData(
        "video/x-h264,stream-format=avc,alignment=au,width=640,height=360,framerate=30/1",
        {1, 0x64, 0, 0x1f, 0xff});
    audio_caps_ = capsWithCodecData(
        "audio/mpeg,mpegversion=4,stream-format=raw,rate=48000,channels=2", {0x11, 0x90});
  }
  void TearDown() override {
    gst_caps_unref(video_caps_);
    gst_caps_unref(audio_caps_);
    for (GstBuffer* tag : tags_) gst_buffer_unref(tag);
  }
  // A packet of `size` bytes at `ms` on the destination's timeline.
  void push(MediaKind kind, int ms, bool key = false, GstCaps* caps = nullptr) {
    GstBuffer* packet = gst_buffer_new_allocate(nullptr, 64, nullptr);
    gst_buffer_memset(packet, 0, kind == MediaKind::kVideo ? 0x65 : 0x21, 64);
    GST_BUFFER_PTS(packet) = GST_BUFFER_DTS(packet) = ms * GST_MSECOND;
    if (kind == MediaKind::kVideo && !key) GST_BUFFER_FLAG_SET(packet, GST_BUFFER_FLAG_DELTA_UNIT);
    if (!caps) caps = kind == MediaKind::kVideo ? video_caps_ : audio_caps_;
    flv_.push(kind, packet, caps, tags_);
  }
  std::vector<Tag> parsed() const {
    std::vector<Tag> out;
    for (GstBuffer* tag : tags_) out.push_back(parse(tag));
    return out;
  }

  FlvPackager flv_;
  std::vector<GstBuffer*> tags_;
  GstCaps* video_caps_ = nullptr;
  GstCaps* audio_caps_ = nullptr;
};

TEST(FlvTag, FollowsTheSpecLayout) {
  gst_init(nullptr, nullptr);
  const std::uint8_t body_bytes[] = {0xAA, 0xBB, 0xCC};
  GstBuffer* body = gst_buffer_new_memdup(body_bytes, sizeof body_bytes);
  const std::uint8_t prefix[] = {0x17, 1, 0, 0, 0};
  // A timestamp past 2^24 ms (4.6 hours) uses the extension byte.
  GstBuffer* tag = flvTag(9, 0x12345678, prefix, sizeof prefix, body);
  const std::vector<std::uint8_t> expected = {9, 0, 0, 8, 0x34, 0x56, 0x78, 0x12, 0, 0, 0, 0x17,
                                              1, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0,    0, 0, 19};
  EXPECT_EQ(bytes(tag), expected);
  EXPECT_TRUE(isVideoTag(tag));
  GstBuffer* audio = flvTag(8, 0, prefix, 2, body);
  EXPECT_FALSE(isVideoTag(audio));
  gst_buffer_unref(audio);
  gst_buffer_unref(tag);
  gst_buffer_unref(body);
}

TEST_F(FlvPackagerTest, InterleavesAudioAndVideoByDecodeTime) {
  // Video arrives ahead of the audio of the same moment, as from the
  // encoders: nothing may leave before the other kind has caught up.
  push(MediaKind::kVideo, 0, true);
  push(MediaKind::kVideo, 33);
  push(MediaKind::kVideo, 67);
  EXPECT_TRUE(tags_.empty()) << "video waits for the audio of its time";
  EXPECT_TRUE(flv_.streamHeader().empty());
  for (int ms : {0, 21, 43, 64, 85}) push(MediaKind::kAudio, ms);
  push(MediaKind::kVideo, 100);
  flv_.flush(tags_);
  const std::vector<Tag> tags = parsed();
  std::vector<std::pair<int, std::uint32_t>> order;
  for (const Tag& t : tags) order.emplace_back(t.type, t.ms);
  const std::vector<std::pair<int, std::uint32_t>> expected = {
      {9, 0}, {8, 0}, {8, 21}, {9, 33}, {8, 43}, {8, 64}, {9, 67}, {8, 85}, {9, 100}};
  EXPECT_EQ(order, expected) << "decode order, the keyframe first at a tie";
  ASSERT_EQ(tags.size(), expected.size());
  EXPECT_EQ(tags[0].data[0], 0x17) << "a keyframe";
  EXPECT_EQ(tags[1].data[0], 0xAF);
  EXPECT_EQ(tags[1].data[1], 1) << "a raw AAC frame";
  EXPECT_EQ(tags[1].data.size(), 2u + 64u);
  EXPECT_EQ(tags[3].data[0], 0x27) << "an inter frame";
  EXPECT_EQ(tags[3].data.size(), 5u + 64u);
}

TEST_F(FlvPackagerTest, DoesNotHoldOneKindBackLongerThanTheWait) {
  // The audio has stopped: video goes on alone, at most the wait behind.
  push(MediaKind::kVideo, 0, true);
  int ms = 0;
  for (int i = 1; i < 30; ++i) {
    ms = i * 33;
    push(MediaKind::kVideo, ms);
  }
  const std::vector<Tag> tags = parsed();
  ASSERT_FALSE(tags.empty());
  const auto wait_ms = static_cast<std::uint32_t>(FlvPackager::kMaxInterleaveWait / GST_MSECOND);
  EXPECT_GE(tags.back().ms + wait_ms, static_cast<std::uint32_t>(ms) - 33);
  EXPECT_LE(tags.back().ms + wait_ms, static_cast<std::uint32_t>(ms) + 33);
  // The header was built without audio; audio that comes back is announced.
  ASSERT_EQ(flv_.streamHeader().size(), 2u) << "metadata and the AVC sequence header";
  for (GstBuffer* tag : tags_) gst_buffer_unref(tag);
  tags_.clear();
  push(MediaKind::kAudio, ms + 10);
  flv_.flush(tags_);
  const std::vector<Tag> rest = parsed();
  const auto first_audio =
      std::find_if(rest.begin(), rest.end(), [](const Tag& t) { return t.type == 8; });
  ASSERT_NE(first_audio, rest.end());
  EXPECT_EQ(first_audio->data[1], 0) << "an AAC sequence header before the first audio frame";
  ASSERT_NE(first_audio + 1, rest.end());
  EXPECT_EQ((first_audio + 1)->data[1], 1);
}

TEST_F(FlvPackagerTest, StreamHeaderCarriesMetadataAndBothSequenceHeaders) {
  push(MediaKind::kVideo, 0, true);
  push(MediaKind::kAudio, 5);
  const std::vector<GstBuffer*>& header = flv_.streamHeader();
  ASSERT_EQ(header.size(), 3u);
  auto item = [&](std::size_t i) { return header[i]; };
  GstBuffer* file_header = flvFileHeader(true, true);
  EXPECT_EQ(bytes(file_header),
            (std::vector<std::uint8_t>{'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0}));
  gst_buffer_unref(file_header);
  const Tag meta = parse(item(0));
  EXPECT_EQ(meta.type, 18);
  const std::string text(meta.data.begin(), meta.data.end());
  for (const char* field : {"onMetaData", "width", "height", "framerate", "videocodecid",
                            "audiocodecid", "audiosamplerate", "stereo", "Yishiting Studio"}) {
    EXPECT_NE(text.find(field), std::string::npos) << field;
  }
  const Tag avc = parse(item(1));
  EXPECT_EQ(avc.type, 9);
  EXPECT_EQ(avc.data, (std::vector<std::uint8_t>{0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff}));
  const Tag aac = parse(item(2));
  EXPECT_EQ(aac.type, 8);
  EXPECT_EQ(aac.data, (std::vector<std::uint8_t>{0xAF, 0, 0x11, 0x90}));
}

TEST_F(FlvPackagerTest, AnnouncesNewCodecDataInStreamAndOnlyWhenItChanges) {
  push(MediaKind::kVideo, 0, true);
  push(MediaKind::kAudio, 0);
  GstCaps* same = gst_caps_copy(video_caps_);  // another object, the same bytes
  push(MediaKind::kVideo, 33, false, same);
  GstCaps* changed =
      capsWithCodecData("video/x-h264,stream-format=avc,alignment=au", {1, 0x4d, 0, 0x1e, 0xff});
  push(MediaKind::kVideo, 67, true, changed);
  push(MediaKind::kAudio, 100);
  flv_.flush(tags_);
  std::vector<Tag> video;
  for (const Tag& t : parsed()) {
    if (t.type == 9) video.push_back(t);
  }
  ASSERT_EQ(video.size(), 4u) << "three frames and one new sequence header";
  EXPECT_EQ(video[2].data, (std::vector<std::uint8_t>{0x17, 0, 0, 0, 0, 1, 0x4d, 0, 0x1e, 0xff}));
  EXPECT_EQ(video[2].ms, 67u);
  EXPECT_EQ(video[3].data[1], 1);
  gst_caps_unref(same);
  gst_caps_unref(changed);
}

// Real x264 and AAC packets, through the packager, into an .flv file:
// ffprobe finds both streams and ffmpeg decodes every frame without an error.
TEST(FlvPackagerPipeline, RealEncodersMakeAStreamFfmpegDecodesCleanly) {
  gst_init(nullptr, nullptr);
  GError* error = nullptr;
  ElementPtr pipeline = holdElement(gst_parse_launch(
      "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=180,framerate=30/1 ! "
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! h264parse ! "
      "video/x-h264,stream-format=avc,alignment=au ! appsink name=v sync=false "
      "audiotestsrc num-buffers=150 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 ! "
      "avenc_aac ! aacparse ! appsink name=a sync=false",
      &error));
  ASSERT_EQ(error, nullptr) << error->message;
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  struct Packet {
    MediaKind kind;
    GstSample* sample;
    GstClockTime arrival;  // when an encoder would hand it over
  };
  std::vector<Packet> packets;
  for (auto [name, kind] : {std::pair{"v", MediaKind::kVideo}, std::pair{"a", MediaKind::kAudio}}) {
    // gst_bin_get_by_name returns a full reference: held as it is (a
    // ref_sink would add a second one and leak both appsinks).
    ElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), name));
    while (GstSample* sample =
               gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 5 * GST_SECOND)) {
      GstBuffer* buffer = gst_sample_get_buffer(sample);
      const GstSegment* segment = gst_sample_get_segment(sample);
      const GstClockTime pts =
          gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
      // The audio comes out 80 ms after the video of the same moment.
      packets.push_back({kind, sample, pts + (kind == MediaKind::kAudio ? 80 : 0) * GST_MSECOND});
    }
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  std::stable_sort(packets.begin(), packets.end(),
                   [](const Packet& a, const Packet& b) { return a.arrival < b.arrival; });
  ASSERT_GT(packets.size(), 200u);

  FlvPackager flv;
  std::vector<GstBuffer*> tags;
  for (const Packet& p : packets) {
    GstBuffer* buffer = gst_buffer_copy(gst_sample_get_buffer(p.sample));
    const GstSegment* segment = gst_sample_get_segment(p.sample);
    GST_BUFFER_PTS(buffer) =
        gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    GST_BUFFER_DTS(buffer) =
        GST_BUFFER_DTS_IS_VALID(buffer)
            ? gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_DTS(buffer))
            : GST_BUFFER_PTS(buffer);
    flv.push(p.kind, buffer, gst_sample_get_caps(p.sample), tags);
    gst_sample_unref(p.sample);
  }
  flv.flush(tags);
  ASSERT_FALSE(flv.streamHeader().empty());

  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("yst-flv-test-" + std::to_string(getpid()) + ".flv");
  {
    std::ofstream out(path, std::ios::binary);
    GstBuffer* file_header = flvFileHeader(true, true);
    std::vector<GstBuffer*> all = {file_header};
    all.insert(all.end(), flv.streamHeader().begin(), flv.streamHeader().end());
    all.insert(all.end(), tags.begin(), tags.end());
    for (GstBuffer* b : all) {
      const std::vector<std::uint8_t> data = bytes(b);
      out.write(reinterpret_cast<const char*>(data.data()),
                static_cast<std::streamsize>(data.size()));
    }
    gst_buffer_unref(file_header);
  }
  for (GstBuffer* tag : tags) gst_buffer_unref(tag);

  auto run = [](const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    char line[512];
    while (p && fgets(line, sizeof line, p)) out += line;
    if (p) pclose(p);
    return out;
  };
  const std::string streams =
      run("ffprobe -v error -count_packets -show_entries "
          "stream=codec_name,width,height,nb_read_packets "
          "-of csv=p=0 '" +
          path.string() + "' 2>&1");
  EXPECT_NE(streams.find("h264,320,180,90"), std::string::npos) << streams;
  EXPECT_NE(streams.find("aac"), std::string::npos) << streams;
  const std::string errors = run("ffmpeg -v error -i '" + path.string() + "' -f null - 2>&1");
  EXPECT_EQ(errors, "") << "decoding the stream must print no error";
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace yst::streaming
