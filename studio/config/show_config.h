// The show file: a TOML description of one show (who is on it, the program
// format, the cameras, the partner sites, archive, HLS and the audience
// server). It is read and checked completely before anything starts: an
// unknown key, a wrong type, an unknown source id or a malformed URL is a
// ConfigError (config_error.h) naming the key and its line, and `yishiting
// serve` exits 2. The reader is split by section: show_config.cpp reads the
// top level and checks what spans sections; program_config, sources_config,
// outputs_config, audience_config and overlay_config read their tables
// through toml_reading's typed getters; nats_config reads [edge] (the link
// to the public edges, whose own file edge_config.h reads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streaming/layout.h"
#include "streaming/media_url.h"
#include "streaming/output_types.h"
#include "studio/config/config_error.h"

namespace yst::config {

struct Person {
  std::string name;
  std::string title;
};

struct ShowInfo {
  std::string title;
  Person host;
  std::vector<Person> guests;
  int duration_min = 0;  // planned length; 0: open-ended (no countdown for the host)
};

struct ProgramConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  int video_bitrate_kbps = 2500;
  int audio_bitrate_kbps = 128;
  std::string preset = "veryfast";  // x264 speed preset name
  int keyframe_interval_s = 2;
  streaming::Layout layout = streaming::Layout::kSingle;
  // Source ids in tile order (layout.h): `tiles`, or the older primary and
  // secondary as its first two; the sources not named follow in the show
  // file's order, so every layout has what it needs.
  std::vector<std::string> tiles;
};

struct SourceConfig {
  std::string id;
  std::string label;  // shown on the slate and burnt into test patterns
  std::string uri;
  streaming::UrlScheme scheme = streaming::UrlScheme::kInvalid;  // as media_url reads it
  double gain = 1.0;                                             // linear, 0..4
  bool muted = false;
  // Heard only while its picture is on air (a camera's microphone); false:
  // always in the mix.
  bool audio_follows_video = true;
  // Who this camera shows: "host", "guest1", "guest2", … or empty. Used to
  // show that person's lower-third when a layout puts the camera on air.
  std::string person;
  int person_line = 0;  // where it was given, for messages
  // Which part of the picture a tile shows (framing = { zoom, center } or
  // { crop = [x, y, w, h] }).
  streaming::Framing framing;
  // Lip sync: its sound delayed against its picture, 0…2000 ms.
  int audio_offset_ms = 0;
  // webrtc:// slots only. The bearer token WHIP publishers (OBS, an
  // encoder) must send, from the environment variable `whip_token_env`
  // (secret; empty: only invited guests fill the slot), and the jitter
  // buffer (`latency_ms`, 50…5000: 200 on a LAN, more for a field guest on
  // a mobile network).
  std::string whip_token;
  int latency_ms = 200;
  // The producer's talkback microphone (`talkback = true`): never on air nor
  // in the program's sound; heard by a remote guest while the producer talks
  // to them (guests.talk), in their return feed.
  bool talkback = false;
};

// [webrtc]: how guests and publishers reach the studio. ICE's UDP ports (a
// range a firewall opens; 0: any), a STUN server for the studio's public
// address behind NAT, and TURN (coturn) for guests whose network lets no
// UDP through: its URL and the secret it shares with the studio
// (`static-auth-secret`), from which each guest gets credentials that expire.
struct WebrtcConfig {
  int port_min = 0;
  int port_max = 0;
  std::string stun_server;  // "stun:host:port"
  std::string turn_url;     // "turn:host:port" (also "turns:" for TLS)
  std::string turn_secret;  // secret, from turn_secret_env
  int turn_credential_hours = 12;
};

struct DestinationConfig {
  std::string id;
  std::string name;
  std::string url;  // without the key
  std::string key;  // secret: from `key` or the environment variable named by `key_env`
  streaming::DestinationProtocol kind = streaming::DestinationProtocol::kInvalid;
  bool enabled = true;
  // rtmps:// only: check the partner's certificate against the system's CAs.
  // Off only for an ingest on a private network with a self-signed certificate.
  bool tls_verify = true;
};

struct ArchiveConfig {
  bool enabled = true;
};

struct HlsConfig {
  bool enabled = true;
  int segment_s = 2;
  int playlist_length = 6;  // segments listed in the rolling playlist
};

