#include "analysis/fragment.h"

#include "analysis/json_tree.h"
#include "base/text.h"

#include <fmt/format.h>
#include <pg_query.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace strata::analysis {

namespace {

enum class Tok { kWord, kQuotedName, kString, kOpen, kClose, kSemicolon, kParam, kOther };

struct Token {
  Tok type = Tok::kOther;
  size_t start = 0;
  size_t end = 0;
  std::string word;  // kWord: upper case
};

Status Refuse(FragmentKind kind, std::string what) {
  return Status(ErrorCode::kValidation,
                fmt::format("{}; expected {}", std::move(what), FragmentExpected(kind)));
}

// "`;` at character 21": a position the user can find in a one-line TOML string.
std::string At(std::string_view text, size_t offset) {
  return fmt::format("at character {}", std::min(offset, text.size()) + 1);
}

// ---- SQLite: a tokenizer with the rules of sqlite3's tokenize.c (the parts that decide where a
// token ends: quotes, brackets, blobs, comments, parameters, identifier characters).

bool SqliteIdChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}

bool IsHex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Result<std::vector<Token>> SqliteTokens(std::string_view s, FragmentKind kind) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = s.size();
  auto unterminated = [&](size_t at, std::string_view what) {
    return Refuse(kind, fmt::format("unterminated {} {}", what, At(s, at)));
  };
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    const unsigned char next = i + 1 < n ? static_cast<unsigned char>(s[i + 1]) : 0;
    Token t;
    t.start = i;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '-' && next == '-') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && next == '*') {
      size_t e = s.find("*/", i + 2);
      if (e == std::string_view::npos) return unterminated(i, "comment");
      i = e + 2;
      continue;
    }
    if ((c == 'x' || c == 'X') && next == '\'') {  // a blob literal X'..': hex digits only
      size_t j = i + 2;
      while (j < n && IsHex(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= n || s[j] != '\'' || (j - i) % 2 != 0) {
        return Refuse(kind, fmt::format("malformed blob literal {}", At(s, i)));
      }
      t.type = Tok::kString;
      i = j + 1;
    } else if (c == '\'' || c == '"' || c == '`') {
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (s[j] == static_cast<char>(c)) {
          if (j + 1 < n && s[j + 1] == static_cast<char>(c)) {
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        ++j;
      }
      if (!closed) return unterminated(i, c == '\'' ? "string" : "quoted name");
      t.type = c == '\'' ? Tok::kString : Tok::kQuotedName;
      i = j + 1;
    } else if (c == '[') {
      size_t e = s.find(']', i + 1);
      if (e == std::string_view::npos) return unterminated(i, "[quoted name]");
      t.type = Tok::kQuotedName;
      i = e + 1;
    } else if (c == '?' || c == '$' || c == '@' || c == ':' || c == '#') {
      t.type = Tok::kParam;
      ++i;
      while (i < n && SqliteIdChar(static_cast<unsigned char>(s[i]))) ++i;
    } else if (c == '(' || c == ')' || c == ';') {
      t.type = c == '(' ? Tok::kOpen : c == ')' ? Tok::kClose : Tok::kSemicolon;
      ++i;
    } else if (SqliteIdChar(c) || (c == '.' && next >= '0' && next <= '9')) {
      // Names, keywords and numbers: none of them holds a quote, parenthesis or `;`.
      const bool number = (c >= '0' && c <= '9') || c == '.';
      ++i;
      while (i < n && (SqliteIdChar(static_cast<unsigned char>(s[i])) || (number && s[i] == '.')))
        ++i;
      if (!number) {
        t.type = Tok::kWord;
        t.word = base::ToUpper(s.substr(t.start, i - t.start));
      }
    } else {
      ++i;  // an operator character or a comma
    }
    t.end = i;
    out.push_back(std::move(t));
  }
  return out;
}

// ---- PostgreSQL: libpg_query's scanner (PostgreSQL's own scan.l). pg_query_scan answers in
// protobuf (ScanResult, pg_query.proto); Debian ships no protobuf-c headers, and the two
// messages needed are small, so their wire format is read here.

