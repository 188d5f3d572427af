// Cross-rule behaviour that the per-rule .test files cannot express: suppression scoping and
// its meta findings, risk classes and gates, live-size escalation, version gating across
// rules, and the rendered formats (text snapshot, JSON, SARIF, GitHub).
#include "analysis/parse.h"
#include "lint/linter.h"
#include "lint/render.h"

#include <gtest/gtest.h>

namespace strata::lint {
namespace {

LintResult LintOne(const std::string& sql, LintConfig config = {}, const LiveInfo* live = nullptr,
                   const std::string& script = "V1__add_things.sql") {
  return Lint({{"db/migration/" + script, script, sql, true, false, ""}}, config, live);
}

int Count(const LintResult& r, const std::string& id, bool suppressed = false) {
  int n = 0;
  for (const auto& f : r.findings) n += f.rule_id == id && f.suppressed == suppressed;
  return n;
}

TEST(Suppression, StatementScopeCoversOnlyTheNextStatement) {
  auto r = LintOne(
      "CREATE TABLE keep (id bigint);\n"
      "-- strata:allow ban-drop-table reason=\"retired\"\n"
      "DROP TABLE a;\n"
      "DROP TABLE b;\n");
  EXPECT_EQ(Count(r, "BC105", true), 1);
  EXPECT_EQ(Count(r, "BC105", false), 1);
  ASSERT_EQ(r.suppressions.size(), 1u);
  EXPECT_GE(r.suppressions[0].used, 1);
  EXPECT_EQ(r.suppressions[0].reason, "retired");
  EXPECT_FALSE(r.suppressions[0].file_scope);
}

TEST(Suppression, FileScopeBeforeFirstStatement) {
  auto r = LintOne(
      "-- strata:allow BC105,ban-truncate reason=\"cleanup\"\nDROP TABLE a;\nDROP TABLE "
      "b;\nTRUNCATE c;\n");
  EXPECT_EQ(Count(r, "BC105", true), 2);
  EXPECT_EQ(Count(r, "BC106", true), 1);
  EXPECT_TRUE(r.suppressions[0].file_scope);
  EXPECT_EQ(r.CountAtLeast(Severity::kError), 0);
}

TEST(Suppression, MissingReasonUnknownRuleAndUnusedAreFindings) {
  auto r = LintOne(
      "CREATE TABLE t (id bigint);\n"
      "-- strata:allow ban-drop-table\n"
      "DROP TABLE a;\n"
      "-- strata:allow ban-drop-tabel reason=\"x\"\n"
      "DROP TABLE b;\n"
      "-- strata:allow renaming-column reason=\"x\"\n"
      "CREATE TABLE u (id bigint);\n");
  EXPECT_EQ(Count(r, "SY102"), 1);
  EXPECT_EQ(Count(r, "SY103"), 1);
  EXPECT_EQ(Count(r, "SY104"), 1);
  for (const auto& f : r.findings) {
    if (f.rule_id == "SY103") {
      EXPECT_NE(f.help.find("ban-drop-table"), std::string::npos) << f.help;
    }
  }
}

TEST(Risk, ClassesAndGates) {
  auto additive = LintOne("CREATE TABLE t (id bigint);");
  EXPECT_EQ(additive.migrations[0].risk_class, "small-additive-ddl");
  auto breaking = LintOne("ALTER TABLE quote RENAME COLUMN a TO b;");
  EXPECT_EQ(breaking.migrations[0].risk_class, "breaking-ddl");
  EXPECT_NE(std::find(breaking.migrations[0].gates.begin(), breaking.migrations[0].gates.end(),
                      "compatibility matrix"),
            breaking.migrations[0].gates.end());
  auto large = LintOne("ALTER TABLE orders ALTER COLUMN a SET NOT NULL;");
  EXPECT_EQ(large.migrations[0].risk_class, "large-table-ddl");
  auto correction = LintOne("UPDATE orders SET a = 1 WHERE id = 7;");
  EXPECT_EQ(correction.migrations[0].risk_class, "dml-correction");
  auto backfill = LintOne("UPDATE orders SET a = 1;");
  EXPECT_EQ(backfill.migrations[0].risk_class, "large-backfill");
  auto grant = LintOne("GRANT SELECT ON orders TO app_ro;");
  EXPECT_EQ(grant.migrations[0].risk_class, "security-grant");
  auto reference = LintOne("INSERT INTO reason_code VALUES ('PRICE', 'Price');");
  EXPECT_EQ(reference.migrations[0].risk_class, "reference-data");
  auto logic = LintOne("CREATE VIEW v AS SELECT 1;", {}, nullptr, "R__views.sql");
  EXPECT_EQ(logic.migrations[0].risk_class, "stored-logic");
}

TEST(Live, LargeTablesEscalateAndShowTheirSize) {
  LiveInfo live;
  live.server_major = 15;
  live.tables["orders"] = {50'000'000, 12LL << 30};
  live.tables["small"] = {100, 8192};
  auto r = LintOne(
      "ALTER TABLE orders ALTER COLUMN a SET NOT NULL;\nALTER TABLE small ALTER COLUMN a SET NOT "
      "NULL;\n",
      {}, &live);
  int escalated = 0, plain = 0;
  for (const auto& f : r.findings) {
    if (f.rule_id != "CN107") continue;
    EXPECT_FALSE(f.size_note.empty());
    (f.escalated ? escalated : plain)++;
    if (f.escalated) {
      EXPECT_EQ(f.severity, Severity::kError);
      EXPECT_NE(f.size_note.find("50,000,000"), std::string::npos) << f.size_note;
    }
  }
  EXPECT_EQ(escalated, 1);
  EXPECT_EQ(plain, 1);
  EXPECT_EQ(r.migrations[0].statements[0].size.rows, 50'000'000);
}

TEST(Render, TextIsCompilerStyleWithCaretAndFix) {
  auto r = LintOne("CREATE TABLE t (id bigint);\n  CREATE INDEX i ON orders (a);\n");
  std::string text = RenderText(r, Severity::kError);
  EXPECT_NE(text.find("db/migration/V1__add_things.sql:2:3: error[LK101]: CREATE INDEX without "
                      "CONCURRENTLY takes a SHARE lock on `orders` (blocks writes)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n    CREATE INDEX i ON orders (a);\n    ^\n  fix: "), std::string::npos)
      << text;
}

TEST(Render, JsonCarriesLockAnalysisAndClasses) {
  auto r = LintOne("CREATE INDEX i ON orders (a);");
  auto j = nlohmann::json::parse(RenderJsonText(r, Severity::kError, "null").value());
  EXPECT_FALSE(j["ok"].get<bool>());
  auto st = j["migrations"][0]["statements"][0];
  EXPECT_EQ(st["lock"], "SHARE");
  EXPECT_TRUE(st["blocks"]["writes"].get<bool>());
  EXPECT_FALSE(st["blocks"]["reads"].get<bool>());
  EXPECT_TRUE(st["scan"].get<bool>());
  EXPECT_EQ(j["migrations"][0]["risk_class"], "large-table-ddl");
  EXPECT_EQ(j["findings"][0]["rule"], "LK101");
}

TEST(Render, SarifAndGithub) {
  auto r = LintOne("DROP TABLE a;");
  auto s = nlohmann::json::parse(RenderSarifText(r).value());
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_EQ(s["runs"][0]["results"][0]["ruleId"], "BC105");
  EXPECT_EQ(s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            1);
  std::string gh = RenderGithub(r);
  EXPECT_EQ(
      gh.rfind(
          "::error file=db/migration/V1__add_things.sql,line=1,col=1,title=BC105 ban-drop-table::",
          0),
      0u)
      << gh;
}

TEST(Secrets, LiteralPasswordsAreNotPrinted) {
  auto r = LintOne("CREATE ROLE reporting LOGIN PASSWORD 'hunter2';");
  EXPECT_EQ(Count(r, "PO102"), 1);
  std::string text = RenderText(r, Severity::kError);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(RenderJsonText(r, Severity::kError, "null").value().find("hunter2"), std::string::npos);
}

TEST(Parse, ErrorIsAFindingWithPosition) {
  auto r = LintOne("CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN;\n");
  ASSERT_EQ(Count(r, "SY101"), 1);
  for (const auto& f : r.findings) {
    if (f.rule_id == "SY101") {
      EXPECT_EQ(f.line, 2);
      EXPECT_GT(f.column, 1);
    }
  }
}

// strata's ${name} placeholders are not SQL: they read as names or values (positions exact),
// so a migration that uses them is analysed, not reported as a syntax error; a placeholder in a
// string is not a literal secret; placeholders inside quotes and comments stay as written.
TEST(Parse, PlaceholdersAreAnalysedNotSyntaxErrors) {
  auto r = LintOne(
      "CREATE TABLE ${schema}.audit (id bigint);\nSELECT ${api_token};\n"
      "CREATE ROLE app LOGIN PASSWORD '${app_password}';\nDELETE FROM ${schema}.orders;\n");
  EXPECT_EQ(Count(r, "SY101"), 0);
  EXPECT_EQ(Count(r, "PO102"), 0);
  ASSERT_EQ(Count(r, "DM101"), 1);  // still analysed
  for (const auto& f : r.findings) {
    if (f.rule_id == "DM101") {
      EXPECT_EQ(f.line, 4);
      EXPECT_EQ(f.column, 1);
      EXPECT_NE(f.source_line.find("${schema}"), std::string::npos) << f.source_line;
    }
  }
  EXPECT_EQ(analysis::MaskPlaceholders("SELECT ${a}, '${b}', $$ ${c} $$ -- ${d}\n"),
            "SELECT _$a_, '${b}', $$ ${c} $$ -- ${d}\n");
}

// Issue 16, "SQLite linted as SQLite": on a SQLite target the migration is read by SQLite
// itself (a scratch database running the pending set in order), not by PostgreSQL's grammar.
// Valid SQLite is never a parse error, PostgreSQL's type advice never fires, and what SQLite
// would refuse is found with its file:line:col before the real run ("no such column": SQ105).
TEST(Sqlite, LintedAsSqliteNotAsPostgres) {
  const std::string sql =
      "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, code char(5), at timestamp, "
      "n int NOT NULL DEFAULT 0);\n"
      "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID, STRICT;\n"
      "INSERT OR REPLACE INTO kv (k, v) VALUES ('a', x'00');\n";
  LintConfig pg;
  auto on_pg = LintOne(sql, pg);
  EXPECT_GT(Count(on_pg, "SY101"), 0);  // PostgreSQL's grammar refuses AUTOINCREMENT
  LintConfig lite;
  lite.dialect = db::Dialect::kSqlite;
  auto on_sqlite = LintOne(sql, lite);
  EXPECT_EQ(on_sqlite.findings.size(), 0u)
      << on_sqlite.findings.front().rule_id << " " << on_sqlite.findings.front().message;
  // Type advice that is PostgreSQL's only: char(n), timestamp, int keys.
  auto typed = LintOne("CREATE TABLE t (id int PRIMARY KEY, c char(5), at timestamp);\n", lite);
  EXPECT_EQ(typed.findings.size(), 0u);
  EXPECT_GT(
      Count(LintOne("CREATE TABLE t (id int PRIMARY KEY, c char(5), at timestamp);\n"), "TY101"),
      0);

  auto missing =
      Lint({{"V1__a.sql", "V1__a.sql", "CREATE TABLE other (id INTEGER);\n", true, false, ""},
            {"V2__b.sql", "V2__b.sql",
             "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, total INTEGER);\n"
             "CREATE INDEX orders_customer\n  ON orders (customer_id);\n",
             true, false, ""}},
           lite);
  ASSERT_EQ(Count(missing, "SQ105"), 1);
  EXPECT_EQ(missing.findings[0].line, 3);
  EXPECT_EQ(missing.findings[0].column, 14);  // SQLite points at `customer_id`
  EXPECT_NE(missing.findings[0].message.find("no such column: customer_id"), std::string::npos)
      << missing.findings[0].message;
  EXPECT_EQ(missing.findings[0].severity, Severity::kWarning);
  // A syntax error SQLite's parser refuses is an error (the gate stops there).
  auto syntax = LintOne("CREATE TABLE t (a INTEGER,);\n", lite);
  ASSERT_EQ(Count(syntax, "SQ101"), 1);
  EXPECT_GT(syntax.Blocking(), 0);
  // Dialect-neutral rules still run: DELETE without WHERE, DROP TABLE of an existing table.
  auto neutral =
      Lint({{"V1__a.sql", "V1__a.sql", "CREATE TABLE codes (c TEXT);\n", false, false, ""},
            {"V2__b.sql", "V2__b.sql", "DELETE FROM codes;\nDROP TABLE codes;\n", true, false, ""}},
           lite);
  EXPECT_EQ(Count(neutral, "DM101"), 1);
  EXPECT_EQ(Count(neutral, "BC105"), 1);
}

// A 12-step rebuild is not a dropped table: BC105 does not fire on the DROP of the table that
// takes its name back in the same migration.
TEST(Sqlite, RebuildIsNotADroppedTable) {
  LintConfig lite;
  lite.dialect = db::Dialect::kSqlite;
  auto r =
      Lint({{"V1__a.sql", "V1__a.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INT);\n",
             false, false, ""},
            {"V2__b.sql", "V2__b.sql",
             "CREATE TABLE new_items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL DEFAULT 0);\n"
             "INSERT INTO new_items SELECT id, coalesce(qty, 0) FROM items;\nDROP TABLE items;\n"
             "ALTER TABLE new_items RENAME TO items;\n",
             true, false, ""}},
           lite);
  EXPECT_EQ(Count(r, "BC105"), 0);
  EXPECT_EQ(r.CountAtLeast(Severity::kWarning), 0);
}

// Issue 16, "Bad input": a statement PostgreSQL cannot parse never hides the findings of the
// statements after it — not even when its unclosed parenthesis swallows their semicolons.
TEST(BadInput, BrokenStatementDoesNotHideTheNextOnes) {
  auto r = LintOne("SELECT (;\nDELETE FROM orders;\nUPDATE orders SET a = 1;\n");
  EXPECT_EQ(Count(r, "SY101"), 1);
  EXPECT_EQ(Count(r, "DM101"), 1);
  EXPECT_EQ(Count(r, "DM102"), 1);
  for (const auto& f : r.findings) {
    if (f.rule_id == "DM101") EXPECT_EQ(f.line, 2);
    if (f.rule_id == "DM102") EXPECT_EQ(f.line, 3);
  }
}

// A 100,000-deep nested expression is a clear error at its line with a next step, never a
// crash, and the statement after it is still analysed.
TEST(BadInput, DeepNestingIsAClearErrorNotACrash) {
  const int n = 100000;
  auto r = LintOne("SELECT 1;\nSELECT " + std::string(n, '(') + "1" + std::string(n, ')') +
                   ";\nDELETE FROM orders;\n");
  ASSERT_EQ(Count(r, "SY101"), 1);
  for (const auto& f : r.findings) {
    if (f.rule_id != "SY101") continue;
    EXPECT_EQ(f.line, 2);
    EXPECT_NE(f.message.find("nests deeper than PostgreSQL's parser allows"), std::string::npos)
        << f.message;
    EXPECT_NE(f.help.find("flatten"), std::string::npos);
  }
  EXPECT_EQ(Count(r, "DM101"), 1);
}

// A file too large to analyse in memory proportional to it (SY107) is named with the limit and
// the next step, as a warning: the gate lets a large data migration through; the others are
// linted.
TEST(BadInput, LargeFileIsNamedNotAnalysed) {
  std::string big;
  while (big.size() <= (16u << 20)) big += "INSERT INTO orders (a) VALUES (1);\n";
  auto r = Lint({{"V1__load.sql", "V1__load.sql", big, true, false, ""},
                 {"V2__reset.sql", "V2__reset.sql", "DELETE FROM orders;\n", true, false, ""}},
                LintConfig{});
  ASSERT_EQ(Count(r, "SY107"), 1);
  EXPECT_EQ(r.findings[0].file, "V1__load.sql");
  EXPECT_NE(r.findings[0].message.find("max_file_bytes"), std::string::npos);
  EXPECT_NE(r.findings[0].help.find("split the migration"), std::string::npos);
  EXPECT_EQ(Count(r, "DM101"), 1);
  EXPECT_EQ(r.CountAtLeast(Severity::kError), 1);  // DM101 only
}

// Issue 16: crates.io's migrations carry diesel-guard's `-- safety-assured:start/end` blocks.
// strata ignores them unless [lint] safety_assured = true; then every finding of the statements
// inside is acknowledged, with the block's first comment as the reason (what the gate records).
TEST(Suppression, SafetyAssuredBlocksOnlyWhenConfigured) {
  const std::string sql =
      "-- safety-assured:start\n"
      "-- The table is brand new and empty, so CONCURRENTLY is unnecessary.\n"
      "CREATE INDEX orders_user ON orders (user_id);\n"
      "-- safety-assured:end\n"
      "CREATE INDEX orders_total ON orders (total);\n";
  auto off = LintOne(sql);
  EXPECT_EQ(Count(off, "LK101"), 2);
  EXPECT_EQ(Count(off, "LK101", true), 0);
  LintConfig on;
  on.safety_assured = true;
  auto r = LintOne(sql, on);
  EXPECT_EQ(Count(r, "LK101"), 1);        // the index after the block
  EXPECT_EQ(Count(r, "LK101", true), 1);  // the one inside
  for (const auto& f : r.findings) {
    if (f.rule_id == "LK101" && !f.suppressed) EXPECT_EQ(f.line, 5);
    if (f.suppressed) {
      EXPECT_EQ(f.suppression_reason,
                "The table is brand new and empty, so CONCURRENTLY is unnecessary.");
    }
  }
  ASSERT_EQ(r.suppressions.size(), 1u);
  EXPECT_GE(r.suppressions[0].used, 1);
  EXPECT_EQ(r.suppressions[0].rules, std::vector<std::string>{"safety-assured"});
  EXPECT_EQ(Count(r, "SY104"), 0);
}

}  // namespace
}  // namespace strata::lint
