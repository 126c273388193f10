// refmodel/checkpoint/internal/json_lite.cc — recursive descent with a depth limit (64) and a
// memory budget, \uXXXX escapes incl. surrogate pairs, numbers kept as their literal text.
#include "refmodel/checkpoint/internal/json_lite.h"

namespace rwkvkit::refmodel::checkpoint {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view s, size_t max_memory) : s_(s), max_memory_(max_memory) {}

  bool Parse(Json* out) {
    if (!Value(out, 0)) return false;
    SkipWs();
    if (p_ != s_.size()) return Fail("unexpected bytes after the JSON value");
    return true;
  }
  size_t error_at() const { return err_at_; }
  const std::string& error() const { return err_; }

 private:
  bool Fail(const char* what) {
    err_at_ = p_;
    err_ = what;
    return false;
  }
  void SkipWs() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  bool Literal(std::string_view lit) {
    if (s_.substr(p_, lit.size()) != lit) return Fail("invalid literal");
    p_ += lit.size();
    return true;
  }

  // Charges `n` bytes of the tree's memory; fails once more than max_memory_ is spent.
  bool Charge(size_t n) {
    used_ += n;
    return used_ <= max_memory_ || Fail("JSON needs more memory than its size allows");
  }

  bool Value(Json* v, int depth) {
    if (depth > kMaxDepth) return Fail("JSON nested too deeply");
    if (!Charge(sizeof(Json))) return false;
    SkipWs();
    if (p_ >= s_.size()) return Fail("JSON ends where a value should be");
    const char c = s_[p_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->kind = Json::kString;
      return String(&v->text);
    }
    if (c == 't' || c == 'f') {
      v->kind = Json::kBool;
      v->boolean = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      v->kind = Json::kNull;
      return Literal("null");
    }
    return Number(v);
  }

  bool Object(Json* v, int depth) {
    v->kind = Json::kObject;
    ++p_;
    SkipWs();
    if (p_ < s_.size() && s_[p_] == '}') return ++p_, true;
    while (true) {
      SkipWs();
      if (p_ >= s_.size() || s_[p_] != '"') return Fail("expected a string key");
      std::string key;
      if (!Charge(sizeof(std::string)) || !String(&key)) return false;
      SkipWs();
      if (p_ >= s_.size() || s_[p_] != ':') return Fail("expected ':'");
      ++p_;
      Json member;
      if (!Value(&member, depth + 1)) return false;
      v->object.emplace_back(std::move(key), std::move(member));
      SkipWs();
      if (p_ < s_.size() && s_[p_] == ',') { ++p_; continue; }
      if (p_ < s_.size() && s_[p_] == '}') return ++p_, true;
      return Fail("expected ',' or '}'");
    }
  }

  bool Array(Json* v, int depth) {
    v->kind = Json::kArray;
    ++p_;
    SkipWs();
    if (p_ < s_.size() && s_[p_] == ']') return ++p_, true;
    while (true) {
      Json item;
      if (!Value(&item, depth + 1)) return false;
      v->array.push_back(std::move(item));
      SkipWs();
      if (p_ < s_.size() && s_[p_] == ',') { ++p_; continue; }
      if (p_ < s_.size() && s_[p_] == ']') return ++p_, true;
      return Fail("expected ',' or ']'");
    }
  }

  bool Number(Json* v) {
    const size_t start = p_;
    auto digits = [&] {
      size_t n = 0;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_, ++n;
      return n;
    };
    if (p_ < s_.size() && s_[p_] == '-') ++p_;
    if (digits() == 0) return Fail("invalid JSON value");
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      if (digits() == 0) return Fail("invalid number");
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (digits() == 0) return Fail("invalid number");
    }
    v->kind = Json::kNumber;
    v->text = std::string(s_.substr(start, p_ - start));
    return Charge(v->text.size());
  }

  bool Hex4(uint32_t* out) {
    if (s_.size() - p_ < 4) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return Fail("bad \\u escape");
    }
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Escape(std::string* out) {
    if (p_ >= s_.size()) return Fail("truncated escape");
    const char c = s_[p_++];
    switch (c) {
      case '"': case '\\': case '/': out->push_back(c); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': break;
      default: --p_; return Fail("bad escape");
    }
    uint32_t cp;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xD800 && cp < 0xDC00) {
      uint32_t lo;
      if (s_.substr(p_, 2) != "\\u") return Fail("lone high surrogate");
      p_ += 2;
      if (!Hex4(&lo)) return false;
      if (lo < 0xDC00 || lo >= 0xE000) return Fail("bad low surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp < 0xE000) {
      return Fail("lone low surrogate");
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool String(std::string* out) {
    ++p_;  // the opening quote
    while (p_ < s_.size()) {
      const char c = s_[p_];
      if (c == '"') return ++p_, Charge(out->size());
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
      ++p_;
      if (c == '\\') {
        if (!Escape(out)) return false;
      } else {
        out->push_back(c);
      }
    }
    return Fail("unterminated string");
  }

  std::string_view s_;
  size_t max_memory_;
  size_t used_ = 0;
  size_t p_ = 0;
  size_t err_at_ = 0;
  std::string err_;
};

}  // namespace

Json::~Json() = default;

bool Json::AsUint64(uint64_t* out) const {
  if (kind != kNumber || text.empty() || text.size() > 20) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

const Json* Json::Get(std::string_view key) const {
  if (kind != kObject) return nullptr;
  for (const auto& [k, v] : object)
    if (k == key) return &v;
  return nullptr;
}

bool ParseJson(std::string_view text, Json* out, size_t* error_at, std::string* error, size_t max_memory) {
  Parser p(text, max_memory);
  if (p.Parse(out)) return true;
  *error_at = p.error_at();
  *error = p.error();
  return false;
}

}  // namespace rwkvkit::refmodel::checkpoint
