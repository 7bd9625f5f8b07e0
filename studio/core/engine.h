// What the desks need of the engine, as interfaces (ports). A desk is tested
// against a fake of its port, without GStreamer; the controller hands it an
// adapter over the real engine (engine_adapters.h).
//
// Controller thread, like the desks.
#pragma once

#include <cstddef>
#include <string>

#include "streaming/layout.h"

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
};

}  // namespace yst::core
