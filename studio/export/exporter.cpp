#include "studio/export/exporter.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "studio/export/questions_csv.h"
#include "studio/export/session.h"
#include "studio/export/subtitles.h"
#include "studio/export/text_record.h"

namespace yst::exporter {

namespace fs = std::filesystem;
using nlohmann::json;
using questions::Question;
using questions::Status;

namespace {

// --- FFmpeg handles, freed on every path ---
struct InputDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;
struct OutputDeleter {
  void operator()(AVFormatContext* c) const {
    if (c && c->pb && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
using OutputPtr = std::unique_ptr<AVFormatContext, OutputDeleter>;
struct CodecDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecPtr = std::unique_ptr<AVCodecContext, CodecDeleter>;
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

std::string averror(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

void check(int code, const std::string& what) {
  if (code < 0) throw ExportError(what + ": " + averror(code));
}

std::string shortTitle(const std::string& text, std::size_t chars) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size() && n < chars; ++n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    out.append(text, i, len);
    i += len;
  }
  return out.size() < text.size() ? out + "…" : out;
}

void writeFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw ExportError("cannot write " + path.string());
}

// --- media ---

// The recording's streams and its clock: packet times on the recording's
// own scale start at `first_ms`.
struct Probe {
  std::int64_t first_ms = 0;
  std::int64_t duration_ms = 0;
  int video = -1;
  int audio = -1;
};

InputPtr openInput(const std::string& path) {
  AVFormatContext* raw = nullptr;
  check(avformat_open_input(&raw, path.c_str(), nullptr, nullptr), "cannot open " + path);
  InputPtr in(raw);
  check(avformat_find_stream_info(in.get(), nullptr), "cannot read the streams of " + path);
  return in;
}

std::int64_t toMs(std::int64_t ts, AVRational tb) {
  return av_rescale_q(ts, tb, AVRational{1, 1000});
}

Probe probe(const std::string& path) {
  InputPtr in = openInput(path);
  Probe p;
  p.video = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  p.audio = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (p.video < 0) throw ExportError(path + " has no video");
  // A recording that was finished says how long it is; an hour is then not
  // read twice.
  if (in->duration > 0 && in->start_time != AV_NOPTS_VALUE &&
      in->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
    p.first_ms = in->start_time / 1000;
    p.duration_ms = in->duration / 1000;
    return p;
  }
  // Read through: a recording cut by kill -9 has no duration in its header.
  PacketPtr pkt(av_packet_alloc());
  std::int64_t first = INT64_MAX, last = 0;
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    const AVRational tb = in->streams[pkt->stream_index]->time_base;
    const std::int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts != AV_NOPTS_VALUE) {
      const std::int64_t ms = toMs(ts, tb);
      first = std::min(first, ms);
      last = std::max(last, ms + toMs(pkt->duration, tb));
    }
    av_packet_unref(pkt.get());
  }
  p.first_ms = first == INT64_MAX ? 0 : first;
  p.duration_ms = std::max<std::int64_t>(0, last - p.first_ms);
  return p;
}

const char* kAssHeader =
    "[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n"
    "[V4+ Styles]\r\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
    "OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
    "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
    "Style: Default,Noto Sans CJK "
    "SC,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n\r\n"
    "[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, "
    "Text\r\n";

// A mov_text (MP4 timed text) encoder for the transcript track.
CodecPtr subtitleEncoder() {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MOV_TEXT);
  if (!codec) throw ExportError("FFmpeg has no mov_text encoder");
  CodecPtr ctx(avcodec_alloc_context3(codec));
  ctx->time_base = {1, 1000};
  ctx->subtitle_header = static_cast<uint8_t*>(av_mallocz(std::strlen(kAssHeader) + 1));
  std::memcpy(ctx->subtitle_header, kAssHeader, std::strlen(kAssHeader));
  ctx->subtitle_header_size = static_cast<int>(std::strlen(kAssHeader));
  check(avcodec_open2(ctx.get(), codec, nullptr), "cannot open the mov_text encoder");
  return ctx;
}

struct Chapter {
  std::int64_t start_ms;
  std::int64_t end_ms;
  std::string title;
};

