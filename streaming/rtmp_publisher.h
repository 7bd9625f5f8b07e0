// Publishing to a partner site over RTMP and RTMPS (Adobe RTMP 1.0, with the
// AMF0 command set every ingest server speaks: connect, releaseStream,
// FCPublish, createStream, publish).
//
// Why our own client and not rtmp2sink: the tags are ready on the encoder's
// thread (flv.h), and a tag is an RTMP message once it has a chunk header.
// rtmp2sink needs a pipeline per destination (appsrc's thread, then its own
// main loop) and takes one GTask and one asynchronous write per message:
// about 0.0045 cores per destination, most of an extra destination's 0.85 %
// of a core against ffmpeg's 0.15 %. Here the encoder's thread writes a
// frame's chunks with one non-blocking writev, as ffmpeg's tee does, and
// never waits: what the socket does not take stays in a bounded backlog
// sent first next time. A thread per destination connects and then sleeps in
// a read, waking only for the server's few messages (acknowledgements,
// pings, status). Measured (two studios at once, 4 rounds of 30 s): with 3
// destinations 0.566 -> 0.550 cores; one destination against three now
// 0.534 against 0.531, an extra destination below what the machine resolves.
//
// The wire format is in amf0.h and rtmp_chunks.h; what waits for a slow
// site and which frames are dropped for it, in send_queue.h; the FLV tags
// come from flv.h through rtmp_transport.h, which is what an Output owns.
//
// The server is not trusted: whatever it sends or stops reading, what we
// hold for it is bounded (the backlog, control answers included, unfinished
// messages, the values of a command), setting up has one overall deadline,
// its numbers are range-checked before any integer cast and its strings are
// cleaned before they reach a log or the status.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "streaming/amf0.h"
#include "streaming/gobject_ptr.h"
#include "streaming/rtmp_chunks.h"
#include "streaming/rtmp_wire.h"
#include "streaming/send_queue.h"

// GIO's types, declared here rather than by <gio/gio.h>: that header has a
// member named `signals`, which Qt defines as a macro in every file that
// includes Qt's headers before this one.
typedef struct _GCancellable GCancellable;
typedef struct _GSocketConnection GSocketConnection;
typedef struct _GIOStream GIOStream;
typedef struct _GInputStream GInputStream;
typedef struct _GOutputStream GOutputStream;
typedef struct _GOutputVector GOutputVector;

namespace yst::streaming {

namespace rtmp {

// A string the server sent (an onStatus code or description, an _error's
// text), fit for a log line and the status: invalid UTF-8, control and
// format characters (bidi overrides, zero-width) removed, tabs and newlines
// as spaces, whitespace runs collapsed and trimmed; every occurrence of a
// `secrets` entry (3 characters or more) replaced by "***" once that is done,
// so a control character inside the stream key cannot smuggle it through;
// then cut to `max_chars` code points, the last of them "…".
std::string cleanServerText(std::string_view raw, std::size_t max_chars,
                            const std::vector<std::string>& secrets = {});
// How much of each of the server's strings an error text quotes.
inline constexpr std::size_t kMaxServerTextChars = 200;

}  // namespace rtmp

// One attempt at publishing the program to one partner site.
//
// start() connects on a thread of its own: TCP (TLS for rtmps://), the
// handshake, connect, releaseStream, FCPublish, createStream, publish, all
// within publish_timeout_ms. When the server says NetStream.Publish.Start,
// ready() turns true and send() may be called. Anything that goes wrong
// (refused, unknown application, bad certificate, the server closes, the
// network drops, the server stops reading) is reported once through
// `on_error`, from whichever thread found it; the publisher is dead after
// that, and the owner makes a new one to retry.
class RtmpPublisher {
 public:
  using Failure = rtmp::Failure;
  // `text` names the partner site and the cause; no secrets are added, and
  // the server's own strings in it are cleaned (rtmp::cleanServerText).
  using ErrorHandler = std::function<void(Failure failure, const std::string& text)>;

  static constexpr std::size_t kChunkSize = 4096;  // announced to the server
  // What may wait in the backlog before frames are dropped (to the next
  // keyframe, once it is under a quarter of this; send_queue.h): about 6.7 s of a
  // 2.5 Mb/s program, 2.8 s at 6 Mb/s, on top of the socket's own buffer.
  // Viewers of a site that cannot keep up get gaps, not an ever longer delay.
  static constexpr std::size_t kMaxBacklog = 2 << 20;
  // What may wait at all, media and control answers together. Media stops
  // at kMaxBacklog but for sequence headers and the one send() under way,
  // and control answers are coalesced (below), so only a server that stops
  // reading while we must still queue for it gets here: the connection is
  // dropped (Failure::kBacklogFull) and the owner reconnects.
  static constexpr std::size_t kMaxBacklogTotal = 2 * kMaxBacklog;
  // A ping answer that has not gone out yet is replaced by the next one
  // rather than queued beside it (only the newest timestamp matters to the
  // server), as is an acknowledgement (the newest count covers the older).
  // A server that sends this many pings in a row while not taking the
  // answer to the first is flooding us (nginx pings once a minute): the
  // connection is dropped (Failure::kPingFlood).
  static constexpr int kMaxUnansweredPings = 100;
  // The server's window acknowledgement size is taken down to this, not
  // below: a window of 1 byte would have us answer each read with 16 bytes.
  // Real servers ask for 2.5 MB (SRS, YouTube) or 5 MB (nginx).
  static constexpr std::uint32_t kMinAckWindow = 4096;
  static constexpr int kConnectTimeoutS = 10;

