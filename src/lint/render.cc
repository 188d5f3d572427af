#include "lint/render.h"

#include "strata/version.h"

#include "base/ansi.h"
#include "base/parallel.h"
#include "base/redact.h"
#include "lint/registry.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <optional>
#include <vector>

namespace strata::lint {

namespace {

std::string Caret(const std::string& line, int column) {
  std::string out;
  for (int i = 1; i < column && static_cast<size_t>(i) <= line.size(); ++i) {
    out.push_back(line[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ');
  }
  out.push_back('^');
  return out;
}

// The streaming JSON writer behind RenderJsonText and RenderSarifText: the bytes report::Dump
// wrote for the nlohmann document strata once built (nlohmann's dump(2): two-space
// indent, "key": value, members in key order, [] and {} when empty, strings escaped as nlohmann
// escapes them, every string value redacted), without building the DOM. JSON text is UTF-8: a
// string that is not (a file name or a migration in another encoding) cannot be written, and
// the writer remembers the first one, so the render fails with kEncoding naming it (nlohmann's
// dump refused such a string too).

// Length of the UTF-8 sequence at s[i] (a lead byte >= 0x80), 0 when it is not well formed
// (the same acceptance as nlohmann's decoder: no overlongs, surrogates or code points past
// U+10FFFF).
size_t Utf8Length(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
  };
  auto cont = [&](size_t k) { return (at(k) & 0xC0) == 0x80; };
  const unsigned c = at(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return at(i + 1) >= 0xA0 && at(i + 1) <= 0xBF && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c == 0xED) return at(i + 1) >= 0x80 && at(i + 1) <= 0x9F && cont(i + 2) ? 3 : 0;
  if (c == 0xF0)
    return at(i + 1) >= 0x90 && at(i + 1) <= 0xBF && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4)
    return at(i + 1) >= 0x80 && at(i + 1) <= 0x8F && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

// `s` for an error message: printable ASCII and well-formed UTF-8 as they are, other bytes as
// \xNN, cut after 200 bytes.
std::string ShowBytes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 200;) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c >= 0x80 ? Utf8Length(s, i) : 1;
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
    ++i;
  }
  if (s.size() > 200) out += "...";
  return out;
}

// A string the writer could not write (not UTF-8): what it was and where it broke.
struct BadUtf8 {
  std::string text;
  size_t offset = 0;
};

// What the one pass over a string (AppendEscaped) learns besides writing it.
struct Scanned {
  bool utf8 = true;  // false: not UTF-8, and `bad_offset` is where it first broke
  size_t bad_offset = 0;
  bool url_secret = false;  // base::MayHoldSecret's URL test holds (redaction may change it)
};

// The bytes AppendEscaped stops at: what JSON escapes (quote, backslash, controls), the lead of
// a multi-byte sequence, and the bytes base::UrlSecretScan watches (MayHoldSecret's URL test,
// defined there only). Every other byte is copied in runs.
enum ByteClass : unsigned char { kPlain, kEscape, kHigh, kWatched };
constexpr auto kByteClass = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x100; ++c) {
    if (base::UrlSecretScan::Watched(static_cast<unsigned char>(c))) t[c] = kWatched;
  }
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = t['\\'] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}();

