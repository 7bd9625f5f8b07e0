// Which file a URL path names, and what it is served as: the web root and
// its mounts, the HLS directory, the archive's media. No libwebsockets here;
// the HTTP routes turn the answers into replies.
//
// lws has already %-decoded the path and collapsed "." and ".." segments;
// nothing here relies on that. Every segment must be a safe name, and
// realpath() must land inside the root (a symlink out of it is refused).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace yst::server {

struct MediaMount;  // control_server.h

namespace files {

// One path segment we are willing to look up on disk: [A-Za-z0-9_.-]+, not
// starting with '.', so no "..", no hidden files, no '%' left over from a
// double encoding, no NUL, no separators.
bool isSafeSegment(std::string_view segment);

// `relative` (already checked segment by segment) resolved under `root`, with
// every symlink followed; nullopt unless the result is inside the root.
std::optional<std::string> resolveInside(const std::string& root, const std::string& relative);

// "app.js" -> "js"; "" when the last segment has no dot.
std::string_view extensionOf(std::string_view name);
// By extension, case-insensitively; "application/octet-stream" otherwise.
const char* staticContentType(std::string_view extension);
// HLS serves only what an HLS muxer writes: nullptr for anything else.
const char* hlsContentType(std::string_view extension);
// HTML and SVG can run script in our origin: both get the strict policy.
bool isDocumentType(std::string_view content_type);

// A regular file to send whole, and its type.
struct ServedFile {
  std::string path;
  const char* content_type = nullptr;
};

// What a path under a static root names.
struct StaticTarget {
  enum class Kind {
    kNotFound = 0,
    kFile,      // `file`
    kAddSlash,  // a directory asked for without its '/': 301 to the path plus "/"
  };
  Kind kind = Kind::kNotFound;
  ServedFile file;
};

// `url_path` starts with '/'; a trailing '/' asks for the directory's
// index.html. An empty root finds nothing.
StaticTarget resolveStatic(const std::string& root, std::string_view url_path);

// `name` (one segment) in the HLS directory, if it is a file of an HLS type.
std::optional<ServedFile> resolveHls(const std::string& dir, std::string_view name);

// An open file served with byte ranges; the type is the listed name's.
struct MediaFile {
  std::shared_ptr<std::FILE> file;
  std::uint64_t size = 0;
  const char* content_type = nullptr;
};

// `rest` is "<folder>/<name>" after the mount's prefix; only the mount's
// listed names are found.
std::optional<MediaFile> openMedia(const MediaMount& mount, std::string_view rest);

}  // namespace files
}  // namespace yst::server
