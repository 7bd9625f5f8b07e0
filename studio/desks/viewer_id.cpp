#include "studio/desks/viewer_id.h"

#include <stdexcept>

#include "studio/base/digest.h"
#include "studio/base/secrets.h"

namespace yst::desks {

namespace {

bool idCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

ViewerIds::ViewerIds(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) throw std::invalid_argument("viewer id key too short");
}

std::string ViewerIds::mac(std::string_view random_part) const {
  // A purpose prefix: the key signs nothing else, but if it ever does, a
  // signature made for something else is not a viewer id.
  const std::string digest = hmacSha256(key_, std::string("yst viewer id\n") += random_part);
  return base64Url(std::string_view(digest).substr(0, 16)).substr(0, kMacChars);
}

std::string ViewerIds::issue() const {
  std::string id = randomId(kRandomChars);
  id += mac(id);
  return id;
}

bool ViewerIds::genuine(std::string_view id) const {
  if (id.size() != kIdChars) return false;
  for (char c : id) {
    if (!idCharacter(c)) return false;
  }
  return constantTimeEquals(mac(id.substr(0, kRandomChars)), std::string(id.substr(kRandomChars)));
}

}  // namespace yst::desks