// Appends `s` as a JSON string (as it is where it is not UTF-8), in one pass that also answers
// base::MayHoldSecret's URL test for `s`.
Scanned AppendEscaped(std::string& out, std::string_view s) {
  Scanned r;
  base::UrlSecretScan secret;
  out.push_back('"');
  size_t run = 0, i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (kByteClass[c]) {
      case kPlain:
        ++i;
        continue;
      case kHigh: {
        size_t len = Utf8Length(s, i);
        if (len == 0) {
          if (r.utf8) r.bad_offset = i;
          r.utf8 = false;
          len = 1;
        }
        i += len;
        continue;
      }
      case kWatched:
        secret.Step(s, i);
        ++i;
        continue;
      default:
        break;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
  r.url_secret = secret.holds();
  return r;
}

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(&out) {}
  // A writer that continues an array opened elsewhere at `depth` (its elements are at
  // depth + 1), after `written` > 0 elements or before the first.
  JsonWriter(std::string& out, int depth, bool written) : out_(&out) {
    open_.assign(static_cast<size_t>(depth), 1);
    open_.push_back(written ? 1 : 0);
  }

  // Writes on into `out` from here (the document continues in another piece).
  void Retarget(std::string& out) { out_ = &out; }

  // `k` is one of this file's literal keys: plain ASCII, nothing to escape.
  JsonWriter& Key(std::string_view k) {
    Before();
    out_->push_back('"');
    out_->append(k);
    out_->append("\": ", 3);
    after_key_ = true;
    return *this;
  }
  void Open(char c) {
    Before();
    out_->push_back(c);
    open_.push_back(0);
  }
  void Close(char c) {
    const bool had = open_.back();
    open_.pop_back();
    if (had) Indent(kNewline);
    out_->push_back(c);
  }
  // A string value, redacted (base::RedactSecrets) `redactions` times: a value the DOM
  // renderer stored already redacted was redacted once more by report::Dump. The redaction can
  // only change a string that may hold a secret (base::MayHoldSecret): unless a secret value is
  // registered, that is the URL test the escaping pass answers, so the common string is
  // written in one pass and rewritten only when the test holds.
  void Str(std::string_view v, int redactions = 1) {
    Before();
    if (!check_registered_) {
      const size_t mark = out_->size();
      Scanned r = AppendEscaped(*out_, v);
      if (!r.url_secret) {
        if (!r.utf8 && !bad_) bad_ = BadUtf8{std::string(v), r.bad_offset};
        return;
      }
      out_->resize(mark);
    }
    std::string redacted;
    for (int k = 0; k < redactions && base::MayHoldSecret(v); ++k) {
      redacted = base::RedactSecrets(v);
      v = redacted;
    }
    Escaped(v);
  }
  void Int(std::int64_t v) {
    Before();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
  }
  void Bool(bool v) {
    Before();
    if (v) {
      out_->append("true", 4);
    } else {
      out_->append("false", 5);
    }
  }
  void Null() {
    Before();
    out_->append("null", 4);
  }
  // A value already written by nlohmann's dump(2) at depth 0: re-indented to this depth.
  void Dumped(std::string_view json) {
    Before();
    const std::string pad(2 * open_.size(), ' ');
    for (char c : json) {
      out_->push_back(c);
      if (c == '\n') *out_ += pad;
    }
  }
  // The open array's depth, and whether elements were written into it by other writers.
  int Depth() const { return static_cast<int>(open_.size()) - 1; }
  void Wrote(bool any) { open_.back() = open_.back() || any; }
  void StrArray(const std::vector<std::string>& v) {
    Open('[');
    for (const auto& s : v) Str(s);
    Close(']');
  }
  // The first string that was not UTF-8 (its bytes went out unescaped: the output is void).
  const std::optional<BadUtf8>& bad() const { return bad_; }
  // Takes `other`'s failure when this writer has none yet (writers of later parts of the
  // document are adopted in order, so the first bad string in the document is kept).
  void Adopt(const JsonWriter& other) {
    if (!bad_ && other.bad_) bad_ = other.bad_;
  }

 private:
  // ",\n" then the indent of the open containers, or "\n" then it (from kComma + 1).
  static constexpr std::string_view kComma =
      ",\n                                                                "
      "                                                                ";
  static constexpr const char* kNewline = kComma.data() + 1;
  void Indent(const char* from) {
    const size_t pad = 2 * open_.size();
    const size_t len = (from == kNewline ? 1 : 2) + pad;
    if (pad + 2 <= kComma.size()) {
      out_->append(from, len);
    } else {
      out_->append(from, len - pad);
      out_->append(pad, ' ');
    }
  }
  void Escaped(std::string_view v) {
    Scanned r = AppendEscaped(*out_, v);
    if (!r.utf8 && !bad_) bad_ = BadUtf8{std::string(v), r.bad_offset};
  }
  void Before() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (open_.empty()) return;
    Indent(open_.back() ? kComma.data() : kNewline);
    open_.back() = 1;
  }

  std::string* out_;
  std::vector<char> open_;  // per open container: an element was written
  bool after_key_ = false;
  // A secret value is registered: every string goes through base::MayHoldSecret.
  const bool check_registered_ = base::AnySecretRegistered();
  std::optional<BadUtf8> bad_;
};

