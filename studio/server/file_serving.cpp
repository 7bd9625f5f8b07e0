#include "studio/server/file_serving.h"

#include "studio/server/control_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace yst::server::files {
namespace {

std::optional<std::string> realPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

bool isSafeSegment(std::string_view segment) {
  if (segment.empty() || segment.front() == '.') return false;
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::optional<std::string> resolveInside(const std::string& root, const std::string& relative) {
  const std::optional<std::string> real_root = realPath(root);
  if (!real_root) return std::nullopt;
  const std::optional<std::string> real = realPath(*real_root + "/" + relative);
  if (!real) return std::nullopt;
  std::string prefix = *real_root;
  if (prefix.back() != '/') prefix += '/';
  if (*real != *real_root && real->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return real;
}

std::string_view extensionOf(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  const std::size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return name.substr(dot + 1);
}

const char* staticContentType(std::string_view extension) {
  static const std::pair<std::string_view, const char*> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"svg", "image/svg+xml"},
      {"json", "application/json; charset=utf-8"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"webp", "image/webp"},
      {"vtt", "text/vtt; charset=utf-8"},
      {"m3u8", "application/vnd.apple.mpegurl"},
      {"ts", "video/mp2t"},
      {"mp4", "video/mp4"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (ext.size() == extension.size() &&
        std::equal(ext.begin(), ext.end(), extension.begin(),
                   [](char a, char b) { return a == (b | (b >= 'A' && b <= 'Z' ? 0x20 : 0)); })) {
      return type;
    }
  }
  return "application/octet-stream";
}

const char* hlsContentType(std::string_view extension) {
  if (extension == "m3u8") return "application/vnd.apple.mpegurl";
  if (extension == "ts") return "video/mp2t";
  if (extension == "m4s") return "video/iso.segment";
  if (extension == "mp4") return "video/mp4";
  if (extension == "vtt") return "text/vtt; charset=utf-8";
  if (extension == "aac") return "audio/aac";
  return nullptr;
}

bool isDocumentType(std::string_view content_type) {
  return content_type.starts_with("text/html") || content_type.starts_with("image/svg+xml");
}

StaticTarget resolveStatic(const std::string& root, std::string_view url_path) {
  const StaticTarget not_found;
  if (root.empty()) return not_found;
  // Check every segment; a trailing '/' means "the index of this directory".
  std::string relative;
  std::string_view rest = url_path.substr(1);
  const bool wants_directory = rest.empty() || rest.back() == '/';
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (!isSafeSegment(segment)) return not_found;
    if (!relative.empty()) relative += '/';
    relative += segment;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  std::optional<std::string> resolved = resolveInside(root, relative);
  struct stat info = {};
  if (!resolved || ::stat(resolved->c_str(), &info) != 0) return not_found;
  if (S_ISDIR(info.st_mode)) {
    // "/producer" → "/producer/" so that the page's relative URLs work.
    if (!wants_directory) return {StaticTarget::Kind::kAddSlash, {}};
    resolved = resolveInside(root, relative.empty() ? "index.html" : relative + "/index.html");
    if (!resolved || ::stat(resolved->c_str(), &info) != 0) return not_found;
  } else if (wants_directory) {
    return not_found;
  }
  if (!S_ISREG(info.st_mode)) return not_found;
  const char* type = staticContentType(extensionOf(*resolved));
  return {StaticTarget::Kind::kFile, {std::move(*resolved), type}};
}

std::optional<ServedFile> resolveHls(const std::string& dir, std::string_view name) {
  const char* type = hlsContentType(extensionOf(name));
  if (dir.empty() || !isSafeSegment(name) || !type) return std::nullopt;
  std::optional<std::string> path = resolveInside(dir, std::string(name));
  struct stat info = {};
  if (!path || ::stat(path->c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  return ServedFile{std::move(*path), type};
}

std::optional<MediaFile> openMedia(const MediaMount& mount, std::string_view rest) {
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view folder = rest.substr(0, slash);
  const std::string_view name = rest.substr(slash + 1);
  if (!isSafeSegment(folder) || !isSafeSegment(name) ||
      std::find(mount.names.begin(), mount.names.end(), name) == mount.names.end()) {
    return std::nullopt;
  }
  const std::optional<std::string> path =
      resolveInside(mount.dir, std::string(folder) + "/" + std::string(name));
  if (!path) return std::nullopt;
  std::shared_ptr<std::FILE> file(std::fopen(path->c_str(), "rbe"), FileCloser());
  struct stat info = {};
  if (!file || ::fstat(::fileno(file.get()), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::nullopt;
  }
  return MediaFile{std::move(file), static_cast<std::uint64_t>(info.st_size),
                   staticContentType(extensionOf(name))};
}

}  // namespace yst::server::files
