#include "sql/transaction_block.h"

#include "sql/splitter.h"

#include <string>
#include <vector>

namespace strata::sql {

namespace {

// A statement's leading tokens for keyword matching: words upper-cased, a quoted identifier or
// a string literal one token (never a keyword), every other character a token of its own.
struct Token {
  enum class Kind { kWord, kQuoted, kString, kPunct } kind;
  std::string text;  // the word upper-cased, a string's content upper-cased, the punctuation
};

constexpr size_t kMaxTokens = 64;

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Up to `max` tokens of `s`; comments are skipped by the dialect's rules wherever they are.
std::vector<Token> Tokens(std::string_view s, db::Dialect dialect, size_t max = kMaxTokens) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size() && out.size() < max) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (s.compare(i, 2, "--") == 0 || s.compare(i, 2, "/*") == 0) {
      i = s.size() - SkipLeadingComments(s.substr(i), dialect).size();
    } else if (c == '\'' || c == '"') {
      // A string (E'' strings: a backslash escapes the next character) or a quoted identifier;
      // a doubled quote is one quote. (Only PostgreSQL reads past the first word.)
      const char close = c;
      const bool backslash = c == '\'' && !out.empty() && out.back().kind == Token::Kind::kWord &&
                             out.back().text == "E" && i > 0 && IsWordChar(s[i - 1]);
      if (backslash) out.pop_back();
      std::string text;
      size_t j = i + 1;
      for (; j < s.size(); ++j) {
        if (backslash && s[j] == '\\' && j + 1 < s.size()) {
          text += s[++j];
        } else if (s[j] == close) {
          if (j + 1 < s.size() && s[j + 1] == close) {
            text += s[++j];
          } else {
            break;
          }
        } else {
          text += s[j];
        }
      }
      out.push_back({c == '\'' ? Token::Kind::kString : Token::Kind::kQuoted, Upper(text)});
      i = j + 1;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < s.size() && IsWordChar(s[j])) ++j;
      out.push_back({Token::Kind::kWord, Upper(s.substr(i, j - i))});
      i = j;
    } else {
      out.push_back({Token::Kind::kPunct, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

class Words {
 public:
  explicit Words(std::vector<Token> t) : t_(std::move(t)) {}
  // The keyword at `i`, or an empty view (past the end, a literal or a quoted identifier).
  std::string_view At(size_t i) const {
    return i < t_.size() && t_[i].kind != Token::Kind::kString && t_[i].kind != Token::Kind::kQuoted
               ? std::string_view(t_[i].text)
               : std::string_view();
  }
  bool Is(size_t i, std::string_view word) const { return At(i) == word; }
  size_t size() const { return t_.size(); }
  // The first position at or after `from` where `word` is a keyword, or size().
  size_t Find(std::string_view word, size_t from = 0) const {
    for (size_t i = from; i < t_.size(); ++i) {
      if (Is(i, word)) return i;
    }
    return t_.size();
  }
  // Whether the parenthesised option list opening at `open` gives option `name` a false value
  // (false, off, no or 0, as a keyword or a string).
  bool OptionIsFalse(size_t open, std::string_view name) const {
    if (!Is(open, "(")) return false;
    for (size_t i = open + 1; i < t_.size() && !Is(i, ")"); ++i) {
      if (!Is(i, name)) continue;
      size_t v = Is(i + 1, "=") ? i + 2 : i + 1;
      if (v >= t_.size()) return false;
      const std::string& x = t_[v].text;
      return t_[v].kind != Token::Kind::kQuoted &&
             (x == "FALSE" || x == "OFF" || x == "NO" || x == "0");
    }
    return false;
  }
  // Whether option `name` is present (and not false) in the parenthesised list at `open`.
  bool OptionIsOn(size_t open, std::string_view name) const {
    if (!Is(open, "(")) return false;
    for (size_t i = open + 1; i < t_.size() && !Is(i, ")"); ++i) {
      if (Is(i, name) && (i == open + 1 || Is(i - 1, ","))) return !OptionIsFalse(open, name);
    }
    return false;
  }
  // The position after the parenthesised list at `open` (or `open` when there is none).
  size_t After(size_t open) const {
    if (!Is(open, "(")) return open;
    size_t i = Find(")", open);
    return i < t_.size() ? i + 1 : i;
  }

 private:
  std::vector<Token> t_;
};

std::string_view Create(const Words& w) {
  size_t i = w.Is(1, "UNIQUE") ? 2 : 1;
  if (w.Is(i, "INDEX")) return w.Is(i + 1, "CONCURRENTLY") ? "CREATE INDEX CONCURRENTLY" : "";
  if (w.Is(1, "DATABASE")) return "CREATE DATABASE";
  if (w.Is(1, "TABLESPACE")) return "CREATE TABLESPACE";
  if (w.Is(1, "SUBSCRIPTION")) {
    // connect = false makes create_slot default to false (and create_slot = true with it is
    // an error of its own).
    size_t with = w.Find("WITH", 2);
    if (w.OptionIsFalse(with + 1, "CREATE_SLOT") || w.OptionIsFalse(with + 1, "CONNECT")) return "";
    return "CREATE SUBSCRIPTION ... WITH (create_slot = true)";
  }
  return "";
}

std::string_view Drop(const Words& w) {
  if (w.Is(1, "INDEX")) return w.Is(2, "CONCURRENTLY") ? "DROP INDEX CONCURRENTLY" : "";
  if (w.Is(1, "DATABASE")) return "DROP DATABASE";
  if (w.Is(1, "TABLESPACE")) return "DROP TABLESPACE";
  if (w.Is(1, "SUBSCRIPTION")) return "DROP SUBSCRIPTION";
  return "";
}

std::string_view Alter(const Words& w, int pg_major) {
  if (w.Is(1, "SYSTEM")) return "ALTER SYSTEM";
  if (w.Is(1, "DATABASE")) {
    size_t set = w.Find("SET", 2);
    return w.Is(set + 1, "TABLESPACE") ? "ALTER DATABASE SET TABLESPACE" : "";
  }
  if (w.Is(1, "TABLE")) {
    size_t detach = w.Find("DETACH", 2);
    return w.Is(detach + 1, "PARTITION") && w.Find("CONCURRENTLY", detach) < w.size()
               ? "ALTER TABLE ... DETACH CONCURRENTLY"
               : "";
  }
  if (w.Is(1, "TYPE") && pg_major < 12) {
    size_t add = w.Find("ADD", 2);
    return w.Is(add + 1, "VALUE") ? "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)" : "";
  }
  if (w.Is(1, "SUBSCRIPTION")) {
    size_t refresh = w.Find("REFRESH", 2);
    if (w.Is(refresh + 1, "PUBLICATION")) return "ALTER SUBSCRIPTION ... REFRESH";
    size_t pub = w.Find("PUBLICATION", 2);
    if (pub < w.size() && (w.Is(pub - 1, "SET") || w.Is(pub - 1, "ADD") || w.Is(pub - 1, "DROP"))) {
      size_t with = w.Find("WITH", pub);
      return w.OptionIsFalse(with + 1, "REFRESH") ? "" : "ALTER SUBSCRIPTION with refresh";
    }
  }
  return "";
}

std::string_view Reindex(const Words& w) {
  // REINDEX [ ( option [, ...] ) ] { INDEX | TABLE | SCHEMA | DATABASE | SYSTEM }
  //   [ CONCURRENTLY ] name
  size_t kind = w.After(1);
  if (w.OptionIsOn(1, "CONCURRENTLY") || w.Is(kind + 1, "CONCURRENTLY")) {
    return "REINDEX CONCURRENTLY";
  }
  if (w.Is(kind, "SCHEMA")) return "REINDEX SCHEMA";
  if (w.Is(kind, "DATABASE")) return "REINDEX DATABASE";
  if (w.Is(kind, "SYSTEM")) return "REINDEX SYSTEM";
  return "";
}

std::string_view Cluster(const Words& w) {
  // CLUSTER [VERBOSE] | CLUSTER ( option [, ...] ): every table clustered before, each in a
  // transaction of its own. With a table name it runs in the caller's transaction.
  size_t i = w.After(1);
  if (w.Is(i, "VERBOSE")) ++i;
  return i >= w.size() || w.Is(i, ";") ? "CLUSTER without a table name" : "";
}

}  // namespace

std::string_view NonTransactionalConstruct(std::string_view statement, db::Dialect dialect,
                                           int pg_major) {
  // The first word decides whether the rest is read at all: most statements are decided by it.
  Words first(Tokens(statement, dialect, 1));
  std::string_view k = first.At(0);
  if (dialect == db::Dialect::kSqlite) return k == "VACUUM" ? "VACUUM" : "";
  if (k == "VACUUM") return "VACUUM";
  if (k != "CREATE" && k != "DROP" && k != "ALTER" && k != "REINDEX" && k != "CLUSTER" &&
      k != "DISCARD" && k != "COMMIT" && k != "ROLLBACK") {
    return "";
  }
  Words w(Tokens(statement, dialect));
  if (k == "CREATE") return Create(w);
  if (k == "DROP") return Drop(w);
  if (k == "ALTER") return Alter(w, pg_major);
  if (k == "REINDEX") return Reindex(w);
  if (k == "CLUSTER") return Cluster(w);
  if (k == "DISCARD") return w.Is(1, "ALL") ? "DISCARD ALL" : "";
  if (k == "COMMIT") return w.Is(1, "PREPARED") ? "COMMIT PREPARED" : "";
  return w.Is(1, "PREPARED") ? "ROLLBACK PREPARED" : "";
}

bool SharesTransaction(std::string_view statement, db::Dialect dialect) {
  if (!NonTransactionalConstruct(statement, dialect).empty()) return false;
  if (dialect != db::Dialect::kSqlite) return true;
  std::string_view k = Words(Tokens(statement, dialect, 1)).At(0);
  return k != "PRAGMA" && k != "ATTACH" && k != "DETACH";
}

}  // namespace strata::sql
