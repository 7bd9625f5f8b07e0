// Secrets that travel inside URIs: a camera's `user:password@`, every query
// value (an SRT `passphrase=`, a CDN's signature: Tencent's `txSecret=`,
// Alibaba's `auth_key=`, Wangsu's `wsSecret=`, Huawei's `hwSecret=`, and
// whatever the next partner calls theirs), and the stream key that a push URL
// carries as its last path segment (YouTube's rtmp://…/live2/xxxx-xxxx-…).
// A list of "secret" parameter names is always one CDN short, so no query
// value is shown. Everything the studio shows or logs about a source or
// destination goes through maskUri(), and error texts are scrubbed of
// uriSecrets() before anyone sees them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yst::streaming {

// Where an RTMP URL carries its stream key. A URL handed out by a partner
// has it as the last path segment; a destination may give it apart (its
// `key`), and then the path names only the application and stays visible.
// Other schemes have no stream key in their path.
enum class RtmpKey { kInvalid = 0, kInPath, kApart };

// "rtsp://admin:pw@cam/x" -> "rtsp://***@cam/x";
// "srt://h:1?mode=caller&passphrase=abc" -> "srt://h:1?mode=***&passphrase=***";
// "rtmp://h/live/show42?txSecret=abc" -> "rtmp://h/live/***?txSecret=***".
// Every secret is masked, however short.
std::string maskUri(std::string_view uri, RtmpKey rtmp_key = RtmpKey::kInPath);

// The secret substrings of `uri` (the userinfo, the stream key in the path,
// every query value), as written and percent-decoded (what a server echoes),
// each at least 3 characters, for scrubbing error texts.
std::vector<std::string> uriSecrets(std::string_view uri, RtmpKey rtmp_key = RtmpKey::kInPath);

// Replaces every occurrence of each secret (of 3 or more characters) in
// `text` with "***", longest first so that no part of a longer secret that
// contains a shorter one is left showing.
std::string scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace yst::streaming
