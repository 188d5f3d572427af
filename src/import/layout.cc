// The other tools' file layouts, read into ToolMigrations, and their versions mapped to strata's.
#include "base/file.h"
#include "base/text.h"
#include "migrate/version.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "import/checksum.h"
#include "import/import.h"

namespace strata::import {

namespace fs = std::filesystem;

std::optional<Tool> ParseTool(std::string_view name) {
  if (name == "flyway") return Tool::kFlyway;
  if (name == "golang-migrate" || name == "migrate") return Tool::kGolangMigrate;
  if (name == "dbmate") return Tool::kDbmate;
  if (name == "diesel") return Tool::kDiesel;
  if (name == "liquibase") return Tool::kLiquibase;
  if (name == "sqitch") return Tool::kSqitch;
  return std::nullopt;
}

std::string_view ToolName(Tool tool) {
  switch (tool) {
    case Tool::kFlyway:
      return "flyway";
    case Tool::kGolangMigrate:
      return "golang-migrate";
    case Tool::kDbmate:
      return "dbmate";
    case Tool::kDiesel:
      return "diesel";
    case Tool::kLiquibase:
      return "liquibase";
    case Tool::kSqitch:
      return "sqitch";
  }
  return "?";
}

std::vector<std::string> DefaultSources(Tool tool) {
  switch (tool) {
    case Tool::kFlyway:
      return {"src/main/resources/db/migration", "db/migration", "sql"};
    case Tool::kGolangMigrate:
      return {"migrations", "db/migrations"};
    case Tool::kDbmate:
      return {"db/migrations"};
    case Tool::kDiesel:
      return {"migrations"};
    case Tool::kLiquibase:
      return {"changelog.sql", "db/changelog", "src/main/resources/db/changelog"};
    case Tool::kSqitch:
      return {"."};
  }
  return {};
}

namespace {

Status ReadBytes(const std::string& path, std::string& out) {
  std::string why;
  auto bytes = base::ReadFile(path, &why);
  if (!bytes) {
    return Status(ErrorCode::kIo, fmt::format("cannot read '{}': {}", path, why))
        .WithSpan({path, 0, 0})
        .WithHint("check that the file exists and is readable by this user");
  }
  out = std::move(*bytes);
  return Status::Ok();
}

// Regular files directly in `dir` (or, with `recursive`, below it), relative, sorted by name.
Result<std::vector<std::string>> ListDir(const std::string& dir, bool recursive, bool dirs_too) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status(ErrorCode::kIo, fmt::format("'{}' is not a directory", dir))
        .WithHint("point --source at the tool's migrations directory");
  }
  std::vector<std::string> out;
  auto add = [&](const fs::directory_entry& e) {
    std::string name = e.path().filename().string();
    if (name.starts_with(".")) return;
    if (e.is_regular_file() || (dirs_too && e.is_directory())) {
      out.push_back(fs::relative(e.path(), dir).generic_string());
    }
  };
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory() && it->path().filename().string().starts_with(".")) {
        it.disable_recursion_pending();
        continue;
      }
      add(*it);
    }
  } else {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
      add(*it);
    }
  }
  if (ec) return Status(ErrorCode::kIo, fmt::format("cannot list '{}': {}", dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

std::string Join(const std::string& dir, const std::string& rel) {
  return (fs::path(dir) / rel).generic_string();
}

// A description usable in a strata file name: letters, digits, '_' and '-' kept, anything
// else one '_'.
std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (keep) {
      out.push_back(c);
    } else if (out.empty() || out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  return out.empty() ? "migration" : out;
}

constexpr std::string_view kNoTransaction = "-- strata:transaction off\n";

// The file text strata runs: `body`, with the directive first when the tool ran it outside a
// transaction.
std::string WithDirective(std::string body, bool transactional) {
  if (transactional) return body;
  return std::string(kNoTransaction) + body;
}

// Liquibase's splitStatements:false: the changeset's body is sent as one statement.
constexpr std::string_view kNoSplit = "-- strata:split off\n";

Status DuplicateKey(const ToolMigration& a, const ToolMigration& b, std::string_view what) {
  return Status(ErrorCode::kDuplicateVersion,
                fmt::format("{} {} is used by two files: '{}' and '{}'", what, b.key, a.source,
                            b.source))
      .WithSpan({b.source, 0, 0})
      .WithHint(
          "the tool would refuse this too: give one of them a new version and apply it "
          "with the tool, then rerun `strata import`");
}

// The tool's migrations in the tool's order (`less`); two files with one version are refused.
template <typename Less>
Result<Layout> InToolOrder(Layout lay, Less less) {
  std::stable_sort(lay.migrations.begin(), lay.migrations.end(), less);
  for (size_t i = 1; i < lay.migrations.size(); ++i) {
    if (lay.migrations[i].key == lay.migrations[i - 1].key) {
      return DuplicateKey(lay.migrations[i - 1], lay.migrations[i], "version");
    }
  }
  return lay;
}

// --- Flyway: V<version>__<desc>.sql, R__<desc>.sql, in any subdirectory.
Result<Layout> ReadFlyway(const std::string& source) {
  Layout lay;
  lay.source = source;
  STRATA_ASSIGN_OR_RETURN(auto names, ListDir(source, true, false));
  std::map<std::string, std::string> conf;  // script -> its .conf text
  for (const auto& rel : names) {
    if (rel.ends_with(".sql.conf")) {
      std::string text;
      STRATA_TRY(ReadBytes(Join(source, rel), text));
      conf[rel.substr(0, rel.size() - 5)] = text;
    }
  }
  for (const auto& rel : names) {
    std::string path = Join(source, rel);
    std::string base = fs::path(rel).filename().string();
    if (rel.ends_with(".sql.conf")) continue;
    if (base.ends_with(".java") || base.ends_with(".class") || base.ends_with(".kt")) {
      lay.not_carried.push_back(path + ": a Java migration (strata runs SQL files only)");
      continue;
    }
    if (!base.ends_with(".sql")) {
      lay.not_carried.push_back(path + ": not a Flyway SQL migration");
      continue;
    }
    size_t sep = base.find("__");
    char prefix = base[0];
    if (prefix == 'U' && sep != std::string::npos) {
      lay.not_carried.push_back(path + ": an undo migration (strata rolls forward)");
      continue;
    }
    if ((prefix != 'V' && prefix != 'R') || sep == std::string::npos) {
      lay.not_carried.push_back(path + ": not a V or R migration (a Flyway callback?)");
      continue;
    }
    ToolMigration m;
    m.source = path;
    std::string stem = base.substr(0, base.size() - 4);
    if (prefix == 'V') {
      auto v = migrate::Version::Parse(stem.substr(1, sep - 1));
      if (!v) {
        return Status(ErrorCode::kBadMigrationName,
                      fmt::format("'{}': '{}' is not a version", path, stem.substr(1, sep - 1)))
            .WithSpan({path, 0, 0})
            .WithHint("Flyway versions are numbers separated by '.' or '_'");
      }
      m.key = v->text();
    } else {
      m.repeatable = true;
      m.key = stem.substr(sep + 2);
      std::replace(m.key.begin(), m.key.end(), '_', ' ');
    }
    m.description = stem.substr(sep + 2);
    m.script = rel;
    STRATA_TRY(ReadBytes(path, m.text));
    m.checksum = std::to_string(FlywayChecksum(m.text));
    if (auto c = conf.find(rel); c != conf.end()) {
      std::string lower = base::ToLower(c->second);
      lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
      if (lower.find("executeintransaction=false") != std::string::npos) {
        m.transactional = false;
        m.text = WithDirective(std::move(m.text), false);
        m.notes.push_back(rel + ".conf executeInTransaction=false: -- strata:transaction off");
      }
      lay.not_carried.push_back(path +
                                ".conf: per-script settings (transaction carried; "
                                "others not)");
    }
    lay.migrations.push_back(std::move(m));
  }
  // Versioned in version order, then repeatable by name: Flyway's order and strata's.
  std::stable_sort(lay.migrations.begin(), lay.migrations.end(),
                   [](const ToolMigration& a, const ToolMigration& b) {
                     if (a.repeatable != b.repeatable) return !a.repeatable;
                     if (a.repeatable) return a.script < b.script;
                     return *migrate::Version::Parse(a.key) < *migrate::Version::Parse(b.key);
                   });
  for (size_t i = 1; i < lay.migrations.size(); ++i) {
    const auto& a = lay.migrations[i - 1];
    const auto& b = lay.migrations[i];
    if (!a.repeatable && !b.repeatable &&
        *migrate::Version::Parse(a.key) == *migrate::Version::Parse(b.key)) {
      return DuplicateKey(a, b, "version");
    }
  }
  return lay;
}

// --- golang-migrate: <version>_<title>.up.<ext> / .down.<ext>, one directory.
Result<Layout> ReadGolangMigrate(const std::string& source) {
  Layout lay;
  lay.source = source;
  STRATA_ASSIGN_OR_RETURN(auto names, ListDir(source, false, false));
  static const std::regex kName(R"(^([0-9]+)_(.*)\.(up|down)\.([A-Za-z0-9]+)$)");
  for (const auto& rel : names) {
    std::string path = Join(source, rel);
    std::smatch mt;
    if (!std::regex_match(rel, mt, kName)) {
      lay.not_carried.push_back(path + ": not a golang-migrate migration");
      continue;
    }
    if (mt[3] == "down") {
      lay.not_carried.push_back(path + ": a down migration (strata rolls forward)");
      continue;
    }
    if (mt[4] != "sql") {
      lay.not_carried.push_back(path + ": not SQL");
      continue;
    }
    ToolMigration m;
    m.source = path;
    std::string digits = mt[1];
    size_t nz = digits.find_first_not_of('0');
    m.key = nz == std::string::npos ? "0" : digits.substr(nz);  // schema_migrations is a bigint
    m.description = mt[2].str().empty() ? "migration" : Slug(mt[2].str());
    m.version = digits;
    STRATA_TRY(ReadBytes(path, m.text));
    lay.migrations.push_back(std::move(m));
  }
  return InToolOrder(std::move(lay), [](const ToolMigration& a, const ToolMigration& b) {
    return *migrate::Version::Parse(a.key) < *migrate::Version::Parse(b.key);
  });
}

// --- dbmate: <version>_<name>.sql with `-- migrate:up [transaction:false]` and
// `-- migrate:down` sections.
Result<Layout> ReadDbmate(const std::string& source) {
  Layout lay;
  lay.source = source;
  STRATA_ASSIGN_OR_RETURN(auto names, ListDir(source, false, false));
  static const std::regex kName(R"(^([0-9]+)_?(.*)\.sql$)");
  for (const auto& rel : names) {
    std::string path = Join(source, rel);
    std::smatch mt;
    if (!std::regex_match(rel, mt, kName)) {
      lay.not_carried.push_back(path + ": not a dbmate migration");
      continue;
    }
    ToolMigration m;
    m.source = path;
    m.key = mt[1];
    m.description = mt[2].str().empty() ? "migration" : Slug(mt[2].str());
    std::string bytes;
    STRATA_TRY(ReadBytes(path, bytes));
    std::string text = base::NormalizeText(bytes);
    // Sections start at a line beginning with the marker.
    size_t up = std::string::npos, down = std::string::npos;
    for (size_t pos = 0; pos < text.size();) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      std::string_view line(text.data() + pos, eol - pos);
      if (line.starts_with("-- migrate:up") && up == std::string::npos) up = pos;
      if (line.starts_with("-- migrate:down") && down == std::string::npos) down = pos;
      pos = eol + 1;
    }
    if (up == std::string::npos) {
      return Status(ErrorCode::kBadMigrationName,
                    fmt::format("'{}' has no `-- migrate:up` line", path))
          .WithSpan({path, 1, 1})
          .WithHint("dbmate refuses such a file too: add `-- migrate:up` above its statements");
    }
    size_t up_eol = text.find('\n', up);
    std::string marker =
        text.substr(up, up_eol == std::string::npos ? std::string::npos : up_eol - up);
    size_t body_start = up_eol == std::string::npos ? text.size() : up_eol + 1;
    size_t body_end = down != std::string::npos && down > up ? down : text.size();
    std::string body = text.substr(body_start, body_end - body_start);
    if (marker.find("transaction:false") != std::string::npos) {
      m.transactional = false;
      m.notes.push_back("`-- migrate:up transaction:false`: -- strata:transaction off");
    }
    if (down != std::string::npos && down > up) {
      std::string rest = text.substr(
          text.find('\n', down) == std::string::npos ? text.size() : text.find('\n', down) + 1);
      if (!base::Trim(rest).empty()) {
        lay.not_carried.push_back(path + ": its `-- migrate:down` section (strata rolls forward)");
      }
    }
    m.text = WithDirective(std::move(body), m.transactional);
    lay.migrations.push_back(std::move(m));
  }
  return InToolOrder(std::move(lay),
                     [](const ToolMigration& a, const ToolMigration& b) { return a.key < b.key; });
}

// --- Diesel: <version>_<name>/{up.sql,down.sql,metadata.toml}; the version without '-',
// compared as a string.
Result<Layout> ReadDiesel(const std::string& source) {
  Layout lay;
  lay.source = source;
  STRATA_ASSIGN_OR_RETURN(auto names, ListDir(source, false, true));
  static const std::regex kName(R"(^([0-9-]+)_(.+)$)");
  for (const auto& rel : names) {
    std::string dir = Join(source, rel);
    std::smatch mt;
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || !std::regex_match(rel, mt, kName)) {
      lay.not_carried.push_back(dir + ": not a Diesel migration directory");
      continue;
    }
    ToolMigration m;
    m.source = dir + "/up.sql";
    m.key = mt[1];
    m.key.erase(std::remove(m.key.begin(), m.key.end(), '-'), m.key.end());
    m.description = Slug(mt[2].str());
    STRATA_ASSIGN_OR_RETURN(auto files, ListDir(dir, false, true));
    bool has_up = false;
    for (const auto& f : files) {
      if (f == "up.sql") {
        has_up = true;
      } else if (f == "down.sql") {
        lay.not_carried.push_back(Join(dir, f) + ": a down migration (strata rolls forward)");
      } else if (f != "metadata.toml") {
        lay.not_carried.push_back(Join(dir, f) + ": not part of a Diesel migration");
      }
    }
    if (!has_up) {
      return Status(ErrorCode::kBadMigrationName, fmt::format("'{}' has no up.sql", dir))
          .WithSpan({dir, 0, 0})
          .WithHint("Diesel refuses such a directory too: add up.sql or remove the directory");
    }
    std::string meta_path = dir + "/metadata.toml";
    if (fs::exists(meta_path, ec)) {
      std::string meta;
      STRATA_TRY(ReadBytes(meta_path, meta));
      try {
        auto tbl = toml::parse(meta, meta_path);
        if (auto v = tbl["run_in_transaction"].value<bool>(); v && !*v) {
          m.transactional = false;
          m.notes.push_back("metadata.toml run_in_transaction = false: -- strata:transaction off");
        }
      } catch (const toml::parse_error& e) {
        return Status(ErrorCode::kConfig, fmt::format("'{}': {}", meta_path, e.description()))
            .WithSpan({meta_path, static_cast<int>(e.source().begin.line),
                       static_cast<int>(e.source().begin.column)})
            .WithHint("fix the TOML (Diesel could not read it either)");
      }
    }
    STRATA_TRY(ReadBytes(m.source, m.text));
    m.text = WithDirective(std::move(m.text), m.transactional);
    lay.migrations.push_back(std::move(m));
  }
  return InToolOrder(std::move(lay),
                     [](const ToolMigration& a, const ToolMigration& b) { return a.key < b.key; });
}

