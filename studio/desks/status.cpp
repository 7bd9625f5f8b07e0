// The snapshot, and the Prometheus text exposition of the studio's counters
// and states for /metrics: each family carries HELP and TYPE lines; states are
// one-hot gauges so that a dashboard can alert on `state="retrying"`.
#include "studio/desks/status.h"

#include <sstream>

namespace yst::desks {

using nlohmann::json;

json StatusBoard::snapshot() const {
  json status = json::object();
  for (const Part& part : parts_) part(&status);
  return status;
}

std::shared_ptr<const json> StatusBoard::publish() {
  auto status = std::make_shared<const json>(snapshot());
  const std::size_t connections = context_.connections();
  if (connections > peak_connections_) {
    peak_connections_ = connections;
    context_.new_peak(connections);
  }
  context_.publish(std::make_shared<const std::string>(status->dump()),
                   std::make_shared<const std::string>(publicStatus(*status).dump()),
                   std::make_shared<const std::string>(metricsText(*status)));
  return status;
}

json publicStatus(const json& status) {
  const json no_hls = {{"state", "stopped"}, {"playlist", nullptr}};
  const json& hls = status.contains("hls") ? status["hls"] : no_hls;
  return {{"show", {{"title", status.contains("show") ? status["show"]["title"] : json("")}}},
          {"hls", {{"state", hls["state"]}, {"playlist", hls["playlist"]}}}};
}

namespace {

class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  template <typename T>
  void sample(const std::string& name, const std::string& labels, T value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char* key, const std::string& value) {
  // Ids are [a-z0-9_-] by construction; states are fixed words.
  return std::string(key) + "=\"" + value + "\"";
}

// A label value as the exposition format wants it: backslash, double quote
// and newline escaped.
std::string escapedLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string departmentLabels(const json& department) {
  return "department_id=\"" + std::to_string(department["id"].get<std::int64_t>()) +
         "\",department=\"" + escapedLabel(department["name"].get<std::string>()) + "\"";
}

}  // namespace

std::string metricsText(const json& s) {
  Exposition m;
  if (s.contains("program")) {
    m.family("yst_program_frames_total", "counter", "Frames produced by the program mixer.");
    m.sample("yst_program_frames_total", "", s["program"]["frames"].get<std::uint64_t>());
    m.family("yst_program_dropped_frames_total", "counter",
             "Program frames dropped before the encoder or skipped by the mixer.");
    m.sample("yst_program_dropped_frames_total", "",
             s["program"]["dropped_frames"].get<std::uint64_t>());
    m.family("yst_encoder_fps", "gauge", "Frames encoded in the last second.");
    m.sample("yst_encoder_fps", "", s["encoder"]["fps"].get<double>());
    m.family("yst_encoder_frames_total", "counter", "Frames encoded.");
    m.sample("yst_encoder_frames_total", "", s["encoder"]["frames"].get<std::uint64_t>());
    m.family("yst_show_timeline_seconds", "gauge", "Show timeline (program running time).");
    m.sample("yst_show_timeline_seconds", "",
             s["show"]["timeline_ms"].get<std::int64_t>() / 1000.0);
  }
  // "waiting": a webrtc:// slot nobody fills (not an alarm, unlike "retrying").
  static const char* const kSourceStates[] = {"connecting", "live", "retrying", "stopped",
                                              "waiting"};
  m.family("yst_source_state", "gauge", "1 for the state each source is in.");
  for (const auto& src : s["sources"]) {
    for (const char* st : kSourceStates) {
      m.sample("yst_source_state", label("source", src["id"]) + "," + label("state", st),
               src["state"] == st ? 1 : 0);
    }
  }
  m.family("yst_source_frames_total", "counter", "Frames received from each source.");
  for (const auto& src : s["sources"]) {
    m.sample("yst_source_frames_total", label("source", src["id"]),
             src["frames"].get<std::uint64_t>());
  }
  m.family("yst_source_reconnects_total", "counter", "Reconnect attempts of each source.");
  for (const auto& src : s["sources"]) {
    m.sample("yst_source_reconnects_total", label("source", src["id"]),
             src["reconnects"].get<int>());
  }
  static const char* const kOutputStates[] = {"stopped", "connecting", "live", "retrying",
                                              "failed"};
  m.family("yst_destination_state", "gauge", "1 for the state each destination is in.");
  for (const auto& d : s["destinations"]) {
    for (const char* st : kOutputStates) {
      m.sample("yst_destination_state", label("destination", d["id"]) + "," + label("state", st),
               d["state"] == st ? 1 : 0);
    }
  }
  m.family("yst_destination_bytes_sent_total", "counter",
           "Bytes handed to each destination's transport.");
  for (const auto& d : s["destinations"]) {
    m.sample("yst_destination_bytes_sent_total", label("destination", d["id"]),
             d["bytes_sent"].get<std::uint64_t>());
  }
  m.family("yst_destination_bitrate_kbps", "gauge",
           "Bitrate to each destination over the last second.");
  for (const auto& d : s["destinations"]) {
    m.sample("yst_destination_bitrate_kbps", label("destination", d["id"]),
             d["bitrate_kbps"].get<double>());
  }
  m.family("yst_destination_reconnects_total", "counter", "Reconnects of each destination.");
  for (const auto& d : s["destinations"]) {
    m.sample("yst_destination_reconnects_total", label("destination", d["id"]),
             d["reconnects"].get<int>());
  }
  m.family("yst_recording_bytes", "gauge", "Bytes written to the current archive file.");
  m.sample("yst_recording_bytes", "", s["recording"]["bytes"].get<std::uint64_t>());
  m.family("yst_recording_active", "gauge", "1 while the archive records.");
  m.sample("yst_recording_active", "", s["recording"]["state"] == "recording" ? 1 : 0);
  m.family("yst_hls_running", "gauge", "1 while HLS segments are written.");
  m.sample("yst_hls_running", "", s["hls"]["state"] == "running" ? 1 : 0);
  m.family("yst_connections", "gauge", "Open WebSocket connections.");
  m.sample("yst_connections", "", s["clients"].get<std::size_t>());
  if (s.contains("questions")) {
    const auto& q = s["questions"];
    m.family("yst_questions_received_total", "counter", "Questions received this session.");
    m.sample("yst_questions_received_total", "", q["received"].get<std::int64_t>());
    m.family("yst_questions_repeated_total", "counter",
             "Retried submissions acknowledged again with the question they made.");
    m.sample("yst_questions_repeated_total", "", q.value("repeated", std::int64_t{0}));
    m.family("yst_questions", "gauge", "Questions of this session by status.");
    for (const char* status : {"pending", "approved", "on_air", "answered", "rejected", "merged"}) {
      m.sample("yst_questions", label("status", status), q[status].get<std::int64_t>());
    }
  }
  if (s.contains("audio") && s["audio"]["loudness"].is_object()) {
    // EBU R128: what a partner's loudness meter would read of the program.
    const auto& l = s["audio"]["loudness"];
    m.family("yst_program_loudness_lufs", "gauge",
             "Program loudness (EBU R128) over the momentary, short-term and integrated windows.");
    for (const char* window : {"momentary", "short_term", "integrated"}) {
      m.sample("yst_program_loudness_lufs", label("window", window), l[window].get<double>());
    }
    m.family("yst_program_true_peak_dbtp", "gauge", "Highest true peak of the program so far.");
    m.sample("yst_program_true_peak_dbtp", "", l["true_peak"].get<double>());
    m.family("yst_program_loudness_gain_db", "gauge",
             "Gain the loudness control applies now to reach its target.");
    m.sample("yst_program_loudness_gain_db", "", l["gain_db"].get<double>());
  }
  if (s.contains("followup") && s["followup"].is_object()) {
    // 问政跟踪, per department (its id, and its name as text escaped for the
    // exposition format: a name is typed by people).
    const auto& f = s["followup"];
    m.family("yst_followup_open", "gauge", "Follow-up items still open, by department.");
    for (const auto& d : f["departments"]) {
      m.sample("yst_followup_open", departmentLabels(d), d["open"].get<std::int64_t>());
    }
    m.family("yst_followup_overdue", "gauge",
             "Follow-up items open past their due date, by department.");
    for (const auto& d : f["departments"]) {
      m.sample("yst_followup_overdue", departmentLabels(d), d["overdue"].get<std::int64_t>());
    }
  }
  return m.str();
}

}  // namespace yst::desks
