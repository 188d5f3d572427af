// Derive (no database): operations from the parse tree, inferred expressions, and the
// refusals that need no catalog, each at file:line:col.
#include <gtest/gtest.h>

#include "change/change.h"
#include "change/internal.h"

namespace strata::change {
namespace {

TEST(Derive, RenameInfersIdentityBothWays) {
  auto s = Derive(
      "-- strata:change\nALTER TABLE quote_line RENAME COLUMN term TO contract_term_months;\n",
      "db/V42__rename.sql");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_EQ(s->operations.size(), 1u);
  const auto& op = s->operations[0];
  EXPECT_EQ(op.kind, OpKind::kRenameColumn);
  EXPECT_EQ(op.table, "quote_line");
  EXPECT_EQ(op.column, "term");
  EXPECT_EQ(op.new_column, "contract_term_months");
  EXPECT_EQ(op.up, "\"term\"");
  EXPECT_TRUE(op.up_inferred);
  EXPECT_EQ(op.down, "\"contract_term_months\"");
  EXPECT_EQ(s->name, "V42__rename");
  EXPECT_EQ(op.line, 2);
}

TEST(Derive, SeveralOperationsWithDirectives) {
  auto s = Derive(
      "-- strata:change chunk_size=50 max_rows_per_second=100\n"
      "-- strata:up qty = coalesce(qty, 0)\n"
      "-- strata:up code = 'C' || id::text\n"
      "ALTER TABLE t ALTER COLUMN qty SET NOT NULL, ADD COLUMN code text NOT NULL;\n"
      "ALTER TABLE t ALTER COLUMN amount TYPE numeric(18,4);\n",
      "V1__x.sql");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->chunk_size, 50);
  EXPECT_EQ(s->max_rows_per_second, 100);
  ASSERT_EQ(s->operations.size(), 3u);
  EXPECT_EQ(s->operations[0].kind, OpKind::kSetNotNull);
  EXPECT_EQ(s->operations[0].up, "coalesce(qty, 0)");
  EXPECT_EQ(s->operations[1].kind, OpKind::kAddColumn);
  EXPECT_EQ(s->operations[1].new_type, "text");
  EXPECT_EQ(s->operations[2].kind, OpKind::kAlterType);
  EXPECT_EQ(s->operations[2].new_type, "pg_catalog.numeric(18,4)");
  EXPECT_EQ(s->operations[2].up, "\"amount\"::pg_catalog.numeric(18,4)");
}

struct Bad {
  const char* text;
  const char* message;
  int line;
};

TEST(Derive, RefusesWhatItCannotDeriveAtTheStatement) {
  const Bad cases[] = {
      {"ALTER TABLE t RENAME COLUMN a TO b;", "not marked `-- strata:change`", 1},
      {"-- strata:change\nCREATE INDEX ON t (a);", "does not name its index", 2},
      {"-- strata:change\nALTER TABLE t ADD CHECK (a > 0);", "does not name its constraint", 2},
      {"-- strata:change\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
       "already NOT VALID", 2},
      {"-- strata:change\nALTER TABLE t ADD CONSTRAINT p PRIMARY KEY (a);", "primary key", 2},
      {"-- strata:change\nCREATE INDEX IF NOT EXISTS i ON t (a);", "IF NOT EXISTS", 2},
      {"-- strata:change\nALTER TABLE t ALTER COLUMN a SET NOT NULL;", "strata:up a =", 2},
      {"-- strata:change\nALTER TABLE t ADD COLUMN a int DEFAULT 0;", "plain migration", 2},
      {"-- strata:change\nALTER TABLE t ADD COLUMN a int;", "needs no change window", 2},
      {"-- strata:change\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t DROP COLUMN a;",
       "changed twice", 3},
      {"-- strata:change\n-- strata:up zz = 1\nALTER TABLE t RENAME COLUMN a TO b;",
       "matches no operation", 2},
      {"-- strata:change\n-- strata:up b = 1); DROP TABLE t; --\nALTER TABLE t RENAME COLUMN a TO "
       "b;",
       "", 0},
      {"-- strata:change\nALTER TABLE t ALTER COLUMN a TYPE int USING a::int;", "USING", 2},
      {"-- strata:change bogus=1\nALTER TABLE t RENAME COLUMN a TO b;", "bogus", 1},
      // A table rename and another change of the same table (by either name) in one file.
      {"-- strata:change\nALTER TABLE t RENAME TO u;\nALTER TABLE u RENAME COLUMN a TO b;",
       "put `ALTER TABLE t RENAME TO u` in a change file of its own", 3},
      {"-- strata:change\nCREATE INDEX t_a ON t (a);\nALTER TABLE t RENAME TO u;",
       "cannot share one window", 3},
  };
  for (const auto& c : cases) {
    auto s = Derive(c.text, "V9__bad.sql");
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE((s.error().message() + " " + s.error().hint()).find(c.message), std::string::npos)
        << c.text << "\n"
        << s.error().ToString();
    if (c.line) {
      EXPECT_EQ(s.error().span().line, c.line) << c.text;
    }
  }
}

TEST(Derive, ConstraintsIndexesTableRenamesAndSplits) {
  auto s = Derive(
      "-- strata:change\n"
      "-- strata:up first_name = split_part(name, ' ', 1)\n"
      "-- strata:down name = first_name\n"
      "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0);\n"
      "ALTER TABLE t ADD CONSTRAINT t_b_fk FOREIGN KEY (b) REFERENCES p (id);\n"
      "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE (c, \"D\");\n"
      "/* why */ create unique index t_e_idx on t (e) where e > 0;\n"
      "ALTER TABLE t ADD COLUMN first_name text;\n"
      "ALTER TABLE t DROP COLUMN name;\n"
      "ALTER TABLE u RENAME TO v;\n",
      "V9__many.sql");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_EQ(s->operations.size(), 7u);
  EXPECT_EQ(s->operations[0].kind, OpKind::kAddCheck);
  EXPECT_EQ(s->operations[0].object, "t_a_pos");
  EXPECT_EQ(s->operations[0].ddl, "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)\nNOT VALID");
  EXPECT_EQ(s->operations[1].kind, OpKind::kAddForeignKey);
  EXPECT_EQ(s->operations[2].kind, OpKind::kAddUnique);
  EXPECT_EQ(s->operations[2].ddl, "(\"c\", \"D\")");
  EXPECT_EQ(s->operations[3].kind, OpKind::kCreateIndex);
  EXPECT_EQ(s->operations[3].ddl, "create unique index CONCURRENTLY t_e_idx on t (e) where e > 0");
  EXPECT_EQ(s->operations[4].kind, OpKind::kAddColumn);
  EXPECT_TRUE(s->operations[4].nullable);
  EXPECT_EQ(s->operations[4].up, "split_part(name, ' ', 1)");
  EXPECT_EQ(s->operations[5].down, "first_name");
  EXPECT_EQ(s->operations[6].kind, OpKind::kRenameTable);
  EXPECT_EQ(s->operations[6].table, "u");
  EXPECT_EQ(s->operations[6].object, "v");
}

// `-- strata:change` inside a string literal does not make a plain migration a change file.
TEST(Derive, ChangeDirectiveInsideALiteralIsText) {
  auto hidden = sql::ParseDirectives(
      "COMMENT ON TABLE t IS '\n-- strata:change\n';\nALTER TABLE t ADD COLUMN a int;\n",
      "V1__x.sql");
  ASSERT_TRUE(hidden.ok()) << hidden.error().ToString();
  EXPECT_FALSE(IsChangeFile(*hidden));
  auto real = sql::ParseDirectives("-- strata:change\nALTER TABLE t ADD COLUMN a int;\n", "f");
  ASSERT_TRUE(real.ok());
  EXPECT_TRUE(IsChangeFile(*real));
}

TEST(QualifyForTrigger, PrefixesEveryColumnOfTheRow) {
  auto q = QualifyForTrigger("coalesce(qty, 0) + \"Odd\" * length(t.note)", "t");
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->text, "coalesce(NEW.qty, 0) + NEW.\"Odd\" * length(NEW.note)");
  EXPECT_EQ(q->columns, (std::vector<std::string>{"qty", "Odd", "note"}));
  EXPECT_FALSE(q->subquery);
  EXPECT_FALSE(QualifyForTrigger("t.qty").ok());  // no table: a qualifier names nothing
  EXPECT_FALSE(QualifyForTrigger("other.qty", "t").ok());
}