// The error of a report that cannot be written as `format` (JSON or SARIF) for `bad`.
Status NotUtf8(std::string_view format, const BadUtf8& bad) {
  const auto byte =
      bad.offset < bad.text.size() ? static_cast<unsigned char>(bad.text[bad.offset]) : 0;
  return Status(ErrorCode::kEncoding,
                fmt::format("the lint report cannot be written as {}: \"{}\" is not UTF-8 (byte "
                            "0x{:02x} at offset {})",
                            format, ShowBytes(bad.text), byte, bad.offset))
      .WithHint(
          "JSON and SARIF carry UTF-8 text only: re-encode the migration as UTF-8 (iconv) or "
          "rename the file, or use --format text");
}

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.Open('{');
  w.Key("column").Int(f.column);
  if (f.escalated) w.Key("escalated").Bool(true);
  w.Key("file").Str(f.file);
  w.Key("help").Str(f.help);
  w.Key("line").Int(f.line);
  w.Key("message").Str(f.message, 2);
  w.Key("name").Str(f.rule_name);
  w.Key("rule").Str(f.rule_id);
  w.Key("severity").Str(SeverityName(f.severity));
  if (!f.size_note.empty()) w.Key("size").Str(f.size_note);
  w.Key("suppressed").Bool(f.suppressed);
  if (f.suppressed) w.Key("suppression_reason").Str(f.suppression_reason);
  w.Close('}');
}

void WriteMigration(JsonWriter& w, const MigrationReport& m) {
  w.Open('{');
  w.Key("classes").StrArray(m.classes);
  w.Key("file").Str(m.path);
  w.Key("findings").Int(m.findings);
  w.Key("gates").StrArray(m.gates);
  w.Key("risk_class").Str(m.risk_class);
  w.Key("statements").Open('[');
  for (const auto& s : m.statements) {
    w.Open('{');
    w.Key("blocks").Open('{');
    w.Key("reads").Bool(s.blocks_reads);
    w.Key("writes").Bool(s.blocks_writes);
    w.Close('}');
    w.Key("column").Int(s.column);
    w.Key("concurrent").Bool(s.concurrent);
    w.Key("kind").Str(s.kind);
    w.Key("line").Int(s.line);
    if (s.lock.empty()) {
      w.Key("lock").Null();
    } else {
      w.Key("lock").Str(s.lock);
    }
    if (s.observed) w.Key("observed").Bool(true);
    if (!s.other_locks.empty()) w.Key("other_locks").StrArray(s.other_locks);
    w.Key("reasons").StrArray(s.reasons);
    w.Key("rewrite").Bool(s.rewrite);
    w.Key("scan").Bool(s.scan);
    if (s.size.rows >= 0) {
      w.Key("size").Open('{');
      w.Key("bytes").Int(s.size.bytes);
      w.Key("rows").Int(s.size.rows);
      w.Close('}');
    }
    w.Key("statement").Str(s.summary, 2);
    w.Key("target").Str(s.target);
    w.Key("target_is_new").Bool(s.target_is_new);
    w.Close('}');
  }
  w.Close(']');
  w.Close('}');
}

// Writes the elements of `items` as the body of the array `w` has open, rendering slices on
// up to `jobs` threads. One thread writes on into `w`'s piece; many add each slice to `pieces`
// as a piece of its own (no copy into one buffer) and move `w` on to a new last piece.
// `bytes(item)` is a generous estimate of an element's size: each buffer is reserved for it
// up front (a buffer that regrows copies itself and faults in fresh pages; reserved pages
// that are never written are never touched).
template <typename T, typename Fn, typename Bytes>
void WriteElements(Pieces& pieces, JsonWriter& w, const std::vector<T>& items, int jobs,
                   Fn&& element, Bytes&& bytes) {
  const int depth = w.Depth();
  w.Wrote(!items.empty());
  constexpr size_t kSlice = 2048;
  const size_t slices = (items.size() + kSlice - 1) / kSlice;
  if (jobs <= 1 || slices <= 1) {
    std::string& out = pieces.back();
    size_t need = out.size();
    for (const auto& it : items) need += bytes(it);
    out.reserve(need);
    JsonWriter part(out, depth, false);
    for (const auto& it : items) element(part, it);
    w.Adopt(part);
    return;
  }
  const size_t first = pieces.size();
  pieces.resize(first + slices);
  std::vector<std::optional<JsonWriter>> writers(slices);
  base::ParallelFor(
      slices, 1,
      [&](size_t begin, size_t end) {
        for (size_t s = begin; s < end; ++s) {
          std::string& out = pieces[first + s];
          const size_t b = s * kSlice, e = std::min(items.size(), (s + 1) * kSlice);
          size_t need = 0;
          for (size_t k = b; k < e; ++k) need += bytes(items[k]);
          out.reserve(need);
          JsonWriter& part = writers[s].emplace(out, depth, s > 0);
          for (size_t k = b; k < e; ++k) element(part, items[k]);
        }
      },
      static_cast<size_t>(jobs));
  for (const auto& part : writers) w.Adopt(*part);
  pieces.emplace_back();
  pieces.back().reserve(64 * 1024);
  w.Retarget(pieces.back());
}

