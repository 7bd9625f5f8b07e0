// One camera feed, isolated from the program and from every other camera.
//
// Each source runs its own small pipelines whose pictures reach the program
// through the source's outlet (source_outlet.h), the one intervideosink on a
// channel named after the source, and whose sound goes to an interaudiosink
// on that channel; the program pipeline reads the channel with intervideosrc
// / interaudiosrc, which keep producing frames at the program rate whatever
// happens upstream. So a camera that errors, stalls or is missing at start
// can never stall the program:
//
//   input pipeline  (test | uridecodebin | decklink) → deinterlace (interlaced
//                   signals only) → convert/scale/rate → appsink ──────────────┐
//                                                     → interaudiosink            ├→ outlet
//   slate pipeline  "信号中断 · <label>" at 5 fps      → appsink ───────────────────┘
//
// The input pipeline is rebuilt on each attempt. While it is not delivering
// frames the slate pipeline runs (the program shows the slate and the
// interaudiosrc plays silence). Failure is an error on the input's bus, an
// end of stream from a live source, no frame within the connect timeout, or a
// stall (no frame for 2 s); each is followed by a retry after a jittered
// exponential back-off. Everything here runs on the controller thread.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overlay/image.h"
#include "streaming/backoff.h"
#include "streaming/bus_relay.h"
#include "streaming/gst_ptr.h"
#include "streaming/media_format.h"
#include "streaming/media_url.h"
#include "streaming/source_outlet.h"
#include "streaming/webrtc_receiver.h"

namespace yst::streaming {

struct SourceSpec {
  std::string id;
  std::string label;
  std::string uri;  // test://PATTERN, file://, v4l2://, rtsp://, srt://, rtmp://, decklink://,
                    // alsa://, pulse://
  // The "信号中断" slate in the show's theme, at the program size; empty: a
  // plain text slate.
  overlay::Image slate;
  // webrtc:// slots: the jitter buffer, ICE's ports and servers.
  WebrtcOptions webrtc;
  // webrtc:// slots: the program and this guest's mix-minus sent back on the
  // guest's peer connection (null: nothing sent back).
  std::shared_ptr<ReturnFeed> return_feed;
};

// kWaiting: a webrtc:// slot with nobody in it (its slate shows).
enum class SourceState { kInvalid = 0, kStopped, kConnecting, kLive, kRetrying, kWaiting };
const char* sourceStateName(SourceState state);

// How the source URI maps onto GStreamer: which kind of input and its
// argument (pattern, device or URI). Pure, for tests.
struct SourcePlan {
  // From the one URL reader (media_url): kTest is a videotestsrc, kInvalid a
  // URI it refuses, any other scheme goes to uridecodebin.
  UrlScheme scheme = UrlScheme::kInvalid;
  std::string argument;
  bool tone = false;   // test://…?audio=tone: a steady line-up tone instead of ticks
  bool loops = false;  // files restart at their end instead of counting as a failure
  // An SRT listener (?mode=listener): it waits for its caller, however long;
  // closing the port to retry would only turn the caller away.
  bool listens = false;
  // alsa:// and pulse://: sound only, from this device (argument), these of
  // its channels (numbered from 1; empty: its first two). Its picture is a
  // card with its label; it is live while sound arrives.
  bool audio_only = false;
  std::vector<int> channels;
  // decklink://: the card's number, its connector and the mode to expect
  // ("auto": whatever the signal is).
  int device = 0;
  std::string connector;
  std::string mode = "auto";
};
SourcePlan planSource(const std::string& uri);

class Source : public QObject {
  Q_OBJECT
 public:
  Source(SourceSpec spec, VideoFormat format, QObject* parent = nullptr);
  ~Source() override;

  void start();
  void stop();

  // webrtc:// slots. Nobody is in one until an offer comes (a guest's page,
  // a WHIP publisher): the input is then built around the offer, replacing a
  // session already there, and `answered` runs once on this thread with the
  // SDP answer (every candidate gathered, or what was gathered in
  // answer_timeout) or with "" and why not. When the session's picture
  // stops (the guest's network, a closed tab) the slot shows its slate and
  // is kRetrying until the next offer: 1.22's webrtcbin cannot restart ICE,
  // so a guest comes back as a new session. endSession() empties the slot
  // (kWaiting).
  using Answered = std::function<void(std::string answer_sdp, std::string error)>;
  void acceptOffer(std::string offer_sdp, Answered answered);
  void endSession();
  bool isWebrtc() const { return plan_.scheme == UrlScheme::kWebrtc; }
  // A webrtc:// slot with a session (answered or being answered).
  bool inSession() const { return isWebrtc() && input_ != nullptr; }

  const SourceSpec& spec() const { return spec_; }
  // The intervideo/interaudio channel the program pipeline reads.
  std::string channel() const { return "yst-src-" + spec_.id; }
  SourceState state() const { return state_; }
  int reconnects() const { return reconnects_; }
  const std::string& lastError() const { return last_error_; }
  std::uint64_t framesIn() const { return counters_->frames.load(std::memory_order_relaxed); }
  // The picture as the source delivers it, before it is made the program's
  // (a guest's camera, a browser lowering its size on a poor network);
  // 0×0 until its first caps, and again from each new attempt.
  struct InputSize {
    int width = 0;
    int height = 0;
  };
  InputSize inputSize() const;

  // Tuning; the defaults are what the issue asks for.
  std::chrono::milliseconds stall_timeout{2000};
  std::chrono::milliseconds connect_timeout{15000};
  // webrtc:// slots: ICE's gathering this long at most before the answer goes.
  std::chrono::milliseconds answer_timeout{3000};

 signals:
  void stateChanged();

 private:
  struct Counters {
    std::atomic<std::uint64_t> frames{0};
    std::atomic<std::int64_t> last_frame_ns{0};  // steady clock
    // width << 32 | height, set from the streaming thread's caps event.
    std::atomic<std::uint64_t> input_size{0};
  };

  void attempt();
  void fail(const std::string& reason);
  void restartInput();
  void dropInput();  // stops delivering its messages, tears it down off-thread
  void setState(SourceState state);
  void onInputMessage(int generation, GstMessage* message);
  void checkHealth();
  void answer(int generation, std::string answer_sdp, std::string error);
  // The offer waiting for its answer gets `why` instead.
  void refusePending(const std::string& why);
  void startSlate();
  void stopSlate();
  ElementPtr buildInput();

  SourceSpec spec_;
  SourcePlan plan_;
  VideoFormat format_;
  SourceState state_ = SourceState::kStopped;
  int reconnects_ = 0;
  std::string last_error_;
  ElementPtr input_;
  ElementPtr slate_;
  GstElement* webrtc_ = nullptr;  // webrtc:// slots: input_'s webrtcbin (input_ owns it)
  std::string offer_;             // the offer the next input is built around
  Answered answered_;             // the current offer's, until it is answered
  QTimer answer_timer_;
  std::shared_ptr<SourceOutlet> outlet_;  // shared with the sinks' frame callbacks
  int generation_ = 0;  // bumps with every input pipeline; stale bus messages are ignored
  std::uint64_t frames_at_attempt_ = 0;
  std::chrono::steady_clock::time_point attempt_started_;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();  // shared with pad probes
  LifeToken life_ = std::make_shared<int>(0);
  Backoff backoff_;
  QTimer retry_timer_;
  QTimer health_timer_;
};

}  // namespace yst::streaming
