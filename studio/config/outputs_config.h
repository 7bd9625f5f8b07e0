// The show file's outputs, all fed by the one encoder: [[destinations]] (the
// partner sites, RTMP, RTMPS or SRT, each with its stream key given inline or
// named by an environment variable), [archive] (the crash-safe recording) and
// [hls] (the program's own HLS, whose segments are cut at the encoder's
// keyframes). checkDestinationUrl (show_config.h) is the same URL check for
// `destination.add` at run time.
#pragma once

#include <vector>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"

namespace yst::config {

// [[destinations]]: optional. No message here ever holds a key's value; only
// the name of its variable, and that only when it looks like a variable name.
void readDestinations(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                      std::vector<DestinationConfig>* destinations);

// [archive]: optional.
void readArchive(const TomlReader& reader, const toml::table& root, ArchiveConfig* archive);

// [hls]: optional. Needs the program's keyframe interval: segment_s is a
// whole number of them (see the .cpp).
void readHls(const TomlReader& reader, const toml::table& root, int keyframe_interval_s,
             HlsConfig* hls);

}  // namespace yst::config
