# Every dependency comes from a Debian 12 package (see README "Set up"). This file is the one
# place that says how each is found and how it is linked.
#
# Linked as Debian ships them: libpq (libpq5), OpenSSL (libssl3), SQLite (libsqlite3-0), fmt
# (libfmt9) and toml++ (libtomlplusplus3) are shared libraries, so a Debian security update of
# any of them reaches strata without a rebuild (Debian policy discourages embedded copies for
# this reason), and the build needs only the -dev packages' stable interfaces. The C++ runtime
# is shared too: libfmt and libtomlplusplus link libstdc++.so, and a second, static copy of the
# runtime beside it would be two runtimes in one process.
#   - What it costs: the dynamic loader maps libpq's ~20 libraries (Kerberos, LDAP, GnuTLS, ...)
#     and runs their initialisers at every start, ~6 ms of CPU here, what psql pays too
#     (docs/PERFORMANCE.md, issue 15); a tool whose runs last
#     seconds to hours does not trade security updates for that.
#   - Static only where Debian ships nothing else: libpg_query (libpg-query-dev). CLI11 and
#     nlohmann-json are header-only.
#   - No self-contained (fully static) build: Debian's libpq.a links only with
#     postgresql-server-dev's internal archives of the exact same release, and with Kerberos
#     and LDAP, which Debian ships shared only. A release that needs one binary for every Linux
#     would build libpq from PostgreSQL's source (--without-gssapi --without-ldap) behind an
#     option that is off by default, like ccache's STATIC_LINK.
# Each deps::<name> below is what strata's libraries link for <name>; the tests link the same.
find_package(PostgreSQL REQUIRED)          # libpq-dev (libpq5 at run time)
find_package(SQLite3 REQUIRED)             # libsqlite3-dev (libsqlite3-0)
find_package(OpenSSL REQUIRED)             # libssl-dev (libssl3): SHA-256, Ed25519, libpq's TLS
find_package(fmt REQUIRED)                 # libfmt-dev (libfmt9)
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(CLI11 REQUIRED)               # libcli11-dev
find_package(tomlplusplus REQUIRED)        # libtomlplusplus-dev (libtomlplusplus3)
find_package(Threads REQUIRED)

add_library(strata_dep_libpq INTERFACE)
target_link_libraries(strata_dep_libpq INTERFACE PostgreSQL::PostgreSQL)
add_library(deps::libpq ALIAS strata_dep_libpq)

add_library(strata_dep_crypto INTERFACE)
target_link_libraries(strata_dep_crypto INTERFACE OpenSSL::Crypto)
add_library(deps::crypto ALIAS strata_dep_crypto)

# Debian's fmt::fmt is libfmt.so (FMT_SHARED); toml++'s target is libtomlplusplus.so
# (TOML_HEADER_ONLY=0, TOML_SHARED_LIB=1: declarations only, the implementation in the library).
add_library(strata_dep_fmt INTERFACE)
target_link_libraries(strata_dep_fmt INTERFACE fmt::fmt)
add_library(deps::fmt ALIAS strata_dep_fmt)

add_library(strata_dep_tomlplusplus INTERFACE)
target_link_libraries(strata_dep_tomlplusplus INTERFACE tomlplusplus::tomlplusplus)
add_library(deps::tomlplusplus ALIAS strata_dep_tomlplusplus)

# libpg-query-dev ships a static library and a header, no CMake config. The archive carries
# its own copies of some PostgreSQL and C library functions under their usual names
# (pg_utf_mblen, which libpq.so exports too, and strnlen): --exclude-libs keeps them out of the
# binary's exported symbols, so libpq and libc keep calling their own.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES libpg_query.a pg_query REQUIRED)
get_filename_component(_pg_query_archive "${PG_QUERY_LIBRARY}" NAME)
add_library(pg_query::pg_query UNKNOWN IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION ${PG_QUERY_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${PG_QUERY_INCLUDE_DIR}
  INTERFACE_LINK_OPTIONS "LINKER:--exclude-libs,${_pg_query_archive}")

if(STRATA_BUILD_TESTS)
  find_package(GTest REQUIRED)             # libgtest-dev, libgmock-dev
endif()
if(STRATA_BUILD_BENCH)
  find_package(benchmark QUIET)            # libbenchmark-dev
  if(NOT benchmark_FOUND)
    set(STRATA_BUILD_BENCH OFF)
  endif()
endif()
