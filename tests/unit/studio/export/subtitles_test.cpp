// The subtitles: cue times at the edges of a show (0, the hour, the last
// millisecond of one), the transcript's lines as cues on the recording's
// clock, and what a hostile question does to each format: a question that
// writes its own cue over the whole video, tags, override blocks. The files
// are read back as players read them.
#include "studio/export/subtitles.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/studio/export/readers.h"

namespace yst::exporter {
namespace {

using store::TranscriptLine;

// A question that tries to end its cue and add one of its own.
const std::string kCueInjection = "请看\n00:00:00.000 --> 09:59:59.000\n本节目内容不实";

std::vector<Cue> hostileCues() {
  return {{1000, 3000, kCueInjection},
          {3000, 5000, "一\r二\r\n三\xE2\x80\xA8四\xE2\x80\xA9五"},
          {5000, 7000, "开头\n\n\n\n结尾"},
          {7000, 9000, "箭头 --> 在中间"},
          {9000, 11000, "<font color=\"red\">红字</font> <i>斜</i> & {\\an8}顶部"},
          {11000, 13000, "\n\n前后都是空行\n\n"}};
}

TEST(SubtitleTime, MillisecondsAtTheEdges) {
  EXPECT_EQ(subtitleTime(0, ','), "00:00:00,000");
  EXPECT_EQ(subtitleTime(0, '.'), "00:00:00.000");
  EXPECT_EQ(subtitleTime(1, ','), "00:00:00,001");
  EXPECT_EQ(subtitleTime(999, '.'), "00:00:00.999") << "milliseconds are kept, never rounded";
  EXPECT_EQ(subtitleTime(1000, '.'), "00:00:01.000");
  EXPECT_EQ(subtitleTime(59999, ','), "00:00:59,999");
  EXPECT_EQ(subtitleTime(60000, ','), "00:01:00,000");
  EXPECT_EQ(subtitleTime(3599999, ','), "00:59:59,999");
  EXPECT_EQ(subtitleTime(3600000, ','), "01:00:00,000");
  EXPECT_EQ(subtitleTime(3600001, '.'), "01:00:00.001");
  EXPECT_EQ(subtitleTime(5400500, '.'), "01:30:00.500");
  EXPECT_EQ(subtitleTime(86399999, '.'), "23:59:59.999");
  EXPECT_EQ(subtitleTime(86400000, '.'), "24:00:00.000") << "no wrap at a day";
  EXPECT_EQ(subtitleTime(360000000, ','), "100:00:00,000");
  EXPECT_EQ(subtitleTime(-1, ','), "00:00:00,000");
}

TEST(Subtitles, AShowWithoutLinesHasEmptyFiles) {
  EXPECT_EQ(srt({}), "");
  EXPECT_EQ(vtt({}), "WEBVTT\n\n") << "a WebVTT file needs its signature even without cues";
  EXPECT_TRUE(readers::parseVtt(vtt({})).empty());
  EXPECT_TRUE(transcriptCues({}, 0, 0).empty());
}

TEST(Vtt, EachCueStaysOneCueWithItsOwnTiming) {
  const std::vector<Cue> cues = hostileCues();
  const std::string file = vtt(cues);
  const std::vector<readers::ParsedCue> parsed = readers::parseVtt(file);
  ASSERT_EQ(parsed.size(), cues.size()) << file;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    EXPECT_EQ(parsed[i].timing,
              subtitleTime(cues[i].start_ms, '.') + " --> " + subtitleTime(cues[i].end_ms, '.'));
    ASSERT_EQ(parsed[i].text.size(), 1u) << "cue " << i << " is not one line";
    // WebVTT: a payload never holds "-->" (§4.1), and < & > are escapes.
    EXPECT_EQ(parsed[i].text[0].find("-->"), std::string::npos) << parsed[i].text[0];
    EXPECT_EQ(parsed[i].text[0].find('<'), std::string::npos) << parsed[i].text[0];
  }
  EXPECT_EQ(parsed[0].text[0], "请看 00:00:00.000 --&gt; 09:59:59.000 本节目内容不实");
  EXPECT_EQ(parsed[1].text[0], "一 二 三 四 五");
  EXPECT_EQ(parsed[2].text[0], "开头 结尾");
  EXPECT_EQ(parsed[4].text[0],
            "&lt;font color=\"red\"&gt;红字&lt;/font&gt; &lt;i&gt;斜&lt;/i&gt; &amp; {\\an8}顶部");
  EXPECT_EQ(parsed[5].text[0], "前后都是空行");
}

TEST(Srt, EachCueStaysOneCueAndNoTagIsRead) {
  const std::vector<Cue> cues = hostileCues();
  const std::string file = srt(cues);
  const std::vector<readers::ParsedCue> parsed = readers::parseSrt(file);
  ASSERT_EQ(parsed.size(), cues.size()) << file;
  for (std::size_t i = 0; i < cues.size(); ++i) {
    EXPECT_EQ(parsed[i].timing,
              subtitleTime(cues[i].start_ms, ',') + " --> " + subtitleTime(cues[i].end_ms, ','));
    ASSERT_EQ(parsed[i].text.size(), 1u) << "cue " << i << " is not one line";
    for (char c : {'<', '>', '{', '}'}) {
      EXPECT_EQ(parsed[i].text[0].find(c), std::string::npos) << parsed[i].text[0];
    }
  }
  EXPECT_EQ(parsed[0].text[0], "请看 00:00:00.000 --＞ 09:59:59.000 本节目内容不实");
  EXPECT_EQ(parsed[3].text[0], "箭头 --＞ 在中间");
  EXPECT_EQ(parsed[4].text[0], "＜font color=\"red\"＞红字＜/font＞ ＜i＞斜＜/i＞ & ｛\\an8｝顶部");
}

TEST(Srt, CuesAroundTheHourKeepTheirOwnTimes) {
  const std::string file = srt({{3599000, 3600000, "整点前"}, {3600000, 3602500, "整点"}});
  EXPECT_EQ(file,
            "1\n00:59:59,000 --> 01:00:00,000\n整点前\n\n"
            "2\n01:00:00,000 --> 01:00:02,500\n整点\n\n");
}

TranscriptLine line(std::int64_t start_ms, std::int64_t end_ms, const std::string& text,
                    const std::string& speaker_name = "王芳", const std::string& kind = "typed") {
  TranscriptLine l;
  l.start_ms = start_ms;
  l.end_ms = end_ms;
  l.text = text;
  l.speaker_name = speaker_name;
  l.kind = kind;
  return l;
}

TEST(TranscriptCues, OnTheRecordingsClockWithTheSpeaker) {
  // The recording began 10 s into the session.
  const std::vector<Cue> cues =
      transcriptCues({line(9000, 12000, "录像之前"), line(10000, 15000, "欢迎收看。"),
                      line(20000, 21000, "请问局长", "网友提问", "question")},
                     10000, 0);
  ASSERT_EQ(cues.size(), 2u) << "a line said before the recording has no cue";
  EXPECT_EQ(cues[0].start_ms, 0);
  EXPECT_EQ(cues[0].end_ms, 5000);
  EXPECT_EQ(cues[0].text, "王芳：欢迎收看。");
  EXPECT_EQ(cues[1].start_ms, 10000);
  EXPECT_EQ(cues[1].text, "请问局长") << "a question is shown as asked, without a speaker";
}

TEST(TranscriptCues, AtLeastTwoSecondsButNeverOverTheNextLine) {
  const std::vector<Cue> cues =
      transcriptCues({line(0, 0, "一"), line(10000, 10100, "二"), line(20000, 30000, "三"),
                      line(21000, 22000, "四"), line(21100, 21200, "五")},
                     0, 0);
  ASSERT_EQ(cues.size(), 5u);
  EXPECT_EQ(cues[0].end_ms, 2000) << "typed in no time: still 2 s on screen";
  EXPECT_EQ(cues[1].end_ms, 12000);
  EXPECT_EQ(cues[2].end_ms, 21000) << "gives way to the next line";
  EXPECT_EQ(cues[3].end_ms, 21500) << "but stays 500 ms even when the next comes sooner";
  EXPECT_EQ(cues[4].end_ms, 23100) << "the last line: its own 2 s";
}

TEST(TranscriptCues, EndWithTheRecording) {
  const std::vector<Cue> cues = transcriptCues(
      {line(0, 1000, "一"), line(59000, 70000, "二"), line(60000, 61000, "录完以后")}, 0, 60000);
  ASSERT_EQ(cues.size(), 2u) << "a line at or after the end has no cue";
  EXPECT_EQ(cues[1].start_ms, 59000);
  EXPECT_EQ(cues[1].end_ms, 60000) << "cut at the recording's end";
  // One that begins in the last millisecond still lasts 1 ms.
  const std::vector<Cue> last = transcriptCues({line(59999, 59999, "最后")}, 0, 60000);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].end_ms, 60000);
  EXPECT_GT(last[0].end_ms, last[0].start_ms);
}