// Generous sizes of the elements (measured: ~330 bytes a finding in JSON, ~670 in SARIF, ~710 a
// statement of a migration with its lock analysis).
size_t FindingBytes(const Finding& f) {
  return 1024 + f.message.size() + f.help.size() + f.file.size() + f.suppression_reason.size();
}
size_t MigrationBytes(const MigrationReport& m) {
  size_t n = 1024 + 64 * (m.classes.size() + m.gates.size());
  for (const auto& s : m.statements) n += 1024 + s.summary.size() + 128 * s.reasons.size();
  return n;
}

Result<std::string> Joined(Result<Pieces> pieces) {
  if (!pieces) return pieces.error();
  size_t total = 0;
  for (const auto& p : *pieces) total += p.size();
  std::string out;
  out.reserve(total);
  for (const auto& p : *pieces) out += p;
  return out;
}

}  // namespace

// The output buffers are reserved generously: a reserve too small regrows (copies and faults in
// the whole output again: 48 MB of JSON for 100,000 statements did), and pages reserved but not
// written are never touched. Measured: ~330 bytes of text per finding; JSON ~710 per statement
// with its findings; SARIF ~670 per finding.
std::string RenderText(const LintResult& r, Severity fail_on, bool color, int jobs) {
  // The findings in slices, on up to `jobs` threads, appended in order.
  auto findings = [&](std::string& out, size_t begin, size_t end) {
    auto it = std::back_inserter(out);
    for (size_t k = begin; k < end; ++k) {
      const Finding& f = r.findings[k];
      if (f.suppressed) continue;
      base::Ansi style = f.severity == Severity::kError     ? base::Ansi::kRed
                         : f.severity == Severity::kWarning ? base::Ansi::kYellow
                                                            : base::Ansi::kCyan;
      const std::string_view sev = SeverityName(f.severity);
      if (color) {
        fmt::format_to(it, "{}:{}:{}: {}[{}]: ", f.file, f.line, f.column,
                       base::Paint(sev, style, color), f.rule_id);
      } else {
        fmt::format_to(it, "{}:{}:{}: {}[{}]: ", f.file, f.line, f.column, sev, f.rule_id);
      }
      if (base::MayHoldSecret(f.message)) {
        out += base::RedactSecrets(f.message);
      } else {
        out += f.message;
      }
      out += '\n';
      if (!f.source_line.empty()) {
        std::string src = base::RedactSecrets(f.source_line);
        fmt::format_to(it, "  {}\n  {}\n", src,
                       Caret(src, f.source_column > 0 ? f.source_column : f.column));
      }
      if (!f.size_note.empty()) {
        fmt::format_to(it, "  size: {}{}\n", f.size_note,
                       f.escalated ? " (escalated: large table)" : "");
      }
      fmt::format_to(it, "  fix: {} [{}]\n", f.help, f.rule_name);
    }
  };
  std::string out;
  constexpr size_t kSlice = 2048;
  const size_t slices = (r.findings.size() + kSlice - 1) / kSlice;
  if (jobs <= 1 || slices <= 1) {
    out.reserve(r.findings.size() * 500);
    findings(out, 0, r.findings.size());
  } else {
    std::vector<std::string> parts(slices);
    base::ParallelFor(
        slices, 1,
        [&](size_t begin, size_t end) {
          for (size_t s = begin; s < end; ++s) {
            parts[s].reserve(kSlice * 500);
            findings(parts[s], s * kSlice, std::min(r.findings.size(), (s + 1) * kSlice));
          }
        },
        static_cast<size_t>(jobs));
    size_t total = 0;
    for (const auto& p : parts) total += p.size();
    out.reserve(total + 4096);
    for (const auto& p : parts) out += p;
  }
  int errors = 0, warnings = 0, infos = 0, suppressed = 0;
  for (const auto& f : r.findings) {
    if (f.suppressed) {
      ++suppressed;
      continue;
    }
    (f.severity == Severity::kError     ? errors
     : f.severity == Severity::kWarning ? warnings
                                        : infos)++;
  }
  for (const auto& s : r.suppressions) {
    out += fmt::format("{}:{}: allowed {} ({}): {} [{} finding(s)]\n", s.file, s.line,
                       fmt::join(s.rules, ","), s.file_scope ? "file" : "statement",
                       s.reason.empty() ? "<no reason>" : s.reason, s.used);
  }
  for (const auto& m : r.migrations) {
    if (m.risk_class == "small-additive-ddl" && m.findings == 0) continue;
    out += fmt::format("{}: class {}; gates: {}\n", m.path, m.risk_class, fmt::join(m.gates, "; "));
  }
  std::string target = r.sqlite_version.empty()
                           ? fmt::format("PostgreSQL {} ({})", r.pg_version, r.pg_version_source)
                           : fmt::format("SQLite {}", r.sqlite_version);
  out += fmt::format(
      "{} error(s), {} warning(s), {} info, {} suppressed in {} file(s), {} statement(s); {}{}\n",
      errors, warnings, infos, suppressed, r.migrations.size(), r.statements, target,
      r.CountAtLeast(fail_on) > 0 ? "" : "; ok");
  return out;
}

