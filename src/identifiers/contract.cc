#include "identifiers/contract.h"

#include "base/duration.h"
#include "base/file.h"
#include "base/text.h"
#include "config/config.h"
#include "config/toml_values.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

namespace strata::identifiers {

namespace {

namespace fs = std::filesystem;
using config::GetString;
using config::GetStrings;
using config::TomlError;

constexpr std::string_view kFormatHint =
    "format is \"uuid\", \"integer\", { regex = \"^Q-[0-9]{6}$\" } or { prefix = \"Q-\" }";

// A stability window: a number with a unit, days and weeks included ("90d", "12w"), or what
// base::ParseDuration reads ("36h").
Result<std::chrono::milliseconds> ParseWindow(const std::string& path, const toml::node& node) {
  STRATA_ASSIGN_OR_RETURN(std::string text, GetString(path, node, "stability_window"));
  std::string_view s = base::Trim(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string unit = base::ToLower(base::Trim(s.substr(i)));
  double per_unit = 0;
  if (unit == "d" || unit == "day" || unit == "days") per_unit = 86'400'000.0;
  if (unit == "w" || unit == "week" || unit == "weeks") per_unit = 7 * 86'400'000.0;
  if (per_unit == 0) {
    auto d = base::ParseDuration(s);
    if (!d.ok()) {
      return TomlError(path, node, fmt::format("stability_window: invalid duration \"{}\"", text),
                       "write a number with a unit: \"90d\", \"12w\", \"36h\"");
    }
    return *d;
  }
  std::string num(s.substr(0, i));
  char* end = nullptr;
  double v = num.empty() ? -1 : std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || v < 0 || v > 100 * 365.0 * 7) {
    return TomlError(path, node, fmt::format("stability_window: invalid duration \"{}\"", text),
                     "write a number with a unit: \"90d\", \"12w\", \"36h\"");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(v * per_unit)));
}

// A SQL name as a contract writes it: letters, digits, _ and $, not starting with a digit.
// Anything else (quotes, spaces, dots in a column) is refused here rather than quoted wrongly
// later.
bool PlainName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') return false;
  }
  return true;
}

Result<Format> ParseFormat(const std::string& path, const toml::node& node) {
  Format f;
  if (auto s = node.value<std::string>()) {
    std::string v = base::ToLower(*s);
    if (v == "uuid") {
      f.kind = FormatKind::kUuid;
    } else if (v == "integer") {
      f.kind = FormatKind::kInteger;
    } else if (v == "any") {
      f.kind = FormatKind::kAny;
    } else {
      return TomlError(path, node, fmt::format("unknown format \"{}\"", *s),
                       std::string(kFormatHint));
    }
    return f;
  }
  const toml::table* t = node.as_table();
  if (!t || t->size() != 1) {
    return TomlError(path, node, "format must be a string or a table with one key",
                     std::string(kFormatHint));
  }
  for (auto&& [k, v] : *t) {
    if (k.str() == "regex") {
      STRATA_ASSIGN_OR_RETURN(f.pattern, GetString(path, v, "format.regex"));
      try {
        std::regex re(f.pattern, std::regex::extended);
      } catch (const std::regex_error& e) {
        return TomlError(path, v,
                         fmt::format("format.regex \"{}\" is not a valid POSIX extended regular "
                                     "expression: {}",
                                     f.pattern, e.what()),
                         "write it as PostgreSQL's `~` and grep -E read it: [0-9] rather than "
                         "\\d, anchored with ^ and $");
      }
      if (f.pattern.empty()) {
        return TomlError(path, v, "format.regex is empty", "give the expression ids must match");
      }
      f.kind = FormatKind::kRegex;
    } else if (k.str() == "prefix") {
      STRATA_ASSIGN_OR_RETURN(f.pattern, GetString(path, v, "format.prefix"));
      if (f.pattern.empty()) {
        return TomlError(path, v, "format.prefix is empty", "give the text every id starts with");
      }
      f.kind = FormatKind::kPrefix;
    } else {
      return config::UnknownKey(path, v, "format", k.str(), {"regex", "prefix"});
    }
  }
  return f;
}