bool ReadVarint(std::string_view& b, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !b.empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(b.front());
    b.remove_prefix(1);
    *v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Skips one field of wire type `wt`; false when the buffer is malformed.
bool SkipField(std::string_view& b, std::uint64_t wt) {
  std::uint64_t v = 0;
  switch (wt) {
    case 0:
      return ReadVarint(b, &v);
    case 1:
      if (b.size() < 8) return false;
      b.remove_prefix(8);
      return true;
    case 2:
      if (!ReadVarint(b, &v) || v > b.size()) return false;
      b.remove_prefix(v);
      return true;
    case 5:
      if (b.size() < 4) return false;
      b.remove_prefix(4);
      return true;
    default:
      return false;
  }
}

// Token numbers of pg_query.proto's `enum Token`.
constexpr std::uint64_t kPgOpen = 40, kPgClose = 41, kPgSemicolon = 59, kPgIdent = 258,
                        kPgUident = 259, kPgSconst = 261, kPgParam = 267, kPgSqlComment = 275,
                        kPgCComment = 276;

Result<std::vector<Token>> PgTokens(std::string_view s, FragmentKind kind) {
  std::string text(s);
  PgQueryScanResult r = pg_query_scan(text.c_str());
  std::unique_ptr<PgQueryScanResult, void (*)(PgQueryScanResult*)> guard(
      &r, [](PgQueryScanResult* p) { pg_query_free_scan_result(*p); });
  if (r.error) {
    return Refuse(kind, fmt::format("{} {}", r.error->message,
                                    At(s, r.error->cursorpos > 0 ? r.error->cursorpos - 1 : 0)));
  }
  std::vector<Token> out;
  std::string_view b(r.pbuf.data, r.pbuf.len);
  auto malformed = [] {
    return Status(ErrorCode::kInternal, "libpg_query's scan result is not the expected protobuf");
  };
  while (!b.empty()) {
    std::uint64_t tag = 0;
    if (!ReadVarint(b, &tag)) return malformed();
    if (tag >> 3 != 2 || (tag & 7) != 2) {
      if (!SkipField(b, tag & 7)) return malformed();
      continue;
    }
    std::uint64_t len = 0;
    if (!ReadVarint(b, &len) || len > b.size()) return malformed();
    std::string_view m = b.substr(0, len);
    b.remove_prefix(len);
    std::uint64_t start = 0, end = 0, token = 0, keyword = 0;
    while (!m.empty()) {
      std::uint64_t t2 = 0, v = 0;
      if (!ReadVarint(m, &t2)) return malformed();
      if ((t2 & 7) != 0) {
        if (!SkipField(m, t2 & 7)) return malformed();
        continue;
      }
      if (!ReadVarint(m, &v)) return malformed();
      switch (t2 >> 3) {
        case 1:
          start = v;
          break;
        case 2:
          end = v;
          break;
        case 4:
          token = v;
          break;
        case 5:
          keyword = v;
          break;
        default:
          break;
      }
    }
    if (token == kPgSqlComment || token == kPgCComment) continue;
    Token t;
    t.start = start;
    t.end = end;
    if (token == kPgOpen) {
      t.type = Tok::kOpen;
    } else if (token == kPgClose) {
      t.type = Tok::kClose;
    } else if (token == kPgSemicolon) {
      t.type = Tok::kSemicolon;
    } else if (token == kPgParam) {
      t.type = Tok::kParam;
    } else if (token == kPgSconst) {
      t.type = Tok::kString;
    } else if (token == kPgIdent || token == kPgUident || keyword != 0) {
      t.type = Tok::kWord;
      if (start < end && end <= s.size()) t.word = base::ToUpper(s.substr(start, end - start));
    }
    out.push_back(std::move(t));
  }
  return out;
}

// ---- Checks on tokens, the same for both dialects.

// No parameter; parentheses balance and never close more than they opened (which would leave
// strata's wrapper); no `;`, except one ending a query.
Status CheckTokens(std::string_view s, const std::vector<Token>& toks, FragmentKind kind) {
  if (toks.empty()) return Refuse(kind, "the fragment is empty (only blanks or comments)");
  int depth = 0;
  size_t open_at = 0;
  for (size_t k = 0; k < toks.size(); ++k) {
    const Token& t = toks[k];
    switch (t.type) {
      case Tok::kParam:
        return Refuse(kind,
                      fmt::format("bind parameter `{}` {}: a file's SQL cannot use parameters",
                                  s.substr(t.start, t.end - t.start), At(s, t.start)));
      case Tok::kOpen:
        if (depth++ == 0) open_at = t.start;
        break;
      case Tok::kClose:
        if (--depth < 0) {
          return Refuse(kind, fmt::format("`)` {} closes a parenthesis the fragment did not open",
                                          At(s, t.start)));
        }
        break;
      case Tok::kSemicolon:
        if (kind == FragmentKind::kQuery && k + 1 == toks.size()) break;  // `SELECT ...;`
        return Refuse(
            kind, fmt::format("`;` {} would end the statement and start another", At(s, t.start)));
      default:
        break;
    }
  }
  if (depth > 0) {
    return Refuse(kind, fmt::format("`(` {} is never closed", At(s, open_at)));
  }
  return Status::Ok();
}

// The first word outside parentheses that is in `words`, or nullptr.
const Token* TopLevelWord(const std::vector<Token>& toks,
                          std::initializer_list<std::string_view> words) {
  int depth = 0;
  for (const Token& t : toks) {
    if (t.type == Tok::kOpen) ++depth;
    if (t.type == Tok::kClose) --depth;
    if (depth != 0 || t.type != Tok::kWord) continue;
    for (auto w : words) {
      if (t.word == w) return &t;
    }
  }
  return nullptr;
}

// SQLite has no parse tree to look at: what may follow each kind inside strata's statements is
// a clause keyword outside parentheses, which no expression holds there.
Status CheckSqliteShape(std::string_view s, const std::vector<Token>& toks, FragmentKind kind) {
  auto clause = [&](const Token* t) {
    return Refuse(kind, fmt::format("`{}` {} starts another clause", t->word, At(s, t->start)));
  };
  // INSERT, UPDATE and DELETE are reserved words in SQLite (never a bare name): anywhere in a
  // fragment they begin a data-modifying statement.
  for (const Token& t : toks) {
    if (t.type == Tok::kWord && (t.word == "INSERT" || t.word == "UPDATE" || t.word == "DELETE")) {
      return Refuse(kind, fmt::format("it holds a data-modifying statement (`{}` {})", t.word,
                                      At(s, t.start)));
    }
  }
  switch (kind) {
    case FragmentKind::kExpression:
      return Status::Ok();
    case FragmentKind::kAssignments:
      if (const Token* t = TopLevelWord(toks, {"FROM", "WHERE", "RETURNING", "ORDER", "LIMIT"})) {
        return clause(t);
      }
      return Status::Ok();
    case FragmentKind::kFromList:
      if (const Token* t =
              TopLevelWord(toks, {"SELECT", "VALUES", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER",
                                  "LIMIT", "UNION", "EXCEPT", "INTERSECT", "RETURNING", "SET"})) {
        return clause(t);
      }
      return Status::Ok();
    case FragmentKind::kQuery: {
      const Token& first = toks.front();
      if (first.type != Tok::kWord ||
          (first.word != "SELECT" && first.word != "VALUES" && first.word != "WITH")) {
        return Refuse(kind, fmt::format("it starts with `{}`",
                                        s.substr(first.start, first.end - first.start)));
      }
      // After WITH's common table expressions (each in parentheses), the statement's own verb.
      const Token* verb = TopLevelWord(
          toks, {"SELECT", "VALUES", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP",
                 "ALTER", "PRAGMA", "ATTACH", "DETACH", "VACUUM", "REINDEX", "ANALYZE"});
      if (!verb || (verb->word != "SELECT" && verb->word != "VALUES")) {
        return Refuse(
            kind, verb ? fmt::format("`{}` {} changes the database", verb->word, At(s, verb->start))
                       : std::string("WITH is not followed by SELECT"));
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// Parses `sql` (the fragment inside a wrapper of `prefix_len` bytes); a parse error points into
// the fragment.
Result<std::shared_ptr<JsonTree>> PgParse(const std::string& sql, size_t prefix_len,
                                          std::string_view fragment, FragmentKind kind) {
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &r, [](PgQueryParseResult* p) { pg_query_free_parse_result(*p); });
  if (r.error) {
    size_t pos = r.error->cursorpos > 0 ? static_cast<size_t>(r.error->cursorpos - 1) : 0;
    pos = pos > prefix_len ? pos - prefix_len : 0;
    return Refuse(kind,
                  fmt::format("it does not parse: {} {}", r.error->message, At(fragment, pos)));
  }
  return JsonTree::Parse(r.parse_tree ? r.parse_tree : "{}");
}

// A node anywhere below `node` that a fragment must not hold: a data-modifying statement (a
// WITH ... INSERT inside a subquery), SELECT INTO (creates a table) or FOR UPDATE/SHARE (locks).
Status CheckPgNodes(JsonRef node, FragmentKind kind) {
  std::string_view bad;
  WalkJson(node, [&](JsonRef n) {
    if (!bad.empty()) return false;
    if (!n.IsObject()) return true;
    for (size_t i = 0; i < n.size(); ++i) {
      std::string_view k = n.KeyAt(i);
      if (k == "InsertStmt" || k == "UpdateStmt" || k == "DeleteStmt" || k == "MergeStmt" ||
          (k == "intoClause" && !n.At(i).IsNull()) || (k == "lockingClause" && n.At(i).size())) {
        bad = k;
        return false;
      }
    }
    return true;
  });
  if (bad.empty()) return Status::Ok();
  std::string what = bad == "intoClause"      ? "SELECT INTO, which creates a table"
                     : bad == "lockingClause" ? "FOR UPDATE/SHARE, which locks rows"
                                              : fmt::format("a data-modifying statement ({})",
                                                            bad.substr(0, bad.size() - 4));
  return Refuse(kind, fmt::format("it holds {}", what));
}

// Only `allowed` members in statement body `body` (libpg_query omits empty ones).
Status OnlyMembers(JsonRef body, std::initializer_list<std::string_view> allowed,
                   FragmentKind kind) {
  for (size_t i = 0; i < body.size(); ++i) {
    std::string_view k = body.KeyAt(i);
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (k == "limitOption" && body.At(i).Str() == "LIMIT_OPTION_DEFAULT") ok = true;
    if (k == "op" && body.At(i).Str() == "SETOP_NONE") ok = true;
    if (ok) continue;
    static constexpr std::pair<std::string_view, std::string_view> kClauses[] = {
        {"whereClause", "WHERE"},       {"fromClause", "FROM"},
        {"returningList", "RETURNING"}, {"withClause", "WITH"},
        {"sortClause", "ORDER BY"},     {"limitCount", "LIMIT"},
        {"limitOffset", "OFFSET"},      {"groupClause", "GROUP BY"},
        {"havingClause", "HAVING"},     {"windowClause", "WINDOW"},
        {"distinctClause", "DISTINCT"}, {"lockingClause", "FOR UPDATE/SHARE"},
        {"intoClause", "INTO"},         {"op", "UNION/INTERSECT/EXCEPT"},
        {"valuesLists", "VALUES"},      {"limitOption", "FETCH ... WITH TIES"}};
    std::string_view clause = k;
    for (const auto& [member, sql] : kClauses) {
      if (member == k) clause = sql;
    }
    return Refuse(kind, fmt::format("it adds a {} clause to strata's statement", clause));
  }
  return Status::Ok();
}

Status CheckPgShape(std::string_view s, FragmentKind kind) {
  std::string prefix;
  std::string_view type;
  switch (kind) {
    case FragmentKind::kExpression:
      prefix = "SELECT (\n";
      type = "SelectStmt";
      break;
    case FragmentKind::kAssignments:
      prefix = "UPDATE strata_fragment SET\n";
      type = "UpdateStmt";
      break;
    case FragmentKind::kFromList:
      prefix = "SELECT 1 FROM\n";
      type = "SelectStmt";
      break;
    case FragmentKind::kQuery:
      type = "SelectStmt";
      break;
  }
  std::string sql = prefix + std::string(s);
  if (kind == FragmentKind::kExpression) sql += "\n)";
  if (kind != FragmentKind::kQuery) sql += "\n";
  STRATA_ASSIGN_OR_RETURN(auto tree, PgParse(sql, prefix.size(), s, kind));
  JsonRef stmts = tree->root().Get("stmts");
  if (stmts.size() != 1) {
    return Refuse(kind, fmt::format("it is {} statements", stmts.size()));
  }
  JsonRef stmt = stmts.At(0).Get("stmt");
  if (stmt.NodeType() != type) {
    return Refuse(kind, fmt::format("it is a {}", stmt.NodeType()));
  }
  JsonRef body = stmt.NodeBody();
  switch (kind) {
    case FragmentKind::kExpression:
      STRATA_TRY(OnlyMembers(body, {"targetList"}, kind));
      if (body.Get("targetList").size() != 1) return Refuse(kind, "it is a list");
      return CheckPgNodes(body, kind);
    case FragmentKind::kAssignments:
      STRATA_TRY(OnlyMembers(body, {"relation", "targetList"}, kind));
      return CheckPgNodes(body.Get("targetList"), kind);
    case FragmentKind::kFromList:
      STRATA_TRY(OnlyMembers(body, {"targetList", "fromClause"}, kind));
      return CheckPgNodes(body.Get("fromClause"), kind);
    case FragmentKind::kQuery:
      return CheckPgNodes(body, kind);
  }
  return Status::Ok();
}

}  // namespace

std::string_view FragmentExpected(FragmentKind kind) {
  switch (kind) {
    case FragmentKind::kExpression:
      return "exactly one boolean expression (a WHERE predicate), without `;` and with balanced "
             "parentheses";
    case FragmentKind::kAssignments:
      return "a list of assignments `column = expression, ...` (an UPDATE's SET list)";
    case FragmentKind::kFromList:
      return "a FROM list: tables with optional aliases, or joins";
    case FragmentKind::kQuery:
      return "exactly one read-only query: SELECT, WITH ... SELECT or VALUES";
  }
  return "";
}

Status CheckFragment(std::string_view text, FragmentKind kind, db::Dialect dialect) {
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Refuse(kind, fmt::format("a NUL byte {}", At(text, nul)));
  }
  const bool pg = dialect == db::Dialect::kPostgres;
  STRATA_ASSIGN_OR_RETURN(auto toks, pg ? PgTokens(text, kind) : SqliteTokens(text, kind));
  STRATA_TRY(CheckTokens(text, toks, kind));
  return pg ? CheckPgShape(text, kind) : CheckSqliteShape(text, toks, kind);
}

}  // namespace strata::analysis