// --- Liquibase formatted SQL: `--liquibase formatted sql`, then `--changeset author:id ...`.
Status ReadFormattedSql(const std::string& path, Layout& lay) {
  std::string bytes;
  STRATA_TRY(ReadBytes(path, bytes));
  std::string text = base::NormalizeText(bytes);
  auto lines = base::SplitLines(text);
  static const std::regex kChangeset(R"(^--\s*changeset\s+([^:\s]+):(\S+)(.*)$)",
                                     std::regex::icase);
  ToolMigration* cur = nullptr;
  bool split = true;  // the current changeset's splitStatements
  std::string sql;
  int cur_line = 0;
  auto finish = [&] {
    if (!cur) return;
    std::string body(base::Trim(sql));
    cur->checksum = LiquibaseChecksumV9(body);
    cur->text =
        WithDirective((split ? "" : std::string(kNoSplit)) + body + "\n", cur->transactional);
    sql.clear();
  };
  int line_no = 0;
  bool header = false;
  for (auto line : lines) {
    ++line_no;
    std::string l(line);
    std::string_view t = base::Trim(line);
    if (line_no == 1 || !header) {
      if (base::StartsWithIgnoreCase(t, "--liquibase formatted sql")) {
        header = true;
        continue;
      }
      if (t.empty()) continue;
      lay.not_carried.push_back(path +
                                ": not a Liquibase formatted SQL changelog "
                                "(its first line is not `--liquibase formatted sql`)");
      return Status::Ok();
    }
    std::smatch mt;
    if (std::regex_match(l, mt, kChangeset)) {
      finish();
      ToolMigration& m = lay.migrations.emplace_back();
      cur = &m;
      cur_line = line_no;
      m.key = mt[1].str() + ":" + mt[2].str();
      m.source = fmt::format("{}:{}", path, cur_line);
      m.description = Slug(mt[1].str() + "_" + mt[2].str());
      std::string attrs = mt[3];
      auto has = [&](std::string_view a) {
        return base::ToLower(attrs).find(a) != std::string::npos;
      };
      if (has("runintransaction:false")) {
        m.transactional = false;
        m.notes.push_back("runInTransaction:false: -- strata:transaction off");
      }
      split = !has("splitstatements:false");
      if (!split) {
        m.notes.push_back("splitStatements:false: -- strata:split off (the body is one statement)");
      }
      if (has("enddelimiter:")) {
        m.notes.push_back("endDelimiter: not carried; strata ends statements with ';'");
      }
      if (has("runonchange:true") || has("runalways:true")) {
        m.notes.push_back("runOnChange/runAlways: not carried; strata runs it once");
      }
      if (has("context:") || has("labels:") || has("dbms:")) {
        m.notes.push_back("context/labels/dbms filters: not carried; strata always runs it");
      }
      continue;
    }
    if (!cur) continue;
    std::string lower = base::ToLower(t);
    if (lower.starts_with("--rollback")) {
      lay.not_carried.push_back(fmt::format(
          "{}:{}: the rollback of changeset {} (strata rolls forward)", path, line_no, cur->key));
      continue;
    }
    if (lower.starts_with("--precondition") || lower.starts_with("--validchecksum") ||
        lower.starts_with("--ignorelines")) {
      lay.not_carried.push_back(fmt::format("{}:{}: `{}` of changeset {}", path, line_no,
                                            std::string(t.substr(0, 40)), cur->key));
      continue;
    }
    if (lower.starts_with("--comment:") || lower.starts_with("-- comment:")) continue;
    sql.append(l).append("\n");
  }
  finish();
  return Status::Ok();
}