Result<Contract> ParseOne(const std::string& path, const toml::table& t) {
  Contract c;
  c.file = path;
  c.line = static_cast<int>(t.source().begin.line);
  c.column = static_cast<int>(t.source().begin.column);
  const toml::node* name_node = nullptr;
  const toml::node* table_node = nullptr;
  const toml::node* columns_node = nullptr;
  const toml::node* deletes_node = nullptr;
  const toml::node* tombstone_node = nullptr;
  for (auto&& [k, node] : t) {
    std::string_view key = k.str();
    if (key == "name") {
      STRATA_ASSIGN_OR_RETURN(c.name, GetString(path, node, "name"));
      name_node = &node;
    } else if (key == "table") {
      STRATA_ASSIGN_OR_RETURN(std::string qt, GetString(path, node, "table"));
      size_t dot = qt.find('.');
      if (dot != std::string::npos) {
        c.schema = qt.substr(0, dot);
        c.table = qt.substr(dot + 1);
      } else {
        c.table = qt;
      }
      if ((dot != std::string::npos && !PlainName(c.schema)) || !PlainName(c.table)) {
        return TomlError(path, node, fmt::format("table \"{}\" is not a table name", qt),
                         "write it as table or schema.table, e.g. \"quote\" or \"sales.quote\"");
      }
      table_node = &node;
    } else if (key == "column" || key == "columns") {
      if (columns_node) {
        return TomlError(path, node, "both `column` and `columns` are given",
                         "keep one: column = \"id\" or columns = [\"tenant_id\", \"id\"]");
      }
      STRATA_ASSIGN_OR_RETURN(c.columns, GetStrings(path, node, key));
      columns_node = &node;
    } else if (key == "format") {
      STRATA_ASSIGN_OR_RETURN(c.format, ParseFormat(path, node));
    } else if (key == "consumers") {
      STRATA_ASSIGN_OR_RETURN(c.consumers, GetStrings(path, node, "consumers"));
    } else if (key == "deletes") {
      STRATA_ASSIGN_OR_RETURN(std::string d, GetString(path, node, "deletes"));
      if (d == "never") {
        c.deletes = Deletes::kNever;
      } else if (d == "tombstone") {
        c.deletes = Deletes::kTombstone;
      } else if (d == "allowed") {
        c.deletes = Deletes::kAllowed;
      } else {
        return TomlError(path, node, fmt::format("unknown deletes \"{}\"", d),
                         "deletes is \"never\", \"tombstone\" (with tombstone = \"<column>\") "
                         "or \"allowed\"");
      }
      deletes_node = &node;
    } else if (key == "tombstone") {
      STRATA_ASSIGN_OR_RETURN(c.tombstone_column, GetString(path, node, "tombstone"));
      if (!PlainName(c.tombstone_column)) {
        return TomlError(path, node,
                         fmt::format("tombstone \"{}\" is not a column name", c.tombstone_column),
                         "name the column that marks a row deleted, e.g. \"deleted_at\"");
      }
      tombstone_node = &node;
    } else if (key == "stability_window") {
      STRATA_ASSIGN_OR_RETURN(c.stability_window, ParseWindow(path, node));
    } else {
      return config::UnknownKey(path, node, "identifier", key,
                                {"name", "table", "column", "columns", "format", "consumers",
                                 "deletes", "tombstone", "stability_window"});
    }
  }
  const std::string what =
      c.name.empty() ? std::string("this identifier") : fmt::format("identifier `{}`", c.name);
  if (!name_node || c.name.empty()) {
    return TomlError(path, t, "an [[identifier]] needs a name",
                     "add name = \"quote_number\": the name messages and mappings use");
  }
  if (!PlainName(c.name)) {
    return TomlError(path, *name_node, fmt::format("name \"{}\" is not a plain name", c.name),
                     "use letters, digits and _ (e.g. \"quote_number\")");
  }
  if (!table_node) {
    return TomlError(path, t, fmt::format("{} names no table", what),
                     "add table = \"<table>\" (schema-qualified if needed: \"sales.quote\")");
  }
  if (!columns_node || c.columns.empty()) {
    return TomlError(path, columns_node ? *columns_node : t,
                     fmt::format("{} names no column", what),
                     "add column = \"<column>\", or columns = [\"a\", \"b\"] for a composite "
                     "identifier");
  }
  std::set<std::string> seen;
  for (const auto& col : c.columns) {
    if (!PlainName(col)) {
      return TomlError(path, *columns_node, fmt::format("column \"{}\" is not a column name", col),
                       "list plain column names, e.g. [\"tenant_id\", \"quote_number\"]");
    }
    if (!seen.insert(base::ToLower(col)).second) {
      return TomlError(path, *columns_node, fmt::format("{} lists column `{}` twice", what, col),
                       "list each column of the identifier once");
    }
  }
  if (c.deletes == Deletes::kTombstone && c.tombstone_column.empty()) {
    return TomlError(path, deletes_node ? *deletes_node : t,
                     fmt::format("{}: deletes = \"tombstone\" needs the tombstone column", what),
                     "add tombstone = \"<column>\": the column that marks a row deleted");
  }
  if (c.deletes != Deletes::kTombstone && tombstone_node) {
    return TomlError(path, *tombstone_node,
                     fmt::format("{}: tombstone is only read with deletes = \"tombstone\"", what),
                     "set deletes = \"tombstone\", or remove tombstone");
  }
  if (c.HasColumn(c.tombstone_column)) {
    return TomlError(path, *tombstone_node,
                     fmt::format("{}: the tombstone column `{}` is one of the identifier's "
                                 "columns",
                                 what, c.tombstone_column),
                     "name a separate column that marks a row deleted, e.g. \"deleted_at\"");
  }
  return c;
}

}  // namespace

