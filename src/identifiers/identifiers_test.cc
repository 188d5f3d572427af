// Identifier contracts (db/identifiers.toml): every field read into its type, the lookups the
// gates ask, and each mistake a kConfig error at file:line:col with the next step.
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include "identifiers/contract.h"

namespace strata::identifiers {
namespace {

constexpr const char* kPath = "db/identifiers.toml";

constexpr const char* kExample = R"(# partners hold these
[[identifier]]
name = "quote_number"
table = "sales.quote"
column = "quote_number"
format = { prefix = "Q-" }
consumers = ["partner portal", "billing export"]
deletes = "tombstone"
tombstone = "deleted_at"
stability_window = "90d"

[[identifier]]
name = "order_line"
table = "order_line"
columns = ["order_id", "line_no"]
format = "integer"
deletes = "allowed"

[[identifier]]
name = "event_id"
table = "outbox_event"
column = "event_id"
format = "uuid"
stability_window = "36h"

[[identifier]]
name = "sku"
table = "product"
column = "sku"
format = { regex = "^[A-Z]{3}-[0-9]{4}$" }
)";

TEST(IdentifierContracts, ReadsEveryField) {
  auto r = Contracts::Parse(kExample, kPath);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->all().size(), 4u);
  const Contract& q = r->all()[0];
  EXPECT_EQ(q.name, "quote_number");
  EXPECT_EQ(q.schema, "sales");
  EXPECT_EQ(q.table, "quote");
  EXPECT_EQ(q.columns, std::vector<std::string>{"quote_number"});
  EXPECT_EQ(q.format.kind, FormatKind::kPrefix);
  EXPECT_EQ(q.format.pattern, "Q-");
  EXPECT_EQ(Describe(q.format), "prefix \"Q-\"");
  EXPECT_EQ(q.consumers, (std::vector<std::string>{"partner portal", "billing export"}));
  EXPECT_EQ(q.deletes, Deletes::kTombstone);
  EXPECT_EQ(q.tombstone_column, "deleted_at");
  EXPECT_EQ(q.stability_window, std::chrono::hours(24 * 90));
  EXPECT_EQ(q.line, 2);
  EXPECT_EQ(q.Target(), "sales.quote(quote_number)");

  const Contract& ol = r->all()[1];
  EXPECT_EQ(ol.schema, "");
  EXPECT_EQ(ol.columns, (std::vector<std::string>{"order_id", "line_no"}));
  EXPECT_EQ(ol.format.kind, FormatKind::kInteger);
  EXPECT_EQ(ol.deletes, Deletes::kAllowed);
  EXPECT_EQ(r->all()[2].format.kind, FormatKind::kUuid);
  EXPECT_EQ(r->all()[2].deletes, Deletes::kNever);  // the default
  EXPECT_EQ(r->all()[2].stability_window, std::chrono::hours(36));
  EXPECT_EQ(r->all()[3].format.kind, FormatKind::kRegex);
}

TEST(IdentifierContracts, AnswersWhetherAColumnIsContractedAndRowsMayBeDeleted) {
  auto r = Contracts::Parse(kExample, kPath);
  ASSERT_TRUE(r.ok());
  // Qualified or not, either case: a contract guards more rather than less.
  ASSERT_NE(r->ForColumn("sales.quote", "quote_number"), nullptr);
  EXPECT_EQ(r->ForColumn("quote", "QUOTE_NUMBER")->name, "quote_number");
  EXPECT_EQ(r->ForColumn("other.quote", "quote_number"), nullptr);
  EXPECT_EQ(r->ForColumn("sales.quote", "deleted_at"), nullptr);  // a tombstone is no id
  EXPECT_EQ(r->ForColumn("public.order_line", "line_no")->name, "order_line");
  EXPECT_EQ(r->ForColumn("order_line", "qty"), nullptr);
  EXPECT_FALSE(r->MayDeleteFrom("sales.quote"));  // tombstone only
  EXPECT_FALSE(r->MayDeleteFrom("outbox_event"));
  EXPECT_TRUE(r->MayDeleteFrom("order_line"));
  EXPECT_TRUE(r->MayDeleteFrom("customer"));  // not contracted
  EXPECT_EQ(r->OnTable("quote").size(), 1u);
  EXPECT_EQ(r->Find("sku")->table, "product");
  EXPECT_EQ(r->Find("nope"), nullptr);
}

struct BadCase {
  const char* name;
  std::string text;
  int line;
  std::string message;  // inside the message
  std::string hint;     // inside the hint
};