Result<Layout> ReadLiquibase(const std::string& source) {
  Layout lay;
  lay.source = source;
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(source, ec)) {
    STRATA_ASSIGN_OR_RETURN(auto names, ListDir(source, true, false));
    for (auto& n : names) files.push_back(Join(source, n));  // includeAll's order: by path
  } else {
    files.push_back(source);
  }
  for (const auto& f : files) {
    std::string ext = fs::path(f).extension().string();
    if (ext == ".xml" || ext == ".yaml" || ext == ".yml" || ext == ".json") {
      lay.not_carried.push_back(
          f + ": a Liquibase " + ext.substr(1) +
          " changelog (strata carries formatted SQL changelogs; convert its changesets to "
          "formatted SQL with `liquibase generate-changelog` or by hand)");
      continue;
    }
    if (ext != ".sql") {
      lay.not_carried.push_back(f + ": not a Liquibase changelog");
      continue;
    }
    STRATA_TRY(ReadFormattedSql(f, lay));
  }
  for (size_t i = 0; i < lay.migrations.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (lay.migrations[i].key == lay.migrations[j].key) {
        return Status(ErrorCode::kDuplicateVersion,
                      fmt::format("changeset {} is defined twice: {} and {}", lay.migrations[i].key,
                                  lay.migrations[j].source, lay.migrations[i].source))
            .WithSpan({lay.migrations[i].source, 0, 0})
            .WithHint("Liquibase identifies a changeset by author:id; give one a new id");
      }
    }
  }
  return lay;
}

