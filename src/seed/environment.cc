#include "seed/environment.h"

#include "config/config.h"
#include "config/toml_values.h"

#include <fmt/format.h>

namespace strata::seed {

std::string_view TierName(Tier t) {
  switch (t) {
    case Tier::kLocal:
      return "local";
    case Tier::kCi:
      return "ci";
    case Tier::kDev:
      return "dev";
    case Tier::kStaging:
      return "staging";
    case Tier::kProduction:
      return "production";
  }
  return "?";
}

std::optional<Tier> ParseTier(std::string_view s) {
  if (s == "local") return Tier::kLocal;
  if (s == "ci") return Tier::kCi;
  if (s == "dev") return Tier::kDev;
  if (s == "staging") return Tier::kStaging;
  if (s == "production") return Tier::kProduction;
  return std::nullopt;
}

std::string RuleText(const Rule& r) { return fmt::format("{} {}", r.id, r.name); }

namespace {

bool TestOnlyAllowed(Tier t) { return t == Tier::kLocal || t == Tier::kCi; }

Environment Default(const std::string& name, Tier tier) {
  Environment e;
  e.name = name;
  e.tier = tier;
  e.classes = {SeedClass::kReference, SeedClass::kCatalog, SeedClass::kPolicy};
  if (TestOnlyAllowed(tier)) e.classes.insert(SeedClass::kTestOnly);
  if (tier == Tier::kProduction) e.require_approval = {SeedClass::kCatalog, SeedClass::kPolicy};
  return e;
}

Result<std::set<SeedClass>> Classes(const std::string& path, const toml::node& n,
                                    std::string_view key) {
  STRATA_ASSIGN_OR_RETURN(auto names, config::GetStrings(path, n, key));
  std::set<SeedClass> out;
  for (const auto& s : names) {
    auto c = ParseClass(s);
    if (!c) {
      return config::TomlError(path, n, fmt::format("`{}` lists unknown class `{}`", key, s),
                               "classes are reference, catalog, policy, test-only");
    }
    out.insert(*c);
  }
  return out;
}

}  // namespace

Result<Environment> ResolveEnvironment(const Options& options, const std::string& name) {
  std::vector<std::string> known;
  if (!options.config_path.empty()) {
    const std::string& path = options.config_path;
    STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseTomlFile(path));
    if (const toml::node* envs = tbl.get("environments")) {
      const toml::table* et = envs->as_table();
      if (!et) {
        return config::TomlError(path, *envs, "`environments` must be a table",
                                 "declare each as [environments.<name>] with tier = \"...\"");
      }
      for (auto&& [k, n] : *et) {
        known.emplace_back(k.str());
        if (k.str() != name) continue;
        const toml::table* t = n.as_table();
        if (!t) {
          return config::TomlError(path, n, fmt::format("environment `{}` must be a table", name));
        }
        std::optional<Tier> tier = ParseTier(name);
        std::optional<std::set<SeedClass>> classes, approval;
        const toml::node* classes_node = &n;
        for (auto&& [k2, n2] : *t) {
          if (k2.str() == "tier") {
            STRATA_ASSIGN_OR_RETURN(
                auto s, config::GetText(path, n2, fmt::format("environments.{}.tier", name)));
            tier = ParseTier(s);
            if (!tier) {
              return config::TomlError(path, n2, fmt::format("unknown tier `{}`", s),
                                       "tier is one of local, ci, dev, staging, production");
            }
          } else if (k2.str() == "classes") {
            STRATA_ASSIGN_OR_RETURN(classes, Classes(path, n2, "classes"));
            classes_node = &n2;
          } else if (k2.str() == "require_approval") {
            STRATA_ASSIGN_OR_RETURN(approval, Classes(path, n2, "require_approval"));
          } else if (k2.str() == "url" || k2.str() == "description") {
            // Accepted for other tools/readers; seed does not use them.
          } else {
            return config::UnknownSetting(path, n2, "environments.<name>", k2.str(),
                                          fmt::format("environments.{}", name));
          }
        }
        if (!tier) {
          return config::TomlError(path, n, fmt::format("environment `{}` has no tier", name),
                                   "add tier = \"local\" | \"ci\" | \"dev\" | \"staging\" | "
                                   "\"production\"");
        }
        Environment e = Default(name, *tier);
        e.declared = true;
        if (classes) {
          if (classes->count(SeedClass::kTestOnly) && !TestOnlyAllowed(*tier)) {
            return config::TomlError(
                path, *classes_node,
                fmt::format("environment `{}` (tier {}) lists test-only", name, TierName(*tier)),
                "test fixtures never leave local and ci (invariant 7); remove test-only");
          }
          e.classes = *classes;
        }
        if (approval) {
          for (auto c : e.require_approval) approval->insert(c);  // production keeps its floor
          e.require_approval = *approval;
        }
        return e;
      }
    }
  }
  if (auto tier = ParseTier(name)) return Default(name, *tier);
  std::string list;
  for (auto t : {"local", "ci", "dev", "staging", "production"}) list += fmt::format("{} ", t);
  for (const auto& k : known) list += k + " ";
  return Status(ErrorCode::kUsage, fmt::format("unknown environment `{}`", name))
      .WithHint(fmt::format("use one of: {}or declare [environments.{}] with a tier in strata.toml",
                            list, name));
}

bool InScope(const Package& p, const Environment& env) {
  if (p.cls == SeedClass::kTestOnly && !TestOnlyAllowed(env.tier)) return false;
  return env.classes.count(p.cls) > 0;
}

std::vector<Violation> CheckPolicy(const Package& p, const Environment& env) {
  std::vector<Violation> out;
  auto add = [&](const Rule& r, std::string msg, std::string hint) {
    Violation v;
    v.rule = RuleText(r);
    v.package = p.id;
    v.message = std::move(msg);
    v.hint = std::move(hint);
    v.span = {p.manifest_path, 1, 0};
    out.push_back(std::move(v));
  };
  if (p.cls == SeedClass::kTestOnly && !TestOnlyAllowed(env.tier)) {
    add(kRuleTestOnly,
        fmt::format("test-only package `{}` may not be applied to environment `{}` (tier {}): test "
                    "fixtures never leave local and ci",
                    p.id, env.name, TierName(env.tier)),
        "apply test-only packages with --env local or --env ci only");
    return out;
  }
  if (!env.classes.count(p.cls)) {
    add(kRuleClassNotAllowed,
        fmt::format("environment `{}` does not accept {} packages (package `{}`)", env.name,
                    ClassName(p.cls), p.id),
        fmt::format("add \"{}\" to [environments.{}] classes in strata.toml, or leave the package "
                    "out",
                    ClassName(p.cls), env.name));
    return out;
  }
  if (env.require_approval.count(p.cls) && !p.approved()) {
    add(kRuleApproval,
        fmt::format("{} package `{}` has no approval and environment `{}` (tier {}) requires one",
                    ClassName(p.cls), p.id, env.name, TierName(env.tier)),
        "have the owner approve it: add [approval] approved_by and approved_at to its "
        "manifest.toml");
  }
  return out;
}

}  // namespace strata::seed
