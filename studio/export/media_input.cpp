#include "studio/export/media_input.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <algorithm>
#include <cstdint>

#include "studio/export/export_error.h"

namespace yst::exporter {

void check(int code, const std::string& what) {
  if (code < 0) throw ExportError(what + ": " + averrorText(code));
}

std::int64_t toMs(std::int64_t ts, AVRational time_base) {
  return av_rescale_q(ts, time_base, AVRational{1, 1000});
}

InputPtr openInput(const std::string& path) {
  AVFormatContext* raw = nullptr;
  check(avformat_open_input(&raw, path.c_str(), nullptr, nullptr), "cannot open " + path);
  InputPtr in(raw);
  check(avformat_find_stream_info(in.get(), nullptr), "cannot read the streams of " + path);
  return in;
}

Probe probe(const std::string& path) {
  InputPtr in = openInput(path);
  Probe p;
  p.video = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  p.audio = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (p.video < 0) throw ExportError(path + " has no video");
  const AVCodecParameters* v = in->streams[p.video]->codecpar;
  p.format.video_codec = v->codec_id;
  p.format.width = v->width;
  p.format.height = v->height;
  if (p.audio >= 0) {
    const AVCodecParameters* a = in->streams[p.audio]->codecpar;
    p.format.has_audio = true;
    p.format.audio_codec = a->codec_id;
    p.format.sample_rate = a->sample_rate;
    p.format.channels = a->ch_layout.nb_channels;
  }
  // A recording that was finished says how long it is; an hour is then not
  // read twice.
  if (in->duration > 0 && in->start_time != AV_NOPTS_VALUE &&
      in->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
    p.first_ms = in->start_time / 1000;
    p.duration_ms = in->duration / 1000;
    return p;
  }
  // Read through: a recording cut by kill -9 has no duration in its header.
  PacketPtr pkt = allocPacket();
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

}  // namespace yst::exporter
