// The show file's [edge] (the studio's link to its public edges over NATS),
// read by the same reader as the edge file's [nats]: the same servers and
// credentials accepted, refused in the same words.
#include "studio/config/nats_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "studio/config/edge_config.h"
#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

const std::string kEdgeLink = R"(
[edge]
nats = "tls://nats1.example.cn:4222,tls://nats2.example.cn:4222"
channel = "wenzhou-ysd"
token_env = "YST_NATS_TOKEN"
)";

const EnvLookup kTokenEnv = envOf({{"YST_NATS_TOKEN", "studio-token-0123456789"}});

TEST(ShowEdgeLinkTest, WithoutEdgeTheStudioHasNoLink) {
  EXPECT_FALSE(parseShow(kMinimal, "show.toml", kNoEnv).edge.has_value());
}

TEST(ShowEdgeLinkTest, ChannelServersAndCredentialsAreRead) {
  const ShowConfig c = parseShow(withMinimal(kEdgeLink), "show.toml", kTokenEnv);
  ASSERT_TRUE(c.edge.has_value());
  EXPECT_EQ(c.edge->channel, "wenzhou-ysd");
  EXPECT_EQ(c.edge->nats.servers, (std::vector<std::string>{"tls://nats1.example.cn:4222",
                                                            "tls://nats2.example.cn:4222"}));
  EXPECT_TRUE(c.edge->nats.tls);
  EXPECT_EQ(c.edge->nats.auth, NatsAuth::kToken);
  EXPECT_EQ(c.edge->nats.token, "studio-token-0123456789");
  EXPECT_EQ(c.edge->nats.credentials_source, "environment variable YST_NATS_TOKEN");

  const ShowFolder folder("yst-show-edge-link");
  folder.write("nats/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const ShowConfig d = parseShow(withMinimal(kEdgeLink + "ca = \"nats/ca.pem\"\n"),
                                 (folder.path() / "show.toml").string(), kTokenEnv);
  EXPECT_EQ(d.edge->nats.ca_file, (folder.path() / "nats/ca.pem").string());

  const ShowConfig anonymous =
      parseShow(withMinimal("[edge]\nnats = \"nats://127.0.0.1\"\nchannel = \"test\"\n"),
                "show.toml", kNoEnv);
  EXPECT_EQ(anonymous.edge->nats.servers, (std::vector<std::string>{"nats://127.0.0.1:4222"}));
  EXPECT_EQ(anonymous.edge->nats.auth, NatsAuth::kNone);
  EXPECT_EQ(anonymous.edge->replicas, 1);

  const ShowConfig cluster = parseShow(
      withMinimal("[edge]\nnats = \"nats://a,nats://b,nats://c\"\nchannel = \"t\"\nreplicas = 3\n"),
      "show.toml", kNoEnv);
  EXPECT_EQ(cluster.edge->replicas, 3);
}

