#include "studio/export/remux.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mem.h>
}

#include <cstring>
#include <new>

#include "studio/export/export_error.h"

namespace yst::exporter {

namespace fs = std::filesystem;

namespace {

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
CodecContextPtr subtitleEncoder() {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MOV_TEXT);
  if (!codec) throw ExportError("FFmpeg has no mov_text encoder");
  CodecContextPtr ctx = allocCodecContext(codec);
  ctx->time_base = {1, 1000};
  // The context owns the header (avcodec_free_context frees it).
  const std::size_t header_size = std::strlen(kAssHeader);
  ctx->subtitle_header = static_cast<uint8_t*>(av_mallocz(header_size + 1));
  if (!ctx->subtitle_header) throw std::bad_alloc();
  std::memcpy(ctx->subtitle_header, kAssHeader, header_size);
  ctx->subtitle_header_size = static_cast<int>(header_size);
  check(avcodec_open2(ctx.get(), codec, nullptr), "cannot open the mov_text encoder");
  return ctx;
}

AVStream* newStream(AVFormatContext* out) {
  AVStream* s = avformat_new_stream(out, nullptr);
  if (!s) throw std::bad_alloc();
  return s;
}

void addChapter(AVFormatContext* out, std::size_t index, const Chapter& chapter) {
  ChapterPtr ch = allocChapter();
  ch->id = static_cast<int64_t>(index + 1);
  ch->time_base = {1, 1000};
  ch->start = chapter.start_ms;
  ch->end = chapter.end_ms;
  check(av_dict_set(&ch->metadata, "title", chapter.title.c_str(), 0), "chapter title");
  check(av_dynarray_add_nofree(&out->chapters, reinterpret_cast<int*>(&out->nb_chapters), ch.get()),
        "chapters");
  ch.release();  // the output's chapter list owns it now
}

}  // namespace

std::int64_t remux(const std::vector<Part>& parts, const fs::path& output,
                   const RemuxRequest& request, const std::atomic<bool>* cancel) {
  const std::int64_t from_ms = request.from_ms;
  const std::int64_t to_ms = request.to_ms;
  const std::vector<Cue>& cue_list = request.cues;
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
    AVStream* s = newStream(out.get());
    check(avcodec_parameters_copy(s->codecpar, first->streams[index]->codecpar),
          "stream parameters");
    s->codecpar->codec_tag = 0;
    s->time_base = first->streams[index]->time_base;
    (index == p0.video ? out_video : out_audio) = s;
  }
  first.reset();
  CodecContextPtr sub_encoder = subtitleEncoder();
  AVStream* sub = newStream(out.get());
  check(avcodec_parameters_from_context(sub->codecpar, sub_encoder.get()), "subtitle parameters");
  sub->time_base = {1, 1000};
  av_dict_set(&sub->metadata, "language", "chi", 0);
  av_dict_set(&sub->metadata, "handler_name", "图文实录", 0);
  for (const auto& [key, value] : request.metadata)
    av_dict_set(&out->metadata, key.c_str(), value.c_str(), 0);
  for (std::size_t i = 0; i < request.chapters.size(); ++i) {
    addChapter(out.get(), i, request.chapters[i]);
  }
  check(avio_open(&out->pb, output.c_str(), AVIO_FLAG_WRITE), "cannot write " + output.string());
  {
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    // avformat_write_header replaces the dictionary with what it did not use.
    const int header = avformat_write_header(out.get(), &opts);
    DictionaryPtr unused(opts);
    check(header, "cannot write the MP4 header of " + output.string());
  }

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
      PacketPtr sp = allocPacket();
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
  PacketPtr pkt = allocPacket();
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
          if (at >= base_ms) {
            PacketPtr copy(av_packet_clone(pkt.get()));
            if (!copy) throw std::bad_alloc();
            held.push_back({std::move(copy), tb, shift_ms, video});
          }
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

}  // namespace yst::exporter
