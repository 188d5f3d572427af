// JsonTree: a small read-only JSON document tuned for libpg_query's parse trees. libpg_query
// returns its tree as JSON text; parsing it into a general-purpose DOM (one heap node per
// value, a std::map per object) costs more than PostgreSQL's parser itself, so this keeps all
// nodes in one flat array and strings as views into the owned text (unescaped copies only when
// a string holds an escape). Objects keep their members in source order; lookups are linear,
// which is the fast path for the 1-8 member objects libpg_query emits.
//
// A JsonTree is immutable after Parse and safe to read from many threads. JsonRef is a cheap
// handle (tree pointer + index) that stays valid while the tree lives; a missing member yields
// a null JsonRef, so chained lookups never need checks in between.
#pragma once

#include "strata/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analysis {

class JsonTree;

enum class JsonType : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

class JsonRef {
 public:
  JsonRef() = default;
  JsonRef(const JsonTree* tree, std::uint32_t index) : tree_(tree), index_(index) {}

  bool IsNull() const;
  bool IsObject() const { return type() == JsonType::kObject; }
  bool IsArray() const { return type() == JsonType::kArray; }
  bool IsString() const { return type() == JsonType::kString; }
  explicit operator bool() const { return !IsNull(); }
  JsonType type() const;

  // Member `key` of an object; null when absent or when this is not an object.
  JsonRef Get(std::string_view key) const;
  JsonRef operator[](std::string_view key) const { return Get(key); }
  // Element or member value `i` of an array/object; null when out of range.
  JsonRef At(size_t i) const;
  // Key of member `i` of an object ("" otherwise).
  std::string_view KeyAt(size_t i) const;
  // Number of elements (array) or members (object); 0 otherwise.
  size_t size() const;

  // Scalars; each returns the fallback when the type differs.
  std::string_view Str(std::string_view fallback = {}) const;
  std::int64_t Int(std::int64_t fallback = 0) const;
  bool Bool(bool fallback = false) const;

  // libpg_query wraps each node as {"TypeName": {...}}: the type name and the body.
  std::string_view NodeType() const { return IsObject() && size() == 1 ? KeyAt(0) : ""; }
  JsonRef NodeBody() const { return IsObject() && size() == 1 ? At(0) : JsonRef(); }
  // The body when this is the node `type`, else null.
  JsonRef As(std::string_view type) const { return NodeType() == type ? NodeBody() : JsonRef(); }

  std::uint32_t index() const { return index_; }
  const JsonTree* tree() const { return tree_; }

 private:
  const JsonTree* tree_ = nullptr;
  std::uint32_t index_ = 0;
};

class JsonTree {
 public:
  // Parses `text` (takes ownership). Errors: kInternal with the byte offset (the input comes
  // from libpg_query, so a failure is a bug, not user input).
  static Result<std::shared_ptr<JsonTree>> Parse(std::string text);
  // Parses `text` without copying it; `owner` keeps the bytes alive as long as the tree (for
  // libpg_query's result buffer, freed by the owner's deleter).
  static Result<std::shared_ptr<JsonTree>> ParseBorrowed(std::string_view text,
                                                         std::shared_ptr<void> owner);

  JsonRef root() const { return JsonRef(this, 0); }
  // The number of nodes (for tests and statistics).
  size_t node_count() const { return nodes_.size(); }

 private:
  friend class JsonRef;
  friend class JsonParser;
  // 16 bytes a value and 12 a member (a 100,000-statement file has ~6 million of them): the
  // arrays are most of the tree's memory, and every page of them is faulted in once.
  static constexpr std::uint8_t kUnescaped = 1;  // Node flag: the string is in unescaped_
  struct Node {
    JsonType type = JsonType::kNull;
    std::uint8_t flags = 0;
    std::uint32_t count = 0;  // members or elements; a string's length
    std::int64_t v = 0;       // kids_ index of the first member (array/object), the string's
                              // offset (in view_, or in unescaped_), the number, or the bool
  };
  static constexpr std::uint32_t kKeyUnescaped = 0x80000000u;  // Kid::key_len flag
  struct Kid {
    std::uint32_t key_off = 0;  // the key (empty for array elements): offset in view_ (or in
    std::uint32_t key_len = 0;  // unescaped_ with kKeyUnescaped set in key_len)
    std::uint32_t node = 0;
  };
  std::string_view Key(const Kid& k) const {
    const char* base = (k.key_len & kKeyUnescaped) ? unescaped_.data() : view_.data();
    return {base + k.key_off, k.key_len & ~kKeyUnescaped};
  }
  std::string text_;
  std::string_view view_;  // the bytes parsed: text_ or the owner's buffer
  std::shared_ptr<void> owner_;
  std::vector<Node> nodes_;
  std::vector<Kid> kids_;
  std::string unescaped_;  // strings that held escapes, unescaped, one after the other
};

// Walks `node` depth-first (pre-order, children in order) and calls `fn(JsonRef)` on every
// object and array; a `fn` returning false stops descent below that node. Iterative: a parse
// tree can be far deeper than a thread's stack allows recursion.
template <typename Fn>
void WalkJson(JsonRef node, Fn&& fn) {
  std::vector<JsonRef> todo{node};
  while (!todo.empty()) {
    JsonRef n = todo.back();
    todo.pop_back();
    if (!n.IsObject() && !n.IsArray()) continue;
    if (!fn(n)) continue;
    for (size_t i = n.size(); i > 0; --i) {
      JsonRef c = n.At(i - 1);
      if (c.IsObject() || c.IsArray()) todo.push_back(c);
    }
  }
}

}  // namespace strata::analysis
