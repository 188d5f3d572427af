#include "sql/splitter.h"

#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>
#include <string>

namespace strata::sql {

namespace {

// ASCII classification without the C locale's function calls: splitting is one pass over
// files of many megabytes.
constexpr bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAsciiAlpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }
// Case-insensitive equality with a lower-case ASCII keyword.
constexpr bool IsKeyword(std::string_view w, std::string_view lower) {
  if (w.size() != lower.size()) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (AsciiLower(w[i]) != lower[i]) return false;
  }
  return true;
}

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

// Pushes text[b, e) as a statement after trimming; drops it if nothing but comments remain,
// judged by the dialect's own comment rules (PostgreSQL's /* */ nest, SQLite's do not: with
// the PostgreSQL rule, SQLite's `/* a/* */ CREATE TABLE t ...` looked like one open comment and
// the statement was dropped).
void Push(std::string_view text, size_t b, size_t e, const base::LineIndex& lines,
          db::Dialect dialect, std::vector<Statement>& out) {
  b = SkipBlanksAndLineComments(text, b);
  if (b >= e) return;
  while (e > b && (IsBlank(text[e - 1]) || text[e - 1] == ';')) --e;
  if (e <= b) return;
  std::string_view stmt = text.substr(b, e - b);
  if (SkipLeadingComments(stmt, dialect).empty()) return;
  out.push_back(Statement{stmt, b, lines.LineOf(b), lines.ColumnOf(b)});
}

bool IsHorizSpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }
bool IsNewline(char c) { return c == '\n' || c == '\r'; }
// psql's {space}: [ \t\n\r\f] (not \v).
bool IsSqlSpace(char c) { return IsHorizSpace(c) || IsNewline(c); }
bool IsIdentStart(char c) {
  return IsAsciiAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsDolqCont(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsIdentCont(char c) { return IsDolqCont(c) || c == '$'; }

// Skips a `--` comment starting at i; returns the offset of its newline (or the end).
size_t SkipDashComment(std::string_view s, size_t i) {
  while (i < s.size() && !IsNewline(s[i])) ++i;
  return i;
}

// psql's {quotecontinue} lookahead after a closing quote at s[i - 1]: blanks and `--` comments
// containing at least one newline, then another quote, continue the same literal ('a'\n'b' is
// 'ab', and E'a'\n'\'' stays an E'' string). Returns the offset just past the next quote, or 0.
// When it continues and `comments` is given, the `--` comments it crossed are appended to it.
size_t QuoteContinue(std::string_view s, size_t i, std::vector<size_t>* comments) {
  const size_t recorded = comments ? comments->size() : 0;
  auto fail = [&]() -> size_t {
    if (comments) comments->resize(recorded);
    return 0;
  };
  while (i < s.size()) {  // {horiz_whitespace}*
    if (IsHorizSpace(s[i])) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      if (comments) comments->push_back(i);
      i = SkipDashComment(s, i);
    } else {
      break;
    }
  }
  if (i >= s.size() || !IsNewline(s[i])) return fail();
  ++i;
  while (i < s.size()) {  // {special_whitespace}*: spaces, or a comment and its newline
    if (IsSqlSpace(s[i])) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      size_t e = SkipDashComment(s, i);
      if (e >= s.size()) return fail();
      if (comments) comments->push_back(i);
      i = e + 1;
    } else {
      break;
    }
  }
  return i < s.size() && s[i] == '\'' ? i + 1 : fail();
}

// Where a `$tag$` delimiter starting at s[i] == '$' ends (one past its closing `$`), or 0.
size_t DollarDelimEnd(std::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && IsIdentStart(s[j])) {
    while (j < s.size() && IsDolqCont(s[j])) ++j;
  }
  return j < s.size() && s[j] == '$' ? j + 1 : 0;
}

// `SET [SESSION | LOCAL] standard_conforming_strings {= | TO} <value>` and its RESETs, which
// psql learns about from the server and applies to the lines it reads afterwards. Returns the
// new value, or nullopt if the statement does not change it.
std::optional<bool> StdStringsChange(std::string_view stmt);

struct PgUnterminated {
  size_t at;         // offset of the opening delimiter
  std::string what;  // "quoted string", "dollar-quoted string $tag$", ...
};

