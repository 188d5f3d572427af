// Which copies of libpq, OpenSSL, SQLite, fmt and toml++ the strata binary runs with, observed
// with the dynamic loader's own trace (LD_DEBUG=files: one "file=<soname>" line per library it
// loads). strata links them as the shared libraries Debian ships (cmake/Dependencies.cmake), so
// a Debian security update of any of them reaches strata without a rebuild.
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::testing {
namespace {

TEST(Startup, RunsWithDebiansSharedLibraries) {
  TempDir d;
  auto r = RunStrata({"--version"}, d.path(), {{"LD_DEBUG", "files"}});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  // Sonames without their major version (Debian 12: libpq.so.5, libssl.so.3, libfmt.so.9, ...).
  for (const char* soname :
       {"libc.so.", "libpq.so.", "libssl.so.", "libcrypto.so.", "libsqlite3.so.", "libfmt.so.",
        "libtomlplusplus.so.", "libstdc++.so."}) {
    EXPECT_NE(r.err.find(std::string("file=") + soname), std::string::npos) << soname << "\n"
                                                                            << r.err;
  }
}

}  // namespace
}  // namespace strata::testing
