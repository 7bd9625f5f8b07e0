// Viewer ids: the studio's own verify, anything else (made up, an earlier
// version's, one character changed, another studio's) does not.
#include "studio/desks/viewer_id.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

namespace yst::desks {
namespace {

// An id issued before the studio moved from Qt's HMAC to OpenSSL's (the
// key is the one kept in the database): viewers keep their ids across the
// upgrade.
TEST(ViewerIdTest, AnIdIssuedByAnEarlierBuildStillVerifies) {
  const ViewerIds ids(std::string(32, 'k'));
  EXPECT_TRUE(ids.genuine("AAAAAAAAAAAAAAAAAAAAAAz-w83fbRbm29-wvYwOqJ4A"));
  EXPECT_FALSE(ids.genuine("AAAAAAAAAAAAAAAAAAAAAAz-w83fbRbm29-wvYwOqJ4B"));
}

TEST(ViewerIdTest, IssuedIdsVerifyAndFitTheProtocol) {
  const ViewerIds ids(std::string(32, 'k'));
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = ids.issue();
    ASSERT_EQ(id.size(), ViewerIds::kIdChars);
    for (char c : id) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-')
          << id;
    }
    EXPECT_TRUE(ids.genuine(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(ViewerIdTest, AnythingElseDoesNotVerify) {
  const ViewerIds ids(std::string(32, 'k'));
  const std::string id = ids.issue();
  // Every single character changed, in the random part and in the signature.
  for (std::size_t i = 0; i < id.size(); ++i) {
    std::string changed = id;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(ids.genuine(changed)) << "position " << i;
  }
  // Signatures do not move to another random part.
  const std::string other = ids.issue();
  EXPECT_FALSE(
      ids.genuine(other.substr(0, ViewerIds::kRandomChars) + id.substr(ViewerIds::kRandomChars)));
  // Another studio's ids, ids a page made up, an earlier version's (24 characters).
  EXPECT_FALSE(ViewerIds(std::string(32, 'j')).genuine(id));
  EXPECT_FALSE(ids.genuine(""));
  EXPECT_FALSE(ids.genuine("k3JqB0x9zYw2Lm8NpQ4rStUv"));
  EXPECT_FALSE(ids.genuine(std::string(44, 'A')));
  EXPECT_FALSE(ids.genuine(id + "A"));
  EXPECT_FALSE(ids.genuine(id.substr(0, 43)));
  std::string bad_character = id;
  bad_character[3] = '.';
  EXPECT_FALSE(ids.genuine(bad_character));
}

TEST(ViewerIdTest, TheSameKeyVerifiesAcrossInstances) {
  // What a restart does: a new instance over the key kept in the database.
  const std::string key(40, '\x5a');
  const std::string id = ViewerIds(key).issue();
  EXPECT_TRUE(ViewerIds(key).genuine(id));
}

TEST(ViewerIdTest, AShortKeyIsRefused) {
  EXPECT_THROW(ViewerIds(std::string(31, 'k')), std::invalid_argument);
}

}  // namespace
}  // namespace yst::desks
