// RAII handles for FFmpeg's objects, so that an error path (every FFmpeg call
// of the export can fail, and each failure throws) never leaks a context, a
// packet or a half-built chapter. As in Nageru's ffmpeg_raii.h, FFmpeg's
// types are only declared here: the header can be included without FFmpeg's
// headers, and only ffmpeg_raii.cpp knows how each one is freed.
//
// FFmpeg frees its objects in different ways (avformat_close_input for an
// input, avio_closep + avformat_free_context for an output, a pointer to the
// pointer for most), so each kind has its own deleter. An object that FFmpeg
// takes over once it is attached (a chapter added to an output, a dictionary
// handed to avformat_write_header) is held here until then and released into
// its owner.
#pragma once

#include <memory>
#include <string>

struct AVChapter;
struct AVCodec;
struct AVCodecContext;
struct AVDictionary;
struct AVFormatContext;
struct AVFrame;
struct AVPacket;
struct SwsContext;

namespace yst::exporter {

// A demuxer's context from avformat_open_input.
struct InputClose {
  void operator()(AVFormatContext* context) const;
};
using InputPtr = std::unique_ptr<AVFormatContext, InputClose>;

// A muxer's context from avformat_alloc_output_context2, with its file if
// avio_open opened one (closed first; a file without its trailer is what an
// error leaves).
struct OutputClose {
  void operator()(AVFormatContext* context) const;
};
using OutputPtr = std::unique_ptr<AVFormatContext, OutputClose>;

struct CodecContextFree {
  void operator()(AVCodecContext* context) const;
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;

struct PacketFree {
  void operator()(AVPacket* packet) const;
};
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;

struct FrameFree {
  void operator()(AVFrame* frame) const;
};
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;

struct SwsFree {
  void operator()(SwsContext* context) const;
};
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

struct DictionaryFree {
  void operator()(AVDictionary* dictionary) const;
};
using DictionaryPtr = std::unique_ptr<AVDictionary, DictionaryFree>;

// A chapter made with av_mallocz, with its metadata, until an output's
// chapter list owns it.
struct ChapterFree {
  void operator()(AVChapter* chapter) const;
};
using ChapterPtr = std::unique_ptr<AVChapter, ChapterFree>;

// FFmpeg returns null from these only when memory runs out: they throw
// std::bad_alloc then, so no caller dereferences a null.
PacketPtr allocPacket();
FramePtr allocFrame();
CodecContextPtr allocCodecContext(const AVCodec* codec);
ChapterPtr allocChapter();

// FFmpeg's words for one of its negative error codes ("No such file or
// directory", "Invalid data found when processing input").
std::string averrorText(int code);

}  // namespace yst::exporter
