# Every dependency comes from a Debian 12 package (see README "Set up"). This file is the one
# place that says how each is found and how it is linked.
#
# Startup cost decides the linking: every shared library the strata binary needs is mapped at
# every start, before main(). So the binary needs only libc, libm and libcrypto:
#   - libpq is not linked: src/db/postgres/libpq.cc opens it with dlopen on the first PostgreSQL
#     connection (libpq alone brings ~20 libraries: Kerberos, LDAP, GnuTLS, ...; ~5 ms). The code
#     sees only its header (deps::libpq_headers); the tests' PgCluster links it
#     (PostgreSQL::PostgreSQL).
#   - SQLite is linked from libsqlite3-dev's static libsqlite3.a.
#   - fmt and toml++ are compiled into strata (cmake/deps/*.cc) from their Debian headers: their
#     shared libraries link libstdc++.so, which -static-libstdc++ (cli/CMakeLists.txt) must not
#     meet a second copy of.
#   - OpenSSL's libcrypto is linked from libssl-dev's static libcrypto.a into the strata binary
#     (deps::crypto below): the shared one costs ~1 ms at every start (17,000 relocations). libpq
#     still brings its own shared libssl/libcrypto for TLS when it is loaded; the binary exports
#     none of its static copy's symbols, so the two never mix. Tests keep the shared library
#     (they link libpq, which would bind to an exported static copy).
#   - pg_query is static; CLI11 and nlohmann-json are header-only.
find_package(PkgConfig REQUIRED)
find_package(PostgreSQL REQUIRED)          # libpq-dev (headers; libpq5 at run time)
find_package(SQLite3 REQUIRED)             # libsqlite3-dev
find_package(OpenSSL REQUIRED)             # libssl-dev (SHA-256, Ed25519)
find_package(fmt REQUIRED)                 # libfmt-dev
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(CLI11 REQUIRED)               # libcli11-dev
pkg_check_modules(TOMLPP REQUIRED tomlplusplus)  # libtomlplusplus-dev
find_package(Threads REQUIRED)

# libpq's header only; the library is loaded at run time (${CMAKE_DL_LIBS}: dlopen).
add_library(deps::libpq_headers INTERFACE IMPORTED)
set_target_properties(deps::libpq_headers PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${PostgreSQL_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")

# SQLite from the static archive when there is one (Debian's libsqlite3-dev has it), with what
# the archive needs (libm, dlopen, threads); else the shared library FindSQLite3 found.
find_library(STRATA_SQLITE3_STATIC_LIBRARY NAMES libsqlite3.a)
if(STRATA_SQLITE3_STATIC_LIBRARY)
  set_target_properties(SQLite::SQLite3 PROPERTIES
    IMPORTED_LOCATION "${STRATA_SQLITE3_STATIC_LIBRARY}"
    INTERFACE_LINK_LIBRARIES "m;${CMAKE_DL_LIBS};Threads::Threads")
endif()

# libcrypto: static in a target that sets the property STRATA_STATIC_CRYPTO (the strata binary),
# shared everywhere else.
find_library(STRATA_CRYPTO_STATIC_LIBRARY NAMES libcrypto.a)
add_library(deps::crypto INTERFACE IMPORTED)
if(STRATA_CRYPTO_STATIC_LIBRARY)
  set(_static_crypto "$<BOOL:$<TARGET_PROPERTY:STRATA_STATIC_CRYPTO>>")
  set_target_properties(deps::crypto PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OPENSSL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES
      "$<${_static_crypto}:${STRATA_CRYPTO_STATIC_LIBRARY}>;$<$<NOT:${_static_crypto}>:OpenSSL::Crypto>;Threads::Threads;${CMAKE_DL_LIBS}")
else()
  set_target_properties(deps::crypto PROPERTIES INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)
endif()

# fmt: its implementation compiled once, in cmake/deps/fmt.cc (what fmt's own src/format.cc
# does), without FMT_SHARED, so nothing refers to libfmt.so.
add_library(strata_dep_fmt STATIC ${CMAKE_CURRENT_LIST_DIR}/deps/fmt.cc)
target_include_directories(strata_dep_fmt SYSTEM PUBLIC
  $<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>)
add_library(deps::fmt ALIAS strata_dep_fmt)

# toml++: TOML_HEADER_ONLY=0 everywhere (declarations), the implementation compiled once in
# cmake/deps/tomlplusplus.cc. Not TOML_SHARED_LIB: nothing refers to libtomlplusplus.so.
add_library(strata_dep_tomlplusplus STATIC ${CMAKE_CURRENT_LIST_DIR}/deps/tomlplusplus.cc)
target_include_directories(strata_dep_tomlplusplus SYSTEM PUBLIC ${TOMLPP_INCLUDE_DIRS})
target_compile_definitions(strata_dep_tomlplusplus PUBLIC TOML_HEADER_ONLY=0)
add_library(deps::tomlplusplus ALIAS strata_dep_tomlplusplus)

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
