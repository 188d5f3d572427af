#include "sql/splitter.h"

#include <fmt/format.h>
#include <pg_query.h>
#include <sqlite3.h>

#include <cctype>

#include "base/text.h"

namespace strata::sql {

namespace {

bool IsBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Skips blanks and `--` line comments only: psql keeps /* */ comments in the statement text.
size_t SkipBlanksAndLineComments(std::string_view s, size_t i) {
  for (;;) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '-' && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    return i;
  }
}

// Pushes text[b, e) as a statement after trimming; drops it if nothing but comments remain.
void Push(std::string_view text, size_t b, size_t e, const base::LineIndex& lines,
          std::vector<Statement>& out) {
  b = SkipBlanksAndLineComments(text, b);
  if (b >= e) return;
  while (e > b && (IsBlank(text[e - 1]) || text[e - 1] == ';')) --e;
  if (e <= b) return;
  std::string_view stmt = text.substr(b, e - b);
  if (SkipLeadingComments(stmt).empty()) return;
  out.push_back(Statement{stmt, b, lines.LineOf(b), lines.ColumnOf(b)});
}

// A trailing `--` comment after the last semicolon belongs to no statement; strip trailing
// line comments from a piece so "SELECT 1; -- done" does not become a statement "-- done".
Result<std::vector<Statement>> SplitPostgres(std::string_view text, std::string_view file) {
  std::string input(text);  // libpg_query wants a NUL-terminated string
  PgQuerySplitResult r = pg_query_split_with_scanner(input.c_str());
  base::LineIndex lines(text);
  if (r.error) {
    int pos = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : 0;
    Status s = Status(ErrorCode::kMigrationFailed,
                      fmt::format("cannot split SQL: {}", r.error->message))
                   .WithSpan({std::string(file), lines.LineOf(pos), lines.ColumnOf(pos)})
                   .WithHint("check for an unterminated string, comment or $$ body");
    pg_query_free_split_result(r);
    return s;
  }
  std::vector<Statement> out;
  out.reserve(r.n_stmts);
  for (int i = 0; i < r.n_stmts; ++i) {
    size_t b = static_cast<size_t>(r.stmts[i]->stmt_location);
    size_t e = b + static_cast<size_t>(r.stmts[i]->stmt_len);
    if (e > text.size()) e = text.size();
    Push(text, b, e, lines, out);
  }
  pg_query_free_split_result(r);
  return out;
}

Result<std::vector<Statement>> SplitSqlite(std::string_view text, std::string_view file) {
  base::LineIndex lines(text);
  std::vector<Statement> out;
  size_t start = 0;
  std::string buf;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ';') continue;
    buf.assign(text.substr(start, i + 1 - start));
    if (sqlite3_complete(buf.c_str())) {
      Push(text, start, i + 1, lines, out);
      start = i + 1;
    }
  }
  // Whatever follows the last complete statement: a statement without a trailing semicolon is
  // fine; an unterminated string or trigger body is an error.
  std::string_view rest = text.substr(start);
  if (!SkipLeadingComments(rest).empty()) {
    buf.assign(rest);
    buf += ";";
    if (!sqlite3_complete(buf.c_str())) {
      size_t b = SkipBlanksAndLineComments(text, start);
      return Status(ErrorCode::kMigrationFailed, "incomplete SQL statement at end of file")
          .WithSpan({std::string(file), lines.LineOf(b), lines.ColumnOf(b)})
          .WithHint("check for an unterminated string, comment or a trigger without END");
    }
    Push(text, start, text.size(), lines, out);
  }
  return out;
}

// Upper-cased words of a statement's start, comments skipped, for keyword matching.
std::vector<std::string> LeadingWords(std::string_view s, size_t max_words) {
  std::vector<std::string> words;
  s = SkipLeadingComments(s);
  size_t i = 0;
  while (i < s.size() && words.size() < max_words) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (i + 1 < s.size() && ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*'))) {
      std::string_view rest = SkipLeadingComments(s.substr(i));
      i = s.size() - rest.size();
      continue;
    }
    size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    if (i == b) {
      if (i < s.size() && s[i] == '(') {
        words.emplace_back("(");
        ++i;
        continue;
      }
      break;
    }
    words.push_back(base::ToUpper(s.substr(b, i - b)));
  }
  return words;
}

}  // namespace

