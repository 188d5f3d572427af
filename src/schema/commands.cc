// `strata schema dump` and `strata drift --against FILE`, and the schema file migrate writes.
#include "base/file.h"
#include "base/sha256.h"
#include "session/session.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "schema/schema.h"

namespace strata {
namespace schema {

InspectOptions InspectOptionsFor(const Options& options) {
  InspectOptions io;
  io.ledger_table = options.ledger_table;
  io.ignore = options.schema_ignore;
  return io;
}

namespace {

std::int64_t Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

// The live database through the one session layer (connect retry, redaction); read-only verbs
// never create it.
Result<std::unique_ptr<db::Connection>> OpenLive(const Options& options, std::string_view verb,
                                                 std::string* target) {
  STRATA_ASSIGN_OR_RETURN(session::Session s, session::Open(options, verb));
  *target = s.url.redacted;
  return std::move(s.conn);
}

}  // namespace

Status WriteSchemaFile(db::Connection& conn, const Options& options, bool applied_something) {
  if (options.schema_file.empty()) return Status::Ok();
  if (!applied_something && std::filesystem::exists(options.schema_file)) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(Snapshot s, Inspect(conn, InspectOptionsFor(options)));
  std::string text = Render(s);
  if (auto old = base::ReadFile(options.schema_file); old && *old == text) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(options.schema_file).parent_path(), ec);
  std::string err;
  if (!base::WriteFileAtomic(options.schema_file, text, &err)) {
    return Status(ErrorCode::kIo, fmt::format("{}: {}", options.schema_file, err))
        .WithHint("check that its directory is writable, or change [schema] file in strata.toml");
  }
  return Status::Ok();
}

Result<Snapshot> LoadSchemaFile(const std::string& path, const InspectOptions& inspect) {
  std::string err;
  auto text = base::ReadFile(path, &err);
  if (!text) {
    return Status(ErrorCode::kIo, fmt::format("{}: {}", path, err))
        .WithHint("write it with `strata schema dump --out " + path +
                  "` on a database the history built, or pass --against FILE");
  }
  STRATA_ASSIGN_OR_RETURN(Snapshot s, Parse(*text, path));
  if (s.dialect != db::Dialect::kSqlite) {
    Canonicalize(s, inspect.ignore);
    return s;
  }
  // SQLite keeps each object's text as written: build them in memory and read them back the
  // way the live side is read (with columns). Views may name views that sort after them: retry
  // what failed while anything succeeds.
  db::DbUrl mem;
  mem.dialect = db::Dialect::kSqlite;
  mem.raw = mem.redacted = "sqlite::memory:";
  mem.sqlite_path = ":memory:";
  STRATA_ASSIGN_OR_RETURN(auto conn, db::Connect(mem, "strata drift"));
  std::vector<const Object*> todo;
  for (const auto& o : s.objects) todo.push_back(&o);
  while (!todo.empty()) {
    std::vector<const Object*> failed;
    Status last;
    for (const Object* o : todo) {
      if (Status st = conn->Exec(o->sql); !st.ok()) {
        failed.push_back(o);
        last = std::move(st);
      }
    }
    if (failed.size() == todo.size()) {
      return Status(ErrorCode::kConfig,
                    fmt::format("{}: the {} {} does not build: {}", path, failed[0]->kind,
                                failed[0]->name, last.message()))
          .WithHint("write the file again with `strata schema dump --out " + path + "`");
    }
    todo = std::move(failed);
  }
  return Inspect(*conn, inspect);
}

Result<std::vector<DriftItem>> DriftAgainst(db::Connection& conn, const Snapshot& expected,
                                            const InspectOptions& inspect, int* compared) {
  STRATA_ASSIGN_OR_RETURN(Snapshot live, Inspect(conn, inspect));
  if (live.dialect != expected.dialect) {
    return Status(ErrorCode::kConfig,
                  fmt::format("the schema file is a {} schema and the database is {}",
                              db::DialectName(expected.dialect), db::DialectName(live.dialect)))
        .WithHint("compare with the schema file of this database's dialect");
  }
  if (compared) *compared = static_cast<int>(live.objects.size());
  return Compare(expected, live);
}

Status DriftStatus(const std::vector<DriftItem>& items, const std::string& against) {
  if (items.empty()) return Status::Ok();
  return Status(ErrorCode::kDrift, fmt::format("the live schema differs from {} in {} place(s)",
                                               against, items.size()))
      .WithHint(
          "bring the change into a migration (or undo it by hand), then run `strata drift` "
          "again");
}

}  // namespace schema

SchemaDumpResult SchemaDump(const Options& options, const SchemaDumpRequest& request) {
  auto t0 = std::chrono::steady_clock::now();
  SchemaDumpResult r;
  auto conn = schema::OpenLive(options, "schema dump", &r.target);
  if (!conn) {
    r.status = conn.error();
    return r;
  }
  auto snap = schema::Inspect(**conn, schema::InspectOptionsFor(options));
  if (!snap) {
    r.status = snap.error();
    return r;
  }
  r.dialect = std::string(db::DialectName(snap->dialect));
  for (const auto& o : snap->objects) {
    ++r.counts[o.kind];
    if (!o.columns.empty()) r.counts["column"] += static_cast<int>(o.columns.size());
  }
  r.text = schema::Render(*snap);
  r.sha256 = base::Sha256Hex(r.text);
  if (!request.out.empty()) {
    std::string err;
    if (!base::WriteFileAtomic(request.out, r.text, &err)) {
      r.status = Status(ErrorCode::kIo, fmt::format("{}: {}", request.out, err))
                     .WithHint("check that the directory exists and is writable");
      return r;
    }
    r.out = request.out;
  }
  r.elapsed_ms = schema::Since(t0);
  return r;
}

DriftResult Drift(const Options& options, const DriftRequest& request) {
  auto t0 = std::chrono::steady_clock::now();
  DriftResult r;
  r.against = request.against.empty() ? options.schema_file : request.against;
  if (r.against.empty()) {
    r.status = Status(ErrorCode::kUsage, "drift needs what the history says the schema is")
                   .WithHint(
                       "pass --against db/schema.sql, set [schema] file in strata.toml, or "
                       "pass --scratch local to replay the applied migrations");
    return r;
  }
  auto inspect = schema::InspectOptionsFor(options);
  auto expected = schema::LoadSchemaFile(r.against, inspect);
  if (!expected) {
    r.status = expected.error();
    return r;
  }
  auto conn = schema::OpenLive(options, "drift", &r.target);
  if (!conn) {
    r.status = conn.error();
    return r;
  }
  auto items = schema::DriftAgainst(**conn, *expected, inspect, &r.compared);
  if (!items) {
    r.status = items.error();
    return r;
  }
  r.items = std::move(*items);
  r.status = schema::DriftStatus(r.items, r.against);
  r.elapsed_ms = schema::Since(t0);
  return r;
}

}  // namespace strata
