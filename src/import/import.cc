// `strata import`: checks the other tool's files against its table, then writes strata's files,
// strata.sum and IMPORTED ledger rows. Nothing is written until every check passed.
#include "import/import.h"

#include "strata/commands.h"

#include "base/duration.h"
#include "base/file.h"
#include "base/host.h"
#include "base/text.h"
#include "migrate/discovery.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"
#include "migrate/version.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

namespace strata {

namespace fs = std::filesystem;
using import::History;
using import::Tool;
using import::ToolMigration;
using import::ToolRow;

namespace {

// The next step after a file changed since the tool applied it, per tool.
std::string RestoreHint(Tool tool) {
  switch (tool) {
    case Tool::kFlyway:
      return "restore the file as Flyway applied it (git log -p), or, if the edit is meant, run "
             "`flyway repair` first so its table holds the new checksum; then rerun `strata "
             "import`";
    case Tool::kLiquibase:
      return "restore the changeset as Liquibase ran it (git log -p), or, if the edit is meant, "
             "run `liquibase clear-checksums` and `liquibase update` first; then rerun `strata "
             "import`";
    default:
      return "restore the script as the tool deployed it (git log -p), then rerun `strata "
             "import`";
  }
}

bool SameVersion(const std::string& a, const std::string& b) {
  auto va = migrate::Version::Parse(a);
  auto vb = migrate::Version::Parse(b);
  return va && vb ? *va == *vb : a == b;
}

}  // namespace

ImportResult Import(const Options& options, const ImportRequest& request) {
  ImportResult res;
  res.dry_run = request.dry_run;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  auto tool_opt = import::ParseTool(request.from);
  if (!tool_opt) {
    return fail(Status(ErrorCode::kUsage,
                       fmt::format("--from '{}' is not a tool strata imports", request.from))
                    .WithHint("use one of flyway, golang-migrate, dbmate, diesel, liquibase, "
                              "sqitch"));
  }
  Tool tool = *tool_opt;
  res.tool = std::string(import::ToolName(tool));
  // 1. The tool's files.
  std::string source = request.source;
  if (source.empty()) {
    for (const auto& d : import::DefaultSources(tool)) {
      std::error_code ec;
      if (fs::exists(d, ec)) {
        source = d;
        break;
      }
    }
    if (source.empty()) {
      return fail(
          Status(ErrorCode::kUsage, fmt::format("no {} migrations found at {}", res.tool,
                                                fmt::join(import::DefaultSources(tool), ", ")))
              .WithHint("name them with --source <dir>"));
    }
  }
  res.source = source;
  auto layout = import::ReadLayout(tool, source);
  if (!layout) return fail(layout.error());
  res.not_carried = layout->not_carried;
  auto& migs = layout->migrations;
  if (Status s = import::AssignVersions(tool, migs); !s.ok()) return fail(std::move(s));
  if (options.locations.empty()) {
    return fail(Status(ErrorCode::kConfig, "no migration location to import into")
                    .WithHint("set `locations` in strata.toml or pass --locations"));
  }
  res.location = options.locations.front();

  // 2. strata's view of the result: the files already in the locations plus the imported ones
  // (an identical file already there, as when Flyway's directory is strata's, counts once).
  std::vector<std::string> ignored;
  std::vector<migrate::SourceFile> files;
  {
    std::vector<std::string> existing_locs;
    for (const auto& loc : options.locations) {
      std::error_code ec;
      if (fs::is_directory(loc, ec)) existing_locs.push_back(loc);
    }
    if (!existing_locs.empty()) {
      auto read = migrate::ReadLocations(existing_locs, options.ignore_patterns, &ignored);
      if (!read) return fail(read.error());
      files = std::move(*read);
    }
  }
  std::map<std::string, size_t> existing;  // script in the first location -> index in files
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].location == res.location) existing[files[i].script] = i;
  }
  for (auto& m : migs) {
    ImportedMigration im;
    im.source = m.source;
    im.tool_id = m.key;
    im.script = m.script;
    im.version = m.version;
    im.transactional = m.transactional;
    im.notes = m.notes;
    auto it = existing.find(m.script);
    if (it != existing.end()) {
      if (base::NormalizeText(files[it->second].bytes) != base::NormalizeText(m.text)) {
        std::string path = files[it->second].path;
        return fail(Status(ErrorCode::kIo,
                           fmt::format("'{}' already exists with other content than {} carried "
                                       "from '{}'",
                                       path, res.tool, m.source))
                        .WithSpan({path, 0, 0})
                        .WithHint("strata never overwrites a file: move it away, or import into "
                                  "another location with --locations"));
      }
    } else {
      migrate::SourceFile f;
      f.location = res.location;
      f.script = m.script;
      f.path = (fs::path(res.location) / m.script).generic_string();
      f.bytes = m.text;
      files.push_back(std::move(f));
      im.written = true;
    }
    res.migrations.push_back(std::move(im));
  }
  auto set = migrate::Resolve(std::move(files));
  if (!set) return fail(set.error());
  // strata's order must be the tool's order.
  {
    std::vector<std::string> tool_order, strata_order;
    std::set<std::string> ours;
    for (const auto& m : migs) {
      if (!m.repeatable) tool_order.push_back(m.script), ours.insert(m.script);
    }
    for (const auto& m : set->migrations) {
      if (m.kind == migrate::Kind::kVersioned && ours.count(m.script) &&
          m.location == res.location) {
        strata_order.push_back(m.script);
      }
    }
    if (tool_order != strata_order) {
      return fail(Status(ErrorCode::kInternal,
                         "strata's version order differs from the tool's for the imported files")
                      .WithHint("please report this with the list of file names"));
    }
  }
  std::map<std::string, const migrate::Migration*> by_script;
  for (const auto& m : set->migrations) {
    if (m.location == res.location) by_script[m.script] = &m;
  }

  // 3. The tool's table, checked against the files.
  std::optional<session::Session> ctx;
  std::vector<std::pair<size_t, const ToolRow*>> applied;  // migs index, row
  std::optional<std::string> baseline_version;
  History hist;
  // No database to read: no URL, or a SQLite file that does not exist (the default URL of a
  // project that never had one). Then only the files are carried.
  bool has_database = !options.url.empty();
  if (has_database) {
    auto u = db::ParseUrl(options.url);
    if (!u) return fail(u.error());
    std::error_code ec;
    if (u->dialect == db::Dialect::kSqlite && u->sqlite_path != ":memory:" &&
        !fs::exists(u->sqlite_path, ec)) {
      has_database = false;
    }
  }
  if (has_database) {
    auto c = session::Open(options, "import");
    if (!c) return fail(c.error());
    ctx = std::move(*c);
    res.target = ctx->url.redacted;
    std::unique_ptr<db::Connection> registry;
    db::Connection* tool_conn = ctx->conn.get();
    if (tool == Tool::kSqitch && ctx->conn->dialect() == db::Dialect::kSqlite) {
      // sqitch keeps its SQLite registry in a database of its own beside the target.
      std::string url = request.registry;
      if (url.empty()) {
        url = "sqlite:" +
              (fs::path(ctx->url.sqlite_path).parent_path() / "sqitch.db").generic_string();
      }
      auto u = db::ParseUrl(url);
      if (!u) return fail(u.error());
      u->may_create = false;
      auto rc = db::Connect(*u, "strata import (sqitch registry)");
      if (!rc) {
        return fail(
            Status(ErrorCode::kConnection, fmt::format("cannot open sqitch's registry {}: {}",
                                                       u->redacted, rc.error().message()))
                .WithHint("name it with --registry sqlite:<path of sqitch.db>"));
      }
      registry = std::move(*rc);
      tool_conn = registry.get();
    }
    auto h = import::ReadHistory(tool, *tool_conn, request.table, layout->project);
    if (!h) return fail(h.error());
    hist = std::move(*h);
    res.table = hist.table;

    if (hist.dirty) {
      std::string file;
      for (const auto& m : migs) {
        if (m.key == *hist.current_version) file = m.source;
      }
      return fail(Status(ErrorCode::kValidation,
                         fmt::format("{}: version {} is dirty: golang-migrate stopped in the "
                                     "middle of {} and the database may hold part of it",
                                     hist.table, *hist.current_version,
                                     file.empty() ? "that migration" : "'" + file + "'"))
                      .WithSpan({file, 0, 0})
                      .WithHint(fmt::format(
                          "finish or undo that migration by hand, then `migrate force {}` (or "
                          "the version before it) and rerun `strata import`; nothing was written",
                          *hist.current_version)));
    }
    std::map<std::string, size_t> by_key;
    for (size_t i = 0; i < migs.size(); ++i) by_key[migs[i].key] = i;
    auto find = [&](const ToolRow& r) -> std::optional<size_t> {
      for (size_t i = 0; i < migs.size(); ++i) {
        bool versioned_key = tool == Tool::kFlyway || tool == Tool::kGolangMigrate;
        if (tool == Tool::kFlyway && (migs[i].repeatable != r.kind.starts_with("R:"))) continue;
        if (versioned_key && !migs[i].repeatable ? SameVersion(migs[i].key, r.key)
                                                 : migs[i].key == r.key) {
          return i;
        }
      }
      return std::nullopt;
    };
    if (tool == Tool::kGolangMigrate && hist.current_version) {
      ToolRow cur;
      cur.key = *hist.current_version;
      cur.where = fmt::format("{} version {}", hist.table, cur.key);
      auto at = find(cur);
      if (!at) {
        return fail(
            Status(ErrorCode::kValidation, fmt::format("{} records version {}, but {} has no "
                                                       "{}_*.up.sql",
                                                       hist.table, cur.key, source, cur.key))
                .WithHint("restore the migration files golang-migrate applied, then rerun "
                          "`strata import`"));
      }
      for (size_t i = 0; i <= *at; ++i) {
        hist.rows.push_back(ToolRow{migs[i].key, "", "", "", 0, true, "SQL",
                                    fmt::format("{} (version {} reached)", hist.table, cur.key)});
      }
    }
    std::map<size_t, const ToolRow*> latest;  // a repeatable may have run several times
    for (const auto& r : hist.rows) {
      if (tool == Tool::kFlyway) {
        if (r.kind == "R:SCHEMA" || r.kind == "SCHEMA" || r.kind == "DELETE" ||
            r.kind == "R:DELETE") {
          continue;
        }
        if (r.kind == "BASELINE" || r.kind == "SQL_BASELINE") {
          baseline_version = r.key;
          continue;
        }
        if (!r.success) {
          return fail(Status(ErrorCode::kValidation,
                             fmt::format("{}: migration {} failed under Flyway", r.where, r.key))
                          .WithHint("fix it the Flyway way (`flyway repair`, then `flyway "
                                    "migrate`) before importing; nothing was written"));
        }
        if (r.kind != "SQL" && r.kind != "R:SQL") {
          return fail(Status(ErrorCode::kValidation,
                             fmt::format("{}: migration {} is a {} migration; strata carries "
                                         "SQL migrations only",
                                         r.where, r.key, r.kind))
                          .WithHint("port it to a SQL file with the same version in the source "
                                    "directory (Flyway will see the same version), then rerun "
                                    "`strata import`"));
        }
      }
      auto at = find(r);
      if (!at) {
        return fail(
            Status(ErrorCode::kValidation,
                   fmt::format("{}: {} applied {}, but '{}' has no such migration", r.where,
                               res.tool, r.key, source))
                .WithHint("restore the file the tool applied (git log), or point --source at "
                          "the right directory; then rerun `strata import`"));
      }
      latest[*at] = &r;
    }
    // Checksums the tool keeps: the files must still be what it applied.
    for (const auto& [i, r] : latest) {
      const ToolMigration& m = migs[i];
      if (r->checksum.empty() || m.checksum.empty()) continue;
      bool verifiable = tool != Tool::kLiquibase || r->checksum.starts_with("9:");
      if (!verifiable) {
        res.migrations[i].notes.push_back(fmt::format(
            "MD5SUM {} is of an older Liquibase checksum version: not compared", r->checksum));
        continue;
      }
      if (r->checksum != m.checksum) {
        std::string what = tool == Tool::kLiquibase ? "changeset" : "file";
        return fail(
            Status(ErrorCode::kValidation,
                   fmt::format("{} '{}' changed after {} applied it: {} records checksum "
                               "{}, the {} now has {}",
                               what, m.source, res.tool, r->where, r->checksum, what, m.checksum))
                .WithSpan({m.source, 0, 0})
                .WithHint(RestoreHint(tool)));
      }
    }
    // A gap: a migration the tool never applied below one it did.
    std::optional<size_t> last;
    for (const auto& [i, r] : latest) {
      if (!migs[i].repeatable && (!last || i > *last)) last = i;
    }
    for (size_t i = 0; last && i < *last; ++i) {
      if (migs[i].repeatable || latest.count(i)) continue;
      if (baseline_version) {
        auto b = migrate::Version::Parse(*baseline_version);
        auto v = migrate::Version::Parse(migs[i].version);
        if (b && v && !(*b < *v)) continue;  // inside Flyway's baseline
      }
      return fail(
          Status(ErrorCode::kValidation,
                 fmt::format("gap in the history: {} never applied '{}', but it applied "
                             "the later '{}' ({})",
                             res.tool, migs[i].source, migs[*last].source, latest[*last]->where))
              .WithSpan({migs[i].source, 0, 0})
              .WithHint(
                  fmt::format("apply it with {} first (or delete it if it is obsolete), then rerun "
                              "`strata import`; nothing was written",
                              res.tool)));
    }
    for (const auto& [i, r] : latest) applied.emplace_back(i, r);
    for (const auto& [i, r] : applied) {
      auto& im = res.migrations[i];
      im.applied = true;
      im.tool_checksum = r->checksum;
      im.applied_on = r->applied_on;
      im.applied_by = r->applied_by;
    }
    // strata's own ledger must not hold migrations yet.
    auto rows = ctx->ledger->ReadAll();
    if (!rows) return fail(rows.error());
    for (const auto& r : *rows) {
      if (r.type != migrate::kTypeRepair) {
        return fail(Status(ErrorCode::kValidation,
                           fmt::format("strata's ledger already has {} row(s); import adopts a "
                                       "database strata has not migrated",
                                       rows->size()))
                        .WithHint("use `strata info` to see its state"));
      }
    }
    res.ledger_rows = static_cast<int>(applied.size()) + (baseline_version ? 1 : 0);
  }
  for (const auto& m : res.migrations) {
    if (m.written) res.files_written.push_back((fs::path(res.location) / m.script).string());
  }
  for (const auto& loc : options.locations) {
    res.files_written.push_back((fs::path(loc) / migrate::kSumFileName).string());
  }
  if (request.dry_run) return res;

  // 4. Write: the files, strata.sum, then the ledger rows in one transaction.
  std::unique_ptr<session::RunRecorder> recorder;
  for (const auto& m : res.migrations) {
    if (!m.written) continue;
    fs::path path = fs::path(res.location) / m.script;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::string why;
    // The file's bytes are the carried text (Resolve normalised its copy).
    std::string text;
    for (const auto& t : migs) {
      if (t.script == m.script) text = t.text;
    }
    if (!base::WriteFileAtomic(path.string(), text, &why)) {
      return fail(Status(ErrorCode::kIo, fmt::format("cannot write {}: {}", path.string(), why)));
    }
  }
  auto sums = migrate::WriteSums(options, *set);
  if (!sums) return fail(sums.error());
  if (!ctx || (applied.empty() && !baseline_version)) return res;

  session::RunLock lock;
  if (Status s = lock.Acquire(*ctx, options.lock_wait, {}); !s.ok()) return fail(std::move(s));
  if (Status s = session::EnsureLedger(*ctx, options, true); !s.ok()) return fail(std::move(s));
  auto rows = ctx->ledger->ReadAll();  // under the lock: still empty?
  if (!rows) return fail(rows.error());
  for (const auto& r : *rows) {
    if (r.type != migrate::kTypeRepair) {
      return fail(Status(ErrorCode::kValidation,
                         "another run wrote strata's ledger while import was checking")
                      .WithHint("run `strata info`"));
    }
  }
  auto rec = session::RunRecorder::Start(*ctx->conn, options, "import", res.target);
  if (!rec) return fail(rec.error());
  recorder = std::move(*rec);
  std::string importer = ctx->conn->DatabaseUser();
  if (importer.empty()) importer = base::OsUser();
  std::string now = base::NowIso8601();
  std::vector<migrate::AppliedRow> out;
  if (baseline_version) {
    migrate::AppliedRow row;
    row.version = migrate::Version::Parse(*baseline_version)->text();
    row.description = "<< Flyway Baseline >>";
    row.type = std::string(migrate::kTypeBaseline);
    row.script = row.description;
    row.installed_by = importer;
    row.installed_on = now;
    row.success = true;
    row.reason = nlohmann::json{{"imported_from", res.tool}, {"table", hist.table}}.dump();
    out.push_back(std::move(row));
  }
  for (const auto& [i, r] : applied) {
    const ToolMigration& m = migs[i];
    const migrate::Migration* sm = by_script.at(m.script);
    migrate::AppliedRow row;
    if (!m.repeatable) row.version = sm->version.text();
    row.description = sm->description;
    row.type = std::string(migrate::kTypeImported);
    row.script = sm->script;
    row.checksum = sm->checksum;
    row.installed_by = r->applied_by.empty() ? importer : r->applied_by;
    row.installed_on = r->applied_on.empty() ? now : r->applied_on;
    row.execution_time_ms = r->execution_time_ms;
    row.success = true;
    nlohmann::json why{{"imported_from", res.tool},
                       {"table", hist.table},
                       {"row", r->where},
                       {"tool_id", m.key},
                       {"tool_checksum", r->checksum.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(r->checksum)},
                       {"applied_on", r->applied_on.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(r->applied_on)},
                       {"applied_by", r->applied_by.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(r->applied_by)},
                       {"imported_on", now},
                       {"imported_by", importer}};
    row.reason = why.dump();
    out.push_back(std::move(row));
  }
  Status s = ctx->conn->Exec(ctx->conn->BeginSql());
  for (size_t k = 0; s.ok() && k < out.size(); ++k) s = ctx->ledger->Append(out[k]);
  if (s.ok()) s = ctx->conn->Exec("COMMIT");
  if (!s.ok()) {
    (void)ctx->conn->Exec("ROLLBACK");
    (void)recorder->Finish(s);
    return fail(std::move(s));
  }
  (void)recorder->Finish(Status::Ok(),
                         nlohmann::json{{"from", res.tool}, {"rows", out.size()}}.dump());
  return res;
}

}  // namespace strata
