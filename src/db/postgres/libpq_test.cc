#include "db/postgres/libpq.h"

#include <gtest/gtest.h>

namespace strata::db {
namespace {

TEST(LibPq, AMissingLibraryIsAConnectionErrorNamingItAndTheFix) {
  auto lib = LibPq::Load("libstrata-no-such-libpq.so.5");
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().code(), ErrorCode::kConnection);
  // What is missing, and the loader's reason.
  EXPECT_NE(lib.error().message().find("cannot load libstrata-no-such-libpq.so.5, PostgreSQL's "
                                       "client library: "),
            std::string::npos)
      << lib.error().message();
  EXPECT_NE(lib.error().message().find("No such file"), std::string::npos) << lib.error().message();
  EXPECT_NE(lib.error().hint().find("apt-get install libpq5"), std::string::npos)
      << lib.error().hint();
}

TEST(LibPq, ALibraryWithoutTheFunctionsIsRefused) {
  auto lib = LibPq::Load("libm.so.6");
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().code(), ErrorCode::kConnection);
  EXPECT_NE(lib.error().message().find("libm.so.6"), std::string::npos) << lib.error().message();
  EXPECT_NE(lib.error().message().find("has no function PQ"), std::string::npos)
      << lib.error().message();
  EXPECT_NE(lib.error().hint().find("apt-get install libpq5"), std::string::npos);
}

TEST(LibPq, GetLoadsEveryFunctionOnce) {
  auto first = LibPq::Get();
  ASSERT_TRUE(first) << first.error().ToString();
#define STRATA_LIBPQ_FUNCTION(name) EXPECT_NE((*first)->name, nullptr) << #name;
  STRATA_LIBPQ_FUNCTIONS(STRATA_LIBPQ_FUNCTION)
#undef STRATA_LIBPQ_FUNCTION
  auto second = LibPq::Get();
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
}

}  // namespace
}  // namespace strata::db