// Staff tokens (producer, typist, host) set in the environment are at least
// this long: anyone who can reach the audience port can try to guess them.
inline constexpr std::size_t kMinTokenChars = 16;

// What viewers may do and how many may connect: the studio's [audience] and
// the edge's [limits] take these keys with the same meanings, defaults and
// checks (audience_config.h reads them for both).
struct LimitsConfig {
  // Questions: one per question_interval_s with bursts of question_burst, per
  // connection and per viewer; per client address max_connections_per_address
  // times that (many viewers can share an address behind NAT).
  double question_interval_s = 10;
  int question_burst = 3;
  // Votes: one per vote_interval_s with bursts of vote_burst per viewer; per
  // client address max_connections_per_address times that. 0: no limit.
  double vote_interval_s = 3;
  int vote_burst = 10;
  int max_connections_per_address = 16;
  // Open connections at once (HTTP and WebSocket); 0: from the process's
  // file-descriptor limit, which the studio raises to its hard limit.
  int max_connections = 0;
  // WebSocket pings this often to a silent client (a proxy in front must
  // allow more than this between reads; nginx's default is 60 s); 0: none.
  int ws_ping_s = 30;
  int max_question_chars = 300;
};

// [audience]: its limits are at the section's top level, as the edge's are in
// [limits], hence a LimitsConfig extended rather than one holding it.
struct AudienceConfig : LimitsConfig {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::string producer_token_env = "YISHITING_PRODUCER_TOKEN";
  std::string producer_token;             // resolved; secret
  bool producer_token_generated = false;  // true: nobody set it, print it once at start
  // The typist's token (the /typist page); the producer token works there too.
  std::string typist_token_env = "YISHITING_TYPIST_TOKEN";
  std::string typist_token;  // resolved; secret
  bool typist_token_generated = false;
  // The host's monitor page (/host); the producer token works there too.
  std::string host_token_env = "YISHITING_HOST_TOKEN";
  std::string host_token;  // resolved; secret
  bool host_token_generated = false;
  std::string public_url;  // what viewers open; defaults to http://listen/
  // True when public_url was not given and was built from listen: with port 0
  // the server must rebuild it once it knows the port it was given.
  bool public_url_from_listen = true;
  // Reverse proxies whose X-Forwarded-For is believed ("127.0.0.1",
  // "10.0.0.0/8"); per-address limits then count the real clients.
  std::vector<std::string> trusted_proxies;
  // Host names the studio answers to besides IP literals, localhost and the
  // public_url's host (DNS rebinding protection).
  std::vector<std::string> allowed_hosts;
  // Sensitive words, one per line; relative paths are relative to the show
  // file. Empty: no filter.
  std::string word_list;
};

// How a process reaches the NATS cluster that links the studio and its edges:
// the studio's [edge] and the edge file's [nats] take the same keys
// (nats_config.h reads them for both). Credentials come from the environment
// or a credentials file, never from the TOML itself.
enum class NatsAuth { kInvalid = 0, kNone, kUserPassword, kToken, kCredentialsFile };

struct NatsConfig {
  // "tls://nats1.example.cn:4222", … as given (the port written out when it
  // was left out), in the order given; the client tries them in turn.
  std::vector<std::string> servers;
  bool tls = false;  // every server is tls:// (a mix of nats:// and tls:// is refused)
  NatsAuth auth = NatsAuth::kNone;
  std::string user;      // kUserPassword: from the variable named by user_env
  std::string password;  // kUserPassword: secret, from password_env
  std::string token;     // kToken: secret, from token_env
  // kCredentialsFile: a NATS .creds file (a user JWT and its NKey seed,
  // secret), resolved beside the TOML file; the client reads it.
  std::string credentials_file;
  // Where the credentials come from, for messages that must not show them:
  // "environment variable YST_NATS_USER and environment variable
  // YST_NATS_PASSWORD", "environment variable YST_NATS_TOKEN", "credentials
  // file /etc/…"; empty for kNone.
  std::string credentials_source;
  std::string ca_file;  // PEM bundle for the servers' certificates; empty: the system's
};

