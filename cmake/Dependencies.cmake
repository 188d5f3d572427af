# Every dependency comes from a Debian 12 package (see README "Set up"). This file is the one
# place that says how each is found and how it is linked.
#
# libpq is not linked: src/db/postgres/libpq.cc opens it with dlopen on the first PostgreSQL
# connection, because libpq alone brings ~20 shared libraries (Kerberos, LDAP, GnuTLS, ...) that
# would otherwise be mapped at every start, ~5 ms before main(). The code sees only its header
# (deps::libpq_headers); the tests' PgCluster links it (PostgreSQL::PostgreSQL).
find_package(PkgConfig REQUIRED)
find_package(PostgreSQL REQUIRED)          # libpq-dev (headers; libpq5 at run time)
find_package(SQLite3 REQUIRED)             # libsqlite3-dev
find_package(OpenSSL REQUIRED)             # libssl-dev (SHA-256, Ed25519)
find_package(fmt REQUIRED)                 # libfmt-dev
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(CLI11 REQUIRED)               # libcli11-dev
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)  # libtomlplusplus-dev
find_package(Threads REQUIRED)

# libpq's header only; the library is loaded at run time (${CMAKE_DL_LIBS}: dlopen).
add_library(deps::libpq_headers INTERFACE IMPORTED)
set_target_properties(deps::libpq_headers PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${PostgreSQL_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")

# libpg-query-dev ships a static library and a header, no CMake config.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES libpg_query.a pg_query REQUIRED)
add_library(pg_query::pg_query UNKNOWN IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION ${PG_QUERY_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${PG_QUERY_INCLUDE_DIR})

if(STRATA_BUILD_TESTS)
  find_package(GTest REQUIRED)             # libgtest-dev, libgmock-dev
endif()
if(STRATA_BUILD_BENCH)
  find_package(benchmark QUIET)            # libbenchmark-dev
  if(NOT benchmark_FOUND)
    set(STRATA_BUILD_BENCH OFF)
  endif()
endif()
