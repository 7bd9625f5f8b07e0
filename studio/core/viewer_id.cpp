#include "studio/core/viewer_id.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <stdexcept>

#include "studio/base/secrets.h"
#include "studio/core/audience.h"

namespace yst::core {

namespace {

QByteArray bytesOf(std::string_view s) {
  return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

bool idCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

std::string hmacSha256(std::string_view key, std::string_view message) {
  return QMessageAuthenticationCode::hash(bytesOf(message), bytesOf(key),
                                          QCryptographicHash::Sha256)
      .toStdString();
}

ViewerIds::ViewerIds(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) throw std::invalid_argument("viewer id key too short");
}

std::string ViewerIds::mac(std::string_view random_part) const {
  // A purpose prefix: the key signs nothing else, but if it ever does, a
  // signature made for something else is not a viewer id.
  const std::string digest = hmacSha256(key_, std::string("yst viewer id\n") += random_part);
  const std::string encoded =
      QByteArray::fromStdString(digest)
          .left(16)
          .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
          .toStdString();
  return encoded.substr(0, kMacChars);
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

}  // namespace yst::core
