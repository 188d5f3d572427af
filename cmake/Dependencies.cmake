# Every dependency comes from a Debian 12 package (see README "Set up"). This file is the one
# place that says how each is found and how it is linked.
#
# Startup cost decides the linking: every shared library the strata binary needs is mapped and
# relocated at every start, before main(). So the binary needs only libc and libm:
#   - libpq is linked from libpq-dev's static libpq.a, with the two PostgreSQL archives it needs
#     (libpgcommon_shlib.a, libpgport_shlib.a from postgresql-server-dev-15) and OpenSSL's
#     static libssl.a/libcrypto.a (libssl-dev). The shared libpq brings ~20 libraries (Kerberos,
#     LDAP, GnuTLS, ...): loading it took 4-5 ms of every PostgreSQL run (with dlopen on the
#     first connection, as strata did) or of every run (linked as usual).
#   - libpq's Kerberos (GSSAPI) and LDAP calls go through cmake/deps/libpq_delay_load.cc, which
#     loads those libraries with dlopen when libpq first calls them (headers from libkrb5-dev
#     and libldap-dev).
#   - SQLite is linked from libsqlite3-dev's static libsqlite3.a.
#   - fmt and toml++ are compiled into strata (cmake/deps/*.cc) from their Debian headers: their
#     shared libraries link libstdc++.so, which -static-libstdc++ (cli/CMakeLists.txt) must not
#     meet a second copy of.
#   - pg_query is static; CLI11 and nlohmann-json are header-only.
# Tests link the same static libpq and OpenSSL as the binary.
find_package(PkgConfig REQUIRED)
find_package(PostgreSQL REQUIRED)          # libpq-dev (libpq.a and its headers)
find_package(SQLite3 REQUIRED)             # libsqlite3-dev
find_package(OpenSSL REQUIRED)             # libssl-dev (SHA-256, Ed25519)
find_package(fmt REQUIRED)                 # libfmt-dev
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(CLI11 REQUIRED)               # libcli11-dev
pkg_check_modules(TOMLPP REQUIRED tomlplusplus)  # libtomlplusplus-dev
find_package(Threads REQUIRED)

# SQLite from the static archive when there is one (Debian's libsqlite3-dev has it), with what
# the archive needs (libm, dlopen, threads); else the shared library FindSQLite3 found.
find_library(STRATA_SQLITE3_STATIC_LIBRARY NAMES libsqlite3.a)
if(STRATA_SQLITE3_STATIC_LIBRARY)
  set_target_properties(SQLite::SQLite3 PROPERTIES
    IMPORTED_LOCATION "${STRATA_SQLITE3_STATIC_LIBRARY}"
    INTERFACE_LINK_LIBRARIES "m;${CMAKE_DL_LIBS};Threads::Threads")
endif()

# OpenSSL's libcrypto from libssl-dev's static archive (strata's SHA-256 and Ed25519; libpq's
# TLS): the shared one alone cost ~1 ms at every start (17,000 relocations). An imported static
# library, so that CMake places it after everything that uses it.
find_library(STRATA_CRYPTO_STATIC_LIBRARY NAMES libcrypto.a REQUIRED)
add_library(deps::crypto STATIC IMPORTED)
set_target_properties(deps::crypto PROPERTIES
  IMPORTED_LOCATION "${STRATA_CRYPTO_STATIC_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${OPENSSL_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS}")

