#include "analysis/parse.h"

#include "base/text.h"
#include "base/thread.h"
#include "sql/splitter.h"

#include <fmt/format.h>
#include <pg_query.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace strata::analysis {

namespace {

// Skips blanks and comments; returns the offset of the first token at or after `pos`.
size_t SkipTrivia(std::string_view text, size_t pos) {
  std::string_view rest = text.substr(pos);
  std::string_view skipped = sql::SkipLeadingComments(rest);
  return pos + (rest.size() - skipped.size());
}

// Trims blanks and comments at the end of [begin, end).
size_t TrimEnd(std::string_view text, size_t begin, size_t end) {
  while (end > begin) {
    char c = text[end - 1];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ';') {
      --end;
      continue;
    }
    break;
  }
  return end;
}

// libpg_query writes its parse tree out (as JSON) recursively, one C frame set per nesting
// level: up to ~128 bytes of stack per level (measured, libpg_query 15-4.0: `1+1+...`,
// `a JOIN b ... JOIN c`; 64 for `x::int::int`, `... UNION SELECT ...`), so a 70,000-term sum
// overflows an 8 MB stack. Its own stack-depth check is compiled out. Nesting the grammar builds
// right-recursively (f(f(...)), NOT NOT ..., subqueries) is capped by the parser's own stack
// (bison's 10,000 entries) and needs under 1 MB. Only left-associative chains grow without
// bound, and each of their levels costs an operator character or one of the keywords below.
// So DepthBound bounds a text's depth, and a parse runs on a thread whose stack covers it.
constexpr size_t kStackPerLevel = 160;            // bytes; 25% over the measured 128
constexpr size_t kStackMargin = size_t{2} << 20;  // the bison-capped nesting, and the callers
constexpr size_t kInlineStack = size_t{2} << 20;  // what any caller's stack can spare
// The largest stack a parse is given (address space: pages become memory only as deep as the
// tree goes). A statement that may need more is refused: kMaxDepthBound, ~1.66 million levels.
constexpr size_t kMaxParseStack = size_t{256} << 20;
constexpr size_t kMaxDepthBound = (kMaxParseStack - kStackMargin) / kStackPerLevel;

bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The left-associative keyword operators of PostgreSQL's grammar (gram.y's %left list; AND and
// OR are flattened into one node, not nested).
bool ChainKeyword(std::string_view w) {
  auto is = [&](std::string_view k) {
    if (w.size() != k.size()) return false;
    for (size_t i = 0; i < k.size(); ++i) {
      if ((w[i] | 0x20) != k[i]) return false;
    }
    return true;
  };
  switch (w.size()) {
    case 2:
      return is("at");
    case 4:
      return is("join");
    case 5:
      return is("union");
    case 6:
      return is("except");
    case 7:
      return is("collate");
    case 9:
      return is("intersect");
    default:
      return false;
  }
}

// An upper bound on the nesting depth of `text`'s parse tree: operator characters and chaining
// keywords outside quotes and comments. One pass, no allocation.
size_t DepthBound(std::string_view text) {
  size_t ops = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    char c = text[i];
    switch (c) {
      case '\'':
      case '"': {
        // E'...' strings take backslash escapes; '' and "" are doubled quotes (two strings to
        // this scan, which is the same).
        const bool escapes = c == '\'' && i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e');
        for (++i; i < n && text[i] != c; ++i) {
          if (escapes && text[i] == '\\') ++i;
        }
        break;
      }
      case '-':
        if (i + 1 < n && text[i + 1] == '-') {
          while (i < n && text[i] != '\n') ++i;
        } else {
          ++ops;
        }
        break;
      case '/':
        if (i + 1 < n && text[i + 1] == '*') {
          size_t e = text.find("*/", i + 2);
          i = e == std::string_view::npos ? n : e + 1;
        } else {
          ++ops;
        }
        break;
      case '+':
      case '*':
      case '<':
      case '>':
      case '=':
      case '~':
      case '!':
      case '@':
      case '#':
      case '%':
      case '^':
      case '&':
      case '|':
      case ':':
        ++ops;
        break;
      default:
        if (IdentChar(c)) {
          size_t b = i;
          while (i + 1 < n && IdentChar(text[i + 1])) ++i;
          if (i + 1 - b <= 9 && ChainKeyword(text.substr(b, i + 1 - b))) ++ops;
        }
        break;
    }
  }
  return ops;
}