Result<Pieces> RenderJsonPieces(const LintResult& r, Severity fail_on, std::string_view error,
                                int jobs) {
  {
    Pieces pieces(1);
    size_t need = 4096;
    if (jobs <= 1) {  // one piece: reserved once for the whole document
      for (const auto& f : r.findings) need += FindingBytes(f);
      for (const auto& m : r.migrations) need += MigrationBytes(m);
    }
    pieces[0].reserve(need);
    JsonWriter w(pieces[0]);
    const int failing = r.CountAtLeast(fail_on);
    const int errors = r.CountAtLeast(Severity::kError);
    const int warnings = r.CountAtLeast(Severity::kWarning);
    w.Open('{');
    w.Key("counts").Open('{');
    w.Key("error").Int(errors);
    w.Key("failing").Int(failing);
    w.Key("files").Int(static_cast<std::int64_t>(r.migrations.size()));
    w.Key("info").Int(r.CountAtLeast(Severity::kInfo) - warnings);
    w.Key("statements").Int(static_cast<std::int64_t>(r.statements));
    w.Key("warning").Int(warnings - errors);
    w.Close('}');
    w.Key("dialect").Str(r.sqlite_version.empty() ? "postgres" : "sqlite");
    w.Key("error").Dumped(error);
    w.Key("fail_on").Str(SeverityName(fail_on));
    w.Key("findings").Open('[');
    WriteElements(pieces, w, r.findings, jobs, WriteFinding, FindingBytes);
    w.Close(']');
    w.Key("live").Bool(r.live);
    w.Key("migrations").Open('[');
    WriteElements(pieces, w, r.migrations, jobs, WriteMigration, MigrationBytes);
    w.Close(']');
    w.Key("ok").Bool(r.status.ok() && failing == 0);
    w.Key("pg_version").Int(r.pg_version);
    w.Key("pg_version_source").Str(r.pg_version_source);
    w.Key("suppressions").Open('[');
    for (const auto& s : r.suppressions) {
      w.Open('{');
      w.Key("file").Str(s.file);
      w.Key("line").Int(s.line);
      w.Key("reason").Str(s.reason);
      w.Key("rules").StrArray(s.rules);
      w.Key("scope").Str(s.file_scope ? "file" : "statement");
      w.Key("used").Int(s.used);
      w.Close('}');
    }
    w.Close(']');
    w.Close('}');
    if (w.bad()) return NotUtf8("JSON", *w.bad());
    return pieces;
  }
}

Result<std::string> RenderJsonText(const LintResult& r, Severity fail_on, std::string_view error,
                                   int jobs) {
  return Joined(RenderJsonPieces(r, fail_on, error, jobs));
}