// --- sqitch: sqitch.plan lists changes in order; deploy/<change>.sql.
Result<Layout> ReadSqitch(const std::string& source) {
  Layout lay;
  lay.source = source;
  std::string plan_path = Join(source, "sqitch.plan");
  std::string plan;
  STRATA_TRY(ReadBytes(plan_path, plan));
  std::string text = base::NormalizeText(plan);
  int line_no = 0;
  std::map<std::string, int> seen;
  for (auto line : base::SplitLines(text)) {
    ++line_no;
    std::string_view t = base::Trim(line);
    if (t.starts_with("%project=")) {
      lay.project = std::string(base::Trim(t.substr(9)));
      continue;
    }
    if (t.empty() || t[0] == '%' || t[0] == '#') continue;
    if (t[0] == '@') {
      lay.not_carried.push_back(
          fmt::format("{}:{}: tag {} (strata tags releases with "
                      "`strata tag`)",
                      plan_path, line_no, t.substr(0, t.find(' '))));
      continue;
    }
    std::string name(t.substr(0, t.find_first_of(" \t")));
    if (seen.count(name)) {
      return Status(ErrorCode::kBadMigrationName,
                    fmt::format("{}:{}: change '{}' is reworked (it also appears on line {})",
                                plan_path, line_no, name, seen[name]))
          .WithSpan({plan_path, line_no, 1})
          .WithHint(
              "strata imports plans without reworked changes: import before the rework, "
              "or fold the rework into a new change");
    }
    seen[name] = line_no;
    ToolMigration m;
    m.key = name;
    m.source = Join(source, "deploy/" + name + ".sql");
    m.description = Slug(name);
    std::string bytes;
    STRATA_TRY(ReadBytes(m.source, bytes));
    m.checksum = Sha1Hex(bytes);
    // sqitch's convention wraps each script in BEGIN; ... COMMIT;. strata runs the file in its
    // own transaction with its ledger row, so the wrapper comes off.
    std::string body = base::NormalizeText(bytes);
    auto lines = base::SplitLines(body);
    int first = -1, last = -1;
    for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
      std::string up = base::ToUpper(base::Trim(lines[i]));
      if (first < 0 && (up == "BEGIN;" || up == "BEGIN TRANSACTION;")) first = i;
      if (up == "COMMIT;") last = i;
    }
    if (first >= 0 && last > first) {
      std::string out;
      for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
        if (i == first || i == last) continue;
        out.append(lines[i]).append("\n");
      }
      body = std::move(out);
      m.notes.push_back(
          "its BEGIN; ... COMMIT; wrapper removed: strata runs it in one "
          "transaction with its ledger row");
    }
    m.text = std::move(body);
    for (const char* dir : {"revert", "verify"}) {
      std::string other = Join(source, std::string(dir) + "/" + name + ".sql");
      std::error_code ec;
      if (fs::exists(other, ec)) {
        lay.not_carried.push_back(other + (std::string_view(dir) == "revert"
                                               ? ": a revert script (strata rolls forward)"
                                               : ": a verify script (strata's post-checks are "
                                                 "the equivalent: docs/formats/checks.md)"));
      }
    }
    lay.migrations.push_back(std::move(m));
  }
  return lay;
}

}  // namespace

