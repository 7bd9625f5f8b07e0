#include "studio/server/file_serving.h"

#include "studio/server/control_server.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace yst::server::files {
namespace {

using Kind = StaticTarget::Kind;

void putFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

class FileServingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/yst_file_serving_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    web_ = root_ / "web";
    std::filesystem::create_directories(web_ / "producer");
    std::filesystem::create_directories(web_ / "empty");
    std::filesystem::create_directories(root_ / "hls");
    std::filesystem::create_directories(root_ / "media" / "show1");
    putFile(root_ / "secret.txt", "TOP SECRET");
    putFile(web_ / "index.html", "viewer");
    putFile(web_ / "app.js", "js");
    putFile(web_ / "producer" / "index.html", "producer");
    putFile(root_ / "hls" / "live.m3u8", "#EXTM3U\n");
    putFile(root_ / "hls" / "app.js", "js");
    putFile(root_ / "media" / "show1" / "program.mp4", std::string(5000, 'm'));
    putFile(root_ / "media" / "show1" / "questions.csv", "private");
    std::filesystem::create_symlink("../secret.txt", web_ / "escape.txt");
    std::filesystem::create_symlink("../secret.txt", root_ / "hls" / "escape.ts");
    std::filesystem::create_symlink(root_, web_ / "up");
    std::filesystem::create_symlink("app.js", web_ / "alias.js");
    std::filesystem::create_symlink("../../secret.txt", root_ / "media" / "show1" / "poster.jpg");
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  std::string real(const std::filesystem::path& path) const {
    return std::filesystem::canonical(path).string();
  }

  std::filesystem::path root_, web_;
};

TEST_F(FileServingTest, SafeSegmentsAreSimpleNames) {
  for (const char* good : {"a", "app.js", "seg_00001.ts", "Program-1.MP4", "x.y.z"}) {
    EXPECT_TRUE(isSafeSegment(good)) << good;
  }
  for (const char* bad :
       {"", ".", "..", ".hidden", "a/b", "a\\b", "%2e%2e", "a b", "a%00", "ü.js", "a:b", "a?b"}) {
    EXPECT_FALSE(isSafeSegment(bad)) << bad;
  }
  EXPECT_FALSE(isSafeSegment(std::string_view("a\0b", 3)));
}

TEST_F(FileServingTest, ResolveInsideFollowsSymlinksButNotOutOfTheRoot) {
  EXPECT_EQ(resolveInside(web_.string(), "app.js"), real(web_ / "app.js"));
  // A symlink that stays inside the root is fine, and resolves to its target.
  EXPECT_EQ(resolveInside(web_.string(), "alias.js"), real(web_ / "app.js"));
  EXPECT_EQ(resolveInside(web_.string(), ""), real(web_));
  EXPECT_EQ(resolveInside(web_.string(), "escape.txt"), std::nullopt);
  EXPECT_EQ(resolveInside(web_.string(), "up/secret.txt"), std::nullopt);
  EXPECT_EQ(resolveInside(web_.string(), "../secret.txt"), std::nullopt);
  EXPECT_EQ(resolveInside(web_.string(), "missing.js"), std::nullopt);
  EXPECT_EQ(resolveInside((root_ / "nope").string(), "app.js"), std::nullopt);
  // A sibling whose name starts with the root's is outside it.
  std::filesystem::create_directories(root_ / "web2");
  putFile(root_ / "web2" / "x.js", "x");
  EXPECT_EQ(resolveInside(web_.string(), "../web2/x.js"), std::nullopt);
}

TEST_F(FileServingTest, StaticPathsFindFilesAndDirectoryIndexes) {
  const std::string root = web_.string();
  StaticTarget index = resolveStatic(root, "/");
  EXPECT_EQ(index.kind, Kind::kFile);
  EXPECT_EQ(index.file.path, real(web_ / "index.html"));
  EXPECT_STREQ(index.file.content_type, "text/html; charset=utf-8");

  StaticTarget producer = resolveStatic(root, "/producer/");
  EXPECT_EQ(producer.kind, Kind::kFile);
  EXPECT_EQ(producer.file.path, real(web_ / "producer" / "index.html"));

  EXPECT_EQ(resolveStatic(root, "/producer").kind, Kind::kAddSlash);
  EXPECT_EQ(resolveStatic(root, "/empty").kind, Kind::kAddSlash);
  EXPECT_EQ(resolveStatic(root, "/empty/").kind, Kind::kNotFound);  // no index.html
  EXPECT_EQ(resolveStatic(root, "/index.html/").kind, Kind::kNotFound);

  StaticTarget script = resolveStatic(root, "/app.js");
  EXPECT_EQ(script.kind, Kind::kFile);
  EXPECT_STREQ(script.file.content_type, "text/javascript; charset=utf-8");
  // The type is the file's, after symlinks.
  EXPECT_EQ(resolveStatic(root, "/alias.js").file.path, real(web_ / "app.js"));

  EXPECT_EQ(resolveStatic("", "/app.js").kind, Kind::kNotFound);
}

