// The command line's side of remote guests: invitations into a show's
// webrtc:// slots (`yishiting guests invite|list|revoke`). An invitation is a
// link /g/<token> that opens the guest page for one person, with their name
// and title for the lower-third, until it expires or is revoked; the link is
// printed once and only the token's hash is kept.
#pragma once

#include <cstdint>
#include <string>

namespace yst::app {

struct GuestsArgs {
  std::string action;  // invite | list | revoke
  std::string data_dir;
  std::string source;     // invite: the webrtc:// slot's source id
  std::string name;       // invite
  std::string title;      // invite, optional
  int hours = 48;         // invite: how long the link works
  std::int64_t id = 0;    // revoke
  std::string url;        // the public URL the link starts with
  std::string show_path;  // or the show file that names it (and its slots, checked)
  bool all = false;       // list: with revoked and expired ones
};
// Prints what it did; 0, 1 (failed) or 2 (bad arguments).
int guestsCommand(const GuestsArgs& args);

}  // namespace yst::app
