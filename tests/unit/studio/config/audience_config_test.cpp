// [audience]: staff tokens from the environment or generated, where the
// server listens and the address viewers are given.
#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(ShowConfigTest, ProducerTokenFromEnvironment) {
  const ShowConfig c =
      parseShow(kMinimal, "t.toml", envOf({{"YISHITING_PRODUCER_TOKEN", "correct-horse-battery"}}));
  EXPECT_EQ(c.audience.producer_token, "correct-horse-battery");
  EXPECT_FALSE(c.audience.producer_token_generated);

  const std::string named = withMinimal("[audience]\nproducer_token_env = \"MY_TOKEN\"\n");
  const ShowConfig d = parseShow(named, "t.toml", envOf({{"MY_TOKEN", "1234567890abcdef"}}));
  EXPECT_EQ(d.audience.producer_token_env, "MY_TOKEN");
  EXPECT_EQ(d.audience.producer_token, "1234567890abcdef");
  EXPECT_FALSE(d.audience.producer_token_generated);

  // Too short (15 characters): refused, naming the variable, and not printed.
  const ConfigError e = refusal(named, envOf({{"MY_TOKEN", "abc1234567890de"}}));
  EXPECT_EQ(e.key(), "audience.producer_token_env");
  EXPECT_EQ(e.line(), lineOf(named, "producer_token_env"));
  EXPECT_NE(e.problem().find("shorter than 16"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("MY_TOKEN"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("abc1234567890de"), std::string::npos);

  // The default variable, not named in the file: no line to point at.
  const ConfigError f = refusal(kMinimal, envOf({{"YISHITING_PRODUCER_TOKEN", "short"}}));
  EXPECT_EQ(f.key(), "audience.producer_token_env");
  EXPECT_EQ(f.line(), 0);
  EXPECT_NE(f.problem().find("YISHITING_PRODUCER_TOKEN"), std::string::npos) << f.what();
}

TEST(ShowConfigTest, StaffTokensAreAtLeastSixteenCharacters) {
  // The typist's and the host's tokens as the producer's: anyone who can
  // reach the audience port can try them.
  struct Case {
    const char* key;
    const char* variable;
  };
  for (const Case& c : {Case{"audience.typist_token_env", "YISHITING_TYPIST_TOKEN"},
                        Case{"audience.host_token_env", "YISHITING_HOST_TOKEN"},
                        Case{"audience.producer_token_env", "YISHITING_PRODUCER_TOKEN"}}) {
    SCOPED_TRACE(c.variable);
    const ConfigError e = refusal(kMinimal, envOf({{c.variable, "fifteen-chars-x"}}));
    EXPECT_EQ(e.key(), c.key);
    EXPECT_NE(e.problem().find(c.variable), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("shorter than 16"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("fifteen-chars-x"), std::string::npos);
    EXPECT_NO_THROW(parseShow(kMinimal, "t.toml", envOf({{c.variable, "sixteen-chars-xy"}})));
  }
}

TEST(ShowConfigTest, ProducerTokenGenerated) {
  const ShowConfig a = parseShow(kMinimal, "t.toml", kNoEnv);
  const ShowConfig b = parseShow(kMinimal, "t.toml", envOf({{"YISHITING_PRODUCER_TOKEN", ""}}));
  for (const ShowConfig* c : {&a, &b}) {
    EXPECT_TRUE(c->audience.producer_token_generated);
    ASSERT_EQ(c->audience.producer_token.size(), 32u);
    for (char ch : c->audience.producer_token) {
      EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) << ch;
    }
  }
  EXPECT_NE(a.audience.producer_token, b.audience.producer_token);
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    tokens.insert(parseShow(kMinimal, "t.toml", kNoEnv).audience.producer_token);
  }
  EXPECT_EQ(tokens.size(), 20u);
}

TEST(ShowConfigTest, AudienceListenAndPublicUrl) {
  struct Good {
    std::string listen;
    std::string host;
    int port;
    std::string url;
  };
  for (const Good& g : std::vector<Good>{
           {"0.0.0.0:80", "0.0.0.0", 80, "http://0.0.0.0:80/"},
           {"localhost:0", "localhost", 0, "http://localhost:0/"},
           {"[::1]:8443", "::1", 8443, "http://[::1]:8443/"},
           {"192.168.1.20:65535", "192.168.1.20", 65535, "http://192.168.1.20:65535/"}}) {
    SCOPED_TRACE(g.listen);
    const ShowConfig c =
        parseShow(withMinimal("[audience]\nlisten = \"" + g.listen + "\"\n"), "t.toml", kNoEnv);
    EXPECT_EQ(c.audience.listen_host, g.host);
    EXPECT_EQ(c.audience.listen_port, g.port);
    EXPECT_EQ(c.audience.public_url, g.url);
  }
  for (const std::string listen :
       {"8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "256.0.0.1:80", "example.com:80",
        "::1:80", "127.0.0.1:80 ", ":8080", "1.2.3:80"}) {
    SCOPED_TRACE(listen);
    const std::string text = withMinimal("[audience]\nlisten = \"" + listen + "\"\n");
    const ConfigError e = refusal(text);
    EXPECT_EQ(e.key(), "audience.listen");
    EXPECT_EQ(e.line(), lineOf(text, "listen"));
  }
  const ShowConfig c = parseShow(withMinimal("[audience]\nlisten = \"0.0.0.0:8080\"\n"
                                             "public_url = \"https://live.66wz.com/yishiting/\"\n"),
                                 "t.toml", kNoEnv);
  EXPECT_EQ(c.audience.public_url, "https://live.66wz.com/yishiting/");
  EXPECT_FALSE(c.audience.public_url_from_listen);
  for (const std::string url : {"live.66wz.com", "https://", "http://a b/", "https://u:p@h/"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(refusal(withMinimal("[audience]\npublic_url = \"" + url + "\"\n")).key(),
              "audience.public_url");
  }
}

TEST(ShowConfigTest, WordListIsFoundBesideTheShowFile) {
  const ShowFolder folder("yst-audience-config-test");
  folder.write("lists/words.txt", "医保\n");
  const std::string show_file = (folder.path() / "show.toml").string();
  const ShowConfig c =
      parseShow(withMinimal("[audience]\nword_list = \"lists/words.txt\"\n"), show_file, kNoEnv);
  EXPECT_EQ(c.audience.word_list, (folder.path() / "lists/words.txt").string());
  const std::string text = withMinimal("[audience]\nword_list = \"lists/nothing.txt\"\n");
  try {
    parseShow(text, show_file, kNoEnv);
    ADD_FAILURE() << "accepted a word list that is not there";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "audience.word_list");
    EXPECT_EQ(e.line(), lineOf(text, "word_list"));
    EXPECT_NE(e.problem().find((folder.path() / "lists/nothing.txt").string()), std::string::npos)
        << e.problem();
  }
}

}  // namespace
}  // namespace yst::config
