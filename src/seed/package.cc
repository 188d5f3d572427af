#include "seed/package.h"

#include "base/file.h"
#include "base/sha256.h"
#include "base/text.h"
#include "config/config.h"
#include "config/toml_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "seed/dbutil.h"

namespace strata::seed {

namespace fs = std::filesystem;

std::string_view ClassName(SeedClass c) {
  switch (c) {
    case SeedClass::kReference:
      return "reference";
    case SeedClass::kCatalog:
      return "catalog";
    case SeedClass::kPolicy:
      return "policy";
    case SeedClass::kTestOnly:
      return "test-only";
  }
  return "?";
}

std::optional<SeedClass> ParseClass(std::string_view s) {
  if (s == "reference") return SeedClass::kReference;
  if (s == "catalog") return SeedClass::kCatalog;
  if (s == "policy") return SeedClass::kPolicy;
  if (s == "test-only") return SeedClass::kTestOnly;
  return std::nullopt;
}

std::string_view ModeName(SeedMode m) {
  switch (m) {
    case SeedMode::kInsertOnly:
      return "insert-only";
    case SeedMode::kUpsert:
      return "upsert";
    case SeedMode::kSync:
      return "sync";
  }
  return "?";
}

std::string TableSpec::KeyText(const CsvRow& row) const {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    int idx = data.IndexOf(key[i]);
    if (i) out += '|';
    if (idx >= 0 && row.fields[static_cast<size_t>(idx)])
      out += *row.fields[static_cast<size_t>(idx)];
  }
  return out;
}

bool TableSpec::IsMeaningColumn(std::string_view column) const {
  if (std::find(key.begin(), key.end(), column) != key.end()) return false;
  return column != active_column && column != superseded_by_column && column != effective_to_column;
}

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) {
    return Status(ErrorCode::kIo, fmt::format("cannot read {}: {}", path, why))
        .WithHint("check that the file exists and is readable");
  }
  return std::move(*text);
}

