#include "config/releases.h"

#include "base/file.h"
#include "base/text.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

namespace strata::config {

namespace {

Status KeyError(const std::string& path, const toml::node& node, std::string msg,
                std::string hint) {
  return Status(ErrorCode::kConfig, std::move(msg))
      .WithSpan({path, static_cast<int>(node.source().begin.line),
                 static_cast<int>(node.source().begin.column)})
      .WithHint(std::move(hint));
}

Result<std::vector<std::string>> Strings(const std::string& path, const toml::node& n,
                                         std::string_view key) {
  std::vector<std::string> out;
  const toml::array* a = n.as_array();
  if (!a)
    return KeyError(path, n, fmt::format("`{}` must be an array of strings", key),
                    "e.g. [\"5\", \"6\"]");
  for (const auto& el : *a) {
    if (auto s = el.value<std::string>()) {
      out.push_back(*s);
    } else if (auto i = el.value<int64_t>()) {
      out.push_back(std::to_string(*i));
    } else {
      return KeyError(path, el, fmt::format("`{}` must contain only strings", key), "quote it");
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& Surfaces() {
  static const std::vector<std::string> kSurfaces = {
      "api", "events", "cache", "workflow", "decisions", "read-models", "documents", "audit"};
  return kSurfaces;
}

Result<std::vector<ReleaseSpec>> LoadReleases(const std::string& path) {
  std::vector<ReleaseSpec> out;
  if (path.empty() || !std::filesystem::exists(path)) return out;
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) {
    return Status(ErrorCode::kConfig, fmt::format("cannot read {}: {}", path, why))
        .WithSpan({path, 0, 0})
        .WithHint("check that the releases file is a readable regular file");
  }
  toml::table tbl;
  try {
    tbl = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("invalid TOML: {}", e.description()))
        .WithSpan({path, static_cast<int>(e.source().begin.line),
                   static_cast<int>(e.source().begin.column)});
  }
  std::map<std::string, std::string> owner;  // migration → release
  for (auto&& [k, node] : tbl) {
    if (k.str() != "release") {
      return KeyError(path, node, fmt::format("unknown key `{}`", k.str()),
                      "the manifest holds [[release]] tables only");
    }
    const toml::array* arr = node.as_array();
    if (!arr)
      return KeyError(path, node, "`release` must be [[release]] tables", "write [[release]]");
    for (const auto& el : *arr) {
      const toml::table* t = el.as_table();
      if (!t) return KeyError(path, el, "each release must be a table", "write [[release]]");
      ReleaseSpec r;
      r.line = static_cast<int>(el.source().begin.line);
      for (auto&& member : *t) {
        // Named, not a structured binding: the lambda below captures it (clang 14 cannot
        // capture structured bindings, and the fuzz build uses clang).
        std::string_view key = member.first.str();
        const toml::node& n2 = member.second;
        auto str = [&](std::string* dst) -> Status {
          auto v = n2.value<std::string>();
          if (!v) return KeyError(path, n2, fmt::format("`{}` must be a string", key), "quote it");
          *dst = *v;
          return Status::Ok();
        };
        if (key == "name") {
          STRATA_TRY(str(&r.name));
        } else if (key == "title") {
          STRATA_TRY(str(&r.title));
        } else if (key == "order") {
          STRATA_TRY(str(&r.order));
          if (r.order != "migration-before-app" && r.order != "app-before-migration" &&
              r.order != "phased") {
            return KeyError(path, n2, fmt::format("unknown order `{}`", r.order),
                            "use migration-before-app, app-before-migration or phased (seed 003 "
                            "§4.2)");
          }
        } else if (key == "migrations") {
          STRATA_ASSIGN_OR_RETURN(r.migrations, Strings(path, n2, key));
        } else if (key == "steps") {
          STRATA_ASSIGN_OR_RETURN(r.steps, Strings(path, n2, key));
        } else if (key == "old_app") {
          STRATA_TRY(str(&r.old_app));
        } else if (key == "location") {
          STRATA_TRY(str(&r.location));
        } else if (key == "new_app_before") {
          STRATA_TRY(str(&r.new_app_before));
        } else if (key == "surfaces") {
          const toml::table* s = n2.as_table();
          if (!s)
            return KeyError(path, n2, "`surfaces` must be a table", "write [release.surfaces]");
          for (auto&& [sk, sv] : *s) {
            const auto& known = Surfaces();
            if (std::find(known.begin(), known.end(), std::string(sk.str())) == known.end()) {
              return KeyError(path, sv, fmt::format("unknown surface `{}`", sk.str()),
                              fmt::format("surfaces: {}", fmt::join(known, ", ")));
            }
            auto v = sv.value<std::string>();
            if (!v) return KeyError(path, sv, "a surface statement must be a string", "quote it");
            r.surfaces[std::string(sk.str())] = *v;
          }
        } else {
          return KeyError(path, n2, fmt::format("unknown key `{}` in [[release]]", key),
                          "known keys: name, title, migrations, location, order, steps, surfaces, "
                          "old_app, new_app_before");
        }
      }
      if (r.name.empty()) return KeyError(path, el, "a release needs a name", "add name = \"A\"");
      for (const auto& o : out) {
        if (o.name == r.name) {
          return KeyError(path, el, fmt::format("release `{}` is defined twice", r.name),
                          "give each release its own name");
        }
      }
      for (const auto& m : r.migrations) {
        if (auto it = owner.find(m); it != owner.end()) {
          return KeyError(
              path, el, fmt::format("migration {} is in release {} and {}", m, it->second, r.name),
              "a migration ships in exactly one release");
        }
        owner[m] = r.name;
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace strata::config