TEST(IdentifierContracts, EachMistakeNamesTheSpotAndTheNextStep) {
  const std::string head = "[[identifier]]\nname = \"q\"\ntable = \"quote\"\n";
  std::vector<BadCase> cases = {
      {"unknown key", head + "column = \"n\"\nformt = \"uuid\"\n", 5,
       "unknown key `identifier.formt` (did you mean `format`?)", "name"},
      {"no columns", head + "format = \"uuid\"\n", 1, "identifier `q` names no column",
       "columns = [\"a\", \"b\"]"},
      {"empty columns", head + "columns = []\n", 4, "names no column", "column ="},
      {"bad regex", head + "column = \"n\"\nformat = { regex = \"^Q-[0-9\" }\n", 5,
       "format.regex \"^Q-[0-9\" is not a valid POSIX extended regular expression",
       "[0-9] rather than"},
      {"unknown format", head + "column = \"n\"\nformat = \"guid\"\n", 5, "unknown format \"guid\"",
       "\"uuid\", \"integer\""},
      {"tombstone without column", head + "column = \"n\"\ndeletes = \"tombstone\"\n", 5,
       "needs the tombstone column", "tombstone = \"<column>\""},
      {"unknown deletes", head + "column = \"n\"\ndeletes = \"sometimes\"\n", 5,
       "unknown deletes \"sometimes\"", "\"never\""},
      {"no table", "[[identifier]]\nname = \"q\"\ncolumn = \"n\"\n", 1, "names no table",
       "table ="},
      {"no name", "[[identifier]]\ntable = \"t\"\ncolumn = \"n\"\n", 1, "needs a name", "name ="},
      {"bad window", head + "column = \"n\"\nstability_window = \"soon\"\n", 5,
       "stability_window: invalid duration \"soon\"", "\"90d\""},
      {"duplicate name", head + "column = \"n\"\n" + head + "column = \"m\"\n", 5,
       "identifier `q` is declared twice (first at line 1)", "its own name"},
      {"column twice", head + "columns = [\"a\", \"A\"]\n", 4, "lists column `A` twice", "once"},
      {"unknown top-level", "[identifiers]\n", 1,
       "unknown key `identifiers` (did you mean "
       "`identifier`?)",
       ""},
      {"quoted table", "[[identifier]]\nname = \"q\"\ntable = \"a b\"\n", 3,
       "table \"a b\" is not a table name", "schema.table"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Contracts::Parse(c.text, kPath);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kConfig);
    EXPECT_EQ(r.status().span().file, kPath);
    EXPECT_EQ(r.status().span().line, c.line) << r.status().ToString();
    EXPECT_GT(r.status().span().column, 0);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().hint().find(c.hint), std::string::npos) << r.status().hint();
  }
}

TEST(IdentifierContracts, AMissingFileDeclaresNoneAndAProjectSettingPointsElsewhere) {
  strata::testing::TempDir dir;
  auto none = Contracts::Load(dir.path() + "/db/identifiers.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  dir.Write("ids.toml", kExample);
  Options o;
  o.config_path = dir.Write("strata.toml", "[identifiers]\nfile = \"ids.toml\"\n");
  o.project_dir = dir.path();
  auto r = Contracts::ForProject(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->all().size(), 4u);
  EXPECT_EQ(r->all()[0].file, dir.path() + "/ids.toml");
}

}  // namespace
}  // namespace strata::identifiers

namespace strata::identifiers {
namespace {

TEST(IdentifierContracts, TheProjectSettingIsCheckedLikeEveryOther) {
  strata::testing::TempDir dir;
  Options o;
  o.config_path = dir.Write("strata.toml", "[identifiers]\nfiles = \"ids.toml\"\n");
  o.project_dir = dir.path();
  auto r = Contracts::ForProject(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().span().line, 2);
  EXPECT_NE(r.status().message().find("did you mean `file`"), std::string::npos);
  o.config_path.clear();
  EXPECT_EQ(*Contracts::ProjectFile(o), dir.path() + "/db/identifiers.toml");
}

}  // namespace
}  // namespace strata::identifiers

#include "identifiers/record.h"

namespace strata::identifiers {
namespace {

TEST(IdentifierTouches, TheAnalyzerSaysWhichContractsASqlFileTouchesAndWhatItDeclares) {
  auto r = Contracts::Parse(kExample, kPath);
  ASSERT_TRUE(r.ok());
  const std::string a =
      "INSERT INTO sales.quote (quote_number) VALUES ('Q-9');\n"
      "UPDATE product SET sku = 'ABC-0001' WHERE sku = 'ABC-0002';\n"
      "CREATE TABLE unrelated (id int);\n";
  const std::string b =
      "DO $$ BEGIN DELETE FROM order_line WHERE order_id = 1; END $$;\n"
      "ALTER TABLE invoice ADD CONSTRAINT fk FOREIGN KEY (event) REFERENCES outbox_event "
      "(event_id);\n";
  Touched t = TouchedBySql(*r, {a, b});
  ASSERT_EQ(t.size(), 4u);
  EXPECT_TRUE(t.at("quote_number").may_insert);
  EXPECT_FALSE(t.at("quote_number").may_delete);
  EXPECT_FALSE(t.at("sku").may_insert);  // an UPDATE declares nothing
  EXPECT_FALSE(t.at("sku").may_delete);
  EXPECT_TRUE(t.at("order_line").may_delete);  // inside a DO block
  EXPECT_FALSE(t.at("event_id").may_insert);   // locked by a foreign key: touched, no permission
  EXPECT_TRUE(TouchedBySql(*r, {"SELECT 1;"}).empty());
  Touched one = TouchedTable(*r, "public.order_line", {.may_insert = true});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one.at("order_line").may_insert);
}

}  // namespace
}  // namespace strata::identifiers
