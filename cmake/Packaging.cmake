# `cpack -G DEB` in the build directory: a .deb of the binary, its man pages and completions.
# Depends is computed by dpkg-shlibdeps from what the binary links (libpq5, libsqlite3-0,
# libssl3, libfmt9, libtomlplusplus3, libc6, libstdc++6, ...), so it follows Debian's shared
# libraries instead of a hand-kept list (tests/scripts/package_test.sh checks it).
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VENDOR "strata")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "carries a database change through its whole life")
set(CPACK_PACKAGE_DESCRIPTION
    "strata applies, lints, plans and records database migrations for PostgreSQL and SQLite:\n"
    "a hash-chained ledger, lock-aware lint, backfills, seed data and evidence packages.")
set(CPACK_PACKAGE_CONTACT "strata maintainers <strata@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
