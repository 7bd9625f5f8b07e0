#include "studio/base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace yst {

std::string utcNowIso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, ms);
  return out;
}

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_write_mutex;  // keeps lines from different threads whole

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO ";
    case LogLevel::kWarn:
      return "WARN ";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kInvalid:
      break;
  }
  return "?";
}
}  // namespace

bool parseLogLevel(std::string_view name, LogLevel* level) {
  if (name == "debug")
    *level = LogLevel::kDebug;
  else if (name == "info")
    *level = LogLevel::kInfo;
  else if (name == "warn" || name == "warning")
    *level = LogLevel::kWarn;
  else if (name == "error")
    *level = LogLevel::kError;
  else
    return false;
  return true;
}

void setLogLevel(LogLevel level) {
  g_level.store(level);
}
bool logEnabled(LogLevel level) {
  return level >= g_level.load();
}

void log(LogLevel level, std::string_view scope, std::string_view message) {
  if (!logEnabled(level)) return;
  const std::string stamp = utcNowIso();
  std::lock_guard lock(g_write_mutex);
  std::fprintf(stderr, "%s %s [%.*s] %.*s\n", stamp.c_str(), levelName(level),
               static_cast<int>(scope.size()), scope.data(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace yst