TEST(TranscriptCues, KeepTheLineAsTypedForTheFileToFold) {
  // The cue holds what was typed; srt() and vtt() make it one line.
  const std::vector<Cue> cues = transcriptCues({line(0, 1000, kCueInjection)}, 0, 0);
  ASSERT_EQ(cues.size(), 1u);
  EXPECT_EQ(cues[0].text, "王芳：" + kCueInjection);
  EXPECT_EQ(readers::parseSrt(srt(cues)).size(), 1u);
  EXPECT_EQ(readers::parseVtt(vtt(cues)).size(), 1u);
}

TEST(CuesStartingIn, FromIncludedToExcluded) {
  const std::vector<Cue> cues = {
      {0, 1, "a"}, {1000, 2000, "b"}, {2999, 4000, "c"}, {3000, 4000, "d"}};
  const std::vector<Cue> in = cuesStartingIn(cues, 1000, 3000);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].text, "b");
  EXPECT_EQ(in[1].text, "c");
  EXPECT_TRUE(cuesStartingIn(cues, 5000, 6000).empty());
  EXPECT_EQ(cuesStartingIn(cues, -2000, 1).size(), 1u) << "a window that begins before 0";
}

TEST(AssText, NoOverrideBlockAndLineBreaksAsAss) {
  EXPECT_EQ(assText("{\\an8}顶部"), "｛＼an8｝顶部");
  EXPECT_EQ(assText("{\\pos(0,0)}{\\c&H0000FF&}红"), "｛＼pos(0,0)｝｛＼c&H0000FF&｝红");
  EXPECT_EQ(assText("第一行\n第二行"), "第一行\\N第二行");
  EXPECT_EQ(assText("请问局长，医保卡怎么办理？"), "请问局长，医保卡怎么办理？");
  EXPECT_EQ(assText("<b>x</b>"), "<b>x</b>") << "mov_text reads no HTML";
  EXPECT_EQ(assText(""), "");
}

}  // namespace
}  // namespace yst::exporter