TEST_F(FileServingTest, StaticPathsRefuseTraversalHiddenNamesAndEscapes) {
  const std::string root = web_.string();
  for (const char* path :
       {"/../secret.txt", "/producer/../../secret.txt", "/escape.txt", "/up/secret.txt", "//app.js",
        "/.hidden", "/a%2e%2e/x", "/app.js//", "/producer//index.html", "/missing.js"}) {
    EXPECT_EQ(resolveStatic(root, path).kind, Kind::kNotFound) << path;
  }
}

TEST_F(FileServingTest, HlsServesOnlyItsOwnTypes) {
  const std::string dir = (root_ / "hls").string();
  std::optional<ServedFile> playlist = resolveHls(dir, "live.m3u8");
  ASSERT_TRUE(playlist);
  EXPECT_EQ(playlist->path, real(root_ / "hls" / "live.m3u8"));
  EXPECT_STREQ(playlist->content_type, "application/vnd.apple.mpegurl");
  EXPECT_EQ(resolveHls(dir, "app.js"), std::nullopt);     // a file, but not an HLS type
  EXPECT_EQ(resolveHls(dir, "escape.ts"), std::nullopt);  // a symlink out of the directory
  EXPECT_EQ(resolveHls(dir, "missing.ts"), std::nullopt);
  EXPECT_EQ(resolveHls(dir, "../secret.ts"), std::nullopt);
  EXPECT_EQ(resolveHls("", "live.m3u8"), std::nullopt);
}

TEST_F(FileServingTest, MediaOpensListedNamesOnly) {
  const MediaMount mount{
      "/archive/media/", (root_ / "media").string(), {"program.mp4", "poster.jpg"}};
  std::optional<MediaFile> video = openMedia(mount, "show1/program.mp4");
  ASSERT_TRUE(video);
  EXPECT_TRUE(video->file);
  EXPECT_EQ(video->size, 5000u);
  EXPECT_STREQ(video->content_type, "video/mp4");
  EXPECT_EQ(openMedia(mount, "show1/questions.csv"), std::nullopt);  // not listed
  EXPECT_EQ(openMedia(mount, "show1/poster.jpg"), std::nullopt);     // listed, but escapes
  EXPECT_EQ(openMedia(mount, "show2/program.mp4"), std::nullopt);
  EXPECT_EQ(openMedia(mount, "program.mp4"), std::nullopt);
  EXPECT_EQ(openMedia(mount, "../media/show1/program.mp4"), std::nullopt);
  EXPECT_EQ(openMedia(mount, "show1/sub/program.mp4"), std::nullopt);
  EXPECT_EQ(openMedia(mount, ".show1/program.mp4"), std::nullopt);
}

TEST_F(FileServingTest, ContentTypes) {
  EXPECT_EQ(extensionOf("app.js"), "js");
  EXPECT_EQ(extensionOf("/a.b/file"), "");
  EXPECT_EQ(extensionOf("/a/file.tar.gz"), "gz");
  EXPECT_EQ(extensionOf("noext"), "");
  EXPECT_STREQ(staticContentType("html"), "text/html; charset=utf-8");
  EXPECT_STREQ(staticContentType("HTML"), "text/html; charset=utf-8");
  EXPECT_STREQ(staticContentType("Js"), "text/javascript; charset=utf-8");
  EXPECT_STREQ(staticContentType("svg"), "image/svg+xml");
  EXPECT_STREQ(staticContentType("woff2"), "font/woff2");
  EXPECT_STREQ(staticContentType("exe"), "application/octet-stream");
  EXPECT_STREQ(staticContentType(""), "application/octet-stream");
  EXPECT_STREQ(hlsContentType("ts"), "video/mp2t");
  EXPECT_STREQ(hlsContentType("m4s"), "video/iso.segment");
  EXPECT_EQ(hlsContentType("TS"), nullptr);  // what a muxer writes, exactly
  EXPECT_EQ(hlsContentType("html"), nullptr);
  EXPECT_TRUE(isDocumentType("text/html; charset=utf-8"));
  EXPECT_TRUE(isDocumentType("image/svg+xml"));
  EXPECT_FALSE(isDocumentType("text/javascript; charset=utf-8"));
  EXPECT_FALSE(isDocumentType("application/json; charset=utf-8"));
}

}  // namespace
}  // namespace yst::server::files