Result<Layout> ReadLayout(Tool tool, const std::string& source) {
  switch (tool) {
    case Tool::kFlyway:
      return ReadFlyway(source);
    case Tool::kGolangMigrate:
      return ReadGolangMigrate(source);
    case Tool::kDbmate:
      return ReadDbmate(source);
    case Tool::kDiesel:
      return ReadDiesel(source);
    case Tool::kLiquibase:
      return ReadLiquibase(source);
    case Tool::kSqitch:
      return ReadSqitch(source);
  }
  return Status(ErrorCode::kInternal, "unknown tool");
}

std::optional<std::vector<std::string>> StringOrderedVersions(const std::vector<std::string>& v) {
  if (v.empty()) return v;
  size_t shortest = v[0].size(), longest = v[0].size();
  for (const auto& s : v) {
    shortest = std::min(shortest, s.size());
    longest = std::max(longest, s.size());
  }
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& s : v) {
    out.push_back(s.size() == shortest || shortest == longest
                      ? s
                      : s.substr(0, shortest) + ".1" + s.substr(shortest));
  }
  for (size_t i = 1; i < out.size(); ++i) {
    auto a = migrate::Version::Parse(out[i - 1]);
    auto b = migrate::Version::Parse(out[i]);
    if (!a || !b || !(*a < *b)) return std::nullopt;
  }
  return out;
}

