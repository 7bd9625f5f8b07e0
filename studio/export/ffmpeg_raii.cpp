#include "studio/export/ffmpeg_raii.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

#include <new>

namespace yst::exporter {

void InputClose::operator()(AVFormatContext* context) const {
  avformat_close_input(&context);
}

void OutputClose::operator()(AVFormatContext* context) const {
  if (context && context->pb && !(context->oformat->flags & AVFMT_NOFILE)) {
    avio_closep(&context->pb);
  }
  avformat_free_context(context);
}

void CodecContextFree::operator()(AVCodecContext* context) const {
  avcodec_free_context(&context);
}

void PacketFree::operator()(AVPacket* packet) const {
  av_packet_free(&packet);
}

void FrameFree::operator()(AVFrame* frame) const {
  av_frame_free(&frame);
}

void SwsFree::operator()(SwsContext* context) const {
  sws_freeContext(context);
}

void DictionaryFree::operator()(AVDictionary* dictionary) const {
  av_dict_free(&dictionary);
}

void ChapterFree::operator()(AVChapter* chapter) const {
  if (!chapter) return;
  av_dict_free(&chapter->metadata);
  av_free(chapter);
}

PacketPtr allocPacket() {
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw std::bad_alloc();
  return packet;
}

FramePtr allocFrame() {
  FramePtr frame(av_frame_alloc());
  if (!frame) throw std::bad_alloc();
  return frame;
}

CodecContextPtr allocCodecContext(const AVCodec* codec) {
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!context) throw std::bad_alloc();
  return context;
}

ChapterPtr allocChapter() {
  ChapterPtr chapter(static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter))));
  if (!chapter) throw std::bad_alloc();
  return chapter;
}

std::string averrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

}  // namespace yst::exporter