// One recording file placed on the program clock (0 = the first packet of
// the session's first recording): a resumed session, or an archive that
// restarted after a disk error, has several, with the time between them as
// a gap.
struct Part {
  std::string path;
  Probe probe;
  std::int64_t at_ms = 0;  // where its first packet sits on the program clock
  std::int64_t end() const { return at_ms + probe.duration_ms; }
};

// Copies [from_ms, to_ms) of the program clock (to_ms <= 0: to the end) from
// the parts to an MP4, from the keyframe at or before from_ms, without
// re-encoding; adds the cues as a mov_text track and the chapters. The
// parts share the first one's codec parameters (exportSession checks).
// Returns the output's video duration in ms.
std::int64_t remux(const std::vector<Part>& parts, const fs::path& output, std::int64_t from_ms,
                   std::int64_t to_ms, const std::vector<Cue>& cue_list,
                   const std::vector<Chapter>& chapters,
                   const std::map<std::string, std::string>& metadata,
                   const std::atomic<bool>* cancel) {
  const Probe& p0 = parts.front().probe;
  InputPtr first = openInput(parts.front().path);
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, "mp4", output.c_str()),
        "cannot create " + output.string());
  OutputPtr out(raw);
  AVStream* out_video = nullptr;
  AVStream* out_audio = nullptr;
  for (int index : {p0.video, p0.audio}) {
    if (index < 0) continue;
    AVStream* s = avformat_new_stream(out.get(), nullptr);
    check(avcodec_parameters_copy(s->codecpar, first->streams[index]->codecpar),
          "stream parameters");
    s->codecpar->codec_tag = 0;
    s->time_base = first->streams[index]->time_base;
    (index == p0.video ? out_video : out_audio) = s;
  }
  first.reset();
  CodecPtr sub_encoder = subtitleEncoder();
  AVStream* sub = avformat_new_stream(out.get(), nullptr);
  check(avcodec_parameters_from_context(sub->codecpar, sub_encoder.get()), "subtitle parameters");
  sub->time_base = {1, 1000};
  av_dict_set(&sub->metadata, "language", "chi", 0);
  av_dict_set(&sub->metadata, "handler_name", "图文实录", 0);
  for (const auto& [key, value] : metadata)
    av_dict_set(&out->metadata, key.c_str(), value.c_str(), 0);
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    auto* ch = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
    ch->id = static_cast<int64_t>(i + 1);
    ch->time_base = {1, 1000};
    ch->start = chapters[i].start_ms;
    ch->end = chapters[i].end_ms;
    av_dict_set(&ch->metadata, "title", chapters[i].title.c_str(), 0);
    check(av_dynarray_add_nofree(&out->chapters, reinterpret_cast<int*>(&out->nb_chapters), ch),
          "chapters");
  }
  check(avio_open(&out->pb, output.c_str(), AVIO_FLAG_WRITE), "cannot write " + output.string());
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);
  const int header = avformat_write_header(out.get(), &opts);
  av_dict_free(&opts);
  check(header, "cannot write the MP4 header of " + output.string());

  std::int64_t base_ms = -1;  // the first kept keyframe, on the program clock
  std::int64_t last_video_ms = 0;
  std::size_t next_cue = 0;
  std::vector<uint8_t> sub_buffer(64 * 1024);
  auto writeCues = [&](std::int64_t until_ms) {
    // Cues on the output's clock: program time minus base.
    for (; next_cue < cue_list.size(); ++next_cue) {
      const Cue& c = cue_list[next_cue];
      const std::int64_t start = c.start_ms - base_ms;
      if (start > until_ms) break;
      if (start < 0) continue;
      const std::string ass = "0,0,Default,,0,0,0,," + assText(c.text);
      AVSubtitleRect rect{};
      rect.type = SUBTITLE_ASS;
      rect.ass = const_cast<char*>(ass.c_str());
      AVSubtitleRect* rects[] = {&rect};
      AVSubtitle subtitle{};
      subtitle.num_rects = 1;
      subtitle.rects = rects;
      subtitle.start_display_time = 0;
      subtitle.end_display_time = static_cast<uint32_t>(c.end_ms - c.start_ms);
      subtitle.pts = av_rescale_q(start, AVRational{1, 1000}, AV_TIME_BASE_Q);
      const int size = avcodec_encode_subtitle(sub_encoder.get(), sub_buffer.data(),
                                               static_cast<int>(sub_buffer.size()), &subtitle);
      if (size <= 0) continue;
      PacketPtr sp(av_packet_alloc());
      check(av_new_packet(sp.get(), size), "subtitle packet");
      std::memcpy(sp->data, sub_buffer.data(), static_cast<std::size_t>(size));
      sp->stream_index = sub->index;
      sp->pts = sp->dts = av_rescale_q(start, AVRational{1, 1000}, sub->time_base);
      sp->duration = av_rescale_q(c.end_ms - c.start_ms, AVRational{1, 1000}, sub->time_base);
      check(av_interleaved_write_frame(out.get(), sp.get()), "writing a subtitle");
    }
  };
  struct Held {
    PacketPtr packet;
    AVRational time_base;
    std::int64_t shift_ms;  // program clock minus the packet's own clock
    bool video;
  };
  auto write = [&](AVPacket* packet, AVRational tb, std::int64_t shift_ms, bool video) {
    const std::int64_t ts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
    const std::int64_t ms = ts == AV_NOPTS_VALUE ? base_ms : toMs(ts, tb) + shift_ms;
    writeCues(ms - base_ms);
    const std::int64_t shift = av_rescale_q(shift_ms - base_ms, AVRational{1, 1000}, tb);
    if (packet->pts != AV_NOPTS_VALUE) packet->pts += shift;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts += shift;
    AVStream* os = video ? out_video : out_audio;
    av_packet_rescale_ts(packet, tb, os->time_base);
    if (video) last_video_ms = ms - base_ms + toMs(packet->duration, os->time_base);
    packet->stream_index = os->index;
    packet->pos = -1;
    check(av_interleaved_write_frame(out.get(), packet), "writing " + output.string());
  };
  // Until `from_ms`, the packets since the latest keyframe at or before it
  // are held back: the clip starts at that keyframe whether the seek landed
  // exactly there, earlier, or (a recording cut by kill -9 has no index) at
  // the very beginning.
  std::vector<Held> held;
  bool started = false;
  bool done = false;
  PacketPtr pkt(av_packet_alloc());
  for (const Part& part : parts) {
    if (done) break;
    if (to_ms > 0 && part.at_ms >= to_ms) break;
    // Wholly before the start: a later part (each is written from its first
    // keyframe) has the clip's first picture.
    if (part.end() < from_ms && &part != &parts.back()) continue;
    const Probe& p = part.probe;
    InputPtr in = openInput(part.path);
    const std::int64_t shift_ms = part.at_ms - p.first_ms;
    const AVRational vtb = in->streams[p.video]->time_base;
    if (from_ms > part.at_ms) {
      const std::int64_t target = av_rescale_q(from_ms - shift_ms, AVRational{1, 1000}, vtb);
      av_seek_frame(in.get(), p.video, target, AVSEEK_FLAG_BACKWARD);
    }
    bool part_keyed = false;  // a part is written from its first keyframe on
    while (av_read_frame(in.get(), pkt.get()) >= 0) {
      if (cancel && cancel->load(std::memory_order_relaxed)) throw ExportError("cancelled");
      const int index = pkt->stream_index;
      if (index != p.video && (index != p.audio || !out_audio)) {
        av_packet_unref(pkt.get());
        continue;
      }
      const AVRational tb = in->streams[index]->time_base;
      const std::int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      const std::int64_t at = (ts == AV_NOPTS_VALUE ? p.first_ms : toMs(ts, tb)) + shift_ms;
      const bool video = index == p.video;
      const bool key = video && (pkt->flags & AV_PKT_FLAG_KEY);
      if (to_ms > 0 && at >= to_ms) {
        av_packet_unref(pkt.get());
        if (video) {
          done = true;
          break;
        }
        continue;
      }
      if (key) part_keyed = true;
      if (!part_keyed) {
        av_packet_unref(pkt.get());  // nothing to decode it from
        continue;
      }
      if (!started) {
        if (key && at <= from_ms) {
          held.clear();  // a later keyframe, still at or before the start
          base_ms = at;
        } else if (base_ms < 0) {
          base_ms = at;  // no keyframe before the start: begin at the first one after
        } else if (at >= from_ms) {
          started = true;
          for (Held& h : held) write(h.packet.get(), h.time_base, h.shift_ms, h.video);
          held.clear();
        }
        if (!started) {
          if (at >= base_ms)
            held.push_back({PacketPtr(av_packet_clone(pkt.get())), tb, shift_ms, video});
          av_packet_unref(pkt.get());
          continue;
        }
      }
      if (at < base_ms) {
        av_packet_unref(pkt.get());
        continue;
      }
      write(pkt.get(), tb, shift_ms, video);
      av_packet_unref(pkt.get());
    }
  }
  // A program that ends before the start.
  for (Held& h : held) write(h.packet.get(), h.time_base, h.shift_ms, h.video);
  if (base_ms < 0) base_ms = 0;
  writeCues(INT64_MAX / 2);
  check(av_write_trailer(out.get()), "finishing " + output.string());
  return last_video_ms;
}