// Statement-boundary lexer for PostgreSQL, following psqlscan.l. Scan() consumes one statement
// from `pos` and stops after its terminating `;` (or at the end of the text).
class PgScanner {
 public:
  // `comments`, when given, receives the offset of every `--` line comment scanned.
  PgScanner(std::string_view s, std::vector<size_t>* comments) : s_(s), comments_(comments) {}

  // Scans from pos_ to just past the statement's `;` (or to the end). Returns false with
  // `error` set when the text ends inside a literal or comment.
  bool Scan(PgUnterminated& error);

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  bool terminated() const { return terminated_; }
  bool copy_from_stdin() const { return IsKeyword(first_word_, "copy") && saw_from_stdin_; }
  // Makes `value` the standard_conforming_strings setting for text from offset `from` on.
  void SetStdStrings(bool value, size_t from) {
    pending_std_ = value;
    pending_from_ = from;
  }

 private:
  bool StdStringsAt(size_t i) {
    if (i >= pending_from_) {
      std_strings_ = pending_std_;
      pending_from_ = std::string_view::npos;
    }
    return std_strings_;
  }
  void Word(size_t b, size_t e);
  // Scans a '' / E'' / B'' / X'' / U&'' string whose opening quote is at s_[q]; returns the
  // offset past the closing quote (continuations included), or npos if unterminated.
  size_t ScanString(size_t q, bool backslash_escapes);
  // Scans a "" / U&"" identifier whose opening quote is at s_[q] ("" inside is a quote);
  // returns the offset past the closing quote, or npos if unterminated.
  size_t ScanIdentifier(size_t q) const;

  std::string_view s_;
  std::vector<size_t>* comments_ = nullptr;
  size_t pos_ = 0;
  bool std_strings_ = true;
  bool pending_std_ = true;
  size_t pending_from_ = std::string_view::npos;
  // Per statement.
  bool terminated_ = false;
  int paren_depth_ = 0;
  int begin_depth_ = 0;
  int identifier_count_ = 0;
  char identifiers_[4] = {0, 0, 0, 0};
  std::string_view first_word_;
  bool prev_word_from_ = false;  // the previous token was the word FROM
  bool saw_from_stdin_ = false;
};

