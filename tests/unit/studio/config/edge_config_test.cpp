// The public edge's file: a good file read whole, the defaults, every bad key
// with the message and line the admin sees, secrets from the environment and
// never in a message, and the limits read exactly as the show file's
// [audience] reads them.
#include "studio/config/edge_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <iterator>
#include <string>
#include <vector>

#include "studio/config/audience_config.h"
#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

const std::string kMinimalEdge = R"([edge]
channel = "wenzhou-ysd"
hls_url = "https://live.example.cn/hls/program.m3u8"

[nats]
url = "nats://127.0.0.1:4222"
)";

const EnvLookup kNatsEnv = envOf({{"YST_NATS_USER", "edge-a"},
                                  {"YST_NATS_PASSWORD", "correct-horse-battery-staple"},
                                  {"YST_NATS_TOKEN", "0123456789abcdef0123"}});

EdgeConfig parseEdge(const std::string& text, const EnvLookup& env = kNatsEnv,
                     const std::string& source = "edge.toml") {
  return parseEdgeConfig(text, source, env, "Edge-A.example.cn");
}

ConfigError edgeRefusal(const std::string& text, const EnvLookup& env = kNatsEnv,
                        const std::string& source = "edge.toml") {
  try {
    parseEdge(text, env, source);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return ConfigError("", -1, "", "");
}

// The minimal file with `from` replaced by `to` (which must be there).
std::string edgeWith(const std::string& from, const std::string& to) {
  std::string text = kMinimalEdge;
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(EdgeConfigTest, AGoodFileIsReadWhole) {
  const ShowFolder folder("yst-edge-config-good");
  folder.write("nats-ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string text = R"(# edge-a, behind nginx
[edge]
id = "edge-a"
channel = "wenzhou-ysd"
listen = "0.0.0.0:8090"
public_url = "https://ask.example.cn/"
hls_url = "https://live.example.cn/hls/program.m3u8"
trusted_proxies = ["10.0.0.0/8", "127.0.0.1"]
allowed_hosts = ["ask2.example.cn"]

[nats]
url = "tls://nats1.example.cn:4222, tls://nats2.example.cn,tls://[fd00::7]:4333"
user_env = "YST_NATS_USER"
password_env = "YST_NATS_PASSWORD"
ca = "nats-ca.pem"

[limits]
question_interval_s = 20
question_burst = 2
vote_interval_s = 1.5
vote_burst = 5
max_connections_per_address = 64
max_question_chars = 200
max_connections = 20000
ws_ping_s = 25
)";
  const EdgeConfig c = parseEdge(text, kNatsEnv, (folder.path() / "edge.toml").string());
  EXPECT_EQ(c.path, (folder.path() / "edge.toml").string());
  EXPECT_EQ(c.id, "edge-a");
  EXPECT_FALSE(c.id_from_host_name);
  EXPECT_EQ(c.channel, "wenzhou-ysd");
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 8090);
  EXPECT_EQ(c.public_url, "https://ask.example.cn/");
  EXPECT_FALSE(c.public_url_from_listen);
  EXPECT_EQ(c.hls_url, "https://live.example.cn/hls/program.m3u8");
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "127.0.0.1"}));
  EXPECT_EQ(c.allowed_hosts, (std::vector<std::string>{"ask2.example.cn"}));
  EXPECT_EQ(c.nats.servers,
            (std::vector<std::string>{"tls://nats1.example.cn:4222", "tls://nats2.example.cn:4222",
                                      "tls://[fd00::7]:4333"}));
  EXPECT_TRUE(c.nats.tls);
  EXPECT_EQ(c.nats.auth, NatsAuth::kUserPassword);
  EXPECT_EQ(c.nats.user, "edge-a");
  EXPECT_EQ(c.nats.password, "correct-horse-battery-staple");
  EXPECT_EQ(c.nats.credentials_source,
            "environment variable YST_NATS_USER and environment variable YST_NATS_PASSWORD");
  EXPECT_EQ(c.nats.ca_file, (folder.path() / "nats-ca.pem").string());
  EXPECT_EQ(c.limits.question_interval_s, 20);
  EXPECT_EQ(c.limits.question_burst, 2);
  EXPECT_EQ(c.limits.vote_interval_s, 1.5);
  EXPECT_EQ(c.limits.vote_burst, 5);
  EXPECT_EQ(c.limits.max_connections_per_address, 64);
  EXPECT_EQ(c.limits.max_question_chars, 200);
  EXPECT_EQ(c.limits.max_connections, 20000);
  EXPECT_EQ(c.limits.ws_ping_s, 25);
}