bool ValidPackageId(std::string_view s) {
  if (s.empty() || s.size() > 120) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

Status ManifestError(const Package& p, int line, std::string msg, std::string hint) {
  return Status(ErrorCode::kConfig, std::move(msg))
      .WithSpan({p.manifest_path, line, 0})
      .WithHint(std::move(hint));
}

Result<TableSpec> ParseTable(const std::string& path, const toml::table& t) {
  TableSpec spec;
  spec.manifest_line = static_cast<int>(t.source().begin.line);
  for (auto&& [k, n] : t) {
    std::string_view key = k.str();
    if (key == "table") {
      STRATA_ASSIGN_OR_RETURN(spec.name, config::GetText(path, n, key));
    } else if (key == "data") {
      STRATA_ASSIGN_OR_RETURN(spec.data_file, config::GetText(path, n, key));
    } else if (key == "key") {
      STRATA_ASSIGN_OR_RETURN(spec.key, config::GetStrings(path, n, key));
    } else if (key == "active_column") {
      STRATA_ASSIGN_OR_RETURN(spec.active_column, config::GetText(path, n, key));
    } else if (key == "superseded_by_column") {
      STRATA_ASSIGN_OR_RETURN(spec.superseded_by_column, config::GetText(path, n, key));
    } else if (key == "effective_from_column") {
      STRATA_ASSIGN_OR_RETURN(spec.effective_from_column, config::GetText(path, n, key));
    } else if (key == "effective_to_column") {
      STRATA_ASSIGN_OR_RETURN(spec.effective_to_column, config::GetText(path, n, key));
    } else if (key == "used_by") {
      STRATA_ASSIGN_OR_RETURN(spec.used_by, config::GetStrings(path, n, key));
    } else if (key == "deprecate") {
      STRATA_ASSIGN_OR_RETURN(spec.deprecate, config::GetStrings(path, n, key));
    } else if (key == "reactivate") {
      STRATA_ASSIGN_OR_RETURN(spec.reactivate, config::GetStrings(path, n, key));
    } else if (key == "supersede") {
      const toml::table* st = n.as_table();
      if (!st) {
        return config::TomlError(path, n, "`supersede` must be a table of old = \"new\" codes",
                                 "write [tables.supersede] then OLD_CODE = \"NEW_CODE\"");
      }
      for (auto&& [k2, n2] : *st) {
        STRATA_ASSIGN_OR_RETURN(auto v, config::GetText(path, n2, "supersede"));
        spec.supersede.emplace(std::string(k2.str()), std::move(v));
      }
    } else {
      return config::UnknownKey(
          path, n, "tables", key,
          {"table", "data", "key", "active_column", "superseded_by_column", "effective_from_column",
           "effective_to_column", "used_by", "deprecate", "supersede", "reactivate"});
    }
  }
  return spec;
}

// Checks one table of a parsed package against its CSV data.
Status CheckTable(const Package& p, TableSpec& t) {
  auto err = [&](std::string msg, std::string hint) {
    return ManifestError(p, t.manifest_line, std::move(msg), std::move(hint));
  };
  if (t.name.empty()) {
    return err("`table` is missing", "name the target table, e.g. table = \"quote_reason_code\"");
  }
  if (!IsPlainIdent(t.name)) {
    return err(fmt::format("table = \"{}\" is not a plain SQL identifier", t.name),
               "use letters, digits and _ (at most 63), not starting with a digit, e.g. table = "
               "\"quote_reason_code\"; a quoted name is not supported for seed tables");
  }
  if (t.data_file.empty()) t.data_file = t.name + ".csv";
  if (t.key.empty()) {
    return err(fmt::format("table `{}` has no `key`", t.name),
               "name the stable key column(s), e.g. key = [\"code\"]");
  }
  for (const auto* col : {&t.active_column, &t.superseded_by_column, &t.effective_from_column,
                          &t.effective_to_column}) {
    if (!col->empty() && !IsPlainIdent(*col)) {
      return err(fmt::format("`{}` is not a plain SQL identifier", *col), "use the column name");
    }
  }
  std::string csv_path = (fs::path(p.rel_dir) / t.data_file).string();
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile((fs::path(p.dir) / t.data_file).string()));
  STRATA_ASSIGN_OR_RETURN(t.data, ParseCsv(text, csv_path));
  for (const auto& h : t.data.header) {
    if (!IsPlainIdent(h)) {
      return Status(ErrorCode::kConfig, fmt::format("column `{}` is not a plain SQL identifier", h))
          .WithSpan({csv_path, 1, 0})
          .WithHint("header names are the table's column names");
    }
  }
  for (const auto& k : t.key) {
    if (t.data.IndexOf(k) < 0) {
      return Status(
                 ErrorCode::kConfig,
                 fmt::format("key column `{}` of table `{}` is not in the data header", k, t.name))
          .WithSpan({csv_path, 1, 0})
          .WithHint("add the column to the CSV header, or fix `key` in manifest.toml");
    }
  }
  bool dated = p.cls == SeedClass::kCatalog || p.cls == SeedClass::kPolicy;
  if (dated) {
    if (t.effective_from_column.empty()) {
      return err(fmt::format("{} table `{}` is not effective-dated", ClassName(p.cls), t.name),
                 "set effective_from_column (and effective_to_column): catalog and policy rows "
                 "are versions, never overwritten (seed 001 §11)");
    }
    if (t.key.size() < 2) {
      return err(fmt::format("{} table `{}` needs a versioned key", ClassName(p.cls), t.name),
                 "use the code and its version as key, e.g. key = [\"code\", \"version\"]");
    }
  }
  if (!t.effective_from_column.empty() && t.data.IndexOf(t.effective_from_column) < 0) {
    return Status(ErrorCode::kConfig, fmt::format("effective_from_column `{}` is not in the data "
                                                  "header",
                                                  t.effective_from_column))
        .WithSpan({csv_path, 1, 0})
        .WithHint("every version states when it takes effect");
  }
  bool marks = !t.deprecate.empty() || !t.supersede.empty() || !t.reactivate.empty();
  if (marks && p.mode == SeedMode::kInsertOnly) {
    return err("deprecate/supersede/reactivate need mode upsert or sync",
               "set mode = \"upsert\": insert-only never touches existing rows");
  }
  if ((!t.deprecate.empty() || !t.supersede.empty()) && t.active_column.empty()) {
    return err(fmt::format("table `{}` deprecates codes but has no active_column", t.name),
               "name the boolean column that marks a code active, e.g. active_column = \"active\"");
  }
  if (!t.supersede.empty() && t.superseded_by_column.empty()) {
    // Allowed: the old code is deprecated; the link is kept in the ledger only.
  }
  for (const auto& u : t.used_by) {
    auto dot = u.find('.');
    if (dot == std::string::npos || !IsPlainIdent(u.substr(0, dot)) ||
        !IsPlainIdent(u.substr(dot + 1))) {
      return err(fmt::format("used_by entry `{}` is not table.column", u),
                 "e.g. used_by = [\"quote_transition_log.reason_code\"]");
    }
  }
  // Duplicate keys and effective windows.
  std::map<std::string, int> seen;
  std::set<std::string> keys;
  for (const auto& row : t.data.rows) {
    std::string k = t.KeyText(row);
    for (const auto& kc : t.key) {
      if (!row.fields[static_cast<size_t>(t.data.IndexOf(kc))]) {
        return Status(ErrorCode::kConfig, fmt::format("key column `{}` is empty", kc))
            .WithSpan({csv_path, row.line, 0})
            .WithHint("every row needs its stable key");
      }
    }
    auto [it, fresh] = seen.emplace(k, row.line);
    if (!fresh) {
      return Status(ErrorCode::kConfig,
                    fmt::format("key {} appears twice (first on line {})", k, it->second))
          .WithSpan({csv_path, row.line, 0})
          .WithHint("a stable key identifies one row; remove or renumber the duplicate");
    }
    keys.insert(k);
  }
  for (const auto& [old_code, new_code] : t.supersede) {
    if (!keys.count(new_code)) {
      return err(fmt::format("`{}` is superseded by `{}`, which is not in {}", old_code, new_code,
                             t.data_file),
                 "add the new code to the data file: supersede replaces a code by a new one");
    }
  }
  if (!t.effective_from_column.empty() && !t.effective_to_column.empty() &&
      t.data.IndexOf(t.effective_to_column) >= 0) {
    // Versions of one code (key[0]) must not overlap: each closes before the next begins.
    int ci = t.data.IndexOf(t.key[0]);
    int fi = t.data.IndexOf(t.effective_from_column);
    int ti = t.data.IndexOf(t.effective_to_column);
    std::map<std::string, std::vector<const CsvRow*>> by_code;
    for (const auto& row : t.data.rows)
      by_code[*row.fields[static_cast<size_t>(ci)]].push_back(&row);
    for (auto& [code, rows] : by_code) {
      std::sort(rows.begin(), rows.end(), [&](const CsvRow* a, const CsvRow* b) {
        return a->fields[static_cast<size_t>(fi)].value_or("") <
               b->fields[static_cast<size_t>(fi)].value_or("");
      });
      for (size_t i = 0; i + 1 < rows.size(); ++i) {
        const auto& to = rows[i]->fields[static_cast<size_t>(ti)];
        const auto& next_from = rows[i + 1]->fields[static_cast<size_t>(fi)].value_or("");
        if (!to || *to > next_from) {
          return Status(ErrorCode::kConfig,
                        fmt::format("versions of `{}` overlap: the version on line {} is still in "
                                    "effect when the one on line {} starts ({})",
                                    code, rows[i]->line, rows[i + 1]->line, next_from))
              .WithSpan({csv_path, rows[i]->line, 0})
              .WithHint(fmt::format("set {} of the earlier version to {}", t.effective_to_column,
                                    next_from));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SeedSettings> LoadSettings(const Options& options) {
  SeedSettings s;
  // strata.toml with the environment (STRATA_SEED_*) applied.
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::LoadProjectToml(options.config_path));
  const toml::node* node = tbl.get("seed");
  if (!node) return s;
  STRATA_ASSIGN_OR_RETURN(const toml::table* t,
                          config::GetTable(options.config_path, *node, "seed"));
  for (auto&& [k, n] : *t) {
    if (k.str() == "location") {
      STRATA_ASSIGN_OR_RETURN(s.location, config::GetText(options.config_path, n, "seed.location"));
    } else if (k.str() == "corrections") {
      STRATA_ASSIGN_OR_RETURN(s.corrections,
                              config::GetText(options.config_path, n, "seed.corrections"));
    } else {
      return config::UnknownSetting(options.config_path, n, "seed", k.str());
    }
  }
  return s;
}

Result<Package> LoadPackage(const std::string& dir, const std::string& rel_dir) {
  Package p;
  p.dir = dir;
  p.rel_dir = rel_dir;
  // Messages name files relative to the project; reads use the absolute directory.
  p.manifest_path = (fs::path(rel_dir) / "manifest.toml").string();
  const std::string& path = p.manifest_path;
  STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile((fs::path(dir) / "manifest.toml").string()));
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseToml(text, path));
  std::string cls_text, mode_text = "upsert";
  for (auto&& [k, n] : tbl) {
    std::string_view key = k.str();
    if (key == "package") {
      STRATA_ASSIGN_OR_RETURN(p.id, config::GetText(path, n, key));
    } else if (key == "class") {
      STRATA_ASSIGN_OR_RETURN(cls_text, config::GetText(path, n, key));
    } else if (key == "mode") {
      STRATA_ASSIGN_OR_RETURN(mode_text, config::GetText(path, n, key));
    } else if (key == "owner") {
      STRATA_ASSIGN_OR_RETURN(p.owner, config::GetText(path, n, key));
    } else if (key == "description") {
      STRATA_ASSIGN_OR_RETURN(p.description, config::GetText(path, n, key));
    } else if (key == "effective_from") {
      STRATA_ASSIGN_OR_RETURN(p.effective_from, config::GetText(path, n, key));
    } else if (key == "effective_to") {
      STRATA_ASSIGN_OR_RETURN(p.effective_to, config::GetText(path, n, key));
    } else if (key == "compatibility") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, n, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "min_schema_version") {
          STRATA_ASSIGN_OR_RETURN(p.min_schema_version,
                                  config::GetText(path, n2, fmt::format("{}.{}", key, k2.str())));
        } else {
          return config::UnknownKey(path, n2, "compatibility", k2.str(), {"min_schema_version"});
        }
      }
    } else if (key == "approval") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, n, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "approved_by") {
          STRATA_ASSIGN_OR_RETURN(p.approved_by,
                                  config::GetText(path, n2, fmt::format("{}.{}", key, k2.str())));
        } else if (k2.str() == "approved_at") {
          STRATA_ASSIGN_OR_RETURN(p.approved_at,
                                  config::GetText(path, n2, fmt::format("{}.{}", key, k2.str())));
        } else {
          return config::UnknownKey(path, n2, "approval", k2.str(), {"approved_by", "approved_at"});
        }
      }
    } else if (key == "tables") {
      const toml::array* arr = n.as_array();
      if (!arr) {
        return config::TomlError(path, n, "`tables` must be an array of tables",
                                 "write one [[tables]] section per target table");
      }
      for (auto&& el : *arr) {
        const toml::table* t = el.as_table();
        if (!t) return config::TomlError(path, el, "each [[tables]] entry must be a table");
        STRATA_ASSIGN_OR_RETURN(auto spec, ParseTable(path, *t));
        p.tables.push_back(std::move(spec));
      }
    } else {
      return config::UnknownKey(
          path, n, "", key,
          {"package", "class", "mode", "owner", "description", "effective_from", "effective_to",
           "compatibility", "approval", "tables"});
    }
  }
  if (!ValidPackageId(p.id)) {
    return ManifestError(p, 1, fmt::format("`package` is missing or invalid: `{}`", p.id),
                         "give the package a stable id of letters, digits, '-', '_', '.'");
  }
  auto cls = ParseClass(cls_text);
  if (!cls) {
    return ManifestError(p, 1,
                         fmt::format("`class` must be reference, catalog, policy or "
                                     "test-only, not `{}`",
                                     cls_text),
                         "set class to the folder the package sits in");
  }
  p.cls = *cls;
  if (mode_text == "insert-only") {
    p.mode = SeedMode::kInsertOnly;
  } else if (mode_text == "upsert") {
    p.mode = SeedMode::kUpsert;
  } else if (mode_text == "sync") {
    p.mode = SeedMode::kSync;
  } else {
    return ManifestError(
        p, 1, fmt::format("`mode` must be insert-only, upsert or sync, not `{}`", mode_text),
        "insert-only adds missing rows; upsert also updates; sync also removes");
  }
  if (p.owner.empty()) {
    return ManifestError(p, 1, "`owner` is missing",
                         "name the team that owns this data, e.g. owner = \"quote-team\"");
  }
  if ((p.cls == SeedClass::kCatalog || p.cls == SeedClass::kPolicy) && p.effective_from.empty()) {
    return ManifestError(p, 1, fmt::format("a {} package needs `effective_from`", ClassName(p.cls)),
                         "catalog and policy packages are effective-dated releases (seed 001 "
                         "§10.2): add effective_from = 2026-07-01T00:00:00Z");
  }
  if (!p.min_schema_version.empty() &&
      p.min_schema_version.find_first_not_of("0123456789._") != std::string::npos) {
    return ManifestError(
        p, 1,
        fmt::format("min_schema_version `{}` is not a migration version", p.min_schema_version),
        "use the version of the migration the package needs, e.g. \"005\"");
  }
  if ((p.approved_by.empty()) != (p.approved_at.empty())) {
    return ManifestError(p, 1, "approval needs both approved_by and approved_at",
                         "record who approved the package and when");
  }
  if (p.tables.empty()) {
    return ManifestError(p, 1, "the package has no [[tables]]",
                         "add a [[tables]] section naming the target table, key and data file");
  }
  // Checksum: manifest then each data file in manifest order, each as name NUL text NUL, text
  // normalised (BOM and CRLF removed) so a checkout's line endings do not change it.
  std::string material = "strata-seed-v1";
  material += '\0';
  material += "manifest.toml";
  material += '\0';
  material += base::NormalizeText(text);
  material += '\0';
  std::set<std::string> tables;
  for (auto& t : p.tables) {
    STRATA_TRY(CheckTable(p, t));
    if (!tables.insert(t.name).second) {
      return ManifestError(p, t.manifest_line, fmt::format("table `{}` appears twice", t.name),
                           "list each target table once");
    }
    STRATA_ASSIGN_OR_RETURN(std::string data, ReadFile((fs::path(dir) / t.data_file).string()));
    material += t.data_file;
    material += '\0';
    material += base::NormalizeText(data);
    material += '\0';
  }
  p.checksum = base::Sha256Hex(material);
  return p;
}

