// Invitations of remote guests (schema v7's `guests`): a link /g/<token>
// that lets one person's browser into one webrtc:// slot of the show, with
// their name and title for the lower-third, until it expires or is revoked.
// Only the token's SHA-256 is stored; the link is shown once, when made.
//
// Each function runs in a Store job (or runSync) and throws StoreError.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace yst::store {

struct GuestInvitation {
  std::int64_t id = 0;
  std::string source;  // the slot's source id
  std::string name;
  std::string title;
  std::string created_at;
  std::int64_t expires_at = 0;  // Unix seconds
  bool revoked = false;
};

std::int64_t addGuest(sqlite3* db, const std::string& source, const std::string& name,
                      const std::string& title, const std::string& token_sha256,
                      std::int64_t expires_at);
// False when there is no such invitation (or it was already revoked).
bool revokeGuest(sqlite3* db, std::int64_t id);
// Every invitation, or only those neither revoked nor expired at `now`.
std::vector<GuestInvitation> listGuests(sqlite3* db, bool include_ended, std::int64_t now);
// The invitation a token opens, if it is neither revoked nor expired at `now`.
std::optional<GuestInvitation> guestByToken(sqlite3* db, const std::string& token_sha256,
                                            std::int64_t now);

}  // namespace yst::store
