#include "verify/settings.h"

#include "base/text.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace strata::verify {

namespace fs = std::filesystem;

namespace {

Status KeyError(const std::string& path, const toml::node& node, std::string msg,
                std::string hint = {}) {
  const auto& src = node.source();
  Status s =
      Status(ErrorCode::kConfig, std::move(msg))
          .WithSpan({path, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)});
  if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
  return s;
}

Status Unknown(const std::string& path, const toml::node& node, std::string_view section,
               std::string_view key, std::initializer_list<std::string_view> known) {
  std::string_view best;
  size_t best_d = 4;
  for (auto k : known) {
    size_t d = base::EditDistance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return KeyError(path, node, fmt::format("unknown key `{}` in [{}]", key, section),
                  best.empty() ? fmt::format("known keys here: {}", fmt::join(known, ", "))
                               : fmt::format("did you mean `{}`?", best));
}

Result<std::string> Str(const std::string& path, const toml::node& n, std::string_view key) {
  if (auto v = n.value<std::string>()) return *v;
  return KeyError(path, n, fmt::format("`{}` must be a string", key));
}

Result<std::vector<std::string>> IntentKeyList(const std::string& path, const toml::node& n,
                                               std::string_view key) {
  const toml::array* arr = n.as_array();
  if (!arr) return KeyError(path, n, fmt::format("`{}` must be an array of intent keys", key));
  std::vector<std::string> out;
  for (const auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!s) return KeyError(path, el, fmt::format("`{}` must contain only strings", key));
    bool ok = false;
    for (const auto& k : IntentKeys()) ok = ok || k.key == *s;
    if (!ok) {
      std::vector<std::string_view> keys;
      for (const auto& k : IntentKeys()) keys.push_back(k.key);
      return KeyError(path, el, fmt::format("`{}` is not an intent key", *s),
                      fmt::format("intent keys: {}", fmt::join(keys, ", ")));
    }
    out.push_back(*s);
  }
  return out;
}

Result<base::Millis> Dur(const std::string& path, const toml::node& n, std::string_view key) {
  if (auto s = n.value<std::string>()) {
    auto d = base::ParseDuration(*s);
    if (d) return *d;
    return KeyError(path, n, fmt::format("`{}`: {}", key, d.error().message()));
  }
  return KeyError(path, n, fmt::format("`{}` must be a duration like \"60s\"", key));
}

}  // namespace

const std::string& SmokeCheck::QueryFor(db::Dialect dialect) const {
  if (dialect == db::Dialect::kSqlite && !query_sqlite.empty()) return query_sqlite;
  if (dialect == db::Dialect::kPostgres && !query_postgres.empty()) return query_postgres;
  return query;
}

