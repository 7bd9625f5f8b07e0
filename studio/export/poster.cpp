#include "studio/export/poster.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include "studio/export/export_error.h"

namespace yst::exporter {

std::string posterJpeg(const std::string& input, const Probe& p, std::int64_t at_ms) {
  InputPtr in = openInput(input);
  AVStream* vs = in->streams[p.video];
  const AVCodec* decoder = avcodec_find_decoder(vs->codecpar->codec_id);
  if (!decoder) throw ExportError("no decoder for the recording's video");
  CodecContextPtr dec = allocCodecContext(decoder);
  check(avcodec_parameters_to_context(dec.get(), vs->codecpar), "decoder parameters");
  check(avcodec_open2(dec.get(), decoder, nullptr), "cannot open the video decoder");
  av_seek_frame(in.get(), p.video,
                av_rescale_q(p.first_ms + at_ms, AVRational{1, 1000}, vs->time_base),
                AVSEEK_FLAG_BACKWARD);
  PacketPtr pkt = allocPacket();
  FramePtr frame = allocFrame();
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
  CodecContextPtr enc = allocCodecContext(mjpeg);
  enc->width = frame->width;
  enc->height = frame->height;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->time_base = {1, 25};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * 3;
  check(avcodec_open2(enc.get(), mjpeg, nullptr), "cannot open the JPEG encoder");
  FramePtr jpeg_in = allocFrame();
  jpeg_in->format = enc->pix_fmt;
  jpeg_in->width = enc->width;
  jpeg_in->height = enc->height;
  check(av_frame_get_buffer(jpeg_in.get(), 0), "poster frame");
  const SwsPtr sws(sws_getContext(
      frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), enc->width,
      enc->height, enc->pix_fmt, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) throw ExportError("cannot convert the poster frame");
  sws_scale(sws.get(), frame->data, frame->linesize, 0, frame->height, jpeg_in->data,
            jpeg_in->linesize);
  jpeg_in->pts = 0;
  check(avcodec_send_frame(enc.get(), jpeg_in.get()), "encoding the poster");
  avcodec_send_frame(enc.get(), nullptr);
  PacketPtr out = allocPacket();
  check(avcodec_receive_packet(enc.get(), out.get()), "encoding the poster");
  return std::string(reinterpret_cast<const char*>(out->data), static_cast<std::size_t>(out->size));
}

}  // namespace yst::exporter