// One frame as JPEG: the first keyframe at or after at_ms.
void poster(const std::string& input, const Probe& p, std::int64_t at_ms, const fs::path& output) {
  InputPtr in = openInput(input);
  AVStream* vs = in->streams[p.video];
  const AVCodec* decoder = avcodec_find_decoder(vs->codecpar->codec_id);
  if (!decoder) throw ExportError("no decoder for the recording's video");
  CodecPtr dec(avcodec_alloc_context3(decoder));
  check(avcodec_parameters_to_context(dec.get(), vs->codecpar), "decoder parameters");
  check(avcodec_open2(dec.get(), decoder, nullptr), "cannot open the video decoder");
  av_seek_frame(in.get(), p.video,
                av_rescale_q(p.first_ms + at_ms, AVRational{1, 1000}, vs->time_base),
                AVSEEK_FLAG_BACKWARD);
  PacketPtr pkt(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  bool got = false;
  while (!got && av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == p.video && avcodec_send_packet(dec.get(), pkt.get()) >= 0) {
      got = avcodec_receive_frame(dec.get(), frame.get()) >= 0;
    }
    av_packet_unref(pkt.get());
  }
  if (!got) {
    avcodec_send_packet(dec.get(), nullptr);
    got = avcodec_receive_frame(dec.get(), frame.get()) >= 0;
  }
  if (!got) throw ExportError("no frame could be decoded for the poster");
  const AVCodec* mjpeg = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!mjpeg) throw ExportError("FFmpeg has no JPEG encoder");
  CodecPtr enc(avcodec_alloc_context3(mjpeg));
  enc->width = frame->width;
  enc->height = frame->height;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->time_base = {1, 25};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * 3;
  check(avcodec_open2(enc.get(), mjpeg, nullptr), "cannot open the JPEG encoder");
  FramePtr jpeg_in(av_frame_alloc());
  jpeg_in->format = enc->pix_fmt;
  jpeg_in->width = enc->width;
  jpeg_in->height = enc->height;
  check(av_frame_get_buffer(jpeg_in.get(), 0), "poster frame");
  SwsContext* sws =
      sws_getContext(frame->width, frame->height, static_cast<AVPixelFormat>(frame->format),
                     enc->width, enc->height, enc->pix_fmt, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!sws) throw ExportError("cannot convert the poster frame");
  sws_scale(sws, frame->data, frame->linesize, 0, frame->height, jpeg_in->data, jpeg_in->linesize);
  sws_freeContext(sws);
  jpeg_in->pts = 0;
  check(avcodec_send_frame(enc.get(), jpeg_in.get()), "encoding the poster");
  avcodec_send_frame(enc.get(), nullptr);
  PacketPtr out(av_packet_alloc());
  check(avcodec_receive_packet(enc.get(), out.get()), "encoding the poster");
  writeFile(output, std::string(reinterpret_cast<const char*>(out->data),
                                static_cast<std::size_t>(out->size)));
}

}  // namespace

