// The status desk: one snapshot of the show, composed from every desk's part
// (the show and cue, program, sources, outputs, server, questions, graphics,
// transcript), and published to the server three ways: whole for staff
// (/api/status, status.get, the console), the title and HLS only for the
// viewer page (/api/public), and as Prometheus text (/metrics). It also keeps
// the audience's high-water mark for the post-show summary.
//
// Controller thread; the server's thread serves the published copies without
// calling back in here. The controller's timers say when (once a second, and
// soon after a change).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace yst::desks {

class StatusBoard {
 public:
  using Text = std::shared_ptr<const std::string>;
  struct Context {
    // Where the snapshots go (the server): the staff status, the public one
    // and the metrics.
    std::function<void(Text status, Text public_status, Text metrics)> publish;
    // Open connections now, and a new high-water mark of them (recorded).
    std::function<std::size_t()> connections;
    std::function<void(std::size_t connections)> new_peak;
  };
  explicit StatusBoard(Context context) : context_(std::move(context)) {}

  // A desk's part: it writes its keys into the snapshot. Parts are asked in
  // the order they were added.
  using Part = std::function<void(nlohmann::json* status)>;
  void addPart(Part part) { parts_.push_back(std::move(part)); }

  nlohmann::json snapshot() const;
  // A new snapshot, published; returns it.
  std::shared_ptr<const nlohmann::json> publish();

  std::size_t peakConnections() const { return peak_connections_; }

 private:
  Context context_;
  std::vector<Part> parts_;
  std::size_t peak_connections_ = 0;  // the most clients at once, this run
};

// What the viewer page may see of a status: the title and HLS, nothing
// private (no cue, paths, hosts, destinations, errors).
nlohmann::json publicStatus(const nlohmann::json& status);
// Prometheus text for a snapshot; states are one-hot gauges.
std::string metricsText(const nlohmann::json& status);

}  // namespace yst::desks
