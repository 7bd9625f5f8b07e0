// The ports of engine.h over the real engine (streaming::Program and the
// show's sources). Controller thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "streaming/program.h"
#include "streaming/source.h"
#include "studio/core/engine.h"

namespace yst::core {

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

 private:
  const std::unique_ptr<streaming::Program>& program_;
  const std::vector<std::unique_ptr<streaming::Source>>& sources_;
};

}  // namespace yst::core
