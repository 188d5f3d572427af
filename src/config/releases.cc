#include "config/releases.h"

#include "base/file.h"
#include "base/text.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

namespace strata::config {

const std::vector<std::string>& Surfaces() {
  static const std::vector<std::string> kSurfaces = {
      "api", "events", "cache", "workflow", "decisions", "read-models", "documents", "audit"};
  return kSurfaces;
}

Result<std::vector<ReleaseSpec>> LoadReleases(const std::string& path) {
  std::vector<ReleaseSpec> out;
  if (path.empty() || !std::filesystem::exists(path)) return out;
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, ParseTomlFile(path));
  std::map<std::string, std::string> owner;  // migration → release
  for (auto&& [k, node] : tbl) {
    if (k.str() != "release") {
      return UnknownKey(path, node, "", k.str(), {"release"});
    }
    const toml::array* arr = node.as_array();
    if (!arr)
      return TomlError(path, node, "`release` must be [[release]] tables", "write [[release]]");
    for (const auto& el : *arr) {
      const toml::table* t = el.as_table();
      if (!t) return TomlError(path, el, "each release must be a table", "write [[release]]");
      ReleaseSpec r;
      r.line = static_cast<int>(el.source().begin.line);
      for (auto&& [k2, n2] : *t) {
        std::string_view key = k2.str();
        const std::string name = fmt::format("release.{}", key);
        if (key == "name") {
          STRATA_ASSIGN_OR_RETURN(r.name, GetString(path, n2, name));
        } else if (key == "title") {
          STRATA_ASSIGN_OR_RETURN(r.title, GetString(path, n2, name));
        } else if (key == "order") {
          STRATA_ASSIGN_OR_RETURN(r.order, GetString(path, n2, name));
          if (r.order != "migration-before-app" && r.order != "app-before-migration" &&
              r.order != "phased") {
            return TomlError(path, n2, fmt::format("unknown order `{}`", r.order),
                             "use migration-before-app, app-before-migration or phased (seed 003 "
                             "§4.2)");
          }
        } else if (key == "migrations") {
          STRATA_ASSIGN_OR_RETURN(r.migrations, GetStringsOrInts(path, n2, name));
        } else if (key == "steps") {
          STRATA_ASSIGN_OR_RETURN(r.steps, GetStringsOrInts(path, n2, name));
        } else if (key == "old_app") {
          STRATA_ASSIGN_OR_RETURN(r.old_app, GetString(path, n2, name));
        } else if (key == "location") {
          STRATA_ASSIGN_OR_RETURN(r.location, GetString(path, n2, name));
        } else if (key == "new_app_before") {
          STRATA_ASSIGN_OR_RETURN(r.new_app_before, GetString(path, n2, name));
        } else if (key == "surfaces") {
          STRATA_ASSIGN_OR_RETURN(const toml::table* s, GetTable(path, n2, name));
          for (auto&& [sk, sv] : *s) {
            const auto& known = Surfaces();
            if (std::find(known.begin(), known.end(), std::string(sk.str())) == known.end()) {
              return TomlError(path, sv, fmt::format("unknown surface `{}`", sk.str()),
                               fmt::format("surfaces: {}", fmt::join(known, ", ")));
            }
            STRATA_ASSIGN_OR_RETURN(r.surfaces[std::string(sk.str())],
                                    GetString(path, sv, fmt::format("{}.{}", name, sk.str())));
          }
        } else {
          return UnknownKey(path, n2, "release", key,
                            {"name", "title", "migrations", "location", "order", "steps",
                             "surfaces", "old_app", "new_app_before"});
        }
      }
      if (r.name.empty()) return TomlError(path, el, "a release needs a name", "add name = \"A\"");
      for (const auto& o : out) {
        if (o.name == r.name) {
          return TomlError(path, el, fmt::format("release `{}` is defined twice", r.name),
                           "give each release its own name");
        }
      }
      for (const auto& m : r.migrations) {
        if (auto it = owner.find(m); it != owner.end()) {
          return TomlError(
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
