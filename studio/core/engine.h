// What the desks need of the engine, as interfaces (ports). A desk is tested
// against a fake of its port, without GStreamer; the controller hands it an
// adapter over the real engine (engine_adapters.h).
//
// Controller thread, like the desks.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "streaming/layout.h"
#include "streaming/output_types.h"

namespace yst::core {

// The program mix: what is on air and in preview, and each source's sound.
class ProgramPort {
 public:
  virtual ~ProgramPort() = default;
  virtual streaming::Scene scene() const = 0;
  virtual streaming::Scene previewScene() const = 0;
  // Unknown source ids are refused before this is called.
  virtual void setScene(const streaming::Scene& scene, streaming::Transition transition,
                        int duration_ms) = 0;
  virtual void setPreviewScene(const streaming::Scene& scene) = 0;
  virtual bool hasSource(const std::string& id) const = 0;
  virtual std::size_t sourceCount() const = 0;
  // Linear gain, 0…4; the program keeps it and is asked for it back.
  virtual void setGain(const std::string& id, double gain) = 0;
  virtual double gain(const std::string& id) const = 0;
  virtual void setMuted(const std::string& id, bool muted) = 0;
  virtual bool muted(const std::string& id) const = 0;
  // Audio-follows-video: heard only while its picture is on air.
  virtual void setFollowsVideo(const std::string& id, bool follows) = 0;
  virtual bool followsVideo(const std::string& id) const = 0;
  // Which part of the source's picture its tiles show.
  virtual void setFraming(const std::string& id, const streaming::Framing& framing) = 0;
  virtual streaming::Framing framing(const std::string& id) const = 0;
  // Lip sync: the sound delayed against the picture, 0…2000 ms.
  virtual void setAudioOffset(const std::string& id, int offset_ms) = 0;
  virtual int audioOffset(const std::string& id) const = 0;
  // The control room's monitor ([audio] monitor): whether the show has one,
  // and what it plays: "" the program, or one source before its fader (PFL).
  virtual bool hasMonitor() const = 0;
  virtual void setListening(const std::string& id) = 0;
  virtual std::string listening() const = 0;
};

// The webrtc:// slots' sources (streaming::Source) and the program's hold on
// them, as the guests desk drives them. Unknown ids are refused before a call.
class GuestSlotPort {
 public:
  // Runs once, on the controller thread: the SDP answer, or "" and why not.
  using Answered = std::function<void(std::string answer_sdp, std::string error)>;
  virtual ~GuestSlotPort() = default;
  // False until the engine runs.
  virtual bool running(const std::string& id) const = 0;
  // "" when webrtcbin can read the offer, else why not.
  virtual std::string checkOffer(const std::string& offer_sdp) const = 0;
  // The slot's input rebuilt around the offer (a session there ends).
  virtual void acceptOffer(const std::string& id, std::string offer_sdp, Answered answered) = 0;
  virtual void endSession(const std::string& id) = 0;
  // "waiting", "connecting", "live", "retrying" or "stopped".
  virtual std::string state(const std::string& id) const = 0;
  // Off air in the program: a black tile, no sound (the green room).
  virtual void hold(const std::string& id, bool held) = 0;
  // The producer's talkback heard in the slot's return feed (the rest of it
  // dipped), or not.
  virtual void talkback(const std::string& id, bool on) = 0;
};

// One output the program feeds: a partner site, the recording or HLS. It
// connects, retries with back-off and counts on its own; a desk says when it
// runs. It takes the program's packets only while started. Destroying it
// stops it without a word to `changed`.
class OutputPort {
 public:
  virtual ~OutputPort() = default;
  virtual void start() = 0;
  virtual void stop(streaming::StopMode mode) = 0;
  virtual streaming::OutputStats stats() const = 0;
  // The file being written (the recording's current part), or "".
  virtual std::string currentPath() const = 0;
};

// Makes the outputs; each calls `changed` on every change of its state.
class OutputFactory {
 public:
  virtual ~OutputFactory() = default;
  virtual std::unique_ptr<OutputPort> destination(streaming::DestinationSpec spec,
                                                  std::function<void()> changed) = 0;
  // A new recording: its files continue the session's parts.
  virtual std::unique_ptr<OutputPort> recording(std::function<void()> changed) = 0;
  // HLS for the viewer page, into a folder emptied first (no stale segments).
  virtual std::unique_ptr<OutputPort> hls(std::function<void()> changed) = 0;
};

}  // namespace yst::core