// A lookup: inside a subquery the changed row is `<table>.<column>`; unqualified names belong
// to the subquery's tables and stay as written.
TEST(QualifyForTrigger, LookupsNameTheRowByItsTable) {
  const char* e =
      "coalesce((SELECT qr.contract_term_months FROM quote_revision qr WHERE qr.id = "
      "quote_line . quote_revision_id AND state <> 'X'), months)";
  auto q = QualifyForTrigger(e, "quote_line");
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->text,
            "coalesce((SELECT qr.contract_term_months FROM quote_revision qr WHERE qr.id = "
            "NEW.quote_revision_id AND state <> 'X'), NEW.months)");
  EXPECT_EQ(q->columns, (std::vector<std::string>{"quote_revision_id", "months"}));
  EXPECT_TRUE(q->subquery);
  EXPECT_EQ(q->tables, (std::vector<std::string>{"quote_revision"}));
  EXPECT_EQ(q->Render(e, [](const std::string& c) { return "$" + c; }),
            "coalesce((SELECT qr.contract_term_months FROM quote_revision qr WHERE qr.id = "
            "$quote_revision_id AND state <> 'X'), $months)");
  auto f = QualifyForTrigger("EXISTS (SELECT 1 FROM s.p WHERE p.k = t.k) AND public.f(a)", "t");
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->text, "EXISTS (SELECT 1 FROM s.p WHERE p.k = NEW.k) AND public.f(NEW.a)");
  EXPECT_EQ(f->tables, (std::vector<std::string>{"s.p"}));
  EXPECT_EQ(f->functions, (std::vector<std::string>{"public.f"}));
}

TEST(QualifyForTrigger, RefusesSubqueriesThatReadTheChangedTable) {
  const std::pair<const char*, const char*> cases[] = {
      {"(SELECT max(x) FROM t)", "reads `t` itself"},
      {"(SELECT max(x) FROM public.t AS u WHERE u.id < t.id)", "reads `t` itself"},
      {"(SELECT o.x FROM other t WHERE t.id = 1)", "names something else `t`"},
      {"(WITH t AS (SELECT 1 AS x) SELECT x FROM t)", "`t`"},
      {"(SELECT o.x FROM other o WHERE o.id = public.t.id)", "with its schema"},
      {"a, b", "not one expression"},
  };
  for (const auto& [expr, want] : cases) {
    auto q = QualifyForTrigger(expr, "t");
    ASSERT_FALSE(q.ok()) << expr;
    EXPECT_NE(q.error().message().find(want), std::string::npos) << q.error().message();
  }
}

}  // namespace
}  // namespace strata::change
