// The control room's monitor: what the producer hears on the studio PC's
// headphones or speakers, through ALSA or PulseAudio. The program chooses
// what goes to it (Program::setListening: the program's sound, or one source
// alone before its fader, "PFL": a guest in the green room, a microphone not
// yet opened) and hands it over an interaudio channel; this plays it in a
// pipeline of its own, so a headset unplugged or a sound server gone retries
// here with back-off and never touches the program.
//
// Controller thread.
#pragma once

#include <QObject>
#include <QTimer>

#include <memory>
#include <string>

#include "streaming/backoff.h"
#include "streaming/bus_relay.h"
#include "streaming/gst_ptr.h"
#include "streaming/media_url.h"

namespace yst::streaming {

class Monitor : public QObject {
  Q_OBJECT
 public:
  // `device`: where it plays, alsa://DEVICE or pulse://SINK (as
  // parseMonitorUrl reads it); `channel`: the program's monitor channel.
  Monitor(MediaUrl device, std::string channel, QObject* parent = nullptr);
  ~Monitor() override;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  void start();
  void stop();
  // "playing", "retrying" or "stopped"; why the last attempt failed ("" once
  // playing).
  const char* stateName() const;
  const std::string& lastError() const { return last_error_; }

 signals:
  void stateChanged();

 private:
  enum class State { kStopped, kPlaying, kRetrying };
  void attempt();
  void fail(const std::string& why);
  void teardown();
  void setState(State state);

  const MediaUrl device_;
  const std::string channel_;
  State state_ = State::kStopped;
  std::string last_error_;
  ElementPtr pipeline_;
  LifeToken life_;
  QTimer retry_timer_;
  Backoff backoff_;
};

}  // namespace yst::streaming
