// Statement splitting without a database. PostgreSQL text is split with libpg_query's scanner
// (PostgreSQL's own lexer: dollar quoting, nested comments, E'' and U&'' strings); SQLite text
// with sqlite3_complete (SQLite's own notion of a complete statement, triggers included).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "strata/result.h"

namespace strata::sql {

struct Statement {
  std::string_view text;  // the statement as sent: leading `--` comments and blanks removed,
                          // trailing semicolon and blanks removed; views into the input
  size_t offset = 0;      // byte offset of `text` in the input
  int line = 0;           // 1-based line of the statement's first character
  int column = 0;         // 1-based column (bytes)

  // The statement's first line, for messages ("CREATE INDEX idx ON t (a)").
  std::string_view FirstLine() const;
};

// Splits `text` into statements. Empty statements (only blanks, comments or `;`) are dropped.
// Errors (kMigrationFailed with a span) come from an unterminated quote, comment or dollar
// body; `file` names the input in the span.
Result<std::vector<Statement>> Split(std::string_view text, db::Dialect dialect,
                                     std::string_view file);

// PostgreSQL statements that cannot run inside a transaction block. Returns a short name of the
// construct ("CREATE INDEX CONCURRENTLY") or an empty view when the statement is fine.
std::string_view NonTransactionalConstruct(std::string_view statement);

// Whether the statement is transaction control (BEGIN, COMMIT, ROLLBACK, START TRANSACTION,
// END, ABORT, SAVEPOINT is fine). A migration must not contain these: strata owns the
// transaction.
bool IsTransactionControl(std::string_view statement);

// Skips blanks, `--` comments and `/* */` comments (nested) at the start of `s`.
std::string_view SkipLeadingComments(std::string_view s);

}  // namespace strata::sql
