// The show file's [[sources]]: the cameras and feeds the program mixes, each
// with an id (unique, used in messages, URLs and file names), a label for its
// slate, a URI (test pattern, file, V4L2, RTSP, SRT or RTMP, read by
// streaming/media_url), its gain and mute at the start, and the person it
// shows. checkSourceUri (show_config.h) is the same check for a URI given at
// run time.
#pragma once

#include <vector>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [[sources]]: required, at least one. A source's `person` is kept as given
// with its line; parseShow checks it against [show] once both are read.
void readSources(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                 std::vector<SourceConfig>* sources);

// [webrtc]: optional.
void readWebrtc(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                WebrtcConfig* webrtc);

}  // namespace yst::config
