#include "verify/checks.h"

#include "analysis/fragment.h"
#include "base/duration.h"
#include "base/text.h"
#include "sql/directives.h"
#include "verify/read_only.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

namespace strata::verify {

namespace {

constexpr std::string_view kLanguage =
    "write one of `= 0`, `> 0`, `<= 10`, `!= 3`, `between 1 and 5`, `= 'text'`, "
    "`= rows affected` or `= <name captured by a pre-check>`";

Status Err(std::string_view file, int line, std::string msg, std::string hint) {
  return Status(ErrorCode::kDirective, std::move(msg))
      .WithSpan({std::string(file), line, 0})
      .WithHint(std::move(hint));
}

bool IsIdent(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::optional<double> ParseNumber(std::string_view s) {
  s = base::Trim(s);
  if (s.empty()) return std::nullopt;
  if (s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string FormatNumber(double v) {
  if (std::nearbyint(v) == v && std::fabs(v) < 9e15) {
    return fmt::format("{}", static_cast<long long>(v));
  }
  return fmt::format("{}", v);
}

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kBetween:
      return "between";
    case Op::kNone:
      break;
  }
  return "";
}

bool Compare(Op op, double v, double a, double b) {
  switch (op) {
    case Op::kEq:
      return v == a;
    case Op::kNe:
      return v != a;
    case Op::kLt:
      return v < a;
    case Op::kLe:
      return v <= a;
    case Op::kGt:
      return v > a;
    case Op::kGe:
      return v >= a;
    case Op::kBetween:
      return v >= a && v <= b;
    case Op::kNone:
      return true;
  }
  return false;
}

// Collapses runs of blanks to one space and lowercases.
std::string Normalise(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : base::Trim(s)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Splits `as <name>` off the end of a directive's arguments (outside quotes).
void SplitCapture(std::string_view args, std::string_view* expect, std::string_view* name) {
  *expect = base::Trim(args);
  *name = {};
  // Find the last whitespace-separated token pair outside a quoted literal.
  bool in_quote = false;
  size_t last_as = std::string_view::npos;
  for (size_t i = 0; i < expect->size(); ++i) {
    char c = (*expect)[i];
    if (c == '\'') in_quote = !in_quote;
    if (in_quote) continue;
    bool boundary = i == 0 || std::isspace(static_cast<unsigned char>((*expect)[i - 1]));
    if (boundary && i + 2 < expect->size() && (c == 'a' || c == 'A') &&
        ((*expect)[i + 1] == 's' || (*expect)[i + 1] == 'S') &&
        std::isspace(static_cast<unsigned char>((*expect)[i + 2]))) {
      last_as = i;
    }
  }
  if (last_as == std::string_view::npos) return;
  *name = base::Trim(expect->substr(last_as + 2));
  *expect = base::Trim(expect->substr(0, last_as));
}

}  // namespace

std::string_view PhaseName(Phase p) { return p == Phase::kPre ? "pre-check" : "post-check"; }

std::string Check::Name() const { return capture; }

Result<Expectation> ParseExpectation(std::string_view text, std::string_view file, int line) {
  Expectation e;
  std::string_view s = base::Trim(text);
  if (s.empty()) return e;
  if (base::StartsWithIgnoreCase(s, "between") &&
      (s.size() == 7 || std::isspace(static_cast<unsigned char>(s[7])))) {
    std::string rest = Normalise(s.substr(7));
    size_t and_pos = rest.find(" and ");
    if (and_pos == std::string::npos) {
      return Err(file, line, fmt::format("`between` needs `between <low> and <high>`, got '{}'", s),
                 "write e.g. `between 1 and 500`");
    }
    auto lo = ParseNumber(rest.substr(0, and_pos));
    auto hi = ParseNumber(rest.substr(and_pos + 5));
    if (!lo || !hi) {
      return Err(file, line, fmt::format("`between` bounds must be numbers, got '{}'", s),
                 "write e.g. `between 1 and 500`");
    }
    if (*lo > *hi) {
      return Err(file, line,
                 fmt::format("`between {} and {}`: the low bound is above the high bound",
                             FormatNumber(*lo), FormatNumber(*hi)),
                 fmt::format("write `between {} and {}`", FormatNumber(*hi), FormatNumber(*lo)));
    }
    e.op = Op::kBetween;
    e.operand = Operand::kNumber;
    e.number = *lo;
    e.number_hi = *hi;
    e.source = fmt::format("between {} and {}", FormatNumber(*lo), FormatNumber(*hi));
    return e;
  }
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {">=", Op::kGe}, {"<=", Op::kLe}, {"!=", Op::kNe}, {"<>", Op::kNe},
      {"==", Op::kEq}, {"=", Op::kEq},  {">", Op::kGt},  {"<", Op::kLt}};
  for (const auto& [tok, op] : kOps) {
    if (s.substr(0, tok.size()) == tok) {
      e.op = op;
      s.remove_prefix(tok.size());
      break;
    }
  }
  if (e.op == Op::kNone) {
    return Err(file, line, fmt::format("'{}' is not an expectation", text), std::string(kLanguage));
  }
  std::string_view rest = base::Trim(s);
  if (rest.empty()) {
    return Err(file, line, fmt::format("`{}` needs something to compare with", OpText(e.op)),
               std::string(kLanguage));
  }
  if (rest[0] == '\'') {
    std::string lit;
    size_t i = 1;
    bool closed = false;
    while (i < rest.size()) {
      if (rest[i] == '\'') {
        if (i + 1 < rest.size() && rest[i + 1] == '\'') {
          lit += '\'';
          i += 2;
          continue;
        }
        closed = true;
        ++i;
        break;
      }
      lit += rest[i++];
    }
    if (!closed || !base::Trim(rest.substr(i)).empty()) {
      return Err(file, line, fmt::format("unterminated or trailing text after '{}'", rest),
                 "quote text like SQL: `= 'NO'` (double a quote inside: 'it''s')");
    }
    if (e.op != Op::kEq && e.op != Op::kNe) {
      return Err(file, line,
                 fmt::format("text can only be compared with = or !=, got `{}`", OpText(e.op)),
                 "compare numbers with <, <=, >, >=; text with = or !=");
    }
    e.operand = Operand::kText;
    e.text = std::move(lit);
    std::string quoted;
    for (char c : e.text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    e.source = fmt::format("{} '{}'", OpText(e.op), quoted);
    return e;
  }
  if (Normalise(rest) == "rows affected") {
    e.operand = Operand::kRowsAffected;
    e.source = fmt::format("{} rows affected", OpText(e.op));
    return e;
  }
  if (auto n = ParseNumber(rest)) {
    e.operand = Operand::kNumber;
    e.number = *n;
    e.source = fmt::format("{} {}", OpText(e.op), FormatNumber(*n));
    return e;
  }
  if (IsIdent(rest)) {
    e.operand = Operand::kCaptured;
    e.text = std::string(rest);
    e.source = fmt::format("{} {}", OpText(e.op), rest);
    return e;
  }
  return Err(file, line, fmt::format("cannot compare with '{}'", rest), std::string(kLanguage));
}

Result<FileChecks> ParseChecks(std::string_view text, std::string_view file, db::Dialect dialect) {
  FileChecks out;
  if (text.find("-check") == std::string_view::npos) return out;
  std::vector<std::string_view> lines;  // for the query lines below a check's first line
  std::map<std::string, int, std::less<>> captures;  // name → line
  Status st = sql::ForEachDirectiveLine(
      text, dialect, [&](int line_no, std::string_view, std::string_view t) -> Status {
        Phase phase;
        size_t name_len;
        if (t.substr(0, 9) == "pre-check") {
          phase = Phase::kPre;
          name_len = 9;
        } else if (t.substr(0, 10) == "post-check") {
          phase = Phase::kPost;
          name_len = 10;
        } else {
          return Status::Ok();
        }
        if (t.size() > name_len && !std::isspace(static_cast<unsigned char>(t[name_len]))) {
          return Status::Ok();
        }
        if (lines.empty()) lines = base::SplitLines(text);
        Check c;
        c.phase = phase;
        c.file = std::string(file);
        c.line = line_no;
        std::string_view expect_text, capture;
        SplitCapture(t.substr(name_len), &expect_text, &capture);
        if (!capture.empty() || base::EqualsIgnoreCase(base::Trim(t.substr(name_len)), "as")) {
          if (!IsIdent(capture)) {
            return Err(file, line_no,
                       fmt::format("`as {}`: a capture name is a plain identifier", capture),
                       "write e.g. `-- strata:pre-check as lines_before`");
          }
          c.capture = base::ToLower(capture);
          if (c.capture == "rows") {
            return Err(file, line_no, "`rows` is reserved (`= rows affected`)",
                       "choose another capture name");
          }
          if (auto it = captures.find(c.capture); it != captures.end()) {
            return Err(file, line_no,
                       fmt::format("`{}` is already captured at line {}", c.capture, it->second),
                       "give each captured value its own name");
          }
        }
        STRATA_ASSIGN_OR_RETURN(c.expect, ParseExpectation(expect_text, file, line_no));
        if (phase == Phase::kPost && c.expect.op == Op::kNone) {
          return Err(file, line_no, "a post-check needs an expectation",
                     "write e.g. `-- strata:post-check = 0` above its query");
        }
        if (phase == Phase::kPre && c.expect.operand == Operand::kRowsAffected) {
          return Err(file, line_no, "`rows affected` is not known before the migration runs",
                     "use `= rows affected` in a post-check");
        }
        if (c.expect.operand == Operand::kCaptured) {
          auto it = captures.find(base::ToLower(c.expect.text));
          if (it == captures.end()) {
            std::string hint =
                phase == Phase::kPre
                    ? fmt::format("capture it first: `-- strata:pre-check as {}`", c.expect.text)
                    : fmt::format(
                          "add `-- strata:pre-check as {}` with the query whose value "
                          "this post-check must equal",
                          c.expect.text);
            return Err(file, line_no,
                       fmt::format("`{}` compares with `{}`, which no earlier pre-check captures",
                                   c.expect.source, c.expect.text),
                       hint);
          }
          c.expect.text = base::ToLower(c.expect.text);
        }
        // The query: the following comment lines, up to an empty comment, a directive, a line of
        // code, or a line ending in `;`.
        std::string query;
        for (size_t j = static_cast<size_t>(line_no); j < lines.size(); ++j) {
          std::string_view q = base::Trim(lines[j]);
          if (q.substr(0, 2) != "--") break;
          q = base::Trim(q.substr(2));
          if (q.empty() || q.substr(0, 7) == "strata:") break;
          bool end = q.back() == ';';
          if (end) q = base::Trim(q.substr(0, q.size() - 1));
          if (!query.empty()) query += '\n';
          query += q;
          if (end) break;
        }
        if (base::Trim(query).empty()) {
          return Err(
              file, line_no, fmt::format("`-- strata:{}` has no query", PhaseName(phase)),
              "write the query on the comment lines right below it, e.g. `-- SELECT count(*) "
              "FROM t WHERE c IS NULL;`");
        }
        c.query = std::move(query);
        if (!c.capture.empty()) {
          if (phase == Phase::kPost) {
            // A post-check may capture too (for evidence), but nothing can compare with it.
          }
          captures.emplace(c.capture, line_no);
        }
        (phase == Phase::kPre ? out.pre : out.post).push_back(std::move(c));
        return Status::Ok();
      });
  STRATA_TRY(st);
  return out;
}

bool Judge(const Expectation& e, const std::optional<std::string>& value,
           std::int64_t rows_affected, const Captured& captured, std::string* expected,
           std::string* message) {
  expected->clear();
  message->clear();
  if (e.op == Op::kNone) return true;
  if (e.operand == Operand::kText) {
    *expected = e.source;
    if (!value) {
      *message = fmt::format("expected {}, the query returned NULL (or no row)", e.source);
      return false;
    }
    bool eq = *value == e.text;
    bool ok = e.op == Op::kEq ? eq : !eq;
    if (!ok) *message = fmt::format("expected {}, got '{}'", e.source, *value);
    return ok;
  }
  double a = e.number, b = e.number_hi;
  std::optional<std::string> cap_text;
  switch (e.operand) {
    case Operand::kRowsAffected:
      if (rows_affected < 0) {
        *expected = e.source;
        *message = "the rows affected by the migration are not known here";
        return false;
      }
      a = static_cast<double>(rows_affected);
      *expected = fmt::format("{} {} (rows affected)", OpText(e.op), rows_affected);
      break;
    case Operand::kCaptured: {
      auto it = captured.find(e.text);
      if (it == captured.end()) {
        *expected = e.source;
        *message = fmt::format("nothing was captured as `{}` (its pre-check did not run)", e.text);
        return false;
      }
      if (!it->second) {
        *expected = e.source;
        *message = fmt::format("the pre-check that captured `{}` returned NULL", e.text);
        return false;
      }
      cap_text = it->second;
      *expected = fmt::format("{} {} (captured {})", OpText(e.op), *it->second, e.text);
      auto n = ParseNumber(*it->second);
      if (!n) {
        // Text equality with a captured text value.
        if (!value) {
          *message = fmt::format("expected {}, the query returned NULL", *expected);
          return false;
        }
        if (e.op != Op::kEq && e.op != Op::kNe) {
          *message = fmt::format("captured `{}` is '{}', not a number", e.text, *it->second);
          return false;
        }
        bool eq = *value == *it->second;
        bool ok = e.op == Op::kEq ? eq : !eq;
        if (!ok) *message = fmt::format("expected {}, got '{}'", *expected, *value);
        return ok;
      }
      a = *n;
      break;
    }
    default:
      *expected = e.source;
      break;
  }
  if (!value) {
    *message = fmt::format("expected {}, the query returned NULL (or no row)", *expected);
    return false;
  }
  auto v = ParseNumber(*value);
  if (!v) {
    *message = fmt::format("expected {}, got '{}', which is not a number", *expected, *value);
    return false;
  }
  if (!Compare(e.op, *v, a, b)) {
    *message = fmt::format("expected {}, got {}", *expected, *value);
    return false;
  }
  return true;
}

Status ValidateCheck(const Check& check, db::Dialect dialect) {
  Status s = analysis::CheckFragment(check.query, analysis::FragmentKind::kQuery, dialect);
  if (s.ok()) return s;
  return Err(
      check.file, check.line,
      fmt::format("the query of this {} is refused: {}", PhaseName(check.phase), s.message()),
      "a check only reads: write one SELECT returning one value; change data in the "
      "migration's statements");
}

Status ValidateChecks(const FileChecks& checks, db::Dialect dialect) {
  for (const auto* list : {&checks.pre, &checks.post}) {
    for (const auto& c : *list) STRATA_TRY(ValidateCheck(c, dialect));
  }
  return Status::Ok();
}

CheckOutcome RunCheck(db::Connection& conn, const Check& check, std::int64_t rows_affected,
                      Captured& captured) {
  CheckOutcome out;
  out.check = &check;
  if (Status v = ValidateCheck(check, conn.dialect()); !v.ok()) {
    out.error = v;
    out.expected = check.expect.source;
    out.message = v.message();
    return out;
  }
  auto t0 = base::MonotonicMillis();
  auto r = QueryReadOnly(conn, check.query);
  out.elapsed_ms = base::MonotonicMillis() - t0;
  if (!r) {
    out.error = r.error();
    out.expected = check.expect.source;
    out.message = fmt::format("the query failed: {}", r.error().message());
    return out;
  }
  if (r->columns.size() != 1 || r->rows.size() > 1) {
    out.expected = check.expect.source;
    out.message = fmt::format(
        "the query returned {} column(s) and {} row(s); a check query returns one value "
        "(e.g. SELECT count(*) ...)",
        r->columns.size(), r->rows.size());
    return out;
  }
  if (!r->rows.empty() && !r->rows[0].empty()) out.value = r->rows[0][0];
  if (!check.capture.empty()) captured[check.capture] = out.value;
  out.ok = Judge(check.expect, out.value, rows_affected, captured, &out.expected, &out.message);
  return out;
}

bool IsDml(std::string_view sql) {
  std::string_view s = base::Trim(sql);
  while (s.substr(0, 2) == "--") {
    size_t nl = s.find('\n');
    s = nl == std::string_view::npos ? std::string_view() : base::Trim(s.substr(nl + 1));
  }
  for (std::string_view kw : {"INSERT", "UPDATE", "DELETE", "MERGE"}) {
    if (base::StartsWithIgnoreCase(s, kw)) return true;
  }
  if (base::StartsWithIgnoreCase(s, "WITH")) {
    std::string up = base::ToUpper(s.substr(0, 4000));
    for (std::string_view kw : {"INSERT ", "UPDATE ", "DELETE ", "MERGE "}) {
      if (up.find(kw) != std::string::npos) return true;
    }
  }
  return false;
}

CheckResult ToResult(const CheckOutcome& o) {
  CheckResult r;
  const Check& c = *o.check;
  r.phase = std::string(PhaseName(c.phase));
  r.name = c.Name();
  r.file = c.file;
  r.line = c.line;
  r.query = c.query;
  r.expected = o.expected.empty() ? c.expect.source : o.expected;
  r.value = o.value;
  r.ok = o.ok;
  r.message = o.message;
  r.elapsed_ms = o.elapsed_ms;
  return r;
}

Status RunChecks(db::Connection& conn, const std::vector<Check>& checks, std::int64_t rows_affected,
                 Captured& captured, std::vector<CheckResult>& results, std::string_view hint,
                 const CheckObserver& on_done) {
  Status first;
  for (const auto& c : checks) {
    CheckOutcome o = RunCheck(conn, c, rows_affected, captured);
    results.push_back(ToResult(o));
    if (on_done) on_done(results.back());
    if (!o.ok && first.ok() && o.error.code() == ErrorCode::kDirective) {
      first = o.error;  // refused by ValidateCheck: it did not run
    } else if (!o.ok && first.ok()) {
      std::string_view q = c.query;
      q = q.substr(0, q.find('\n'));
      first = Status(ErrorCode::kCheckFailed,
                     fmt::format("{} did not hold: {}\n  {}",
                                 c.capture.empty()
                                     ? fmt::format("{} at line {}", PhaseName(c.phase), c.line)
                                     : fmt::format("{} `{}`", PhaseName(c.phase), c.capture),
                                 o.message, q))
                  .WithSpan({c.file, c.line, 0})
                  .WithHint(std::string(hint));
      if (!o.error.sqlstate().empty()) first = std::move(first).WithSqlState(o.error.sqlstate());
    }
    if (!o.error.ok()) break;
  }
  return first;
}

}  // namespace strata::verify