TEST(EdgeConfigTest, DefaultsForAMinimalFile) {
  const EdgeConfig c = parseEdge(kMinimalEdge, kNoEnv);
  EXPECT_EQ(c.id, "edge-a") << "from the host name Edge-A.example.cn";
  EXPECT_TRUE(c.id_from_host_name);
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8090);
  EXPECT_EQ(c.public_url, "http://127.0.0.1:8090/");
  EXPECT_TRUE(c.public_url_from_listen);
  EXPECT_TRUE(c.trusted_proxies.empty());
  EXPECT_TRUE(c.allowed_hosts.empty());
  EXPECT_EQ(c.nats.servers, (std::vector<std::string>{"nats://127.0.0.1:4222"}));
  EXPECT_FALSE(c.nats.tls);
  EXPECT_EQ(c.nats.auth, NatsAuth::kNone);
  EXPECT_EQ(c.nats.credentials_source, "");
  EXPECT_EQ(c.nats.ca_file, "");
  // The limits' defaults are the studio's.
  const AudienceConfig studio = parseShow(kMinimal, "show.toml", kNoEnv).audience;
  EXPECT_EQ(c.limits.question_interval_s, studio.question_interval_s);
  EXPECT_EQ(c.limits.question_burst, studio.question_burst);
  EXPECT_EQ(c.limits.vote_interval_s, studio.vote_interval_s);
  EXPECT_EQ(c.limits.vote_burst, studio.vote_burst);
  EXPECT_EQ(c.limits.max_connections_per_address, studio.max_connections_per_address);
  EXPECT_EQ(c.limits.max_question_chars, studio.max_question_chars);
  EXPECT_EQ(c.limits.max_connections, studio.max_connections);
  EXPECT_EQ(c.limits.ws_ping_s, studio.ws_ping_s);

  // A path on the page's own origin is a fine hls_url (nginx serves the cache there).
  EXPECT_EQ(
      parseEdge(edgeWith("https://live.example.cn/hls/program.m3u8", "/hls/program.m3u8")).hls_url,
      "/hls/program.m3u8");
}

TEST(EdgeConfigTest, TheDefaultIdIsTheHostNameCleaned) {
  EXPECT_EQ(edgeIdFromHostName("Edge-A.example.cn"), "edge-a");
  EXPECT_EQ(edgeIdFromHostName("web_01"), "web_01");
  EXPECT_EQ(edgeIdFromHostName("ip-10-0-3-7.ec2.internal"), "ip-10-0-3-7");
  EXPECT_EQ(edgeIdFromHostName("my edge!"), "my-edge-");
  EXPECT_EQ(edgeIdFromHostName("边缘"), "------");  // each byte of the UTF-8 text
  EXPECT_EQ(edgeIdFromHostName(std::string(40, 'x')), std::string(32, 'x'));
  EXPECT_EQ(edgeIdFromHostName(""), "edge");
  EXPECT_EQ(edgeIdFromHostName(".example.cn"), "edge");
  EXPECT_FALSE(localHostName().empty());
  // Whatever this machine is called, its id is one the file could hold.
  const EdgeConfig c = parseEdgeConfig(kMinimalEdge, "edge.toml", kNoEnv);
  EXPECT_EQ(c.id, edgeIdFromHostName(localHostName()));
}