Status AssignVersions(Tool tool, std::vector<ToolMigration>& migrations) {
  switch (tool) {
    case Tool::kFlyway:
      for (auto& m : migrations) {
        if (!m.repeatable) m.version = migrate::Version::Parse(m.key)->text();
      }
      return Status::Ok();  // the script (the file's own name) is kept
    case Tool::kGolangMigrate:
      break;  // its numbers, already in m.version
    case Tool::kDbmate:
    case Tool::kDiesel: {
      std::vector<std::string> keys;
      for (const auto& m : migrations) keys.push_back(m.key);
      auto mapped = StringOrderedVersions(keys);
      if (!mapped) {
        return Status(ErrorCode::kBadMigrationName,
                      fmt::format("{}'s versions cannot be given strata versions that keep "
                                  "their string order",
                                  ToolName(tool)))
            .WithHint("rename the migrations so their versions have one length");
      }
      for (size_t i = 0; i < migrations.size(); ++i) migrations[i].version = (*mapped)[i];
      break;
    }
    case Tool::kLiquibase:
    case Tool::kSqitch: {
      size_t width = std::max<size_t>(3, std::to_string(migrations.size()).size());
      for (size_t i = 0; i < migrations.size(); ++i) {
        migrations[i].version = fmt::format("{:0{}}", i + 1, width);
      }
      break;
    }
  }
  for (auto& m : migrations) {
    m.script = fmt::format("V{}__{}.sql", m.version, m.description);
  }
  return Status::Ok();
}

}  // namespace strata::import