std::string Describe(const Format& f) {
  switch (f.kind) {
    case FormatKind::kUuid:
      return "uuid";
    case FormatKind::kInteger:
      return "integer";
    case FormatKind::kRegex:
      return fmt::format("regex \"{}\"", f.pattern);
    case FormatKind::kPrefix:
      return fmt::format("prefix \"{}\"", f.pattern);
    case FormatKind::kAny:
      break;
  }
  return "any";
}

std::string_view DeletesName(Deletes d) {
  switch (d) {
    case Deletes::kNever:
      return "never";
    case Deletes::kTombstone:
      return "tombstone";
    case Deletes::kAllowed:
      return "allowed";
  }
  return "never";
}

std::string Contract::QualifiedTable() const {
  return schema.empty() ? table : schema + "." + table;
}

std::string Contract::Target() const {
  std::string cols;
  for (const auto& c : columns) cols += (cols.empty() ? "" : ", ") + c;
  return fmt::format("{}({})", QualifiedTable(), cols);
}

bool Contract::MatchesTable(std::string_view name) const {
  std::string_view s, t = name;
  if (size_t dot = name.find('.'); dot != std::string_view::npos) {
    s = name.substr(0, dot);
    t = name.substr(dot + 1);
  }
  if (!base::EqualsIgnoreCase(t, table)) return false;
  return s.empty() || schema.empty() || base::EqualsIgnoreCase(s, schema);
}

bool Contract::HasColumn(std::string_view column) const {
  if (column.empty()) return false;
  for (const auto& c : columns) {
    if (base::EqualsIgnoreCase(c, column)) return true;
  }
  return false;
}

Result<Contracts> Contracts::Parse(std::string_view text, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(toml::table doc, config::ParseToml(text, path));
  Contracts out;
  out.path_ = path;
  for (auto&& [k, node] : doc) {
    if (k.str() != "identifier") {
      return config::UnknownKey(path, node, "", k.str(), {"identifier"});
    }
    const toml::array* arr = node.as_array();
    if (!arr) {
      return TomlError(path, node, "`identifier` must be an array of tables",
                       "write each contract as an [[identifier]] table");
    }
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (!t) {
        return TomlError(path, item, "`identifier` must be an array of tables",
                         "write each contract as an [[identifier]] table");
      }
      STRATA_ASSIGN_OR_RETURN(Contract c, ParseOne(path, *t));
      if (const Contract* first = out.Find(c.name)) {
        return TomlError(path, *t,
                         fmt::format("identifier `{}` is declared twice (first at line {})", c.name,
                                     first->line),
                         "give each identifier its own name, or merge the two tables");
      }
      out.contracts_.push_back(std::move(c));
    }
  }
  return out;
}

Result<Contracts> Contracts::Load(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    Contracts none;
    none.path_ = path;
    return none;
  }
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) {
    return Status(ErrorCode::kConfig, fmt::format("cannot read {}: {}", path, why))
        .WithHint("check the file's permissions, or [identifiers] file in strata.toml");
  }
  return Parse(*text, path);
}

Result<std::string> Contracts::ProjectFile(const Options& options) {
  std::string file = "db/identifiers.toml";
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::LoadProjectToml(options.config_path));
  if (const toml::node* sec = tbl.get("identifiers")) {
    STRATA_ASSIGN_OR_RETURN(const toml::table* t,
                            config::GetTable(options.config_path, *sec, "identifiers"));
    for (auto&& [k, n] : *t) {
      if (k.str() != "file") {
        return config::UnknownKey(options.config_path, n, "identifiers", k.str(), {"file"});
      }
      STRATA_ASSIGN_OR_RETURN(file, GetString(options.config_path, n, "identifiers.file"));
    }
  }
  if (fs::path(file).is_absolute() || options.project_dir.empty()) return file;
  return (fs::path(options.project_dir) / file).lexically_normal().string();
}

Result<Contracts> Contracts::ForProject(const Options& options) {
  STRATA_ASSIGN_OR_RETURN(std::string file, ProjectFile(options));
  return Load(file);
}

const Contract* Contracts::Find(std::string_view name) const {
  for (const auto& c : contracts_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<const Contract*> Contracts::OnTable(std::string_view table) const {
  std::vector<const Contract*> out;
  for (const auto& c : contracts_) {
    if (c.MatchesTable(table)) out.push_back(&c);
  }
  return out;
}

const Contract* Contracts::ForColumn(std::string_view table, std::string_view column) const {
  for (const auto& c : contracts_) {
    if (c.MatchesTable(table) && c.HasColumn(column)) return &c;
  }
  return nullptr;
}

bool Contracts::MayDeleteFrom(std::string_view table) const {
  for (const auto& c : contracts_) {
    if (c.MatchesTable(table) && !c.MayDelete()) return false;
  }
  return true;
}

}  // namespace strata::identifiers
