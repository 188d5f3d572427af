// The intent header: the seed template parses; unknown keys, malformed lines, bad risk classes
// and recovery directions are errors at file:line; required keys per risk class; malformed
// input (prefixes, random mutations) never crashes.
#include "verify/intent.h"

#include "verify/mutate_test_util.h"
#include "verify/settings.h"

#include <gtest/gtest.h>

#include <random>

namespace strata::verify {
namespace {

constexpr const char* kHeader =
    "-- strata:intent\n"
    "-- ## Migration Intent\n"
    "-- - Business capability: price quote lines by contract term\n"
    "-- - Schema/data object affected: quote_line.contract_term_months,\n"
    "--     quote_line.contract_term_source\n"
    "-- - Application version dependency: quote-service >= 1.15\n"
    "-- - Expected production effect: 2 metadata-only ALTERs\n"
    "-- - User-visible effect: none\n"
    "-- - Risk class: small-additive-ddl (nullable columns)\n"
    "-- - Recovery direction: roll-forward; old app ignores the columns\n"
    "-- Expected rows: between 0 and 100\n"
    "-- Rehearsal duration: 2s\n"
    "--\n"
    "-- not part of the header: anything: goes\n"
    "alter table quote_line add column contract_term_months integer;\n";

TEST(Intent, SeedTemplate) {
  auto r = ParseIntent(kHeader, "V4__x.sql");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->present);
  EXPECT_EQ(r->line, 1);
  EXPECT_EQ(r->Get("business-capability"), "price quote lines by contract term");
  EXPECT_EQ(r->Get("objects-affected"),
            "quote_line.contract_term_months, quote_line.contract_term_source");
  EXPECT_EQ(r->risk_class, "small-additive-ddl");
  EXPECT_EQ(r->recovery, Recovery::kRollForward);
  ASSERT_TRUE(r->expected_rows);
  EXPECT_EQ(r->expected_rows->source, "between 0 and 100");
  ASSERT_TRUE(r->rehearsal);
  EXPECT_EQ(r->rehearsal->count(), 2000);
  EXPECT_EQ(r->fields.size(), 9u);
  EXPECT_TRUE(CheckRequired(*r, IntentPolicy::Defaults()).ok());
}

TEST(Intent, NoHeader) {
  auto r = ParseIntent("create table t (id int);\n", "V1__t.sql");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->present);
  EXPECT_TRUE(CheckRequired(*r, IntentPolicy::Defaults()).ok());
  IntentPolicy strict = IntentPolicy::Defaults();
  strict.require_header = true;
  Status s = CheckRequired(*r, strict);
  EXPECT_EQ(s.code(), ErrorCode::kDirective);
  EXPECT_EQ(s.span().file, "V1__t.sql");
}

TEST(Intent, Errors) {
  struct E {
    std::string text;
    int line;
    const char* msg;
    const char* hint;
  };
  const std::string open = "-- strata:intent\n";
  const E cases[] = {
      {open + "-- Busines capability: x\n", 2, "unknown intent key `Busines capability`",
       "did you mean `Business capability:`"},
      {open + "-- Color: blue\n", 2, "unknown intent key `Color`", "known keys"},
      {open + "-- just words\n", 2, "expected `Key: value`", "Key: value"},
      {open + "-- Risk class: small-additive-ddl\n-- risk CLASS: breaking-ddl\n", 3,
       "given twice (first at line 2)", "keep one"},
      {open + "-- Risk class: medium\n", 2, "does not start with a known risk class",
       "start it with one of"},
      {open + "-- Risk class: breaking-dd\n", 2, "known risk class", "did you mean `breaking-ddl`"},
      {open + "-- Recovery direction: hope\n", 2, "must start with roll-forward", "e.g."},
      {open + "-- Expected rows: lots\n", 2, "is not an expectation", ""},
      {open + "-- Expected rows: = 'x'\n", 2, "must compare with numbers", ""},
      {open + "-- Rehearsal duration: soon\n", 2, "is not a duration", ""},
      {open + "-- Owner:\n", 2, "has no value", ""},
      {"-- strata:intent please\n", 1, "takes no arguments", ""},
      {open + "-- Owner: a\n\n" + open, 4, "a second `-- strata:intent`", "one intent"},
  };
  for (const auto& c : cases) {
    auto r = ParseIntent(c.text, "V7__e.sql");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code(), ErrorCode::kDirective);
    EXPECT_EQ(r.error().span().file, "V7__e.sql");
    EXPECT_EQ(r.error().span().line, c.line) << c.text;
    EXPECT_NE(r.error().message().find(c.msg), std::string::npos)
        << c.text << " → " << r.error().message();
    EXPECT_NE(r.error().hint().find(c.hint), std::string::npos)
        << c.text << " → " << r.error().hint();
  }
}