TEST(ShowEdgeLinkTest, BadKeysAreRefusedWithTheirLines) {
  struct Case {
    std::string edge;  // the [edge] section
    std::string key;
    std::string problem;
    std::string line_of;
  };
  const std::vector<Case> cases = {
      {"[edge]\nchannel = \"c\"\n", "edge.nats", "missing: the NATS servers", "[edge]"},
      {"[edge]\nnats = \"nats://h\"\n", "edge.channel", "missing: the show's channel", "[edge]"},
      {"[edge]\nnats = \"nats://h\"\nchanel = \"c\"\n", "edge.chanel", "did you mean \"channel\"?",
       "chanel"},
      {"[edge]\nurl = \"nats://h\"\nchannel = \"c\"\n", "edge.url", "unknown key", "url"},
      {"[edge]\nnats = \"nats://h\"\nchannel = \"c\"\nreplicas = 7\n", "edge.replicas", "in 1..5",
       "replicas"},
      {"[edge]\nnats = \"nats://h\"\nchannel = \"c\"\nhls_url = \"/x\"\n", "edge.hls_url",
       "unknown key", "hls_url"},
      {"[edge]\nnats = \"nats://h\"\nchannel = \"C\"\n", "edge.channel", "must be 1..32",
       "channel"},
      {"[edge]\nnats = [\"nats://h\"]\nchannel = \"c\"\n", "edge.nats",
       "expected a string; got an array", "nats ="},
      {"[edge]\nnats = \"tls://a,nats://b\"\nchannel = \"c\"\n", "edge.nats",
       "mixes nats:// and tls:// servers", "nats ="},
      {"[edge]\nnats = \"nats://h\"\nchannel = \"c\"\ntoken_env = \"YST_NATS_TOKEN\"\n",
       "edge.token_env", "environment variable YST_NATS_TOKEN is not set", "token_env"},
      {"[edge]\nnats = \"nats://h\"\nchannel = \"c\"\nca = \"ca.pem\"\n", "edge.ca", "no such file",
       "ca ="},
      {"edge = \"nats://h\"\n[show]\ntitle = \"T\"\n", "edge", "expected a table; got a string",
       "edge ="},
  };
  for (const Case& c : cases) {
    const std::string text = c.edge.starts_with("edge =")
                                 ? c.edge + "[[sources]]\nid = \"cam\"\nuri = \"test://smpte\"\n"
                                 : withMinimal(c.edge);
    SCOPED_TRACE(text);
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), c.key) << e.what();
    EXPECT_NE(e.problem().find(c.problem), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), lineOf(text, c.line_of)) << e.what();
  }
}

TEST(ShowEdgeLinkTest, TheArchiveUploadIsReadWithItsSecretsFromTheEnvironment) {
  const std::string upload = R"(
[edge]
nats = "nats://127.0.0.1"
channel = "c"
archive_upload = "https://origin.example.cn:8443/archive-upload/"
archive_upload_user_env = "YST_UPLOAD_USER"
archive_upload_password_env = "YST_UPLOAD_PASSWORD"
)";
  const EnvLookup env =
      envOf({{"YST_UPLOAD_USER", "studio"}, {"YST_UPLOAD_PASSWORD", "upload-password-0123"}});
  const ShowConfig c = parseShow(withMinimal(upload), "show.toml", env);
  EXPECT_EQ(c.edge->archive_upload, "https://origin.example.cn:8443/archive-upload/");
  EXPECT_EQ(c.edge->archive_upload_user, "studio");
  EXPECT_EQ(c.edge->archive_upload_password, "upload-password-0123");
  EXPECT_TRUE(c.edge->archive_upload_ca.empty());
  const ShowConfig none = parseShow(
      withMinimal("[edge]\nnats = \"nats://127.0.0.1\"\nchannel = \"c\"\n"), "show.toml", kNoEnv);
  EXPECT_TRUE(none.edge->archive_upload.empty());

  EXPECT_FALSE(archiveUploadProblem("http://127.0.0.1:8081/archive-upload/"));
  EXPECT_FALSE(archiveUploadProblem("https://[2001:db8::1]/up/"));
  for (const char* bad : {"ftp://h/", "https:///x/", "https://h/x", "https://h/x/?k=1",
                          "https://u:p@h/x/", "https://h:99999/x/", "https://h/a b/"}) {
    EXPECT_TRUE(archiveUploadProblem(bad)) << bad;
  }
}

