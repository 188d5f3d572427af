#include "sql/directives.h"

#include "base/text.h"
#include "sql/splitter.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::sql {

namespace {
enum Scope { kFile, kStatement };
struct DirectiveInfo {
  std::string_view name;
  Scope scope;
  std::string_view argument;
};
constexpr DirectiveInfo kDirectives[] = {
#define STRATA_DIRECTIVE(name, scope, arg, doc) {name, scope, arg},
#include "sql/directives.def"
#undef STRATA_DIRECTIVE
};

const DirectiveInfo* Find(std::string_view name) {
  for (const auto& d : kDirectives) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string Suggest(std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& d : kDirectives) names.emplace_back(d.name);
  std::string_view best = base::ClosestMatch(name, names);
  if (!best.empty()) return fmt::format("did you mean `-- strata:{}`?", best);
  return fmt::format("known directives: {}", fmt::join(names, ", "));
}
}  // namespace

std::vector<std::string_view> KnownDirectives() {
  std::vector<std::string_view> out;
  for (const auto& d : kDirectives) out.push_back(d.name);
  return out;
}

namespace {
// The directive a line holds, if it is one: the text after `-- strata:`, or nullopt. Only the
// line's syntax is checked here, not whether its `--` is a real comment.
std::optional<std::string_view> DirectiveBody(std::string_view line) {
  std::string_view t = base::Trim(line);
  if (t.substr(0, 2) != "--") return std::nullopt;
  t = base::Trim(t.substr(2));
  if (t.substr(0, 7) != "strata:") return std::nullopt;
  return t.substr(7);
}

}  // namespace

Status ForEachDirectiveLine(std::string_view text, db::Dialect dialect, const DirectiveLineFn& fn) {
  std::vector<size_t> comments;
  bool lexed = false;
  int line_no = 0;
  for (std::string_view line : base::SplitLines(text)) {
    ++line_no;
    auto body = DirectiveBody(line);
    if (!body) continue;
    if (!lexed) {  // only files that look like they have directives pay for the lexing
      comments = LineCommentOffsets(text, dialect);
      lexed = true;
    }
    size_t at = static_cast<size_t>(line.data() - text.data()) + line.find("--");
    if (!std::binary_search(comments.begin(), comments.end(), at)) continue;
    STRATA_TRY(fn(line_no, line, *body));
  }
  return Status::Ok();
}

Result<FileSettings> ParseDirectives(std::string_view text, std::string_view file,
                                     db::Dialect dialect) {
  FileSettings out;
  if (text.find("strata:") == std::string_view::npos) return out;
  STRATA_TRY(ForEachDirectiveLine(
      text, dialect, [&](int line_no, std::string_view, std::string_view t) -> Status {
        size_t sp = 0;
        while (sp < t.size() && !std::isspace(static_cast<unsigned char>(t[sp]))) ++sp;
        std::string name(t.substr(0, sp));
        std::string args(base::Trim(t.substr(sp)));
        SourceSpan span{std::string(file), line_no, 0};
        const DirectiveInfo* info = Find(name);
        if (!info) {
          return Status(ErrorCode::kDirective,
                        fmt::format("unknown directive `-- strata:{}`", name))
              .WithSpan(span)
              .WithHint(Suggest(name));
        }
        if (name == "transaction") {
          std::string v = base::ToLower(args);
          if (v == "off" || v == "false") {
            out.transactional = false;
          } else if (v == "on" || v == "true") {
            out.transactional = true;
          } else {
            return Status(ErrorCode::kDirective,
                          fmt::format("`-- strata:transaction` takes on or off, got '{}'", args))
                .WithSpan(span)
                .WithHint("write `-- strata:transaction off`");
          }
        } else if (name == "split") {
          std::string v = base::ToLower(args);
          if (v == "off" || v == "false") {
            out.split = false;
          } else if (v == "on" || v == "true") {
            out.split = true;
          } else {
            return Status(ErrorCode::kDirective,
                          fmt::format("`-- strata:split` takes on or off, got '{}'", args))
                .WithSpan(span)
                .WithHint("write `-- strata:split off`");
          }
        } else if (name == "lock-timeout" || name == "statement-timeout") {
          auto d = base::ParseDuration(args);
          if (!d || args.empty()) {
            return Status(ErrorCode::kDirective,
                          fmt::format("`-- strata:{}` needs a duration, got '{}'", name, args))
                .WithSpan(span)
                .WithHint(fmt::format("write e.g. `-- strata:{} 5s`", name));
          }
          (name == "lock-timeout" ? out.lock_timeout : out.statement_timeout) = *d;
        }
        out.directives.push_back(Directive{std::move(name), std::move(args), line_no});
        return Status::Ok();
      }));
  return out;
}

Result<std::string> ExpandPlaceholders(std::string_view text, const Placeholders& placeholders,
                                       std::string_view file, int first_line, bool redact_secrets) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  int line = first_line;
  size_t line_start = 0;
  while (i < text.size()) {
    size_t p = text.find("${", i);
    if (p == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    for (size_t k = i; k < p; ++k) {
      if (text[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    }
    out.append(text.substr(i, p - i));
    size_t close = text.find('}', p + 2);
    std::string_view name =
        close == std::string_view::npos ? std::string_view() : text.substr(p + 2, close - p - 2);
    auto it = placeholders.find(name);
    if (close == std::string_view::npos || it == placeholders.end()) {
      return Status(ErrorCode::kPlaceholder,
                    fmt::format("placeholder `${{{}}}` is not declared", name))
          .WithSpan({std::string(file), line, static_cast<int>(p - line_start) + 1})
          .WithHint(fmt::format("declare it in strata.toml under [placeholders] ({} = \"...\")",
                                name.empty() ? "name" : name));
    }
    if (!it->second.unset_env.empty()) {
      if (redact_secrets) {
        out += fmt::format("<unset:{}>", it->second.unset_env);
        i = close + 1;
        continue;
      }
      return Status(ErrorCode::kPlaceholder,
                    fmt::format("placeholder `${{{}}}` reads environment variable {}, which is "
                                "not set",
                                name, it->second.unset_env))
          .WithSpan({std::string(file), line, static_cast<int>(p - line_start) + 1})
          .WithHint(
              fmt::format("export {}=... before running SQL that uses it", it->second.unset_env));
    }
    // A NUL would cut the statement short where the driver reads it as a C string, and the
    // database takes UTF-8 text only: such a value is refused, never sent (and never shown).
    const std::string& value = it->second.value;
    if (value.find('\0') != std::string::npos || base::FindInvalidUtf8(value)) {
      return Status(ErrorCode::kPlaceholder,
                    fmt::format("the value of placeholder `${{{}}}` contains {}", name,
                                value.find('\0') != std::string::npos ? "a NUL byte"
                                                                      : "bytes that are not UTF-8"))
          .WithSpan({std::string(file), line, static_cast<int>(p - line_start) + 1})
          .WithHint(fmt::format("give `{}` a value of UTF-8 text without NUL bytes", name));
    }
    if (redact_secrets && it->second.secret) {
      out += fmt::format("<secret:{}>", name);
    } else {
      out += it->second.value;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace strata::sql
