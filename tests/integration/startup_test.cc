// What the strata binary maps, observed with the dynamic loader's own trace (LD_DEBUG=files: one
// "file=<soname>" line per library it loads, at start or by dlopen). Every shared library costs
// time at every start, so libpq and OpenSSL are linked in, and the Kerberos and LDAP libraries
// libpq calls are loaded only when it first calls them (cmake/deps/libpq_delay_load.cc).
// GCC builds also link the C++ runtime in (cli/CMakeLists.txt), so libstdc++.so is not loaded.
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

namespace strata::testing {
namespace {

const std::map<std::string, std::string> kTraceLoads = {{"LD_DEBUG", "files"}};

bool Loaded(const RunResult& r, const std::string& soname) {
  return r.err.find("file=" + soname) != std::string::npos;
}

// A project in `d` with one migration and its strata.sum, and a new PostgreSQL database for it
// (reached over TCP); returns the database's URL.
std::string ProjectWithOneMigration(TempDir& d, const std::string& database) {
  d.Write("db/migration/V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  EXPECT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
  return PgCluster::Get().CreateDatabase(database);
}

std::string LedgerRows(const std::string& url) {
  return PgCluster::Query(url, "SELECT count(*) FROM strata_schema_history");
}

// The libraries a shared libpq would bring.
const char* const kLibpqStack[] = {"libpq.so",   "libssl.so", "libcrypto.so", "libgssapi_krb5.so",
                                   "libkrb5.so", "libldap",   "libgnutls.so"};

TEST(Startup, NoRunLoadsLibpqOrItsLibrariesUpFront) {
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
    // The trace is there (the C library is always loaded), and none of libpq's stack is in it.
    ASSERT_TRUE(Loaded(r, "libc.so.6")) << r.err;
    for (const char* lib : kLibpqStack) EXPECT_FALSE(Loaded(r, lib)) << lib << "\n" << r.err;
  }
}

// A PostgreSQL connection through a Unix socket needs neither Kerberos nor LDAP, so it loads
// nothing (here to a socket directory that does not exist: the connection fails at once, with
// libpq's own message).
TEST(Startup, APostgresSocketConnectionLoadsNothing) {
  TempDir d;
  d.Write("db/migration/V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  auto r = RunStrata({"--url", "postgres:///strata?host=/nonexistent-strata-socket-dir", "info"},
                     d.path(), kTraceLoads);
  EXPECT_EQ(r.exit_code, 6) << r.All();  // connection
  ASSERT_TRUE(Loaded(r, "libc.so.6")) << r.err;
  for (const char* lib : kLibpqStack) EXPECT_FALSE(Loaded(r, lib)) << lib << "\n" << r.err;
  EXPECT_NE(r.err.find("cannot connect to"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
}

// Over TCP libpq asks GSSAPI for Kerberos credentials before it connects. Where Kerberos is
// configured (here: KRB5_CONFIG names a configuration file) the library is loaded then,
// through the forwarders: the connection works (a forwarder calling itself would recurse until
// the stack overflows) and nothing else of libpq's stack is loaded.
TEST(Startup, ATcpConnectionWithKerberosConfiguredLoadsIt) {
  STRATA_REQUIRE_POSTGRES();
  TempDir d;
  const std::string url = ProjectWithOneMigration(d, "startup");
  d.Write("krb5.conf", "[libdefaults]\n");
  auto r = RunStrata({"--url", url, "migrate"}, d.path(),
                     {{"LD_DEBUG", "files"}, {"KRB5_CONFIG", d / "krb5.conf"}});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(Loaded(r, "libgssapi_krb5.so.2")) << r.err;
  for (const char* lib : kLibpqStack) {
    if (std::string(lib) != "libgssapi_krb5.so" && std::string(lib) != "libkrb5.so") {
      EXPECT_FALSE(Loaded(r, lib)) << lib << "\n" << r.err;
    }
  }
  EXPECT_EQ(LedgerRows(url), "1");
}

// On a machine with no Kerberos or GSSAPI configuration at all, libpq's question is answered
// without loading the library (cmake/deps/libpq_delay_load.cc, NoGssCredentialsPossible).
TEST(Startup, WithoutKerberosConfigurationATcpConnectionLoadsNothing) {
  STRATA_REQUIRE_POSTGRES();
  for (const char* path : {"/etc/krb5.conf", "/etc/gss/mech"}) {
    if (std::filesystem::exists(path)) GTEST_SKIP() << "this machine has " << path;
  }
  if (std::filesystem::exists("/etc/gss/mech.d") && !std::filesystem::is_empty("/etc/gss/mech.d")) {
    GTEST_SKIP() << "this machine has GSSAPI plugins in /etc/gss/mech.d";
  }
  for (const char* var : {"KRB5CCNAME", "KRB5_CONFIG", "KRB5_CLIENT_KTNAME", "KRB5_KTNAME",
                          "GSS_MECH_CONFIG", "GSS_USE_PROXY"}) {
    if (std::getenv(var) != nullptr) GTEST_SKIP() << var << " is set";
  }
  if (std::filesystem::exists("/tmp/krb5cc_" + std::to_string(getuid()))) {
    GTEST_SKIP() << "this user has a Kerberos credential cache";
  }
  TempDir d;
  const std::string url = ProjectWithOneMigration(d, "nokrbconf");
  auto r = RunStrata({"--url", url, "migrate"}, d.path(), kTraceLoads);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  ASSERT_TRUE(Loaded(r, "libc.so.6")) << r.err;
  for (const char* lib : kLibpqStack) EXPECT_FALSE(Loaded(r, lib)) << lib << "\n" << r.err;
  EXPECT_EQ(LedgerRows(url), "1");
}

// A machine whose Kerberos library cannot be loaded (here: a broken file found first through
// LD_LIBRARY_PATH, with Kerberos configured so that it is asked for) is a machine without
// credentials: libpq connects without GSS encryption.
TEST(Startup, WithoutAKerberosLibraryATcpConnectionStillWorks) {
  STRATA_REQUIRE_POSTGRES();
  TempDir d;
  const std::string url = ProjectWithOneMigration(d, "nokrb");
  d.Write("lib/libgssapi_krb5.so.2", "not a shared library\n");
  d.Write("krb5.conf", "[libdefaults]\n");
  const std::map<std::string, std::string> env = {{"LD_LIBRARY_PATH", d / "lib"},
                                                  {"KRB5_CONFIG", d / "krb5.conf"}};
  auto r = RunStrata({"--url", url, "migrate"}, d.path(), env);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(LedgerRows(url), "1");
  // When GSS encryption is required, libpq says it cannot have it.
  r = RunStrata({"--url", url + "?gssencmode=require", "info"}, d.path(), env);
  EXPECT_EQ(r.exit_code, 6) << r.All();  // connection
  EXPECT_NE(r.err.find("GSSAPI encryption required"), std::string::npos) << r.err;
}

// libpq looks a service up in LDAP when pg_service.conf has an ldap:// line for it: only then
// is the LDAP library loaded; when it cannot be, libpq reports the lookup as failed.
TEST(Startup, AnLdapServiceLineLoadsTheLdapLibrary) {
  TempDir d;
  d.Write("db/migration/V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  // Port 9 (discard): nothing answers, so the lookup fails either way.
  d.Write("pg_service.conf",
          "[strata_ldap]\nldap://127.0.0.1:9/dc=example?uniqueMember?one?(cn=strata)\n");
  d.Write("lib/libldap-2.5.so.0", "not a shared library\n");
  d.Write("lib/libldap.so.2", "not a shared library\n");
  const std::vector<std::string> args = {"--url", "postgres:///?service=strata_ldap", "info"};
  auto r =
      RunStrata(args, d.path(), {{"PGSERVICEFILE", d / "pg_service.conf"}, {"LD_DEBUG", "files"}});
  EXPECT_EQ(r.exit_code, 6) << r.All();  // connection
  EXPECT_TRUE(Loaded(r, "libldap")) << r.err;
  auto broken = RunStrata(
      args, d.path(), {{"PGSERVICEFILE", d / "pg_service.conf"}, {"LD_LIBRARY_PATH", d / "lib"}});
  EXPECT_EQ(broken.exit_code, 6) << broken.All();
  EXPECT_NE(broken.err.find("could not create LDAP structure"), std::string::npos) << broken.err;
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