// Runs `fn` (a libpg_query call) with a stack deep enough for a tree of `depth_bound` levels:
// on the calling thread when little is needed, else on a thread of its own. If that thread
// cannot be created (address space limits), `fn` runs here, as it did before.
template <typename Fn>
void WithParseStack(size_t depth_bound, Fn&& fn) {
  const size_t need = depth_bound * kStackPerLevel + kStackMargin;
  if (need <= kInlineStack + kStackMargin) {
    fn();
    return;
  }
  try {
    base::Thread parser(std::function<void()>([&fn] { fn(); }), std::min(need, kMaxParseStack));
    parser.Join();
  } catch (const std::system_error&) {
    fn();
  }
}

// A statement that failed to parse with an unclosed `(` swallows every `;` after it (psql's
// rule, and the splitter's): `SELECT (;\nDELETE FROM t;` is one piece. Returns the spans of the
// piece cut at every `;` outside quotes, comments and dollar bodies when its parentheses do not
// balance, so the statements after the broken one are still analysed; else nothing.
std::vector<std::pair<size_t, size_t>> CutUnbalanced(std::string_view piece) {
  std::vector<std::pair<size_t, size_t>> cuts;
  long depth = 0;
  size_t start = 0;
  const size_t n = piece.size();
  for (size_t i = 0; i < n; ++i) {
    char c = piece[i];
    if (c == '\'' || c == '"') {
      for (++i; i < n && piece[i] != c; ++i) {
      }
    } else if (c == '-' && i + 1 < n && piece[i + 1] == '-') {
      while (i < n && piece[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && piece[i + 1] == '*') {
      size_t e = piece.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 1;
    } else if (c == '$' && (i == 0 || !IdentChar(piece[i - 1]))) {
      size_t j = i + 1;
      while (j < n && IdentChar(piece[j]) && piece[j] != '$') ++j;
      if (j < n && piece[j] == '$') {
        std::string_view tag = piece.substr(i, j + 1 - i);
        size_t e = piece.find(tag, j + 1);
        i = e == std::string_view::npos ? n : e + tag.size() - 1;
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ';') {
      cuts.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (depth == 0 || cuts.empty()) return {};
  cuts.emplace_back(start, n);
  return cuts;
}

// The error of a statement deeper than strata parses.
std::string TooDeep(size_t bound) {
  return fmt::format(
      "the statement nests or chains too deeply for strata's analyser: up to {} levels (about "
      "one per operator), the limit is {}",
      bound, kMaxDepthBound);
}

// Whole-text parse. Returns false (and leaves `out` untouched) when libpg_query reports an
// error.
bool ParseWhole(std::string_view text, size_t base, ParsedFile* out, std::string* error,
                size_t* error_offset, size_t depth_bound = SIZE_MAX) {
  std::string copy(text);
  PgQueryParseResult r{};
  if (depth_bound == SIZE_MAX) depth_bound = DepthBound(text);  // else the caller's, of `text`
  WithParseStack(depth_bound, [&] { r = pg_query_parse(copy.c_str()); });
  if (r.error) {
    if (error) *error = r.error->message ? r.error->message : "syntax error";
    if (error_offset) {
      *error_offset = r.error->cursorpos > 0 ? static_cast<size_t>(r.error->cursorpos - 1) : 0;
    }
    pg_query_free_parse_result(r);
    return false;
  }
  // Keep libpg_query's buffer alive with the tree instead of copying it.
  auto holder =
      std::shared_ptr<PgQueryParseResult>(new PgQueryParseResult(r), [](PgQueryParseResult* p) {
        pg_query_free_parse_result(*p);
        delete p;
      });
  std::string_view json = r.parse_tree ? std::string_view(r.parse_tree) : std::string_view("{}");
  auto tree = JsonTree::ParseBorrowed(json, holder);
  if (!tree) {
    if (error) *error = tree.error().message();
    return false;
  }
  JsonRef stmts = (*tree)->root().Get("stmts");
  for (size_t i = 0, n = stmts.size(); i < n; ++i) {
    JsonRef raw = stmts.At(i);
    size_t loc = static_cast<size_t>(raw.Get("stmt_location").Int(0));
    size_t len = static_cast<size_t>(raw.Get("stmt_len").Int(0));
    size_t end = len == 0 ? text.size() : loc + len;
    if (end > text.size()) end = text.size();
    size_t begin = SkipTrivia(text, loc);
    if (begin > end) begin = end;
    end = TrimEnd(text, begin, end);
    ParsedStatement st;
    st.offset = base + begin;
    st.length = end - begin;
    st.text = text.substr(begin, end - begin);
    st.node = raw.Get("stmt");
    st.location_base = base;
    out->statements.push_back(st);
  }
  out->trees.push_back(std::move(*tree));
  return true;
}

}  // namespace

std::string MaskPlaceholders(std::string_view text) {
  std::string out(text);
  auto dollar_tag_end = [&](size_t i) -> size_t {  // one past the closing '$' of $tag$, or 0
    size_t j = i + 1;
    while (j < out.size() && (std::isalnum(static_cast<unsigned char>(out[j])) || out[j] == '_' ||
                              static_cast<unsigned char>(out[j]) >= 0x80)) {
      if (j == i + 1 && std::isdigit(static_cast<unsigned char>(out[j]))) return 0;
      ++j;
    }
    return j < out.size() && out[j] == '$' ? j + 1 : 0;
  };
  size_t i = 0, n = out.size();
  while (i < n) {
    char c = out[i];
    if (c == '-' && i + 1 < n && out[i + 1] == '-') {
      size_t e = out.find('\n', i);
      i = e == std::string::npos ? n : e + 1;
    } else if (c == '/' && i + 1 < n && out[i + 1] == '*') {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (out[i] == '/' && i + 1 < n && out[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (out[i] == '*' && i + 1 < n && out[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else if (c == '\'' || c == '"') {
      bool escapes = c == '\'' && i > 0 && (out[i - 1] == 'E' || out[i - 1] == 'e');
      for (++i; i < n; ++i) {
        if (escapes && out[i] == '\\') {
          ++i;
        } else if (out[i] == c) {
          if (i + 1 < n && out[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '$' && i + 1 < n && out[i + 1] == '{') {
      size_t close = out.find('}', i + 2);
      size_t eol = out.find('\n', i);
      if (close == std::string::npos || close > eol) {
        ++i;
        continue;
      }
      out[i] = '_';
      out[i + 1] = '$';
      out[close] = '_';
      i = close + 1;
    } else if (c == '$' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(out[i - 1])) ||
                                        out[i - 1] == '_'))) {
      size_t e = dollar_tag_end(i);
      if (e == 0) {
        ++i;
        continue;
      }
      std::string_view tag(out.data() + i, e - i);
      size_t close = std::string_view(out).find(tag, e);
      i = close == std::string::npos ? n : close + tag.size();
    } else {
      ++i;
    }
  }
  return out;
}

namespace {

// Where the statement holding an unterminated quote or comment begins (0: at the start, or not
// known). `span` is Split's error: the line and byte column where the construct opens; the text
// before it splits, and its last piece is the broken statement's beginning unless a `;` closed
// it before the construct.
size_t BrokenStatementStart(std::string_view text, const SourceSpan& span) {
  if (span.line < 1 || span.column < 1) return 0;
  base::LineIndex lines(text);
  std::string_view line = lines.Line(text, span.line);
  if (line.data() == nullptr) return 0;
  size_t at = static_cast<size_t>(line.data() - text.data()) + static_cast<size_t>(span.column - 1);
  if (at == 0 || at > text.size()) return 0;
  auto head = sql::Split(text.substr(0, at), db::Dialect::kPostgres, "");
  if (!head || head->empty()) return 0;
  const sql::Statement& last = head->back();
  size_t end = last.offset + last.text.size();
  size_t semi = text.substr(end, at - end).find(';');
  return semi == std::string_view::npos ? last.offset : end + semi + 1;
}

}  // namespace

namespace {

// A large file is parsed in pieces of about this many bytes, cut after a `;` that ends a
// statement: libpg_query builds a whole file's tree and its JSON in memory at once (~30 bytes of
// it per byte of SQL), so one piece at a time keeps that memory small and reused instead of
// touching fresh pages for all of it.
constexpr size_t kPieceBytes = size_t{128} << 10;

// Parses `text` piece by piece (statement boundaries from sql::Split): the same statements,
// offsets and trees as one whole parse. False when a piece does not parse (or the text does not
// split), so the caller parses the text as before: a cut can only go wrong by ending a piece
// inside a statement, which leaves that statement unfinished and so unparsable.
bool ParseInPieces(std::string_view text, ParsedFile* out) {
  auto split = sql::Split(text, db::Dialect::kPostgres, "");
  if (!split) return false;
  ParsedFile result;
  size_t start = 0;
  auto piece = [&](size_t end) {
    std::string_view p = text.substr(start, end - start);
    const size_t bound = DepthBound(p);
    if (bound > kMaxDepthBound || !ParseWhole(p, start, &result, nullptr, nullptr, bound)) {
      return false;
    }
    start = end;
    return true;
  };
  for (const auto& s : *split) {
    if (s.copy_from_stdin) return false;  // the data rows are not SQL
    const size_t semi = text.find_first_not_of(" \t\r\n", s.offset + s.text.size());
    if (semi == std::string_view::npos || text[semi] != ';') continue;
    if (semi + 1 - start >= kPieceBytes && !piece(semi + 1)) return false;
  }
  if (start < text.size() && !piece(text.size())) return false;
  *out = std::move(result);
  return true;
}

}  // namespace

ParsedFile ParsePostgres(std::string_view text) {
  if (text.find("${") != std::string_view::npos) {
    // strata placeholders are not SQL: parse a same-length copy where each `${name}` outside
    // quotes reads as the identifier `_$name_`, so positions stay exact. The copy lives with
    // the trees (statement texts view into it).
    auto masked = std::make_shared<std::string>(MaskPlaceholders(text));
    if (*masked != text) {
      ParsedFile out = ParsePostgres(*masked);
      out.masked_text = std::move(masked);
      return out;
    }
  }
  ParsedFile out;
  if (text.size() > 2 * kPieceBytes && ParseInPieces(text, &out)) return out;
  std::string error;
  size_t error_offset = 0;
  if (const size_t bound = DepthBound(text);
      bound <= kMaxDepthBound && ParseWhole(text, 0, &out, &error, &error_offset, bound)) {
    return out;
  }
  // Slow path: split with PostgreSQL's scanner and parse statement by statement.
  auto split = sql::Split(text, db::Dialect::kPostgres, "");
  if (!split) {
    // An unterminated quote or comment swallows the rest of the file, not what comes before
    // it: the statements before the one it starts in are parsed as usual, and only that one
    // (to the end of the file) is reported as broken.
    size_t broken = BrokenStatementStart(text, split.error().span());
    if (broken > 0) out = ParsePostgres(text.substr(0, broken));
    ParsedStatement st;
    st.offset = SkipTrivia(text, broken);
    st.text = text.substr(st.offset);
    st.length = st.text.size();
    st.error = split.error().message();
    st.error_offset = error_offset;
    out.statements.push_back(st);
    return out;
  }
  for (const auto& s : *split) {
    ParsedFile one;
    std::string err;
    size_t err_off = 0;
    std::string_view piece = text.substr(s.offset, s.text.size());
    const size_t bound = DepthBound(piece);
    const bool beyond = bound > kMaxDepthBound;
    if (beyond) {
      err = TooDeep(bound);
    } else if (ParseWhole(piece, s.offset, &one, &err, &err_off, bound)) {
      for (auto& t : one.trees) out.trees.push_back(std::move(t));
      for (auto& st : one.statements) out.statements.push_back(st);
      continue;
    } else if (auto cuts = CutUnbalanced(piece); !cuts.empty()) {
      // The broken statement is reported; the ones its open parenthesis swallowed are parsed.
      for (const auto& [b, e] : cuts) {
        size_t begin = SkipTrivia(piece, b);
        size_t end = TrimEnd(piece, begin, e);
        if (begin >= end) continue;
        std::string_view sub = piece.substr(begin, end - begin);
        ParsedFile part;
        std::string sub_err;
        size_t sub_off = 0;
        if (DepthBound(sub) <= kMaxDepthBound &&
            ParseWhole(sub, s.offset + begin, &part, &sub_err, &sub_off)) {
          for (auto& t : part.trees) out.trees.push_back(std::move(t));
          for (auto& st : part.statements) out.statements.push_back(st);
          continue;
        }
        ParsedStatement st;
        st.offset = s.offset + begin;
        st.length = sub.size();
        st.text = sub;
        st.error = sub_err.empty() ? TooDeep(DepthBound(sub)) : sub_err;
        st.error_offset = s.offset + begin + sub_off;
        st.beyond_limit = sub_err.empty();
        out.statements.push_back(st);
      }
      continue;
    }
    ParsedStatement st;
    st.offset = s.offset;
    st.length = s.text.size();
    st.text = s.text;
    st.error = err;
    st.error_offset = s.offset + err_off;
    st.beyond_limit = beyond;
    out.statements.push_back(st);
  }
  return out;
}

std::string MaskSqliteOnly(std::string_view text) {
  std::string out(text);
  const size_t n = out.size();
  auto word_at = [&](size_t i, std::string_view w) {
    if (i + w.size() > n) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if ((out[i + k] | 0x20) != w[k]) return false;
    }
    return i + w.size() == n || !IdentChar(out[i + w.size()]);
  };
  auto blank = [&](size_t b, size_t e) {
    for (size_t k = b; k < e; ++k) out[k] = ' ';
  };
  // The last significant character before `i` (skipping blanks), or 0.
  auto prev_sig = [&](size_t i) -> char {
    while (i > 0) {
      char c = out[--i];
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return c;
    }
    return 0;
  };
  size_t i = 0;
  while (i < n) {
    char c = out[i];
    if (c == '-' && i + 1 < n && out[i + 1] == '-') {
      size_t e = out.find('\n', i);
      i = e == std::string::npos ? n : e + 1;
    } else if (c == '/' && i + 1 < n && out[i + 1] == '*') {
      size_t e = out.find("*/", i + 2);
      i = e == std::string::npos ? n : e + 2;
    } else if (c == '\'' || c == '"') {
      for (++i; i < n; ++i) {
        if (out[i] == c) {
          if (i + 1 < n && out[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '`') {
      size_t e = out.find('`', i + 1);
      if (e == std::string::npos) break;
      out[i] = out[e] = '"';
      i = e + 1;
    } else if (IdentChar(c) && (i == 0 || !IdentChar(out[i - 1]))) {
      size_t e = i;
      while (e < n && IdentChar(out[e])) ++e;
      if (word_at(i, "autoincrement")) {
        blank(i, e);
      } else if (word_at(i, "without")) {
        size_t j = e;
        while (j < n && (out[j] == ' ' || out[j] == '\n' || out[j] == '\t' || out[j] == '\r')) ++j;
        if (word_at(j, "rowid") && prev_sig(i) == ')') {
          blank(i, j + 5);
          e = j + 5;
        }
      } else if (word_at(i, "strict")) {
        char p = prev_sig(i);
        if (p == ')' || p == ',') blank(i, e);
      }
      i = e;
    } else {
      ++i;
    }
  }
  // Table options are separated by commas (`) WITHOUT ROWID, STRICT`): once blanked, a comma
  // left between `)` and the end of the statement is blanked too.
  for (size_t k = 0; k < n; ++k) {
    if (out[k] != ',') continue;
    char before = prev_sig(k);
    size_t j = k + 1;
    while (j < n && (out[j] == ' ' || out[j] == '\n' || out[j] == '\t' || out[j] == '\r')) ++j;
    if (before == ')' && (j == n || out[j] == ';')) out[k] = ' ';
  }
  return out;
}

ParsedFile ParseSqliteAsPostgres(std::string_view text) {
  // Statement boundaries from the text as SQLite reads it (placeholders masked only), so a
  // statement's span keeps its SQLite-only tail (`) STRICT`); the grammar reads the masked copy.
  const std::string unmasked = MaskPlaceholders(text);
  auto masked = std::make_shared<std::string>(MaskSqliteOnly(unmasked));
  const std::string_view m(*masked);
  ParsedFile out;
  out.masked_text = masked;
  auto split = sql::Split(unmasked, db::Dialect::kSqlite, "");
  if (!split) {
    ParsedStatement st;
    st.offset = SkipTrivia(m, 0);
    st.text = m.substr(st.offset);
    st.length = st.text.size();
    st.error = split.error().message();
    st.error_offset = st.offset;
    out.statements.push_back(st);
    return out;
  }
  for (const auto& s : *split) {
    ParsedFile one;
    std::string err;
    size_t err_off = 0;
    std::string_view piece = m.substr(s.offset, s.text.size());
    const size_t bound = DepthBound(piece);
    const bool beyond = bound > kMaxDepthBound;
    if (beyond) {
      err = TooDeep(bound);
    } else if (ParseWhole(piece, s.offset, &one, &err, &err_off) && one.statements.size() == 1) {
      for (auto& t : one.trees) out.trees.push_back(std::move(t));
      ParsedStatement st = one.statements.front();
      st.offset = s.offset;
      st.length = s.text.size();
      st.text = piece;
      out.statements.push_back(st);
      continue;
    } else if (err.empty()) {
      err = "not one statement to PostgreSQL's grammar";
    }
    ParsedStatement st;
    st.offset = s.offset;
    st.length = s.text.size();
    st.text = piece;
    st.error = err;
    st.error_offset = s.offset + err_off;
    st.beyond_limit = beyond;
    out.statements.push_back(st);
  }
  return out;
}

ParsedSnippet ParseSnippet(const std::string& sql) {
  ParsedSnippet out;
  const size_t bound = DepthBound(sql);
  if (bound > kMaxDepthBound) return out;
  PgQueryParseResult r{};
  WithParseStack(bound, [&] { r = pg_query_parse(sql.c_str()); });
  if (r.error) {
    pg_query_free_parse_result(r);
    return out;
  }
  auto tree = JsonTree::Parse(r.parse_tree ? r.parse_tree : "{}");
  pg_query_free_parse_result(r);
  if (!tree) return out;
  out.tree = std::move(*tree);
  JsonRef stmts = out.tree->root().Get("stmts");
  for (size_t i = 0; i < stmts.size(); ++i) out.statements.push_back(stmts.At(i).Get("stmt"));
  return out;
}

std::shared_ptr<JsonTree> ParsePlpgsqlBody(std::string_view body) {
  // Pick a dollar-quote tag that does not occur in the body.
  std::string tag = "$strata$";
  for (int i = 0; body.find(tag) != std::string_view::npos; ++i) {
    tag = "$strata" + std::to_string(i) + "$";
  }
  std::string fn = "CREATE FUNCTION strata_do_block() RETURNS void AS " + tag;
  fn.append(body);
  fn += tag + " LANGUAGE plpgsql";
  const size_t bound = DepthBound(fn);
  if (bound > kMaxDepthBound) return nullptr;
  PgQueryPlpgsqlParseResult r{};
  WithParseStack(bound, [&] { r = pg_query_parse_plpgsql(fn.c_str()); });
  if (r.error || !r.plpgsql_funcs) {
    pg_query_free_plpgsql_parse_result(r);
    return nullptr;
  }
  auto tree = JsonTree::Parse(r.plpgsql_funcs);
  pg_query_free_plpgsql_parse_result(r);
  if (!tree) return nullptr;
  return std::move(*tree);
}

}  // namespace strata::analysis
