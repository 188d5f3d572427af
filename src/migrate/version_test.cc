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

TEST(Version, ZeroPartsInTheMiddleCountAndLongPartsCompareAsNumbers) {
  EXPECT_LT(V("1"), V("1.0.1"));
  EXPECT_LT(V("1.0.1"), V("1.1"));
  EXPECT_LT(V("1.0.9"), V("1.1.0"));
  EXPECT_EQ(V("1.0.0.0"), V("1"));
  EXPECT_EQ(V("0.0"), V("0"));
  EXPECT_LT(V("0"), V("0.0.1"));
  // Parts of 255 digits and more: a longer number is still larger, whatever its digits.
  std::string d254(254, '9'), d255 = "1" + std::string(254, '0'),
                              d300 = "1" + std::string(299, '0');
  EXPECT_LT(V(d254.c_str()), V(d255.c_str()));
  EXPECT_LT(V(d255.c_str()), V(d300.c_str()));
  EXPECT_LT(V((d300 + ".1").c_str()), V((d300 + ".2").c_str()));
  EXPECT_EQ(V(("000" + d300).c_str()), V(d300.c_str()));
}

TEST(Version, RejectsNonVersions) {
  for (const char* bad : {"", "a", "1a", "1..2", ".1", "1.", "1__2", "-1", "1 2"}) {
    EXPECT_FALSE(Version::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace strata::migrate