# libpq, static: libpq.a (libpq-dev) with what it needs, linked into one object that, like
# libpq.so, exports only libpq's API (PQ*, lo_*):
#   - PostgreSQL's common and port code, which Debian ships only in postgresql-server-dev-<major>
#     (the _shlib archives: the position-independent builds libpq.so is made of). libpg_query
#     carries its own copy of some of it (encoding tables, wchar.c) under the same names; made
#     local here, the two copies never meet.
#   - libssl.a, also made local; libcrypto stays shared with the rest of strata (deps::crypto).
#   - Kerberos (GSSAPI) and LDAP: libpq_delay_load.cc (linked after the object) defines the
#     functions libpq calls and loads the real libraries on the first call (headers from
#     libkrb5-dev and libldap-dev).
string(REGEX MATCH "[0-9]+" STRATA_PG_MAJOR "${PostgreSQL_VERSION_STRING}")
find_library(STRATA_LIBPQ_STATIC_LIBRARY NAMES libpq.a REQUIRED)
find_library(STRATA_SSL_STATIC_LIBRARY NAMES libssl.a REQUIRED)
find_library(STRATA_PGCOMMON_LIBRARY NAMES libpgcommon_shlib.a
  PATHS /usr/lib/postgresql/${STRATA_PG_MAJOR}/lib NO_DEFAULT_PATH)
find_library(STRATA_PGPORT_LIBRARY NAMES libpgport_shlib.a
  PATHS /usr/lib/postgresql/${STRATA_PG_MAJOR}/lib NO_DEFAULT_PATH)
if(NOT STRATA_PGCOMMON_LIBRARY OR NOT STRATA_PGPORT_LIBRARY)
  message(FATAL_ERROR "libpgcommon_shlib.a and libpgport_shlib.a (what static libpq needs) are "
    "not in /usr/lib/postgresql/${STRATA_PG_MAJOR}/lib: "
    "apt-get install postgresql-server-dev-${STRATA_PG_MAJOR}")
endif()
find_path(STRATA_GSSAPI_INCLUDE_DIR gssapi/gssapi.h)
find_path(STRATA_LDAP_INCLUDE_DIR ldap.h)
if(NOT STRATA_GSSAPI_INCLUDE_DIR OR NOT STRATA_LDAP_INCLUDE_DIR)
  message(FATAL_ERROR "gssapi/gssapi.h or ldap.h not found: apt-get install libkrb5-dev libldap-dev")
endif()
add_library(strata_dep_libpq_delay_load STATIC ${CMAKE_CURRENT_LIST_DIR}/deps/libpq_delay_load.cc)
target_include_directories(strata_dep_libpq_delay_load SYSTEM PRIVATE
  ${STRATA_GSSAPI_INCLUDE_DIR} ${STRATA_LDAP_INCLUDE_DIR})
target_link_libraries(strata_dep_libpq_delay_load PRIVATE ${CMAKE_DL_LIBS})
set(_libpq_object ${CMAKE_BINARY_DIR}/libpq-static.o)
add_custom_command(OUTPUT ${_libpq_object}
  COMMAND ${CMAKE_LINKER} -r -o ${_libpq_object}.all
    --whole-archive ${STRATA_LIBPQ_STATIC_LIBRARY} --no-whole-archive
    ${STRATA_PGCOMMON_LIBRARY} ${STRATA_PGPORT_LIBRARY} ${STRATA_SSL_STATIC_LIBRARY}
  COMMAND ${CMAKE_OBJCOPY} --wildcard --keep-global-symbol=PQ* --keep-global-symbol=lo_*
    ${_libpq_object}.all ${_libpq_object}
  DEPENDS ${STRATA_LIBPQ_STATIC_LIBRARY} ${STRATA_PGCOMMON_LIBRARY} ${STRATA_PGPORT_LIBRARY}
    ${STRATA_SSL_STATIC_LIBRARY}
  COMMENT "Linking libpq.a, PostgreSQL's common code and libssl.a into one object"
  VERBATIM)
set_source_files_properties(${_libpq_object} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
add_library(strata_dep_libpq STATIC ${_libpq_object})
set_target_properties(strata_dep_libpq PROPERTIES LINKER_LANGUAGE C)
target_include_directories(strata_dep_libpq SYSTEM INTERFACE ${PostgreSQL_INCLUDE_DIRS})
target_link_libraries(strata_dep_libpq INTERFACE strata_dep_libpq_delay_load deps::crypto
  ${CMAKE_DL_LIBS} Threads::Threads)
add_library(deps::libpq ALIAS strata_dep_libpq)

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
