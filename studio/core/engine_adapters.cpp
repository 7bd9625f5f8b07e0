#include "studio/core/engine_adapters.h"

#include <filesystem>

namespace yst::core {

std::unique_ptr<OutputPort> EngineOutputs::hls(std::function<void()> changed) {
  // A fresh directory: stale segments from an earlier run must not be served.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.hls_dir, ec)) {
    std::filesystem::remove(entry.path(), ec);
  }
  return std::make_unique<OutputAdapter>(
      std::make_unique<streaming::Hls>(options_.hls_dir, options_.hls_segment_s,
                                       options_.hls_playlist_length),
      program_, std::move(changed));
}

}  // namespace yst::core