  // `url`: rtmp[s]://host[:port]/app[/instance][?query]; `stream`: the
  // stream name (the secret key). With no key, the URL's last path segment
  // is the stream name (parseRtmpTarget in media_url.h reads them).
  RtmpPublisher(std::string url, std::string stream, bool tls_verify, ErrorHandler on_error);
  ~RtmpPublisher();  // close(0) if not closed yet
  RtmpPublisher(const RtmpPublisher&) = delete;
  RtmpPublisher& operator=(const RtmpPublisher&) = delete;

  // Tuning, before start(): from start() to publishing (DNS, TCP, TLS, the
  // handshake and the commands) at most this long, however the server
  // trickles its bytes; then Failure::kTimeout.
  int publish_timeout_ms = 10000;

  void start();
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // Sends FLV tags (flv.h: header, body, previous-tag size) as RTMP
  // messages without blocking; script tags go as @setDataFrame. Returns the
  // bytes the socket took in this call. One caller at a time.
  std::uint64_t send(GstBuffer* const* tags, std::size_t count);
  std::uint64_t droppedTags() const { return backlog_.dropped(); }
  // The most that waited in the backlog at once in this connection (bytes).
  std::size_t backlogPeakBytes() const { return backlog_.peakBytes(); }

  // Stops publishing: waits up to `timeout_ms` for the backlog and the
  // FCUnpublish and deleteStream commands to go out, then closes. Blocks:
  // never on the controller thread.
  void close(int timeout_ms);

 private:
  using Queued = SendQueue::Kind;

  void run();
  void connectSocket();
  void handshake();
  void publish();
  void readLoop();
  // Reads until a message arrives, answering control messages on the way.
  rtmp::Message readMessage();
  // Whether `message` was a control message, now handled.
  bool handleControl(const rtmp::Message& message);
  void command(const rtmp::AmfWriter& amf, std::uint32_t stream_id = 0);
  // A control message (acknowledgement, ping response): blocking during
  // setup, through the backlog once ready, replacing an unsent one of its
  // kind. Drops the connection when the server floods us with pings or the
  // backlog passes kMaxBacklogTotal.
  void sendControl(Queued kind, const std::string& bytes);
  // Blocking write (setup, close). Throws Error.
  void writeAll(const std::string& bytes);
  // Non-blocking: backlog first, then `vectors`; what the socket does not
  // take of `vectors` becomes one backlog entry of `kind`. write_mutex_ held.
  std::uint64_t flush(std::vector<GOutputVector>& vectors, Queued kind);
  // Gives up on the connection (the server stopped reading or floods us,
  // or the socket failed): the backlog is freed, the error reported, the
  // reading thread woken to end; close() closes the socket. write_mutex_ held.
  void dropConnection(Failure failure, const std::string& reason);
  void reportError(Failure failure, const std::string& reason);
  std::string uriHost() const;  // host_, in brackets if IPv6
  std::string where() const;    // "rtmp://host:port/app" for messages

  std::string url_;
  std::string stream_;
  bool tls_verify_;
  ErrorHandler on_error_;
  // From the URL.
  bool tls_ = false;
  std::string host_;
  int port_ = 0;
  std::string app_;
  std::string tc_url_;
  std::vector<std::string> secrets_;  // the stream name, the URL's secrets

  std::thread thread_;
  GObjectPtr<GCancellable> cancel_;
  // Set on the connection thread before ready_ (and read by close() once
  // that thread has ended).
  GObjectPtr<GSocketConnection> tcp_;
  GObjectPtr<GIOStream> io_;      // tcp_ or the TLS connection over it
  GInputStream* in_ = nullptr;    // io_'s, no reference of its own
  GOutputStream* out_ = nullptr;  // io_'s
  rtmp::ChunkReader reader_;
  std::uint64_t received_ = 0;      // for the acknowledgement window
  std::uint64_t acknowledged_ = 0;  // received_ when we last acknowledged
  std::uint32_t ack_window_ = 2500000;
  std::uint32_t stream_id_ = 0;
  double transaction_ = 0;
  const char* setup_stage_ = "the connection";  // what the setup waits for, for a timeout's text
  std::atomic<bool> ready_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> closed_{false};

  std::mutex write_mutex_;  // the output stream once ready: send(), pings, close()
  // Guarded by write_mutex_ (but for its atomic counters). What the socket
  // has not taken yet, and which media to drop while the site cannot keep up.
  SendQueue backlog_{kMaxBacklog};
  std::string scratch_;  // Guarded by write_mutex_. Chunk headers of one send().
};

}  // namespace yst::streaming