Result<Settings> ParseSettings(std::string_view text, const std::string& path,
                               const std::string& dir) {
  Settings out;
  out.releases_file = (fs::path(dir.empty() ? "." : dir) / "db/releases.toml").string();
  toml::table tbl;
  try {
    tbl = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("invalid TOML: {}", e.description()))
        .WithSpan({path, static_cast<int>(e.source().begin.line),
                   static_cast<int>(e.source().begin.column)});
  }
  if (const toml::node* ev = tbl.get("evidence")) {
    const toml::table* t = ev->as_table();
    if (!t) return KeyError(path, *ev, "[evidence] must be a table");
    for (auto&& [k, n] : *t) {
      std::string_view key = k.str();
      if (key == "releases") {
        STRATA_ASSIGN_OR_RETURN(auto p, Str(path, n, "evidence.releases"));
        out.releases_file = fs::path(p).is_absolute() ? p : (fs::path(dir) / p).string();
      } else if (key == "stop_lock_wait") {
        STRATA_ASSIGN_OR_RETURN(out.stop.lock_wait, Dur(path, n, "evidence.stop_lock_wait"));
      } else if (key == "stop_max_duration") {
        STRATA_ASSIGN_OR_RETURN(out.stop.max_duration, Dur(path, n, "evidence.stop_max_duration"));
      } else if (key == "stop_duration_factor") {
        auto f = n.value<double>();
        if (!f || *f < 1.0) {
          return KeyError(path, n, "`evidence.stop_duration_factor` must be a number >= 1");
        }
        out.stop.duration_factor = *f;
      } else if (key == "intent") {
        const toml::table* it = n.as_table();
        if (!it) return KeyError(path, n, "[evidence.intent] must be a table");
        for (auto&& [k2, n2] : *it) {
          std::string_view key2 = k2.str();
          if (key2 == "require_header") {
            auto b = n2.value<bool>();
            if (!b) return KeyError(path, n2, "`require_header` must be true or false");
            out.intent.require_header = *b;
          } else if (key2 == "required") {
            STRATA_ASSIGN_OR_RETURN(out.intent.always, IntentKeyList(path, n2, "required"));
          } else if (key2 == "required_for") {
            const toml::table* rf = n2.as_table();
            if (!rf) return KeyError(path, n2, "[evidence.intent.required_for] must be a table");
            for (auto&& [cls, keys] : *rf) {
              const auto& known = KnownRiskClasses();
              if (std::find(known.begin(), known.end(), cls.str()) == known.end()) {
                return KeyError(path, keys, fmt::format("unknown risk class `{}`", cls.str()),
                                fmt::format("risk classes: {}", fmt::join(known, ", ")));
              }
              STRATA_ASSIGN_OR_RETURN(out.intent.by_class[std::string(cls.str())],
                                      IntentKeyList(path, keys, cls.str()));
            }
          } else {
            return Unknown(path, n2, "evidence.intent", key2,
                           {"require_header", "required", "required_for"});
          }
        }
      } else {
        return Unknown(
            path, n, "evidence", key,
            {"releases", "stop_lock_wait", "stop_duration_factor", "stop_max_duration", "intent"});
      }
    }
  }
  if (const toml::node* sm = tbl.get("smoke")) {
    const toml::table* t = sm->as_table();
    if (!t) return KeyError(path, *sm, "[smoke] must be a table of [smoke.<name>] tables");
    for (auto&& [k, n] : *t) {
      const toml::table* c = n.as_table();
      if (!c) {
        return KeyError(path, n, fmt::format("`smoke.{}` must be a table", k.str()),
                        "write [smoke.<name>] with query = \"...\" and expect = \"= 0\"");
      }
      SmokeCheck sc;
      sc.name = std::string(k.str());
      sc.check.phase = Phase::kPost;
      sc.check.capture = sc.name;
      sc.check.file = path;
      sc.check.line = static_cast<int>(n.source().begin.line);
      std::string expect;
      for (auto&& [k2, n2] : *c) {
        std::string_view key2 = k2.str();
        if (key2 == "query") {
          STRATA_ASSIGN_OR_RETURN(sc.query, Str(path, n2, "query"));
        } else if (key2 == "query_sqlite") {
          STRATA_ASSIGN_OR_RETURN(sc.query_sqlite, Str(path, n2, "query_sqlite"));
        } else if (key2 == "query_postgres") {
          STRATA_ASSIGN_OR_RETURN(sc.query_postgres, Str(path, n2, "query_postgres"));
        } else if (key2 == "expect") {
          STRATA_ASSIGN_OR_RETURN(expect, Str(path, n2, "expect"));
        } else if (key2 == "description") {
          STRATA_ASSIGN_OR_RETURN(sc.description, Str(path, n2, "description"));
        } else {
          return Unknown(path, n2, fmt::format("smoke.{}", sc.name), key2,
                         {"query", "query_sqlite", "query_postgres", "expect", "description"});
        }
      }
      if (sc.query.empty() && (sc.query_sqlite.empty() || sc.query_postgres.empty())) {
        return KeyError(path, n, fmt::format("[smoke.{}] has no query", sc.name),
                        "add query = \"SELECT count(*) FROM ...\"");
      }
      auto e = ParseExpectation(expect, path, sc.check.line);
      if (!e) return e.error();
      if (e->op == Op::kNone || e->RunDependent()) {
        return KeyError(
            path, n, fmt::format("[smoke.{}] needs expect = \"<op> <number or 'text'>\"", sc.name),
            "e.g. expect = \"= 0\"; smoke checks cannot use rows affected or "
            "captured values");
      }
      sc.check.expect = std::move(*e);
      sc.check.query = sc.query;
      out.smoke.push_back(std::move(sc));
    }
  }
  return out;
}

Result<Settings> LoadSettings(const Options& options) {
  if (options.config_path.empty()) {
    return ParseSettings("", "strata.toml", options.project_dir);
  }
  std::ifstream in(options.config_path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kIo, fmt::format("cannot read {}", options.config_path))
        .WithHint("check the path given with --config");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseSettings(ss.str(), options.config_path, options.project_dir);
}

}  // namespace strata::verify
