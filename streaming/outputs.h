// The three kinds of output: a partner site (RTMP, RTMPS or SRT), the archive
// recording and HLS for the viewer page. Each only makes the transport of an
// attempt (transport.h): how to mux and where to write, or for RTMP the
// studio's own client; Output does the rest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "streaming/output.h"
#include "streaming/output_types.h"

namespace yst::streaming {

class Destination : public Output {
  Q_OBJECT
 public:
  explicit Destination(DestinationSpec spec, QObject* parent = nullptr);
  const DestinationSpec& spec() const { return spec_; }

 protected:
  // RTMP and RTMPS: RtmpTransport; SRT: a pipeline to srtsink.
  std::unique_ptr<Transport> makeTransport() override;

 private:
  DestinationSpec spec_;
};

// A crash-safe recording: single-file Matroska. After `kill -9` every cluster
// written so far is decodable (measured: Matroska kept every frame, fragmented
// MP4 lost ~1 s, plain MP4 everything). Each (re)start opens a new file.
class Archive : public Output {
  Q_OBJECT
 public:
  // Files go to directory/<stem>-<n>.mkv.
  Archive(std::string directory, std::string stem, QObject* parent = nullptr);
  const std::string& currentPath() const { return path_; }

 protected:
  // Picks the next file name (a part that never went live gives its number
  // back), then a pipeline to it.
  std::unique_ptr<Transport> makeTransport() override;
  // Recording once a second has been written without an error: a part that
  // fails at its first writes (a full disk) never counts as recording.
  int liveAfterMs() const override { return 1000; }

 private:
  std::string directory_;
  std::string stem_;
  int part_ = 0;
  std::string path_;
  bool part_recorded_ = false;  // path_ went live: it is on record
};

// Program HLS: MPEG-TS segments of segment_s and a rolling playlist.
class Hls : public Output {
  Q_OBJECT
 public:
  Hls(std::string directory, int segment_s, int playlist_length, QObject* parent = nullptr);
  std::string playlistPath() const { return directory_ + "/program.m3u8"; }

 protected:
  std::unique_ptr<Transport> makeTransport() override;
  // Running once a second has been written without an error, as the
  // archive: on a full disk every segment fails at its first writes, and
  // the output must not flap to running between the retries.
  int liveAfterMs() const override { return 1000; }

 private:
  std::string directory_;
  int segment_s_;
  int playlist_length_;
};

}  // namespace yst::streaming
