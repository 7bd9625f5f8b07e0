#include "streaming/amf0.h"

#include <cmath>
#include <cstring>

namespace yst::streaming::rtmp {

namespace {

class AmfParser {
 public:
  explicit AmfParser(std::string_view bytes) : bytes_(bytes) {}

  bool done() const { return pos_ >= bytes_.size(); }

  AmfValue value(int depth) {
    if (depth > kMaxDepth) throw Error("AMF0 nested deeper than 16 levels");
    if (++values_ > kMaxAmfValues) {
      throw Error("AMF0 with more than " + std::to_string(kMaxAmfValues) + " values");
    }
    AmfValue v;
    switch (take(1)[0]) {
      case 0x00:
        v.type = AmfValue::Type::kNumber;
        v.number = number();
        return v;
      case 0x01:
        v.type = AmfValue::Type::kBoolean;
        v.boolean = take(1)[0] != 0;
        return v;
      case 0x02:
        v.type = AmfValue::Type::kString;
        v.string = string(readBigEndian(take(2), 2));
        return v;
      case 0x0C:  // long string
        v.type = AmfValue::Type::kString;
        v.string = string(readBigEndian(take(4), 4));
        return v;
      case 0x03:
        v.type = AmfValue::Type::kObject;
        properties(v, depth);
        return v;
      case 0x08:  // ECMA array: a count (advisory), then properties as an object
        take(4);
        v.type = AmfValue::Type::kObject;
        properties(v, depth);
        return v;
      case 0x0A: {  // strict array
        const std::uint32_t count = readBigEndian(take(4), 4);
        if (count > bytes_.size() - pos_) throw Error("AMF0 array longer than its message");
        v.type = AmfValue::Type::kArray;
        for (std::uint32_t i = 0; i < count; ++i) v.elements.push_back(value(depth + 1));
        return v;
      }
      case 0x05:
        v.type = AmfValue::Type::kNull;
        return v;
      case 0x06:
        v.type = AmfValue::Type::kUndefined;
        return v;
      case 0x0B:  // date: milliseconds and a time zone; kept as the number
        v.type = AmfValue::Type::kNumber;
        v.number = number();
        take(2);
        return v;
      default:
        throw Error("unsupported AMF0 type " + std::to_string(bytes_[pos_ - 1] & 0xFF));
    }
  }

 private:
  static constexpr int kMaxDepth = 16;

  const std::uint8_t* take(std::size_t n) {
    if (bytes_.size() - pos_ < n) throw Error("truncated AMF0");
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes_.data() + pos_);
    pos_ += n;
    return p;
  }
  double number() {  // IEEE 754 double, big-endian
    const std::uint8_t* p = take(8);
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | p[i];
    double v = 0;
    std::memcpy(&v, &bits, sizeof bits);
    return v;
  }
  std::string string(std::size_t n) {
    const std::uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  void properties(AmfValue& object, int depth) {
    for (;;) {
      std::string name = string(readBigEndian(take(2), 2));
      if (name.empty() && bytes_.size() - pos_ >= 1 && bytes_[pos_] == 0x09) {
        ++pos_;  // object end
        return;
      }
      object.properties.push_back({std::move(name), value(depth + 1)});
    }
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::size_t values_ = 0;
};

}  // namespace

std::optional<std::uint32_t> wholeU32(double v) {
  // NaN fails both comparisons.
  if (!(v >= 0 && v <= 4294967295.0) || std::floor(v) != v) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

const AmfValue* AmfValue::find(std::string_view key) const {
  for (const auto& [name, value] : properties) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string AmfValue::text(std::string_view key) const {
  const AmfValue* v = find(key);
  return v && v->type == Type::kString ? v->string : std::string();
}

std::vector<AmfValue> decodeAmf0(std::string_view bytes) {
  AmfParser parser(bytes);
  std::vector<AmfValue> values;
  while (!parser.done()) values.push_back(parser.value(0));
  return values;
}

AmfWriter& AmfWriter::number(double v) {
  bytes_.push_back(0x00);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  for (int shift = 56; shift >= 0; shift -= 8) bytes_.push_back(static_cast<char>(bits >> shift));
  return *this;
}

AmfWriter& AmfWriter::boolean(bool v) {
  bytes_.push_back(0x01);
  bytes_.push_back(v ? 1 : 0);
  return *this;
}

AmfWriter& AmfWriter::string(std::string_view v) {
  if (v.size() > 0xFFFF) {
    bytes_.push_back(0x0C);
    appendBigEndian(bytes_, static_cast<std::uint32_t>(v.size()), 4);
  } else {
    bytes_.push_back(0x02);
    appendBigEndian(bytes_, static_cast<std::uint32_t>(v.size()), 2);
  }
  bytes_.append(v);
  return *this;
}

AmfWriter& AmfWriter::null() {
  bytes_.push_back(0x05);
  return *this;
}

AmfWriter& AmfWriter::beginObject() {
  bytes_.push_back(0x03);
  return *this;
}

AmfWriter& AmfWriter::beginEcmaArray(std::uint32_t count) {
  bytes_.push_back(0x08);
  appendBigEndian(bytes_, count, 4);
  return *this;
}

AmfWriter& AmfWriter::key(std::string_view name) {
  appendBigEndian(bytes_, static_cast<std::uint32_t>(name.size()), 2);
  bytes_.append(name);
  return *this;
}

AmfWriter& AmfWriter::endObject() {
  bytes_.append("\0\0\x09", 3);
  return *this;
}

}  // namespace yst::streaming::rtmp
