// The show file's [show] and [program] tables: what goes on air. [show] is
// the show's title, planned length and people (the host and the guests, whose
// lower-thirds the cameras' `person` keys point at); [program] is the picture
// and sound the one encoder makes (size, rate, bitrates, x264 preset,
// keyframe interval) and the layout with the sources in it.
#pragma once

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [show]: required, with a title that is not blank.
void readShowTable(const TomlReader& reader, const toml::table& root, ShowInfo* show);

// Where program.primary, program.secondary and each of program.tiles were
// given (0: not given). They name sources, which are read after [program], so
// parseShow checks them at the end and needs these lines for its message.
struct ProgramSourceLines {
  int layout = 0;
  int primary = 0;
  int secondary = 0;
  std::vector<int> tiles;
};

// [program]: optional; what is left out keeps ProgramConfig's defaults, and
// tiles (or primary/secondary) are taken as given (parseShow checks and fills
// them).
void readProgram(const TomlReader& reader, const toml::table& root, ProgramConfig* program,
                 ProgramSourceLines* lines);

}  // namespace yst::config
