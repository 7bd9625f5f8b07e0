// Reading [overlay] (see overlay_config.h).
#include "studio/config/overlay_config.h"

#include "studio/base/in_quotes.h"
#include "studio/text/text.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace yst::config {

void readOverlay(const TomlReader& reader, const toml::table& root, OverlayConfig* overlay) {
  const toml::table* table = reader.getTable(root, "", "overlay");
  if (!table) return;
  const std::string path = "overlay";
  reader.refuseUnknownKeys(*table, path,
                           {"theme", "bug", "clock", "qr", "ticker", "auto_lower_thirds"});
  int line = 0;
  if (auto theme = reader.get<std::string>(*table, path, "theme", &line)) {
    overlay->theme_line = line;
    if (theme->find('/') != std::string::npos) {
      const std::filesystem::path dir = reader.besideFile(*theme);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(dir / "theme.toml", ec)) {
        reader.fail(line, "overlay.theme", "no theme.toml in " + inQuotes(dir.string()));
      }
      overlay->theme_dir = dir.string();
      overlay->theme = dir.filename().string();
    } else {
      const bool name_ok = !theme->empty() && std::all_of(theme->begin(), theme->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
      if (!name_ok) {
        reader.fail(line, "overlay.theme",
                    "expected a theme name such as \"default\"; got " + inQuotes(*theme));
      }
      overlay->theme = *theme;
    }
  }
  overlay->bug = reader.get<bool>(*table, path, "bug").value_or(overlay->bug);
  overlay->clock = reader.get<bool>(*table, path, "clock").value_or(overlay->clock);
  overlay->qr = reader.get<bool>(*table, path, "qr").value_or(overlay->qr);
  overlay->auto_lower_thirds =
      reader.get<bool>(*table, path, "auto_lower_thirds").value_or(overlay->auto_lower_thirds);
  if (auto ticker = reader.get<std::string>(*table, path, "ticker", &line)) {
    const text::CleanedText cleaned = text::cleanText(*ticker, 200, false);
    if (cleaned.problem == text::TextProblem::kTooLong) {
      reader.fail(line, "overlay.ticker", "longer than 200 characters");
    }
    overlay->ticker = cleaned.text;  // empty: no ticker at the start
  }
}

}  // namespace yst::config