TEST(EdgeConfigTest, EveryBadKeyIsRefusedWithItsMessageAndLine) {
  struct Case {
    std::string text;
    std::string key;
    std::string problem;  // a part of it
    std::string line_of;  // the line's text; "" for no line
  };
  const std::vector<Case> cases = {
      {kMinimalEdge + "[edges]\n", "edges", "unknown key; did you mean \"edge\"?", "[edges]"},
      {edgeWith("channel", "chanel"), "edge.chanel", "did you mean \"channel\"?", "chanel"},
      {kMinimalEdge + "urls = \"nats://h\"\n", "nats.urls", "did you mean \"url\"?", "urls"},
      {kMinimalEdge + "[limits]\nquestion_intervall_s = 3\n", "limits.question_intervall_s",
       "did you mean \"question_interval_s\"?", "question_intervall_s"},
      {kMinimalEdge + "[limits]\nproducer_token_env = \"X\"\n", "limits.producer_token_env",
       "unknown key", "producer_token_env"},
      {kMinimalEdge + "[limits]\nword_list = \"w.txt\"\n", "limits.word_list", "unknown key",
       "word_list"},
      {"[nats]\nurl = \"nats://h\"\n", "edge", "missing: the [edge] table", ""},
      {"[edge]\nchannel = \"c\"\nhls_url = \"/x.m3u8\"\n", "nats", "missing: the [nats] table", ""},
      {edgeWith("channel = \"wenzhou-ysd\"\n", ""), "edge.channel", "missing", "[edge]"},
      {edgeWith("\"wenzhou-ysd\"", "\"Wenzhou YSD\""), "edge.channel",
       "must be 1..32 characters of a-z, 0-9, '_' and '-'; got \"Wenzhou YSD\"", "channel"},
      {edgeWith("\"wenzhou-ysd\"", "7"), "edge.channel", "expected a string; got an integer",
       "channel"},
      {edgeWith("[edge]\n", "[edge]\nid = \"edge/a\"\n"), "edge.id", "must be 1..32 characters",
       "id ="},
      {edgeWith("[edge]\n", "[edge]\nlisten = \"example.com:80\"\n"), "edge.listen",
       "expected \"host:port\"", "listen"},
      {edgeWith("[edge]\n", "[edge]\nlisten = 8090\n"), "edge.listen",
       "expected a string; got an integer", "listen"},
      {edgeWith("[edge]\n", "[edge]\npublic_url = \"ask.example.cn\"\n"), "edge.public_url",
       "has no scheme", "public_url"},
      {edgeWith("hls_url = \"https://live.example.cn/hls/program.m3u8\"\n", ""), "edge.hls_url",
       "missing: what the viewer page plays", "[edge]"},
      {edgeWith("https://live.example.cn/hls/program.m3u8", "live.example.cn/program.m3u8"),
       "edge.hls_url", "expected an http:// or https:// URL, or a path", "hls_url"},
      {edgeWith("https://live.example.cn/hls/program.m3u8", "//cdn.example.cn/p.m3u8"),
       "edge.hls_url", "must not start with \"//\"", "hls_url"},
      {edgeWith("https://live.example.cn/hls/program.m3u8", "/hls/program .m3u8"), "edge.hls_url",
       "contains a space", "hls_url"},
      {edgeWith("[edge]\nchannel = \"wenzhou-ysd\"\nhls_url = \"https://",
                "[edge]\npublic_url = \"https://ask.example.cn/\"\nchannel = "
                "\"wenzhou-ysd\"\nhls_url = \"http://"),
       "edge.hls_url", "browsers block plain-HTTP media on a secure page", "hls_url"},
      {edgeWith("[edge]\n", "[edge]\ntrusted_proxies = [\"10.0.0.0/33\"]\n"),
       "edge.trusted_proxies", "expected an IP address or network", "trusted_proxies"},
      {edgeWith("[edge]\n", "[edge]\ntrusted_proxies = \"10.0.0.0/8\"\n"), "edge.trusted_proxies",
       "expected an array of strings; got a string", "trusted_proxies"},
      {edgeWith("[edge]\n", "[edge]\nallowed_hosts = [\"https://ask.example.cn\"]\n"),
       "edge.allowed_hosts", "expected a host name", "allowed_hosts"},
      {edgeWith("url = \"nats://127.0.0.1:4222\"\n", ""), "nats.url", "missing: the NATS servers",
       "[nats]"},
      {edgeWith("nats://127.0.0.1:4222", "http://127.0.0.1:4222"), "nats.url",
       "expected nats://host[:port] or tls://host[:port]; got \"http://127.0.0.1:4222\"",
       "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "NATS://127.0.0.1:4222"), "nats.url",
       "expected nats://host[:port]", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "tls://a:4222,nats://b:4222"), "nats.url",
       "mixes nats:// and tls:// servers", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://a:4222,,nats://b"), "nats.url",
       "has an empty server", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://a:4222,"), "nats.url", "has an empty server",
       "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://a:99999"), "nats.url",
       "server \"nats://a:99999\": port 99999 is not in 1..65535", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://a:4222/x"), "nats.url",
       "has a path or query; a NATS server's URL has neither", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://a b:4222"), "nats.url",
       "contains a space or a control character", "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://[::1:4222"), "nats.url", "without its closing ']'",
       "\nurl ="},
      {edgeWith("nats://127.0.0.1:4222", "nats://:4222"), "nats.url", "has no host", "\nurl ="},
      {kMinimalEdge + "user_env = \"YST_NATS_USER\"\n", "nats.user_env",
       "needs password_env beside it", "user_env"},
      {kMinimalEdge + "password_env = \"YST_NATS_PASSWORD\"\n", "nats.password_env",
       "needs user_env beside it", "password_env"},
      {kMinimalEdge + "token_env = \"YST_NATS_TOKEN\"\ncredentials = \"x.creds\"\n",
       "nats.credentials", "give one way of signing in", "credentials"},
      {kMinimalEdge + "user_env = \"YST_NATS_USER\"\npassword_env = \"YST_NATS_PASSWORD\"\n"
                      "token_env = \"YST_NATS_TOKEN\"\n",
       "nats.token_env", "give one way of signing in", "token_env"},
      {kMinimalEdge + "token_env = \"YST_NATS_NOTHING\"\n", "nats.token_env",
       "environment variable YST_NATS_NOTHING is not set", "token_env"},
      {kMinimalEdge + "credentials = \"nowhere.creds\"\n", "nats.credentials", "no such file",
       "credentials"},
      {kMinimalEdge + "ca = \"nowhere.pem\"\n", "nats.ca", "no such file", "ca ="},
      {kMinimalEdge + "[limits]\nquestion_burst = \"3\"\n", "limits.question_burst",
       "expected an integer; got a string (remove the quotes)", "question_burst"},
      {kMinimalEdge + "[limits]\nquestion_burst = 0\n", "limits.question_burst",
       "expected an integer in 1..1000; got 0", "question_burst"},
      {kMinimalEdge + "[limits]\nquestion_interval_s = 4000\n", "limits.question_interval_s",
       "must be between 0 and 3600 seconds", "question_interval_s"},
      {kMinimalEdge + "[limits]\nws_ping_s = -1\n", "limits.ws_ping_s",
       "expected an integer in 0..3600; got -1", "ws_ping_s"},
      {kMinimalEdge + "[limits]\nmax_connections_per_address = 0\n",
       "limits.max_connections_per_address", "expected an integer in 1..100000; got 0",
       "max_connections_per_address"},
      {kMinimalEdge + "limits = 3\n", "nats.limits", "unknown key", "limits = 3"},
      {"limits = 3\n" + kMinimalEdge, "limits", "expected a table; got an integer", "limits = 3"},
      {kMinimalEdge + "[edge.extra]\n", "edge.extra", "unknown key", "[edge.extra]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const ConfigError e = edgeRefusal(c.text);
    EXPECT_EQ(e.key(), c.key) << e.what();
    EXPECT_NE(e.problem().find(c.problem), std::string::npos) << e.what();
    // A needle that starts a line ("\nurl =", not hls_url's) is on the line after the '\n'.
    const int line = c.line_of.empty()             ? 0
                     : c.line_of.starts_with('\n') ? lineOf(c.text, c.line_of) + 1
                                                   : lineOf(c.text, c.line_of);
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.file(), "edge.toml");
  }
}

