#include "import/checksum.h"

#include <gtest/gtest.h>

#include "import/import.h"

namespace strata::import {
namespace {

TEST(ImportChecksum, Crc32IsTheIeeeOne) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the standard check value
  EXPECT_EQ(Crc32(""), 0u);
}

TEST(ImportChecksum, FlywayIgnoresLineEndingsAndBom) {
  // Flyway reads lines: the terminators never reach the CRC, so CRLF, LF and CR files agree,
  // and a BOM is dropped.
  std::int32_t lf = FlywayChecksum("CREATE TABLE a (x int);\nSELECT 1;\n");
  EXPECT_EQ(FlywayChecksum("CREATE TABLE a (x int);\r\nSELECT 1;\r\n"), lf);
  EXPECT_EQ(FlywayChecksum("CREATE TABLE a (x int);\rSELECT 1;\r"), lf);
  EXPECT_EQ(FlywayChecksum("\xEF\xBB\xBF"
                           "CREATE TABLE a (x int);\nSELECT 1;\n"),
            lf);
  EXPECT_EQ(lf, static_cast<std::int32_t>(Crc32("CREATE TABLE a (x int);SELECT 1;")));
  EXPECT_NE(FlywayChecksum("CREATE TABLE a (x bigint);\nSELECT 1;\n"), lf);
}

TEST(ImportChecksum, LiquibaseV9IgnoresWhitespace) {
  EXPECT_EQ(LiquibaseChecksumV9("CREATE TABLE a (x int);"),
            LiquibaseChecksumV9("CREATE  TABLE a\n(x\tint);\n"));
  EXPECT_EQ(LiquibaseChecksumV9("x").substr(0, 2), "9:");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(ImportVersions, StringOrderIsKept) {
  // crates.io: Diesel compares these as strings.
  auto v = StringOrderedVersions({"20260527120000", "202605271200000000", "20260528000000"});
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)[0], "20260527120000");
  EXPECT_EQ((*v)[1], "20260527120000.10000");
  EXPECT_EQ((*v)[2], "20260528000000");
  auto same = StringOrderedVersions({"001", "002", "010"});
  ASSERT_TRUE(same);
  EXPECT_EQ((*same)[2], "010");
  // Orders no mapping of this kind keeps are refused, not written in another order.
  EXPECT_FALSE(StringOrderedVersions({"1", "100", "19"}));  // 1.100 > 1.19
}

}  // namespace
}  // namespace strata::import