std::string_view Statement::FirstLine() const {
  std::string_view t = text;
  size_t nl = t.find('\n');
  if (nl != std::string_view::npos) t = t.substr(0, nl);
  return base::Trim(t);
}

std::string_view SkipLeadingComments(std::string_view s) {
  for (;;) {
    while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
    if (s.size() >= 2 && s[0] == '-' && s[1] == '-') {
      size_t nl = s.find('\n');
      s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
      continue;
    }
    if (s.size() >= 2 && s[0] == '/' && s[1] == '*') {
      int depth = 0;
      size_t i = 0;
      while (i + 1 < s.size()) {
        if (s[i] == '/' && s[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
          --depth;
          i += 2;
          if (depth == 0) break;
        } else {
          ++i;
        }
      }
      s = depth == 0 ? s.substr(i) : std::string_view();
      continue;
    }
    return s;
  }
}

Result<std::vector<Statement>> Split(std::string_view text, db::Dialect dialect,
                                     std::string_view file) {
  return dialect == db::Dialect::kPostgres ? SplitPostgres(text, file) : SplitSqlite(text, file);
}

std::string_view NonTransactionalConstruct(std::string_view statement) {
  auto w = LeadingWords(statement, 8);
  auto at = [&](size_t i) -> std::string_view { return i < w.size() ? w[i] : std::string_view(); };
  auto has = [&](std::string_view word) {
    for (const auto& x : w) {
      if (x == word) return true;
    }
    return false;
  };
  if (at(0) == "CREATE") {
    size_t i = 1;
    if (at(i) == "UNIQUE") ++i;
    if (at(i) == "INDEX" && at(i + 1) == "CONCURRENTLY") return "CREATE INDEX CONCURRENTLY";
    if (at(1) == "DATABASE") return "CREATE DATABASE";
    if (at(1) == "TABLESPACE") return "CREATE TABLESPACE";
    if (at(1) == "SUBSCRIPTION") return "CREATE SUBSCRIPTION";
  }
  if (at(0) == "DROP") {
    if (at(1) == "INDEX" && at(2) == "CONCURRENTLY") return "DROP INDEX CONCURRENTLY";
    if (at(1) == "DATABASE") return "DROP DATABASE";
    if (at(1) == "TABLESPACE") return "DROP TABLESPACE";
    if (at(1) == "SUBSCRIPTION") return "DROP SUBSCRIPTION";
  }
  if (at(0) == "REINDEX" && has("CONCURRENTLY")) return "REINDEX CONCURRENTLY";
  if (at(0) == "REINDEX" && (at(1) == "SYSTEM" || at(1) == "DATABASE")) return "REINDEX DATABASE";
  if (at(0) == "VACUUM") return "VACUUM";
  if (at(0) == "ALTER" && at(1) == "SYSTEM") return "ALTER SYSTEM";
  if (at(0) == "ALTER" && at(1) == "DATABASE" && has("TABLESPACE")) {
    return "ALTER DATABASE SET TABLESPACE";
  }
  if (at(0) == "ALTER" && at(1) == "TABLE" && has("DETACH") && has("CONCURRENTLY")) {
    return "ALTER TABLE DETACH PARTITION CONCURRENTLY";
  }
  if (at(0) == "CLUSTER" && w.size() == 1) return "CLUSTER (all tables)";
  return {};
}

bool IsTransactionControl(std::string_view statement) {
  auto w = LeadingWords(statement, 3);
  if (w.empty()) return false;
  const std::string& k = w[0];
  if (k == "BEGIN") {
    // PL/pgSQL's BEGIN never starts a top-level statement; BEGIN ATOMIC is not top level either.
    return true;
  }
  if (k == "START" && w.size() > 1 && w[1] == "TRANSACTION") return true;
  return k == "COMMIT" || k == "END" || k == "ROLLBACK" || k == "ABORT";
}

}  // namespace strata::sql