Result<Pieces> RenderSarifPieces(const LintResult& r, int jobs) {
  auto level = [](Severity s) {
    return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "note";
  };
  {
    Pieces pieces(1);
    size_t need = 64 * 1024;  // the rules
    if (jobs <= 1) {
      for (const auto& f : r.findings) need += FindingBytes(f);
    }
    pieces[0].reserve(need);
    JsonWriter w(pieces[0]);
    w.Open('{');
    w.Key("$schema").Str("https://json.schemastore.org/sarif-2.1.0.json");
    w.Key("runs").Open('[');
    w.Open('{');
    w.Key("results").Open('[');
    auto result = [&](JsonWriter& e, const Finding& f) {
      e.Open('{');
      e.Key("level").Str(level(f.severity));
      e.Key("locations").Open('[');
      e.Open('{');
      e.Key("physicalLocation").Open('{');
      e.Key("artifactLocation").Open('{');
      e.Key("uri").Str(f.file);
      e.Close('}');
      e.Key("region").Open('{');
      e.Key("startColumn").Int(std::max(1, f.column));
      e.Key("startLine").Int(std::max(1, f.line));
      e.Close('}');
      e.Close('}');
      e.Close('}');
      e.Close(']');
      e.Key("message").Open('{');
      e.Key("text").Str(
          (base::MayHoldSecret(f.message) ? base::RedactSecrets(f.message) : f.message) +
          " Fix: " + f.help);
      e.Close('}');
      e.Key("ruleId").Str(f.rule_id);
      if (f.suppressed) {
        e.Key("suppressions").Open('[');
        e.Open('{');
        e.Key("justification").Str(f.suppression_reason);
        e.Key("kind").Str("inSource");
        e.Close('}');
        e.Close(']');
      }
      e.Close('}');
    };
    WriteElements(pieces, w, r.findings, jobs, result, FindingBytes);
    w.Close(']');
    w.Key("tool").Open('{');
    w.Key("driver").Open('{');
    w.Key("informationUri").Str("https://strata.dev");
    w.Key("name").Str("strata");
    w.Key("rules").Open('[');
    for (const auto& rule : AllRules()) {
      w.Open('{');
      w.Key("defaultConfiguration").Open('{');
      w.Key("level").Str(level(rule.severity));
      w.Close('}');
      w.Key("helpUri").Str(fmt::format("https://strata.dev/docs/rules/{}", rule.name));
      w.Key("id").Str(rule.id);
      w.Key("name").Str(rule.name);
      w.Key("shortDescription").Open('{');
      w.Key("text").Str(rule.summary);
      w.Close('}');
      w.Close('}');
    }
    w.Close(']');
    w.Key("version").Str(kVersion);
    w.Close('}');
    w.Close('}');
    w.Close('}');
    w.Close(']');
    w.Key("version").Str("2.1.0");
    w.Close('}');
    if (w.bad()) return NotUtf8("SARIF", *w.bad());
    return pieces;
  }
}

Result<std::string> RenderSarifText(const LintResult& r, int jobs) {
  return Joined(RenderSarifPieces(r, jobs));
}

Status GateStatus(const LintResult& r, Severity fail_on) {
  int failing = r.CountAtLeast(fail_on);
  if (failing == 0) return Status::Ok();
  return Status(ErrorCode::kLint, fmt::format("{} finding(s) at or above --fail-on", failing))
      .WithHint(
          "fix them, or suppress one with `-- strata:allow <rule> reason=...` on the statement");
}

std::string RenderGithub(const LintResult& r) {
  auto esc = [](std::string s) {
    std::string o;
    for (char c : s) {
      if (c == '%')
        o += "%25";
      else if (c == '\r')
        o += "%0D";
      else if (c == '\n')
        o += "%0A";
      else
        o.push_back(c);
    }
    return o;
  };
  std::string out;
  for (const auto& f : r.findings) {
    if (f.suppressed) continue;
    std::string_view level = f.severity == Severity::kError     ? "error"
                             : f.severity == Severity::kWarning ? "warning"
                                                                : "notice";
    out += fmt::format("::{} file={},line={},col={},title={} {}::{}\n", level, f.file, f.line,
                       f.column, f.rule_id, f.rule_name,
                       esc(base::RedactSecrets(f.message) + " Fix: " + f.help));
  }
  return out;
}

std::string RenderRuleList() {
  std::string out;
  for (const auto& r : AllRules()) {
    out += fmt::format("{}  {:<40} {:<8}{} {}\n", r.id, r.name, SeverityName(r.severity),
                       r.default_on ? " " : "*", r.summary);
  }
  out += "(* = opt-in: enable with [lint] enable = [\"<name>\"])\n";
  return out;
}

nlohmann::json RuleListJson() {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : AllRules()) {
    a.push_back({{"id", r.id},
                 {"name", r.name},
                 {"severity", SeverityName(r.severity)},
                 {"default_on", r.default_on},
                 {"size_sensitive", r.size_sensitive},
                 {"squawk", r.squawk},
                 {"summary", r.summary}});
  }
  return {{"rules", a}};
}

}  // namespace strata::lint