ExportResult exportSession(const ExportOptions& o) {
  if (o.out_dir.empty()) throw ExportError("no output folder");
  if (o.language == Language::kInvalid) throw ExportError("no such language (zh or en)");
  const std::string db_path = o.data_dir + "/yishiting.db";
  if (!fs::is_regular_file(db_path)) throw ExportError("no database in " + o.data_dir);
  const Session s = loadSession(db_path, o.session_id);
  ExportResult result;
  const fs::path out(o.out_dir);
  fs::create_directories(out);
  auto write = [&](const std::string& name, const std::string& content) {
    writeFile(out / name, content);
    result.files.push_back(name);
  };
  if (s.ended_at.empty()) {
    result.warnings.push_back(
        "the session has no end: the studio did not close it (killed or still running)");
  }

  const std::vector<const Question*> aired = airedQuestions(s);
  const RecordHead head = recordHead(s);
  write("transcript.md", markdownRecord(head, s.lines, o.language));
  write("transcript.html", htmlRecord(head, s.lines, o.language));
  write("transcript.json", jsonRecord(s));
  write("questions.csv", questionsCsv(s.questions, s.votes, o.language));

  // The recordings, in order, on one program clock.
  std::vector<Part> parts;
  if (s.recordings.empty()) {
    result.warnings.push_back(
        "no recording: program.mp4, clips, subtitles and poster.jpg are missing");
  }
  std::int64_t offset = 0;  // the session timeline at the program clock's 0
  AVCodecParameters* first_video = nullptr;
  AVCodecParameters* first_audio = nullptr;
  InputPtr first_input;
  for (const Recording& rec : s.recordings) {
    const std::string path =
        fs::path(rec.path).is_absolute() ? rec.path : (fs::path(o.data_dir) / rec.path).string();
    const std::string name = fs::path(rec.path).filename().string();
    if (!fs::is_regular_file(path)) {
      result.warnings.push_back("the recording " + rec.path + " is missing: its part of the show " +
                                "is not in the video");
      continue;
    }
    Part part;
    part.path = path;
    InputPtr in;
    try {
      part.probe = probe(path);
      in = openInput(path);
    } catch (const ExportError& e) {
      result.warnings.push_back("the recording " + name + " cannot be read: " + e.what());
      continue;
    }
    if (rec.ended_at.empty()) {
      result.warnings.push_back("the recording " + name +
                                " did not end cleanly (the studio was killed): exported what was "
                                "recorded, " +
                                timecode(part.probe.duration_ms));
    }
    if (parts.empty()) {
      offset = rec.offset_ms;
      first_input = std::move(in);
      first_video = first_input->streams[part.probe.video]->codecpar;
      first_audio =
          part.probe.audio >= 0 ? first_input->streams[part.probe.audio]->codecpar : nullptr;
    } else {
      // Packets are copied, so every part must be the same video and audio.
      const AVCodecParameters* v = in->streams[part.probe.video]->codecpar;
      const AVCodecParameters* a =
          part.probe.audio >= 0 ? in->streams[part.probe.audio]->codecpar : nullptr;
      const bool same_video = v->codec_id == first_video->codec_id &&
                              v->width == first_video->width && v->height == first_video->height;
      const bool same_audio =
          (a == nullptr) == (first_audio == nullptr) &&
          (!a ||
           (a->codec_id == first_audio->codec_id && a->sample_rate == first_audio->sample_rate &&
            a->ch_layout.nb_channels == first_audio->ch_layout.nb_channels));
      if (!same_video || !same_audio) {
        result.warnings.push_back("the recording " + name +
                                  " has a different picture size or format than the first (the "
                                  "show file changed between runs): it is not in program.mp4");
        continue;
      }
    }
    // Where the session timeline says it began; never over the part before.
    part.at_ms = rec.offset_ms - offset;
    if (!parts.empty()) part.at_ms = std::max(part.at_ms, parts.back().end());
    parts.push_back(std::move(part));
  }
  first_input.reset();

  std::vector<json> clips;
  if (!parts.empty()) {
    const std::int64_t duration_ms = parts.back().end();
    const std::vector<Cue> all = transcriptCues(s.lines, offset, duration_ms);
    write("subtitles.srt", srt(all));
    write("subtitles.vtt", vtt(all));
    std::vector<Chapter> chapters;
    for (std::size_t i = 0; i < aired.size(); ++i) {
      const Question* q = aired[i];
      const std::int64_t start = q->aired_ms - offset;
      if (start < 0 || start >= duration_ms) continue;
      std::int64_t end = q->answered_ms >= 0 ? q->answered_ms - offset : duration_ms;
      if (i + 1 < aired.size()) end = std::min(end, aired[i + 1]->aired_ms - offset);
      end = std::clamp<std::int64_t>(end, start + 1, duration_ms);
      chapters.push_back(
          {start, end, "Q" + std::to_string(q->id) + " · " + shortTitle(oneLine(q->text()), 16)});
    }
    std::map<std::string, std::string> meta = {{"title", s.title},
                                               {"date", s.started_at.substr(0, 10)},
                                               {"comment", "温网议事厅 图文实录与节目录像"}};
    std::string guests;
    for (const std::string& g : guestLines(s)) guests += (guests.empty() ? "" : "、") + g;
    if (!guests.empty()) meta["artist"] = guests;
    if (!hostLine(s).empty()) meta["composer"] = hostLine(s);
    remux(parts, out / "program.mp4", 0, 0, all, chapters, meta, o.cancel);
    result.files.push_back("program.mp4");

    fs::create_directories(out / "clips");
    for (const Chapter& c : chapters) {
      const std::string id = c.title.substr(1, c.title.find(' ') - 1);
      const std::string name = "clips/q" + id + ".mp4";
      std::vector<Cue> clip_cues;
      for (const Cue& cue : all) {
        if (cue.start_ms >= c.start_ms - 2000 && cue.start_ms < c.end_ms) clip_cues.push_back(cue);
      }
      std::map<std::string, std::string> clip_meta = meta;
      clip_meta["title"] = c.title;
      const std::int64_t duration =
          remux(parts, out / name, c.start_ms, c.end_ms, clip_cues, {}, clip_meta, o.cancel);
      result.files.push_back(name);
      clips.push_back({{"file", name},
                       {"question", std::stoll(id)},
                       {"from_ms", c.start_ms},
                       {"to_ms", c.end_ms},
                       {"duration_ms", duration}});
    }
    std::int64_t poster_at =
        aired.empty() ? duration_ms / 10
                      : std::max<std::int64_t>(0, aired.front()->aired_ms - offset + 1000);
    // The part that has it (a time in a gap takes the next part's start).
    const Part* poster_part = &parts.back();
    for (const Part& part : parts) {
      if (poster_at < part.end()) {
        poster_part = &part;
        break;
      }
    }
    poster_at =
        std::clamp<std::int64_t>(poster_at - poster_part->at_ms, 0,
                                 std::max<std::int64_t>(0, poster_part->probe.duration_ms - 1000));
    try {
      poster(poster_part->path, poster_part->probe, poster_at, out / "poster.jpg");
      result.files.push_back("poster.jpg");
    } catch (const ExportError& e) {
      result.warnings.push_back(std::string("no poster: ") + e.what());
    }
  }

  // Summary.
  std::map<std::string, int> by_status, by_reason;
  for (const Question& q : s.questions) {
    ++by_status[std::string(questions::statusName(q.status))];
    if (q.status == Status::kRejected)
      ++by_reason[std::string(questions::rejectReasonName(q.reject_reason))];
  }
  const std::int64_t recorded_ms = parts.empty() ? 0 : parts.back().end();
  std::int64_t span_ms = recorded_ms;
  if (!s.questions.empty()) {
    std::int64_t last = 0;
    for (const Question& q : s.questions) last = std::max(last, q.received_ms);
    span_ms = std::max(span_ms, last);
  }
  const double minutes = std::max(1.0, span_ms / 60000.0);
  write("summary.json",
        json{{"session", s.id},
             {"title", s.title},
             {"started_at", s.started_at},
             {"ended_at", s.ended_at.empty() ? json() : json(s.ended_at)},
             {"questions", s.questions.size()},
             {"by_status", by_status},
             {"rejected_by_reason", by_reason},
             {"aired", aired.size()},
             {"unanswered_for_follow_up",
              std::count_if(s.questions.begin(), s.questions.end(), awaitsFollowUp)},
             {"questions_per_minute", std::round(s.questions.size() / minutes * 100) / 100},
             {"peak_viewers", s.peak_viewers},
             {"transcript_lines", s.lines.size()},
             {"recording_ms", parts.empty() ? json() : json(recorded_ms)},
             {"recordings", parts.size()},
             {"source_recordings", s.recordings.size()},  // rows in the database
             // The session timeline at program.mp4's 0: a line at start_ms
             // is at (start_ms - program_offset_ms) in the video.
             {"program_offset_ms", parts.empty() ? json() : json(offset)},
             {"clips", clips},
             {"warnings", result.warnings}}
                .dump(2) +
            "\n");
  return result;
}

}  // namespace yst::exporter
