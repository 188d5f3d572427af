#include "verify/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace strata::verify {
namespace {

// [evidence] and [evidence.intent] keys are settings.def keys: an unknown one suggests from the
// table at its file:line:col, a wrong type names the dotted key, and the environment sets them.
TEST(EvidenceSettings, UnknownKeyAndBadTypeNameLineColumnAndKey) {
  auto unknown = ParseSettings("[evidence.intent]\nrequire_heder = true\n", "strata.toml", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kConfig);
  EXPECT_EQ(unknown.error().span().file, "strata.toml");
  EXPECT_EQ(unknown.error().span().line, 2);
  EXPECT_EQ(unknown.error().message(),
            "unknown key `evidence.intent.require_heder` (did you mean `require_header`?)");
  EXPECT_EQ(unknown.error().hint(),
            "known keys in [evidence.intent]: `require_header`, `required`, `required_for`");

  auto type = ParseSettings("[evidence]\nstop_lock_wait = true\n", "strata.toml", "");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().span().line, 2);
  EXPECT_NE(type.error().message().find("`evidence.stop_lock_wait` must be a duration"),
            std::string::npos)
      << type.error().message();

  auto smoke =
      ParseSettings("[smoke.orders]\nquery = \"SELECT 1\"\nexpct = \"= 1\"\n", "strata.toml", "");
  ASSERT_FALSE(smoke.ok());
  EXPECT_EQ(smoke.error().message(), "unknown key `smoke.orders.expct` (did you mean `expect`?)");
}

TEST(EvidenceSettings, EnvironmentOverridesTheFile) {
  setenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR", "2.5", 1);
  setenv("STRATA_EVIDENCE_INTENT_REQUIRE_HEADER", "true", 1);
  auto s = ParseSettings("[evidence]\nstop_duration_factor = 9.0\n", "strata.toml", "");
  unsetenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR");
  unsetenv("STRATA_EVIDENCE_INTENT_REQUIRE_HEADER");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->stop.duration_factor, 2.5);
  EXPECT_TRUE(s->intent.require_header);
}

}  // namespace
}  // namespace strata::verify