// psql's {identifier} rule: tracks whether the statement starts with CREATE [OR REPLACE]
// {FUNCTION | PROCEDURE}; if so, BEGIN (and CASE inside it) ... END nest, and a `;` inside them
// does not end the statement (SQL-standard function bodies, BEGIN ATOMIC ... END).
void PgScanner::Word(size_t b, size_t e) {
  std::string_view w = s_.substr(b, e - b);
  auto is = [&](std::string_view k) { return IsKeyword(w, k); };
  if (identifier_count_ == 0) {
    std::fill(std::begin(identifiers_), std::end(identifiers_), '\0');
    first_word_ = w;
  }
  if (is("create") || is("function") || is("procedure") || is("or") || is("replace")) {
    if (identifier_count_ < 4) {
      identifiers_[identifier_count_] = AsciiLower(w[0]);
    }
  }
  ++identifier_count_;
  const char* id = identifiers_;
  if (id[0] == 'c' &&
      (id[1] == 'f' || id[1] == 'p' ||
       (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) &&
      paren_depth_ == 0) {
    if (is("begin")) {
      ++begin_depth_;
    } else if (is("case")) {
      if (begin_depth_ >= 1) ++begin_depth_;
    } else if (is("end")) {
      if (begin_depth_ > 0) --begin_depth_;
    }
  }
  // COPY ... FROM STDIN: the data rows that follow are not SQL.
  if (prev_word_from_ && is("stdin") && paren_depth_ == 0) saw_from_stdin_ = true;
  prev_word_from_ = is("from");
}

size_t PgScanner::ScanString(size_t q, bool backslash_escapes) {
  size_t i = q + 1;
  for (;;) {
    if (i >= s_.size()) return std::string_view::npos;
    char c = s_[i];
    if (c == '\\' && backslash_escapes) {
      i += 2;
    } else if (c == '\'') {
      if (i + 1 < s_.size() && s_[i + 1] == '\'') {
        i += 2;
      } else {
        size_t next = QuoteContinue(s_, i + 1, comments_);
        if (next == 0) return i + 1;
        i = next;
      }
    } else {
      ++i;
    }
  }
}

size_t PgScanner::ScanIdentifier(size_t q) const {
  size_t e = s_.find('"', q + 1);
  while (e != std::string_view::npos && e + 1 < s_.size() && s_[e + 1] == '"') {
    e = s_.find('"', e + 2);
  }
  return e == std::string_view::npos ? e : e + 1;
}

bool PgScanner::Scan(PgUnterminated& error) {
  terminated_ = false;
  identifier_count_ = 0;
  first_word_ = {};
  prev_word_from_ = false;
  saw_from_stdin_ = false;
  const size_t n = s_.size();
  size_t i = pos_;
  while (i < n) {
    char c = s_[i];
    if (IsSqlSpace(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && s_[i + 1] == '-') {
      if (comments_) comments_->push_back(i);
      i = SkipDashComment(s_, i);
      continue;
    }
    if (c == '/' && i + 1 < n && s_[i + 1] == '*') {  // nested /* */ comment
      size_t open = i;
      int depth = 0;
      i += 2;
      for (;;) {
        if (i + 1 >= n) {
          error = {open, "/* comment"};
          return false;
        }
        if (s_[i] == '/' && s_[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (s_[i] == '*' && s_[i + 1] == '/') {
          i += 2;
          if (depth-- == 0) break;
        } else {
          ++i;
        }
      }
      continue;
    }
    // Any token other than a word ends a FROM STDIN pair.
    bool word = false;
    if (IsIdentStart(c)) {
      char next = i + 1 < n ? s_[i + 1] : '\0';
      char lc = AsciiLower(c);
      if (next == '\'' && (lc == 'b' || lc == 'x' || lc == 'e')) {  // B'', X'', E''
        size_t e = ScanString(i + 1, lc == 'e');
        if (e == std::string_view::npos) {
          error = {i, "quoted string"};
          return false;
        }
        i = e;
      } else if (next == '\'' && lc == 'n') {  // N'': only the N, the quote follows
        ++i;
      } else if (lc == 'u' && next == '&' && i + 2 < n && (s_[i + 2] == '\'' || s_[i + 2] == '"')) {
        if (s_[i + 2] == '\'') {  // U&'': like '' (no backslash escapes)
          size_t e = ScanString(i + 2, false);
          if (e == std::string_view::npos) {
            error = {i, "quoted string"};
            return false;
          }
          i = e;
        } else {  // U&"": like ""
          size_t e = ScanIdentifier(i + 2);
          if (e == std::string_view::npos) {
            error = {i, "quoted identifier"};
            return false;
          }
          i = e;
        }
      } else if (lc == 'u' && next == '&') {  // {xufailed}: the U alone
        ++i;
      } else {
        size_t b = i;
        while (i < n && IsIdentCont(s_[i])) ++i;
        Word(b, i);
        word = true;
      }
    } else if (c == '\'') {
      size_t e = ScanString(i, !StdStringsAt(i));
      if (e == std::string_view::npos) {
        error = {i, "quoted string"};
        return false;
      }
      i = e;
    } else if (c == '"') {
      size_t e = ScanIdentifier(i);
      if (e == std::string_view::npos) {
        error = {i, "quoted identifier"};
        return false;
      }
      i = e;
    } else if (c == '$') {
      size_t d = DollarDelimEnd(s_, i);
      if (d != 0) {
        std::string_view delim = s_.substr(i, d - i);
        size_t close = s_.find(delim, d);
        if (close == std::string_view::npos) {
          error = {i, fmt::format("dollar-quoted string {}", delim)};
          return false;
        }
        i = close + delim.size();
      } else {
        ++i;  // $1 or a lone $
        while (i < n && IsDigit(s_[i])) ++i;
      }
    } else if (IsDigit(c)) {
      // Numbers: digits only; a following letter starts a new token, as in psql
      // (`1e'x'` is 1 then E'x'; `123abc` is 123 then abc).
      while (i < n && IsDigit(s_[i])) ++i;
    } else if (c == '(') {
      ++paren_depth_;
      ++i;
    } else if (c == ')') {
      if (paren_depth_ > 0) --paren_depth_;
      ++i;
    } else if (c == ';') {
      ++i;
      if (paren_depth_ == 0 && begin_depth_ == 0) {
        pos_ = i;
        terminated_ = true;
        return true;
      }
    } else {
      ++i;  // operators, punctuation, and anything psql would treat as {other}
    }
    if (!word) prev_word_from_ = false;
  }
  pos_ = n;
  return true;
}

std::optional<bool> StdStringsChange(std::string_view stmt) {
  // Tokens: words, `=`, and quoted values, lower-cased.
  stmt = SkipLeadingComments(stmt, db::Dialect::kPostgres);
  if (stmt.empty() || (AsciiLower(stmt[0]) != 's' && AsciiLower(stmt[0]) != 'r')) {
    return std::nullopt;  // the common case, without allocating
  }
  std::vector<std::string> t;
  size_t i = 0;
  while (i < stmt.size() && t.size() < 6) {
    char c = stmt[i];
    if (IsSqlSpace(c)) {
      ++i;
    } else if (IsIdentCont(c)) {
      size_t b = i;
      while (i < stmt.size() && IsIdentCont(stmt[i])) ++i;
      t.push_back(base::ToLower(stmt.substr(b, i - b)));
    } else if (c == '\'' || c == '"') {
      size_t e = stmt.find(c, i + 1);
      if (e == std::string_view::npos) break;
      t.push_back(base::ToLower(stmt.substr(i + 1, e - i - 1)));
      i = e + 1;
    } else if (c == '=') {
      t.emplace_back("=");
      ++i;
    } else {
      break;
    }
  }
  auto at = [&](size_t k) -> std::string_view { return k < t.size() ? t[k] : std::string_view(); };
  if (at(0) == "reset") {
    if (at(1) == "all" || at(1) == "standard_conforming_strings") return true;
    return std::nullopt;
  }
  if (at(0) != "set") return std::nullopt;
  size_t k = 1;
  if (at(k) == "session" || at(k) == "local") ++k;
  if (at(k) != "standard_conforming_strings") return std::nullopt;
  ++k;
  if (at(k) != "=" && at(k) != "to") return std::nullopt;
  std::string_view v = at(k + 1);
  if (v == "default" || v == "on" || v == "true" || v == "yes" || v == "1" || v == "t" ||
      v == "y") {
    return true;
  }
  if (v == "off" || v == "false" || v == "no" || v == "0" || v == "f" || v == "n" || v == "of") {
    return false;
  }
  return std::nullopt;
}

Status SplitError(std::string_view file, const base::LineIndex& lines, size_t at,
                  std::string message, std::string hint) {
  return Status(ErrorCode::kMigrationFailed, std::move(message))
      .WithSpan({std::string(file), lines.LineOf(at), lines.ColumnOf(at)})
      .WithHint(std::move(hint));
}

size_t SkipBom(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0; }

Result<std::vector<Statement>> SplitPostgres(std::string_view text, std::string_view file,
                                             std::vector<size_t>* comments) {
  base::LineIndex lines(text);
  std::vector<Statement> out;
  PgScanner scanner(text, comments);
  scanner.set_pos(SkipBom(text));
  while (scanner.pos() < text.size()) {
    size_t begin = scanner.pos();
    PgUnterminated error;
    if (!scanner.Scan(error)) {
      return SplitError(file, lines, error.at,
                        fmt::format("unterminated {} at end of file", error.what),
                        "close it, or look for the quote or comment start it was meant to match");
    }
    size_t end = scanner.pos();
    size_t before = out.size();
    Push(text, begin, end, lines, db::Dialect::kPostgres, out);
    if (out.size() == before) continue;
    const Statement& st = out.back();
    if (auto std_strings = StdStringsChange(st.text)) {
      // psql reads the setting from the server before scanning each line, so a change applies
      // from the line after the one the statement ends on.
      size_t nl = text.find('\n', end);
      scanner.SetStdStrings(*std_strings, nl == std::string_view::npos ? text.size() : nl + 1);
    }
    if (scanner.terminated() && scanner.copy_from_stdin()) {
      // The data starts on the next line and ends before a line that is exactly `\.`.
      size_t nl = text.find('\n', end);
      std::string_view rest_of_line =
          text.substr(end, (nl == std::string_view::npos ? text.size() : nl) - end);
      if (!SkipLeadingComments(rest_of_line, db::Dialect::kPostgres).empty()) {
        return SplitError(file, lines, end, "text after `COPY ... FROM STDIN;` on the same line",
                          "put the COPY data on the lines after the COPY statement, ended by a "
                          "line `\\.`, and the next statement after that");
      }
      size_t data = nl == std::string_view::npos ? text.size() : nl + 1;
      size_t p = data;
      size_t data_end = text.size();
      size_t resume = text.size();
      while (p < text.size()) {
        size_t e = text.find('\n', p);
        size_t le = e == std::string_view::npos ? text.size() : e;
        std::string_view l = text.substr(p, le - p);
        if (l == "\\." || l == "\\.\r") {
          data_end = p;
          resume = le;
          break;
        }
        p = le == text.size() ? le : le + 1;
      }
      Statement& copy = out.back();
      copy.copy_from_stdin = true;
      copy.copy_data = text.substr(data, data_end - data);
      scanner.set_pos(resume);
    }
  }
  return out;
}

// SQLite's sqlite3_complete() state machine (complete.c), run once over the whole text. A
// statement ends at a `;` that brings the machine back to START; CREATE [TEMP] TRIGGER bodies
// need `END;` to get there.
enum SqliteToken { kSemi, kWs, kOther, kExplain, kCreate, kTemp, kTrigger, kEnd };

Result<std::vector<Statement>> SplitSqlite(std::string_view text, std::string_view file,
                                           std::vector<size_t>* comments) {
  static constexpr unsigned char kTrans[8][8] = {
      // SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
      {1, 0, 2, 3, 4, 2, 2, 2},  // 0 INVALID
      {1, 1, 2, 3, 4, 2, 2, 2},  // 1 START
      {1, 2, 2, 2, 2, 2, 2, 2},  // 2 NORMAL
      {1, 3, 3, 2, 4, 2, 2, 2},  // 3 EXPLAIN
      {1, 4, 2, 2, 2, 4, 5, 2},  // 4 CREATE
      {6, 5, 5, 5, 5, 5, 5, 5},  // 5 TRIGGER
      {6, 6, 5, 5, 5, 5, 5, 7},  // 6 SEMI
      {1, 7, 5, 5, 5, 5, 5, 5},  // 7 END
  };
  base::LineIndex lines(text);
  std::vector<Statement> out;
  const size_t n = text.size();
  size_t start = SkipBom(text);
  size_t i = start;
  int state = 0;
  while (i < n) {
    char c = text[i];
    SqliteToken tok = kOther;
    if (c == ';') {
      tok = kSemi;
      ++i;
    } else if (IsBlank(c)) {
      tok = kWs;
      ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      size_t e = text.find("*/", i + 2);
      if (e == std::string_view::npos) {
        return SplitError(file, lines, i, "unterminated /* comment at end of file",
                          "close the comment with */");
      }
      tok = kWs;
      i = e + 2;
    } else if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      tok = kWs;
      if (comments) comments->push_back(i);
      i = SkipDashComment(text, i);
    } else if (c == '[' || c == '`' || c == '"' || c == '\'') {
      char close = c == '[' ? ']' : c;
      size_t e = text.find(close, i + 1);
      if (e == std::string_view::npos) {
        return SplitError(file, lines, i,
                          c == '\'' ? "unterminated quoted string at end of file"
                                    : "unterminated quoted identifier at end of file",
                          fmt::format("close it with {}", close));
      }
      i = e + 1;
    } else if (IsIdentCont(c)) {
      size_t b = i;
      while (i < n && IsIdentCont(text[i])) ++i;
      std::string_view w = text.substr(b, i - b);
      auto is = [&](std::string_view k) { return IsKeyword(w, k); };
      if (is("create")) {
        tok = kCreate;
      } else if (is("trigger")) {
        tok = kTrigger;
      } else if (is("temp") || is("temporary")) {
        tok = kTemp;
      } else if (is("end")) {
        tok = kEnd;
      } else if (is("explain")) {
        tok = kExplain;
      }
    } else {
      ++i;
    }
    state = kTrans[state][tok];
    if (tok == kSemi && state == 1) {
      Push(text, start, i, lines, db::Dialect::kSqlite, out);
      start = i;
    }
  }
  if (state >= 5) {
    size_t b = SkipBlanksAndLineComments(text, start);
    return SplitError(file, lines, b, "incomplete CREATE TRIGGER at end of file",
                      "end the trigger body with END;");
  }
  // A last statement without a semicolon is fine.
  Push(text, start, n, lines, db::Dialect::kSqlite, out);
  return out;
}

// Upper-cased words of a statement's start, comments skipped, for keyword matching.
std::vector<std::string> LeadingWords(std::string_view s, size_t max_words, db::Dialect dialect) {
  std::vector<std::string> words;
  s = SkipLeadingComments(s, dialect);
  size_t i = 0;
  while (i < s.size() && words.size() < max_words) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (i + 1 < s.size() &&
        ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*'))) {
      std::string_view rest = SkipLeadingComments(s.substr(i), dialect);
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

std::vector<std::string> StatementWords(std::string_view statement, size_t max_words,
                                        db::Dialect dialect) {
  return LeadingWords(statement, max_words, dialect);
}

std::string_view Statement::FirstLine() const {
  std::string_view t = text;
  size_t nl = t.find('\n');
  if (nl != std::string_view::npos) t = t.substr(0, nl);
  return base::Trim(t);
}

std::string_view SkipLeadingComments(std::string_view s, db::Dialect dialect) {
  for (;;) {
    while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
    if (s.size() >= 2 && s[0] == '-' && s[1] == '-') {
      size_t nl = s.find('\n');
      s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
      continue;
    }
    if (s.size() >= 2 && s[0] == '/' && s[1] == '*' && dialect == db::Dialect::kSqlite) {
      // SQLite: the comment ends at the first `*/` (no nesting); an unclosed one runs to the
      // end of the text.
      size_t e = s.find("*/", 2);
      s = e == std::string_view::npos ? std::string_view() : s.substr(e + 2);
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
  return dialect == db::Dialect::kPostgres ? SplitPostgres(text, file, nullptr)
                                           : SplitSqlite(text, file, nullptr);
}

std::vector<size_t> LineCommentOffsets(std::string_view text, db::Dialect dialect) {
  std::vector<size_t> comments;
  // A split error (an unterminated literal or comment) leaves the comments before it; the
  // rest of the text is inside the unterminated construct.
  (void)(dialect == db::Dialect::kPostgres ? SplitPostgres(text, "", &comments)
                                           : SplitSqlite(text, "", &comments));
  return comments;
}

bool IsTransactionControl(std::string_view statement, db::Dialect dialect) {
  auto w = LeadingWords(statement, 3, dialect);
  auto at = [&](size_t i) -> std::string_view { return i < w.size() ? w[i] : std::string_view(); };
  std::string_view k = at(0);
  if (k == "BEGIN") {
    // BEGIN ATOMIC opens a SQL-standard function body and is never a statement of its own.
    return at(1) != "ATOMIC";
  }
  if (k == "START") return at(1) == "TRANSACTION";
  if (k == "END") {
    // END, END WORK, END TRANSACTION [AND [NO] CHAIN]; END IF / LOOP / CASE / ATOMIC / a label
    // close blocks inside function bodies and never start a top-level statement.
    return at(1).empty() || at(1) == "WORK" || at(1) == "TRANSACTION" || at(1) == "AND";
  }
  if (k == "COMMIT" || k == "ROLLBACK" || k == "ABORT") {
    // ROLLBACK TO [SAVEPOINT] only undoes part of the transaction; COMMIT/ROLLBACK PREPARED act
    // on another, prepared transaction (and cannot run inside one: sql/transaction_block.h).
    return at(1) != "TO" && at(1) != "PREPARED" && !(at(1) == "WORK" && at(2) == "TO") &&
           !(at(1) == "TRANSACTION" && at(2) == "TO");
  }
  if (k == "PREPARE") return at(1) == "TRANSACTION";
  return false;
}

}  // namespace strata::sql
