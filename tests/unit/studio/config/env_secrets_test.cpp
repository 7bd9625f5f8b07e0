// Secrets named by environment variables: masked for display, never in a
// message, whatever the mistake in the file.
#include "studio/config/env_secrets.h"

#include "studio/config/show_config.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "tests/unit/studio/config/show_file_test.h"

namespace yst::config {
namespace {

TEST(MaskSecretTest, RevealsNothingOfTheKey) {
  EXPECT_EQ(maskSecret(""), "");
  EXPECT_EQ(maskSecret("a"), "***");
  EXPECT_EQ(maskSecret("abcdef"), "***");
  EXPECT_EQ(maskSecret("abcdef123"), "***");
  EXPECT_EQ(maskSecret(std::string(200, 'x')), "***");
  EXPECT_EQ(maskSecret("密钥密钥密钥密"), "***");
  // The keys the CDNs hand out (YouTube's, a signed Tencent stream name).
  EXPECT_EQ(maskSecret("xxxx-xxxx-xxxx-xxxx"), "***");
  EXPECT_EQ(maskSecret("show42?txSecret=abc123def&txTime=5F5E0FFF"), "***");
}

TEST(ShowConfigTest, NoSecretInAnyMessage) {
  const std::string secret = "sk_live_9f8e7d6c5b";
  const std::string token = "tok-0123456789abcdef";
  const EnvLookup env = envOf({{"ZJOL_KEY", secret}, {"YISHITING_PRODUCER_TOKEN", token}});
  const std::string head = kMinimal + "[[destinations]]\nid = \"d\"\nurl = \"rtmp://h/live\"\n";
  const std::vector<std::string> broken = {
      head + "key = \"" + secret + "\"\nkey_env = \"ZJOL_KEY\"\n",
      head + "key_env = \"ZJOL_KEY\"\nkey = \"" + secret + "\"\n",
      head + "key = \"" + secret + "\"\nbogus = 1\n",
      head + "key = \"" + secret + "\"\n[program]\nlayout = \"grid\"\n",
      head + "key = \"" + secret + "\" extra\n",
      head + "key = \"" + secret,
      head + "key = " + secret + "\n",
      head + "key = [\"" + secret + "\"]\n",
      head + "key_env = \"" + secret + "\"\n",
      head + "key_env = \"ZJOL_KEY\"\n[audience]\nlisten = \"nowhere\"\n",
      kMinimal + "[[destinations]]\nid = \"d\"\nurl = \"rtmp://h/" + secret + "/\"\n",
      kMinimal + "[audience]\nproducer_token_env = \"" + token + "\"\n",
  };
  for (const std::string& text : broken) {
    SCOPED_TRACE(text);
    const ConfigError e = refusal(text, env);
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(secret.substr(0, 8)), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(token), std::string::npos) << e.what();
  }
}

TEST(EnvSecretsTest, NamesAndPastedValues) {
  for (const char* name : {"A", "_X", "ZJOL_KEY", "key_2", "x9"}) {
    EXPECT_TRUE(isEnvName(name)) << name;
  }
  for (const char* name : {"", "9LIVES", "A-B", "A B", "A.B", "密钥", "A=B"}) {
    EXPECT_FALSE(isEnvName(name)) << name;
  }
  for (const char* value : {"a b", "ab ", "a\tb", "a\nb", "a\x7f", "\x01"}) {
    EXPECT_TRUE(hasSpaceOrControl(value)) << value;
  }
  EXPECT_FALSE(hasSpaceOrControl("live_0123-abc?x=y&z"));
  EXPECT_FALSE(hasSpaceOrControl("密钥"));  // bytes beyond ASCII are not control characters
}

TEST(EnvSecretsTest, ReadSecretEnvRefusesWithTheKeyAndLineAndNeverTheValue) {
  const TomlReader reader("s.toml");
  const EnvLookup env = envOf({{"SET", "s3cret-value"},
                               {"EMPTY", ""},
                               {"SPACED", "s3cret value"},
                               {"lower_name", "s3cret-lower"}});
  EXPECT_EQ(readSecretEnv(reader, env, "SET", 4, "d.key_env", 1), "s3cret-value");
  EXPECT_EQ(readSecretEnv(reader, env, "SET", 4, "d.key_env", 12), "s3cret-value");
  struct Case {
    std::string name;
    std::size_t min_length;
    std::string problem;
  };
  for (const Case& c : std::vector<Case>{
           {"UNSET", 1, "environment variable UNSET is not set"},
           {"EMPTY", 1, "environment variable EMPTY is not set"},
           {"SET", 13, "the value of environment variable SET is shorter than 13 characters"},
           {"SPACED", 1,
            "the value of environment variable SPACED contains a space or a control character"},
           // A name in lower case may be the key itself, pasted: not shown.
           {"lower_name", 13,
            "the value of the environment variable named here is shorter than 13 characters"},
           {"s3cret-value", 1, kNotAnEnvName},
       }) {
    SCOPED_TRACE(c.name);
    try {
      readSecretEnv(reader, env, c.name, 4, "d.key_env", c.min_length);
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), "s.toml");
      EXPECT_EQ(e.line(), 4);
      EXPECT_EQ(e.key(), "d.key_env");
      EXPECT_EQ(e.problem(), c.problem);
      EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
    }
  }
}

TEST(EnvSecretsTest, StaffTokensAreReadOrGenerated) {
  const TomlReader reader("s.toml");
  const EnvLookup env = envOf({{"TOKEN", "0123456789abcdef"}, {"SHORT", "0123456789abcde"}});
  const StaffToken given = readStaffToken(reader, env, "TOKEN", 3, "audience.x_env");
  EXPECT_EQ(given.value, "0123456789abcdef");
  EXPECT_FALSE(given.generated);
  const StaffToken made = readStaffToken(reader, env, "UNSET", 3, "audience.x_env");
  EXPECT_TRUE(made.generated);
  EXPECT_EQ(made.value.size(), 32u);
  EXPECT_EQ(made.value.find_first_not_of("0123456789abcdef"), std::string::npos) << made.value;
  EXPECT_NE(made.value, readStaffToken(reader, env, "UNSET", 3, "k").value);
  // No environment at all: generated too.
  EXPECT_TRUE(readStaffToken(reader, EnvLookup(), "TOKEN", 3, "k").generated);
  try {
    readStaffToken(reader, env, "SHORT", 3, "audience.x_env");
    ADD_FAILURE() << "a 15-character token was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "audience.x_env");
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.problem().find("shorter than 16"), std::string::npos) << e.problem();
  }
  try {
    readStaffToken(reader, env, "not a name", 5, "audience.y_env");
    ADD_FAILURE() << "a malformed variable name was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 5);
    EXPECT_EQ(e.problem(), kNotAnEnvName);
  }
}

}  // namespace
}  // namespace yst::config
