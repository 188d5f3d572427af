#include "analysis/json_tree.h"

#include <fmt/format.h>

#include <cstring>

namespace strata::analysis {

bool JsonRef::IsNull() const { return tree_ == nullptr || type() == JsonType::kNull; }

JsonType JsonRef::type() const { return tree_ ? tree_->nodes_[index_].type : JsonType::kNull; }

JsonRef JsonRef::Get(std::string_view key) const {
  if (!tree_) return {};
  const auto& n = tree_->nodes_[index_];
  if (n.type != JsonType::kObject) return {};
  const auto* k = tree_->kids_.data() + n.v;
  for (std::uint32_t i = 0; i < n.count; ++i) {
    if (tree_->Key(k[i]) == key) return JsonRef(tree_, k[i].node);
  }
  return {};
}

JsonRef JsonRef::At(size_t i) const {
  if (!tree_) return {};
  const auto& n = tree_->nodes_[index_];
  if ((n.type != JsonType::kObject && n.type != JsonType::kArray) || i >= n.count) return {};
  return JsonRef(tree_, tree_->kids_[static_cast<size_t>(n.v) + i].node);
}

std::string_view JsonRef::KeyAt(size_t i) const {
  if (!tree_) return {};
  const auto& n = tree_->nodes_[index_];
  if (n.type != JsonType::kObject || i >= n.count) return {};
  return tree_->Key(tree_->kids_[static_cast<size_t>(n.v) + i]);
}

size_t JsonRef::size() const {
  if (!tree_) return 0;
  const auto& n = tree_->nodes_[index_];
  return (n.type == JsonType::kObject || n.type == JsonType::kArray) ? n.count : 0;
}

std::string_view JsonRef::Str(std::string_view fallback) const {
  if (!tree_ || tree_->nodes_[index_].type != JsonType::kString) return fallback;
  const auto& n = tree_->nodes_[index_];
  const char* base =
      (n.flags & JsonTree::kUnescaped) ? tree_->unescaped_.data() : tree_->view_.data();
  return {base + n.v, n.count};
}

std::int64_t JsonRef::Int(std::int64_t fallback) const {
  if (!tree_ || tree_->nodes_[index_].type != JsonType::kNumber) return fallback;
  return tree_->nodes_[index_].v;
}

bool JsonRef::Bool(bool fallback) const {
  if (!tree_ || tree_->nodes_[index_].type != JsonType::kBool) return fallback;
  return tree_->nodes_[index_].v != 0;
}

// Children of a container are collected on a scratch stack and copied to kids_ as one
// contiguous block when the container closes.
class JsonParser {
  static_assert(sizeof(JsonTree::Node) == 16 && sizeof(JsonTree::Kid) == 12,
                "the tree's arrays are sized for memory (json_tree.h)");

 public:
  explicit JsonParser(JsonTree* t) : t_(t), s_(t->view_.data()), end_(s_ + t->view_.size()) {}

  // Iterative: a libpg_query tree is as deep as the SQL nests (a 70,000-term `1+1+...` is
  // 140,000 levels), so open containers live on a heap stack, not the call stack.
  Status Run() {
    // Offsets into the text are 32-bit in the members' keys.
    if (t_->view_.size() >= JsonTree::kKeyUnescaped) {
      return Status(ErrorCode::kInternal,
                    fmt::format("parse tree JSON of {} bytes is over 2 GB", t_->view_.size()));
    }
    // libpg_query's JSON has a value per ~14 bytes: reserving for one per 10 avoids growing
    // (copying and faulting in) the arrays; pages reserved and not used are never touched.
    t_->nodes_.reserve(t_->view_.size() / 10 + 16);
    t_->kids_.reserve(t_->view_.size() / 10 + 16);
    struct Open {
      std::uint32_t self;  // the container's node
      size_t mark;         // scratch_ size when it opened: its kids are above
      JsonTree::Kid key;   // its key in the parent object (empty in an array or at the root)
      bool obj;
    };
    std::vector<Open> open;
    JsonTree::Kid key;  // key of the value about to be parsed
    Ws();
    for (;;) {
      // A value starts at p_.
      if (p_ >= end_) return Error();
      bool closed_now = false;
      if (*p_ == '{' || *p_ == '[') {
        const bool obj = *p_ == '{';
        open.push_back(
            Open{NewNode(obj ? JsonType::kObject : JsonType::kArray), scratch_.size(), key, obj});
        ++p_;
        Ws();
        if (p_ < end_ && *p_ == (obj ? '}' : ']')) {
          ++p_;
          closed_now = true;
        } else {
          if (obj && !Key(&key)) return Error();
          if (!obj) key = {};
          continue;  // its first value
        }
      } else {
        std::uint32_t node = static_cast<std::uint32_t>(t_->nodes_.size());
        if (!Scalar()) return Error();
        if (open.empty()) return Status::Ok();
        key.node = node;
        scratch_.push_back(key);
      }
      // After a value: a separator, or the end of one or more containers.
      for (;;) {
        if (!closed_now) {
          Ws();
          const Open& top = open.back();
          if (p_ < end_ && *p_ == ',') {
            ++p_;
            Ws();
            if (top.obj && !Key(&key)) return Error();
            if (!top.obj) key = {};
            break;  // the next value
          }
          if (p_ >= end_ || *p_ != (top.obj ? '}' : ']')) return Error();
          ++p_;
        }
        closed_now = false;
        Open done = open.back();
        open.pop_back();
        auto& n = t_->nodes_[done.self];
        n.v = static_cast<std::int64_t>(t_->kids_.size());
        n.count = static_cast<std::uint32_t>(scratch_.size() - done.mark);
        t_->kids_.insert(t_->kids_.end(), scratch_.begin() + static_cast<long>(done.mark),
                         scratch_.end());
        scratch_.resize(done.mark);
        if (open.empty()) return Status::Ok();
        done.key.node = done.self;
        scratch_.push_back(done.key);
      }
    }
  }