Result<std::vector<Package>> DiscoverPackages(const Options& options, const SeedSettings& s) {
  std::vector<Package> out;
  fs::path root = fs::path(options.project_dir.empty() ? "." : options.project_dir) / s.location;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  std::vector<fs::path> class_dirs;
  for (auto& e : fs::directory_iterator(root, ec)) {
    if (e.is_directory()) class_dirs.push_back(e.path());
  }
  std::map<std::string, std::string> ids;  // id → rel dir
  for (auto& cd : class_dirs) {
    std::string name = cd.filename().string();
    if (name.starts_with('.')) continue;
    auto cls = ParseClass(name);
    if (!cls) {
      return Status(ErrorCode::kConfig, fmt::format("unknown seed class folder `{}`",
                                                    (fs::path(s.location) / name).string()))
          .WithSpan({cd.string(), 0, 0})
          .WithHint(
              "seed packages live in reference/, catalog/, policy/ or test-only/ (seed "
              "001 §9)");
    }
    std::vector<fs::path> pkgs;
    for (auto& e : fs::directory_iterator(cd, ec)) {
      if (e.is_directory() && !e.path().filename().string().starts_with('.'))
        pkgs.push_back(e.path());
    }
    std::sort(pkgs.begin(), pkgs.end());
    for (auto& pd : pkgs) {
      std::string rel = (fs::path(s.location) / name / pd.filename()).string();
      if (!fs::exists(pd / "manifest.toml")) {
        return Status(ErrorCode::kConfig, fmt::format("{} has no manifest.toml", rel))
            .WithSpan({pd.string(), 0, 0})
            .WithHint(
                "every package directory holds a manifest.toml (docs/formats/seed-manifest.md)");
      }
      STRATA_ASSIGN_OR_RETURN(Package p, LoadPackage(pd.string(), rel));
      if (p.cls != *cls) {
        return ManifestError(
            p, 1, fmt::format("class `{}` does not match the folder `{}`", ClassName(p.cls), name),
            "move the package to the folder of its class, or fix `class`");
      }
      auto [it, fresh] = ids.emplace(p.id, rel);
      if (!fresh) {
        return ManifestError(p, 1,
                             fmt::format("package id `{}` is also used by {}", p.id, it->second),
                             "package ids are stable and unique: rename one");
      }
      out.push_back(std::move(p));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Package& a, const Package& b) {
    if (a.cls != b.cls) return static_cast<int>(a.cls) < static_cast<int>(b.cls);
    return a.id < b.id;
  });
  return out;
}

}  // namespace strata::seed
