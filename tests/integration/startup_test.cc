// What the strata binary maps at startup, observed with the dynamic loader's own trace
// (LD_DEBUG=files: one "file=<soname>" line per library it loads, at start or by dlopen).
// libpq and the ~20 libraries it needs cost milliseconds at every start, so strata loads it
// only when it connects to PostgreSQL (src/db/postgres/libpq.h): a SQLite run never maps it.
// GCC builds also link the C++ runtime in (cli/CMakeLists.txt), so libstdc++.so is not loaded.
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::testing {
namespace {

const std::map<std::string, std::string> kTraceLoads = {{"LD_DEBUG", "files"}};

bool Loaded(const RunResult& r, const std::string& soname) {
  return r.err.find("file=" + soname) != std::string::npos;
}

TEST(Startup, SqliteRunsNeverLoadLibpq) {
  TempDir d;
  d.Write("db/migration/V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  const std::string url = "sqlite:" + (d / "x.db");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"hash"},
                                               {"--url", url, "migrate"},
                                               {"--url", url, "migrate"},
                                               {"--url", url, "info"},
                                               {"--url", "sqlite::memory:", "info"},
                                               {"--version"}}) {
    SCOPED_TRACE(args.back());
    auto r = RunStrata(args, d.path(), kTraceLoads);
    ASSERT_EQ(r.exit_code, 0) << r.All();
    // The trace is there (the C library is always loaded), and libpq is not in it.
    ASSERT_TRUE(Loaded(r, "libc.so.6")) << r.err;
    EXPECT_FALSE(Loaded(r, "libpq.so")) << r.err;
  }
}

// The control for the test above: the same trace sees libpq when strata connects to PostgreSQL
// (here to a socket directory that does not exist, so the connection fails at once).
TEST(Startup, APostgresConnectionLoadsLibpq) {
  TempDir d;
  d.Write("db/migration/V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  auto r = RunStrata({"--url", "postgres:///strata?host=/nonexistent-strata-socket-dir", "info"},
                     d.path(), kTraceLoads);
  EXPECT_EQ(r.exit_code, 6) << r.All();  // connection
  EXPECT_TRUE(Loaded(r, "libpq.so.5")) << r.err;
  EXPECT_NE(r.err.find("cannot connect to"), std::string::npos) << r.err;
}

#if defined(__GNUC__) && !defined(__clang__)
// A shared library that brings libstdc++.so (libfmt.so and libtomlplusplus.so do) would load
// a second copy of the C++ runtime beside the one linked in.
TEST(Startup, NoSharedCxxRuntimeIsLoaded) {
  TempDir d;
  auto r = RunStrata({"--version"}, d.path(), kTraceLoads);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  ASSERT_TRUE(Loaded(r, "libc.so.6")) << r.err;
  EXPECT_FALSE(Loaded(r, "libstdc++.so")) << r.err;
}
#endif

}  // namespace
}  // namespace strata::testing
