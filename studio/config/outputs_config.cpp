// Reading [[destinations]], [archive] and [hls], and checking a destination's
// URL (see outputs_config.h).
#include "studio/config/outputs_config.h"

#include "streaming/media_url.h"
#include "studio/config/env_secrets.h"

#include <algorithm>
#include <variant>

namespace yst::config {

void readDestinations(const TomlReader& reader, const EnvLookup& env, const toml::table& root,
                      std::vector<DestinationConfig>* destinations) {
  const toml::array* array = reader.getTableArray(root, "", "destinations");
  if (!array) return;
  IdsSeen seen;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    const std::string path = indexPath("destinations", i);
    reader.refuseUnknownKeys(table, path,
                             {"id", "name", "url", "key", "key_env", "enabled", "tls_verify"});
    DestinationConfig destination;
    int line = 0;
    const std::optional<std::string> id = reader.get<std::string>(table, path, "id", &line);
    if (!id) reader.fail(lineOf(table), path + ".id", "missing: every destination needs an id");
    reader.checkId(*id, line, path + ".id", &seen, path);
    destination.id = *id;
    destination.name = reader.get<std::string>(table, path, "name").value_or(destination.id);
    const std::optional<std::string> url = reader.get<std::string>(table, path, "url", &line);
    if (!url) reader.fail(lineOf(table), path + ".url", "missing: every destination needs a url");
    if (auto problem = checkDestinationUrl(*url, &destination.kind)) {
      reader.fail(line, path + ".url", *problem);
    }
    destination.url = *url;
    destination.enabled = reader.get<bool>(table, path, "enabled").value_or(true);
    destination.tls_verify = reader.get<bool>(table, path, "tls_verify").value_or(true);

    int key_line = 0;
    int env_line = 0;
    const std::optional<std::string> key = reader.get<std::string>(table, path, "key", &key_line);
    const std::optional<std::string> key_env =
        reader.get<std::string>(table, path, "key_env", &env_line);
    if (key && key_env) {
      reader.fail(std::max(key_line, env_line), path + (key_line > env_line ? ".key" : ".key_env"),
                  "give either key or key_env, not both");
    }
    if (key) {
      if (key->empty()) {
        reader.fail(key_line, path + ".key", "is empty (remove it if there is no key)");
      }
      if (hasSpaceOrControl(*key)) {
        reader.fail(key_line, path + ".key",
                    "contains a space or a control character (check what was pasted)");
      }
      destination.key = *key;
    }
    if (key_env) {
      destination.key = readSecretEnv(reader, env, *key_env, env_line, path + ".key_env", 1);
    }
    destinations->push_back(std::move(destination));
  }
}

void readArchive(const TomlReader& reader, const toml::table& root, ArchiveConfig* archive) {
  const toml::table* table = reader.getTable(root, "", "archive");
  if (!table) return;
  reader.refuseUnknownKeys(*table, "archive", {"enabled"});
  archive->enabled = reader.get<bool>(*table, "archive", "enabled").value_or(archive->enabled);
}

// A segment can only be cut at a keyframe, and there is one encoder for
// every output: segments are a whole number of keyframe intervals. Left
// out, segment_s is the shortest such length of at least the default; a
// length the keyframes cannot give is refused (the playlist would
// announce one length and carry another).
void readHls(const TomlReader& reader, const toml::table& root, int keyframe_interval_s,
             HlsConfig* hls) {
  const int shortest = std::max(hls->segment_s, keyframe_interval_s);
  hls->segment_s = (shortest + keyframe_interval_s - 1) / keyframe_interval_s * keyframe_interval_s;
  const toml::table* table = reader.getTable(root, "", "hls");
  if (!table) return;
  reader.refuseUnknownKeys(*table, "hls", {"enabled", "segment_s", "playlist_length"});
  hls->enabled = reader.get<bool>(*table, "hls", "enabled").value_or(hls->enabled);
  int line = 0;
  if (reader.get<std::int64_t>(*table, "hls", "segment_s", &line)) {
    hls->segment_s = reader.intInRange(*table, "hls", "segment_s", 1, 10, hls->segment_s);
    if (hls->enabled && hls->segment_s % keyframe_interval_s != 0) {
      const std::string keyframes = std::to_string(keyframe_interval_s);
      reader.fail(line, "hls.segment_s",
                  std::to_string(hls->segment_s) + " s is not a multiple of " +
                      "program.keyframe_interval_s (" + keyframes +
                      " s): segments are cut at keyframes");
    }
  }
  hls->playlist_length =
      reader.intInRange(*table, "hls", "playlist_length", 3, 30, hls->playlist_length);
}

std::optional<std::string> checkDestinationUrl(std::string_view url,
                                               streaming::DestinationProtocol* protocol) {
  if (protocol) *protocol = streaming::DestinationProtocol::kInvalid;
  const auto parsed = streaming::parseDestinationUrl(url);
  if (const auto* problem = std::get_if<streaming::UrlProblem>(&parsed)) return problem->text;
  if (protocol) {
    *protocol = streaming::destinationProtocolOf(std::get<streaming::MediaUrl>(parsed).scheme);
  }
  return std::nullopt;
}

}  // namespace yst::config