// The studio's [edge]: the channel its edges serve and how it reaches NATS.
struct EdgeLinkConfig {
  std::string channel;  // the show's name on NATS: 1..32 of a-z, 0-9, '_', '-'
  NatsConfig nats;
  // Copies of the question intake the NATS cluster keeps (JetStream
  // replicas): 1 on one server, 3 on a cluster of three (a node may fail).
  int replicas = 1;
  // Where each show's package goes for the edges' archive (an HTTP PUT
  // target, http:// or https://, ending in '/'; the package's files go to
  // <archive_upload><session>/<file>). Empty: not uploaded, and the edges'
  // archive shows the text without the video.
  std::string archive_upload;
  std::string archive_upload_user;      // secret, from archive_upload_user_env
  std::string archive_upload_password;  // secret, from archive_upload_password_env
  std::string archive_upload_ca;        // a PEM CA bundle for https://; empty: the system's
};

// Broadcast graphics: the theme and what is up when the show starts.
struct OverlayConfig {
  // A theme name (a folder of assets/themes) or a path to a theme folder
  // (relative to the show file), resolved into theme_dir when it is a path.
  std::string theme = "default";
  std::string theme_dir;  // empty: look `theme` up in the assets
  int theme_line = 0;     // for the error when the theme cannot be loaded
  bool bug = true;        // logo + show title
  bool clock = true;      // LIVE badge and clock
  bool qr = true;         // QR code to the viewer page (audience.public_url)
  std::string ticker;     // the ticker's text; shown from the start when not empty
  bool auto_lower_thirds = true;
};

// [audio]: the program's sound. Its loudness is measured (EBU R128) and, with
// `loudness_control`, brought to the target by an automatic gain and held
// under the true-peak ceiling by a limiter (streaming/loudness.h).
struct AudioConfig {
  bool loudness_control = true;
  double loudness_target_lufs = -23.0;  // EBU R128 for broadcast partners; -16 for the web
  double true_peak_dbtp = -1.0;
  // The control room's monitor (the producer's headphones or speakers on the
  // studio PC): alsa://DEVICE or pulse://SINK; "": none.
  std::string monitor;
};

// [followup] (问政跟踪): how questions left unanswered on air and promises
// made on air are followed after the show.
struct FollowupConfig {
  // The public holidays and make-up working days (followup/work_calendar.h);
  // empty: the one that ships, assets/calendar/cn.toml.
  std::string calendar;
  // A forwarded question's reply is due this many working days after it was
  // forwarded, unless the producer sets another due date.
  int reply_working_days = 7;
  // Departments the studio makes sure exist (yishiting departments … adds
  // more and gives each its sign-in link).
  std::vector<std::string> departments;
};

struct ShowConfig {
  std::string path;  // the file it came from, for messages
  ShowInfo show;
  ProgramConfig program;
  std::vector<SourceConfig> sources;
  std::vector<DestinationConfig> destinations;
  ArchiveConfig archive;
  HlsConfig hls;
  AudienceConfig audience;
  OverlayConfig overlay;
  FollowupConfig followup;
  AudioConfig audio;
  WebrtcConfig webrtc;
  // [edge]: absent, the studio serves viewers only on its own listener.
  std::optional<EdgeLinkConfig> edge;
};

// Looks an environment variable up; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvironment();

// Parses and checks a show. `source_name` names the text in error messages.
ShowConfig parseShow(std::string_view toml_text, std::string_view source_name,
                     const EnvLookup& env = processEnvironment());
// Reads the file and parses it; an unreadable file is a ConfigError too.
ShowConfig loadShowFile(const std::string& path, const EnvLookup& env = processEnvironment());

// Checks a destination URL (rtmp://, rtmps://, srt://) as it would be given at
// run time by `destination.add`; returns the problem, or nothing when it is fine.
// The URL rules and their words are streaming/media_url's.
std::optional<std::string> checkDestinationUrl(std::string_view url,
                                               streaming::DestinationProtocol* protocol);
// Checks a source URI; returns the problem, or nothing when it is fine.
std::optional<std::string> checkSourceUri(std::string_view uri,
                                          streaming::UrlScheme* scheme = nullptr);

// "host" → -1, "guest1" → 0, "guest2" → 1, …; -2 when there is no such person.
int personIndex(const ShowInfo& show, std::string_view person);
// The person's name and title (for "host", "guest1", …); null when unknown.
const Person* findPerson(const ShowInfo& show, std::string_view person);

// Whether a secret is set, revealing none of it: "***", or "" when empty.
// (Even a few characters narrow a guess and tell a reader which key it is.)
std::string maskSecret(std::string_view secret);

}  // namespace yst::config