 private:
  // A string value: where its bytes are (in the text, or in unescaped_ when it held escapes).
  struct Span {
    size_t off = 0;
    size_t len = 0;
    bool unescaped = false;
  };

  Status Error() const {
    return Status(ErrorCode::kInternal,
                  fmt::format("malformed parse tree JSON at byte {}", p_ - t_->view_.data()));
  }
  void Ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  bool String(Span* out) {
    if (p_ >= end_ || *p_ != '"') return false;
    const char* start = ++p_;
    bool escaped = false;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ == '\\') {
        escaped = true;
        ++p_;
      }
      ++p_;
    }
    if (p_ >= end_) return false;
    std::string_view raw(start, static_cast<size_t>(p_ - start));
    ++p_;
    if (!escaped) {
      *out = Span{static_cast<size_t>(start - s_), raw.size(), false};
      return true;
    }
    std::string& u = t_->unescaped_;
    const size_t begin = u.size();
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c != '\\' || i + 1 >= raw.size()) {
        u.push_back(c);
        continue;
      }
      char e = raw[++i];
      switch (e) {
        case 'n':
          u.push_back('\n');
          break;
        case 't':
          u.push_back('\t');
          break;
        case 'r':
          u.push_back('\r');
          break;
        case 'b':
          u.push_back('\b');
          break;
        case 'f':
          u.push_back('\f');
          break;
        case 'u': {
          if (i + 4 >= raw.size()) return false;
          unsigned cp = 0;
          for (size_t k = 1; k <= 4; ++k) {
            char h = raw[i + k];
            cp = cp * 16 + static_cast<unsigned>(h >= 'a'   ? h - 'a' + 10
                                                 : h >= 'A' ? h - 'A' + 10
                                                            : h - '0');
          }
          i += 4;
          if (cp < 0x80) {
            u.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            u.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            u.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            u.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            u.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            u.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          u.push_back(e);
          break;
      }
    }
    *out = Span{begin, u.size() - begin, true};
    return true;
  }
  std::uint32_t NewNode(JsonType type) {
    t_->nodes_.push_back(JsonTree::Node{type});
    return static_cast<std::uint32_t>(t_->nodes_.size() - 1);
  }
  // `"key":` with the blanks around the colon.
  bool Key(JsonTree::Kid* key) {
    Span k;
    if (!String(&k)) return false;
    // Keys are libpg_query's field and node names; one that held an escape lives in unescaped_,
    // whose offsets, like the text's, stay under 2 GB here.
    if (k.len >= JsonTree::kKeyUnescaped || k.off >= JsonTree::kKeyUnescaped) return false;
    key->key_off = static_cast<std::uint32_t>(k.off);
    key->key_len = static_cast<std::uint32_t>(k.len) | (k.unescaped ? JsonTree::kKeyUnescaped : 0);
    Ws();
    if (p_ >= end_ || *p_ != ':') return false;
    ++p_;
    Ws();
    return true;
  }
  // Parses one string, number, boolean or null into a new node; false on malformed input.
  bool Scalar() {
    char c = *p_;
    if (c == '"') {
      std::uint32_t self = NewNode(JsonType::kString);
      Span v;
      if (!String(&v) || v.len > UINT32_MAX) return false;
      auto& n = t_->nodes_[self];
      n.v = static_cast<std::int64_t>(v.off);
      n.count = static_cast<std::uint32_t>(v.len);
      n.flags = v.unescaped ? JsonTree::kUnescaped : 0;
      return true;
    }
    if (c == 't' || c == 'f' || c == 'n') {
      std::string_view rest(p_, static_cast<size_t>(end_ - p_));
      if (rest.substr(0, 4) == "true") {
        NewNode(JsonType::kBool);
        t_->nodes_.back().v = 1;
        p_ += 4;
      } else if (rest.substr(0, 5) == "false") {
        NewNode(JsonType::kBool);
        p_ += 5;
      } else if (rest.substr(0, 4) == "null") {
        NewNode(JsonType::kNull);
        p_ += 4;
      } else {
        return false;
      }
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      bool neg = c == '-';
      if (neg) ++p_;
      std::int64_t v = 0;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') v = v * 10 + (*p_++ - '0');
      while (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || *p_ == '+' || *p_ == '-' ||
                           (*p_ >= '0' && *p_ <= '9'))) {
        ++p_;
      }
      std::uint32_t self = NewNode(JsonType::kNumber);
      t_->nodes_[self].v = neg ? -v : v;
      return true;
    }
    return false;
  }

  JsonTree* t_;
  const char* p_ = nullptr;
  const char* s_;
  const char* end_;
  std::vector<JsonTree::Kid> scratch_;

 public:
  void Start() { p_ = s_; }
};

Result<std::shared_ptr<JsonTree>> JsonTree::Parse(std::string text) {
  auto tree = std::make_shared<JsonTree>();
  tree->text_ = std::move(text);
  tree->view_ = tree->text_;
  JsonParser p(tree.get());
  p.Start();
  STRATA_TRY(p.Run());
  return tree;
}

Result<std::shared_ptr<JsonTree>> JsonTree::ParseBorrowed(std::string_view text,
                                                          std::shared_ptr<void> owner) {
  auto tree = std::make_shared<JsonTree>();
  tree->view_ = text;
  tree->owner_ = std::move(owner);
  JsonParser p(tree.get());
  p.Start();
  STRATA_TRY(p.Run());
  return tree;
}

}  // namespace strata::analysis
