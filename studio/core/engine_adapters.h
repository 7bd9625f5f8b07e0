// The ports of engine.h over the real engine (streaming::Program, the show's
// sources and the outputs). Controller thread.
#pragma once

#include <QObject>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "streaming/outputs.h"
#include "streaming/program.h"
#include "streaming/source.h"
#include "studio/core/engine.h"

namespace yst::core {

class GuestSlotsAdapter : public GuestSlotPort {
 public:
  GuestSlotsAdapter(const std::unique_ptr<streaming::Program>& program,
                    const std::vector<std::unique_ptr<streaming::Source>>& sources)
      : program_(program), sources_(sources) {}

  bool running(const std::string& id) const override { return find(id) != nullptr; }
  std::string checkOffer(const std::string& offer_sdp) const override {
    return streaming::checkOffer(offer_sdp);
  }
  void acceptOffer(const std::string& id, std::string offer_sdp, Answered answered) override {
    if (streaming::Source* s = find(id)) {
      s->acceptOffer(std::move(offer_sdp), std::move(answered));
    } else {
      answered("", "the studio is not running this source");
    }
  }
  void endSession(const std::string& id) override {
    if (streaming::Source* s = find(id)) s->endSession();
  }
  std::string state(const std::string& id) const override {
    const streaming::Source* s = find(id);
    return s ? streaming::sourceStateName(s->state()) : "stopped";
  }
  void hold(const std::string& id, bool held) override {
    if (program_) program_->setHeld(id, held);
  }
  void talkback(const std::string& id, bool on) override {
    if (program_) program_->setTalkback(id, on);
  }

 private:
  streaming::Source* find(const std::string& id) const {
    for (const auto& s : sources_) {
      if (s->spec().id == id) return s.get();
    }
    return nullptr;
  }
  const std::unique_ptr<streaming::Program>& program_;
  const std::vector<std::unique_ptr<streaming::Source>>& sources_;
};

class ProgramAdapter : public ProgramPort {
 public:
  // Both are the controller's and outlive the adapter; the program is made
  // after the desks, so it is reached through its owner.
  ProgramAdapter(const std::unique_ptr<streaming::Program>& program,
                 const std::vector<std::unique_ptr<streaming::Source>>& sources)
      : program_(program), sources_(sources) {}

  streaming::Scene scene() const override { return program_->scene(); }
  streaming::Scene previewScene() const override { return program_->previewScene(); }
  void setScene(const streaming::Scene& scene, streaming::Transition transition,
                int duration_ms) override {
    program_->setScene(scene, transition, duration_ms);
  }
  void setPreviewScene(const streaming::Scene& scene) override { program_->setPreviewScene(scene); }
  bool hasSource(const std::string& id) const override {
    for (const auto& s : sources_) {
      if (s->spec().id == id) return true;
    }
    return false;
  }
  std::size_t sourceCount() const override { return sources_.size(); }
  void setGain(const std::string& id, double gain) override { program_->setGain(id, gain); }
  double gain(const std::string& id) const override { return program_->gain(id); }
  void setMuted(const std::string& id, bool muted) override { program_->setMuted(id, muted); }
  bool muted(const std::string& id) const override { return program_->muted(id); }
  void setFollowsVideo(const std::string& id, bool follows) override {
    program_->setFollowsVideo(id, follows);
  }
  bool followsVideo(const std::string& id) const override { return program_->followsVideo(id); }
  void setFraming(const std::string& id, const streaming::Framing& framing) override {
    program_->setFraming(id, framing);
  }
  streaming::Framing framing(const std::string& id) const override { return program_->framing(id); }
  void setAudioOffset(const std::string& id, int offset_ms) override {
    program_->setAudioOffset(id, offset_ms);
  }
  int audioOffset(const std::string& id) const override { return program_->audioOffset(id); }
  bool hasMonitor() const override { return program_->hasMonitor(); }
  void setListening(const std::string& id) override { program_->setListening(id); }
  std::string listening() const override { return program_->listening(); }

 private:
  const std::unique_ptr<streaming::Program>& program_;
  const std::vector<std::unique_ptr<streaming::Source>>& sources_;
};

// One output behind its port: fed by the program while it runs.
class OutputAdapter : public OutputPort {
 public:
  OutputAdapter(std::unique_ptr<streaming::Output> output,
                const std::unique_ptr<streaming::Program>& program, std::function<void()> changed)
      : output_(std::move(output)), program_(program) {
    connection_ = QObject::connect(output_.get(), &streaming::Output::stateChanged, output_.get(),
                                   std::move(changed));
  }
  ~OutputAdapter() override {
    QObject::disconnect(connection_);
    if (program_) program_->removeConsumer(output_.get());
    if (output_->state() != streaming::OutputState::kStopped) {
      output_->stop(streaming::StopMode::kImmediate);
    }
  }
  OutputAdapter(const OutputAdapter&) = delete;
  OutputAdapter& operator=(const OutputAdapter&) = delete;

  void start() override {
    program_->addConsumer(output_.get());
    output_->start();
  }
  // Detached first: nothing is fed into a half-stopped muxer.
  void stop(streaming::StopMode mode) override {
    program_->removeConsumer(output_.get());
    output_->stop(mode);
  }
  streaming::OutputStats stats() const override { return output_->stats(); }
  std::string currentPath() const override {
    const auto* archive = dynamic_cast<const streaming::Archive*>(output_.get());
    return archive ? archive->currentPath() : std::string();
  }

 private:
  std::unique_ptr<streaming::Output> output_;
  const std::unique_ptr<streaming::Program>& program_;
  QMetaObject::Connection connection_;
};

// The outputs of one session: partner sites, the recording in
// <data>/recordings/<stem>[-partN].mkv, HLS in <data>/hls.
class EngineOutputs : public OutputFactory {
 public:
  struct Options {
    std::string recordings_dir;
    std::string recording_stem;
    std::string hls_dir;
    int hls_segment_s = 2;
    int hls_playlist_length = 6;
  };
  EngineOutputs(Options options, const std::unique_ptr<streaming::Program>& program)
      : options_(std::move(options)), program_(program) {}

  std::unique_ptr<OutputPort> destination(streaming::DestinationSpec spec,
                                          std::function<void()> changed) override {
    return std::make_unique<OutputAdapter>(
        std::make_unique<streaming::Destination>(std::move(spec)), program_, std::move(changed));
  }
  std::unique_ptr<OutputPort> recording(std::function<void()> changed) override {
    return std::make_unique<OutputAdapter>(
        std::make_unique<streaming::Archive>(options_.recordings_dir, options_.recording_stem),
        program_, std::move(changed));
  }
  std::unique_ptr<OutputPort> hls(std::function<void()> changed) override;

 private:
  Options options_;
  const std::unique_ptr<streaming::Program>& program_;
};

}  // namespace yst::core