TEST(EdgeConfigTest, SecretsComeFromTheEnvironmentAndNeverShow) {
  const std::string with_token = kMinimalEdge + "token_env = \"YST_NATS_TOKEN\"\n";
  const EdgeConfig c = parseEdge(with_token);
  EXPECT_EQ(c.nats.auth, NatsAuth::kToken);
  EXPECT_EQ(c.nats.token, "0123456789abcdef0123");
  EXPECT_EQ(c.nats.credentials_source, "environment variable YST_NATS_TOKEN");

  const std::string password = "hunter2-hunter2-hunter2";
  const std::string with_password =
      kMinimalEdge + "user_env = \"YST_NATS_USER\"\npassword_env = \"YST_NATS_PASSWORD\"\n";
  struct Case {
    std::string text;
    EnvLookup env;
    std::string key;
    std::string problem;
  };
  const std::vector<Case> cases = {
      // Too short: a NATS port in the cloud can be tried by anyone.
      {with_password, envOf({{"YST_NATS_USER", "u"}, {"YST_NATS_PASSWORD", "hunter2-hunter"}}),
       "nats.password_env",
       "the value of environment variable YST_NATS_PASSWORD is shorter than 16 characters"},
      {with_token, envOf({{"YST_NATS_TOKEN", "hunter2-hunter"}}), "nats.token_env",
       "shorter than 16 characters"},
      {with_password, envOf({{"YST_NATS_USER", "u"}, {"YST_NATS_PASSWORD", password + " "}}),
       "nats.password_env", "contains a space or a control character"},
      {with_password, envOf({{"YST_NATS_PASSWORD", password}}), "nats.user_env",
       "environment variable YST_NATS_USER is not set"},
      {with_password, envOf({{"YST_NATS_USER", ""}, {"YST_NATS_PASSWORD", password}}),
       "nats.user_env", "is not set"},
      // The secret pasted where its variable's name belongs.
      {kMinimalEdge + "user_env = \"YST_NATS_USER\"\npassword_env = \"" + password + "\"\n",
       envOf({{"YST_NATS_USER", "u"}}), "nats.password_env", "is not an environment variable name"},
      {kMinimalEdge + "token_env = \"" + password + "\"\n", kNoEnv, "nats.token_env",
       "is not an environment variable name"},
      // In the URL: refused without repeating it.
      {edgeWith("nats://127.0.0.1:4222", "nats://edge:" + password + "@127.0.0.1:4222"), kNoEnv,
       "nats.url", "must not contain a user name or password"},
      {edgeWith("nats://127.0.0.1:4222", "http://edge:" + password + "@127.0.0.1:4222"), kNoEnv,
       "nats.url", "got a server with '@'"},
      {edgeWith("nats://127.0.0.1:4222", "nats://edge:" + password + "@h:99999"), kNoEnv,
       "nats.url", "must not contain a user name or password"},
      // Any later error, with the secrets set.
      {with_password + "[limits]\nbogus = 1\n",
       envOf({{"YST_NATS_USER", "u"}, {"YST_NATS_PASSWORD", password}}), "limits.bogus",
       "unknown key"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    const ConfigError e = edgeRefusal(k.text, k.env);
    EXPECT_EQ(e.key(), k.key) << e.what();
    EXPECT_NE(e.problem().find(k.problem), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(EdgeConfigTest, ACredentialsFileBesideTheConfigThatOnlyItsOwnerReads) {
  const ShowFolder folder("yst-edge-config-creds");
  folder.write("secrets/edge.creds", "-----BEGIN NATS USER JWT-----\n");
  const std::string creds = (folder.path() / "secrets/edge.creds").string();
  const std::string source = (folder.path() / "edge.toml").string();
  const std::string text = kMinimalEdge + "credentials = \"secrets/edge.creds\"\n";
  ASSERT_EQ(::chmod(creds.c_str(), 0640), 0);
  const EdgeConfig c = parseEdge(text, kNoEnv, source);
  EXPECT_EQ(c.nats.auth, NatsAuth::kCredentialsFile);
  EXPECT_EQ(c.nats.credentials_file, creds);
  EXPECT_EQ(c.nats.credentials_source, "credentials file " + creds);

  ASSERT_EQ(::chmod(creds.c_str(), 0644), 0);
  const ConfigError e = edgeRefusal(text, kNoEnv, source);
  EXPECT_EQ(e.key(), "nats.credentials");
  EXPECT_EQ(e.line(), lineOf(text, "credentials"));
  EXPECT_NE(e.problem().find("can be read by every user of this machine"), std::string::npos)
      << e.what();
  // An absolute path is taken as it is.
  ASSERT_EQ(::chmod(creds.c_str(), 0600), 0);
  EXPECT_EQ(
      parseEdge(kMinimalEdge + "credentials = \"" + creds + "\"\n", kNoEnv).nats.credentials_file,
      creds);
}

TEST(EdgeConfigTest, ACaBundleOnlyForTls) {
  const ShowFolder folder("yst-edge-config-ca");
  folder.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string source = (folder.path() / "edge.toml").string();
  const std::string plain = kMinimalEdge + "ca = \"ca.pem\"\n";
  const ConfigError e = edgeRefusal(plain, kNoEnv, source);
  EXPECT_EQ(e.key(), "nats.ca");
  EXPECT_EQ(e.line(), lineOf(plain, "ca ="));
  EXPECT_NE(e.problem().find("is for TLS, but the servers are nats://"), std::string::npos)
      << e.what();
  const std::string tls =
      edgeWith("nats://127.0.0.1:4222", "tls://127.0.0.1") + "ca = \"ca.pem\"\n";
  EXPECT_EQ(parseEdge(tls, kNoEnv, source).nats.ca_file, (folder.path() / "ca.pem").string());
}

// [limits] takes the names of [audience]'s limits and reads them with its
// reader: the same values are accepted and the same words refuse the rest.
TEST(EdgeConfigTest, LimitsAreReadAsTheStudiosAudienceLimits) {
  struct Value {
    std::string_view key;
    std::string good;
    std::string bad;
  };
  const std::vector<Value> values = {
      {"question_interval_s", "0.5", "-1"},
      {"question_burst", "7", "1001"},
      {"vote_interval_s", "0", "3601"},
      {"vote_burst", "1", "0"},
      {"max_connections_per_address", "100", "100001"},
      {"max_question_chars", "10", "9"},
      {"max_connections", "0", "1000001"},
      {"ws_ping_s", "3600", "\"30\""},
  };
  ASSERT_EQ(values.size(), std::size(kLimitKeys)) << "a limit added without a case here";
  for (const Value& v : values) {
    SCOPED_TRACE(std::string(v.key));
    const std::string line = std::string(v.key) + " = ";
    const EdgeConfig edge = parseEdge(kMinimalEdge + "[limits]\n" + line + v.good + "\n");
    const ShowConfig show =
        parseShow(withMinimal("[audience]\n" + line + v.good + "\n"), "show.toml", kNoEnv);
    const LimitsConfig& studio = show.audience;
    EXPECT_EQ(edge.limits.question_interval_s, studio.question_interval_s);
    EXPECT_EQ(edge.limits.question_burst, studio.question_burst);
    EXPECT_EQ(edge.limits.vote_interval_s, studio.vote_interval_s);
    EXPECT_EQ(edge.limits.vote_burst, studio.vote_burst);
    EXPECT_EQ(edge.limits.max_connections_per_address, studio.max_connections_per_address);
    EXPECT_EQ(edge.limits.max_question_chars, studio.max_question_chars);
    EXPECT_EQ(edge.limits.max_connections, studio.max_connections);
    EXPECT_EQ(edge.limits.ws_ping_s, studio.ws_ping_s);

    const ConfigError at_edge = edgeRefusal(kMinimalEdge + "[limits]\n" + line + v.bad + "\n");
    const ConfigError in_studio = refusal(withMinimal("[audience]\n" + line + v.bad + "\n"));
    EXPECT_EQ(at_edge.key(), "limits." + std::string(v.key));
    EXPECT_EQ(in_studio.key(), "audience." + std::string(v.key));
    EXPECT_EQ(at_edge.problem(), in_studio.problem());
  }
}

TEST(EdgeConfigTest, LoadsAFileAndSaysWhenItCannot) {
  const ShowFolder folder("yst-edge-config-load");
  folder.write("edge.toml", kMinimalEdge);
  const std::string path = (folder.path() / "edge.toml").string();
  EXPECT_EQ(loadEdgeFile(path, kNoEnv).channel, "wenzhou-ysd");
  const std::string missing = (folder.path() / "nothing.toml").string();
  try {
    loadEdgeFile(missing, kNoEnv);
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(e.file(), missing);
    EXPECT_NE(std::string(e.what()).find("cannot read the edge file"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(loadEdgeFile(folder.path().string(), kNoEnv), ConfigError);
  // TOML that toml++ must not see, and a syntax error, with their lines.
  EXPECT_EQ(edgeRefusal(kMinimalEdge + "[边缘]\n").line(),
            lineOf(kMinimalEdge + "[边缘]\n", "[边缘]"));
  EXPECT_EQ(edgeRefusal(kMinimalEdge + "x = \"open\n").line(),
            lineOf(kMinimalEdge + "x = \"open\n", "x = "));
}

TEST(EdgeConfigTest, TheShippedExampleIsValid) {
  const EdgeConfig c =
      loadEdgeFile(std::string(YST_SOURCE_DIR) + "/deploy/edge.toml",
                   envOf({{"YST_NATS_USER", "edge"}, {"YST_NATS_PASSWORD", "0123456789abcdef"}}));
  EXPECT_EQ(c.channel, "wenzhou-ysd");
  EXPECT_TRUE(c.nats.tls);
  EXPECT_EQ(c.nats.auth, NatsAuth::kUserPassword);
}

}  // namespace
}  // namespace yst::config