TEST(ShowEdgeLinkTest, ABadArchiveUploadIsRefusedWithoutShowingItsSecret) {
  struct Case {
    std::string keys;
    std::string key;
    std::string problem;
    std::string line_of;
  };
  const std::string base = "[edge]\nnats = \"nats://h\"\nchannel = \"c\"\n";
  const std::vector<Case> cases = {
      {"archive_upload = \"https://h/up\"\n", "edge.archive_upload", "must end in '/'",
       "archive_upload ="},
      {"archive_upload = \"https://user:hunter2-secret@h/up/\"\n", "edge.archive_upload",
       "must not contain a user name or password", "archive_upload ="},
      {"archive_upload = \"https://h/up/\"\narchive_upload_user_env = \"U\"\n",
       "edge.archive_upload_user_env", "needs archive_upload_password_env",
       "archive_upload_user_env"},
      {"archive_upload_user_env = \"U\"\narchive_upload_password_env = \"P\"\n",
       "edge.archive_upload", "missing: the address", "archive_upload_password_env"},
      {"archive_upload = \"http://h/up/\"\narchive_upload_ca = \"ca.pem\"\n",
       "edge.archive_upload_ca", "no such file", "archive_upload_ca"},
      {"archive_upload = \"https://h/up/\"\narchive_upload_user_env = \"U\"\n"
       "archive_upload_password_env = \"P\"\n",
       "edge.archive_upload_user_env", "environment variable U is not set",
       "archive_upload_user_env"},
  };
  for (const Case& c : cases) {
    const std::string text = withMinimal(base + c.keys);
    SCOPED_TRACE(text);
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), c.key) << e.what();
    EXPECT_NE(e.problem().find(c.problem), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), lineOf(text, c.line_of)) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  // http:// with a CA file: the CA is for https:// only.
  const ShowFolder folder("yst-show-upload-ca");
  folder.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string text =
      withMinimal(base + "archive_upload = \"http://h/up/\"\narchive_upload_ca = \"ca.pem\"\n");
  try {
    parseShow(text, (folder.path() / "show.toml").string(), kNoEnv);
    ADD_FAILURE() << "accepted a CA for http://";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "edge.archive_upload_ca");
    EXPECT_NE(e.problem().find("is for https://"), std::string::npos) << e.what();
  }
}

// One reader for both files: a server or credential refused in the studio's
// [edge] is refused at the edge's [nats] in the same words, and the secret in
// neither.
TEST(ShowEdgeLinkTest, TheStudioAndTheEdgeReadTheNatsKeysAlike) {
  const std::string secret = "pa55word-pa55word";
  const std::vector<std::string> bad = {
      "url = \"nats://a:0\"",
      "url = \"tls://a:4222,\"",
      "url = \"nats://u:" + secret + "@a\"",
      "url = \"nats://a/\"",
      "url = \"tls://a\"\nuser_env = \"U\"",
      "url = \"tls://a\"\ntoken_env = \"" + secret + "\"",
      "url = \"tls://a\"\ntoken_env = \"T\"\npassword_env = \"P\"",
      "url = \"tls://a\"\ncredentials = 5",
  };
  for (const std::string& keys : bad) {
    SCOPED_TRACE(keys);
    std::string studio_keys = keys;
    studio_keys.replace(0, 3, "nats");
    const ConfigError studio =
        refusal(withMinimal("[edge]\nchannel = \"c\"\n" + studio_keys + "\n"));
    ConfigError edge("", -1, "", "");
    try {
      parseEdgeConfig("[edge]\nchannel = \"c\"\nhls_url = \"/p.m3u8\"\n[nats]\n" + keys + "\n",
                      "edge.toml", kNoEnv, "edge-a");
      ADD_FAILURE() << "the edge accepted it";
    } catch (const ConfigError& e) {
      edge = e;
    }
    EXPECT_EQ(studio.problem(), edge.problem());
    EXPECT_EQ(studio.key().substr(std::string("edge.").size()),
              edge.key().substr(std::string("nats.").size()) == "url"
                  ? "nats"
                  : edge.key().substr(std::string("nats.").size()));
    EXPECT_EQ(std::string(studio.what()).find("pa55word"), std::string::npos) << studio.what();
    EXPECT_EQ(std::string(edge.what()).find("pa55word"), std::string::npos) << edge.what();
  }
}

}  // namespace
}  // namespace yst::config
