#include "migrate/version.h"

#include <gtest/gtest.h>

namespace strata::migrate {
namespace {

Version V(const char* s) {
  auto v = Version::Parse(s);
  EXPECT_TRUE(v.has_value()) << s;
  return v.value_or(Version());
}

TEST(Version, ComparesPartsAsNumbers) {
  const char* ordered[] = {"0",
                           "1",
                           "1.1",
                           "1.2",
                           "1.10",
                           "2",
                           "10",
                           "20260628_0901",
                           "20260628_0902",
                           "20260629",
                           "20150100000001000000",
                           "20260703000000000000"};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_LT(V(ordered[i]), V(ordered[i + 1])) << ordered[i] << " < " << ordered[i + 1];
  }
}

TEST(Version, LeadingAndTrailingZerosDoNotCount) {
  EXPECT_EQ(V("001"), V("1"));
  EXPECT_EQ(V("1.0"), V("1"));
  EXPECT_EQ(V("1_2"), V("1.2"));
  EXPECT_EQ(V("001.2").text(), "001.2");
  EXPECT_EQ(V("1_2").text(), "1.2");
}

TEST(Version, RejectsNonVersions) {
  for (const char* bad : {"", "a", "1a", "1..2", ".1", "1.", "1__2", "-1", "1 2"}) {
    EXPECT_FALSE(Version::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace strata::migrate
