// The show file's [overlay]: the broadcast graphics' theme (a name from
// assets/themes or a folder of its own beside the show file) and what is up
// when the show starts (the bug, the clock, the QR code to the viewer page,
// the ticker, lower-thirds that follow the cameras).
#pragma once

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [overlay]: optional. A theme given as a path must hold a theme.toml; the
// theme itself is loaded (and its own errors reported) when the show starts.
void readOverlay(const TomlReader& reader, const toml::table& root, OverlayConfig* overlay);

}  // namespace yst::config