TEST(Intent, RequiredKeysPerRiskClass) {
  auto r = ParseIntent(
      "-- strata:intent\n-- Business capability: x\n-- Risk class: breaking-ddl\n"
      "-- Recovery direction: none\n",
      "V8__drop.sql");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  Status s = CheckRequired(*r, IntentPolicy::Defaults());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("breaking-ddl"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("`User-visible effect:`"), std::string::npos) << s.message();
  EXPECT_EQ(s.span().line, 1);

  // Configurable: [evidence.intent] required_for.breaking-ddl overrides the defaults.
  auto settings = ParseSettings(
      "[evidence.intent]\nrequired = [\"business-capability\"]\n"
      "[evidence.intent.required_for]\nbreaking-ddl = [\"owner\"]\n",
      "strata.toml", "/p");
  ASSERT_TRUE(settings.ok()) << settings.error().ToString();
  Status s2 = CheckRequired(*r, settings->intent);
  ASSERT_FALSE(s2.ok());
  EXPECT_NE(s2.message().find("`Owner:`"), std::string::npos) << s2.message();
  EXPECT_EQ(s2.message().find("User-visible"), std::string::npos) << s2.message();

  auto bad = ParseSettings("[evidence.intent.required_for]\nbreaking = [\"owner\"]\n",
                           "strata.toml", "/p");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().span().ToString().substr(0, 13), "strata.toml:2");
  auto bad2 = ParseSettings("[evidence.intent]\nrequired = [\"colour\"]\n", "strata.toml", "/p");
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.error().message().find("not an intent key"), std::string::npos);
}

TEST(Settings, Smoke) {
  auto s = ParseSettings(
      "[smoke.no_null_term]\n"
      "description = \"new quote lines carry a contract term\"\n"
      "query = \"SELECT count(*) FROM quote_line WHERE contract_term_months IS NULL\"\n"
      "expect = \"= 0\"\n",
      "strata.toml", "/p");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_EQ(s->smoke.size(), 1u);
  EXPECT_EQ(s->smoke[0].check.expect.source, "= 0");
  EXPECT_EQ(s->releases_file, "/p/db/releases.toml");
  auto bad = ParseSettings("[smoke.x]\nquery = \"select 1\"\nexpect = \"= rows affected\"\n",
                           "strata.toml", "/p");
  ASSERT_FALSE(bad.ok());
  auto typo = ParseSettings("[smoke.x]\nqeury = \"select 1\"\n", "strata.toml", "/p");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().hint().find("`query`"), std::string::npos) << typo.error().hint();
}

TEST(Intent, FuzzNeverCrashes) {
  std::string base(kHeader);
  for (size_t i = 0; i <= base.size(); ++i) {
    auto r = ParseIntent(base.substr(0, i), "f.sql");
    if (!r.ok()) {
      EXPECT_GT(r.error().span().line, 0);
    }
  }
  std::mt19937 rng(777);
  const std::string alphabet = "-: \n#*abcdefghijklmnopqrstuvwxyz=<>'strata:intent";
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s = test_util::Mutate(base, rng, alphabet, 8);
    auto r = ParseIntent(s, "f.sql");
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kDirective);
      EXPECT_GT(r.error().span().line, 0);
      EXPECT_FALSE(r.error().hint().empty());
    } else {
      (void)CheckRequired(*r, IntentPolicy::Defaults());
    }
  }
}

}  // namespace
}  // namespace strata::verify
