// Reading [audio] (see audio_config.h).
#include "studio/config/audio_config.h"

#include <cstdio>
#include <string>
#include <variant>

#include "streaming/media_url.h"

namespace yst::config {

namespace {

std::string formatDb(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

double dbInRange(const TomlReader& reader, const toml::table& table, const std::string& path,
                 std::string_view key, double lo, double hi, double fallback, const char* unit) {
  int line = 0;
  const std::optional<double> value = reader.get<double>(table, path, key, &line);
  if (!value) return fallback;
  if (!(*value >= lo && *value <= hi)) {  // also refuses nan
    reader.fail(line, joinPath(path, key),
                "expected " + formatDb(lo) + " to " + formatDb(hi) + " " + unit + "; got " +
                    formatDb(*value));
  }
  return *value;
}

}  // namespace

void readAudio(const TomlReader& reader, const toml::table& root, AudioConfig* audio) {
  const toml::table* table = reader.getTable(root, "", "audio");
  if (!table) return;
  const std::string path = "audio";
  reader.refuseUnknownKeys(
      *table, path, {"loudness_control", "loudness_target_lufs", "true_peak_dbtp", "monitor"});
  if (auto control = reader.get<bool>(*table, path, "loudness_control")) {
    audio->loudness_control = *control;
  }
  audio->loudness_target_lufs =
      dbInRange(reader, *table, path, "loudness_target_lufs", kMinLoudnessTargetLufs,
                kMaxLoudnessTargetLufs, audio->loudness_target_lufs, "LUFS");
  audio->true_peak_dbtp = dbInRange(reader, *table, path, "true_peak_dbtp", kMinTruePeakDbtp,
                                    kMaxTruePeakDbtp, audio->true_peak_dbtp, "dBTP");
  int line = 0;
  if (auto monitor = reader.get<std::string>(*table, path, "monitor", &line)) {
    const auto parsed = streaming::parseMonitorUrl(*monitor);
    if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) {
      reader.fail(line, "audio.monitor", problem->text);
    }
    audio->monitor = *monitor;
  }
}

}  // namespace yst::config
