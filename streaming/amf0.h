// AMF0, the encoding of RTMP's commands and their replies (Adobe AMF0
// specification): the values a command carries, a writer for the commands
// we send and a decoder for what the server answers. The decoder is fed by
// a server we do not trust (rtmp_publisher.h), so what it builds is bounded
// (kMaxAmfValues, 16 levels of nesting) and it throws rtmp::Error rather than
// read past its bytes. flv.h writes onMetaData with the same writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streaming/rtmp_wire.h"

namespace yst::streaming::rtmp {

// AMF0 values, as much as commands and their replies use.
struct AmfProperty;
struct AmfValue {
  enum class Type { kInvalid = 0, kNumber, kBoolean, kString, kObject, kNull, kUndefined, kArray };
  Type type = Type::kInvalid;
  double number = 0;
  bool boolean = false;
  std::string string;
  // A struct of its own, not a std::pair: a pair of a type still being
  // defined does not compile with clang and libstdc++ (the fuzz target's).
  std::vector<AmfProperty> properties;  // kObject (also ECMA arrays)
  std::vector<AmfValue> elements;       // kArray (strict arrays)

  // The property `key` of an object, or null.
  const AmfValue* find(std::string_view key) const;
  // The property `key` as a string, or "" when absent or not a string.
  std::string text(std::string_view key) const;
};
struct AmfProperty {
  std::string name;
  AmfValue value;
};

// Decodes a sequence of AMF0 values (a command's payload). Throws Error on
// a truncated or malformed payload, an unknown type, nesting deeper than 16
// levels, or more than kMaxAmfValues values in all: a value costs ~100 bytes
// decoded against 1 on the wire, and a server's replies hold a few dozen.
inline constexpr std::size_t kMaxAmfValues = 4096;
std::vector<AmfValue> decodeAmf0(std::string_view bytes);

// An AMF0 number as a 32-bit id (a stream id), or nothing when it is not
// one: NaN, an infinity, negative, fractional or above 2^32 - 1. Converting
// such a double to an integer is undefined behaviour, so this comes first.
std::optional<std::uint32_t> wholeU32(double v);

class AmfWriter {
 public:
  AmfWriter& number(double v);
  AmfWriter& boolean(bool v);
  AmfWriter& string(std::string_view v);
  AmfWriter& null();
  AmfWriter& beginObject();
  AmfWriter& beginEcmaArray(std::uint32_t count);  // properties as an object's, endObject()
  AmfWriter& key(std::string_view name);           // inside an object: the next value's name
  AmfWriter& endObject();
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace yst::streaming::rtmp
