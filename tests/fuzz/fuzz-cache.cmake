# Initial cache for the libFuzzer build (scripts/fuzz.sh: cmake -C tests/fuzz/fuzz-cache.cmake).
# Debian's clang-14 with its fuzzer runtime (libclang-rt-14-dev). Every object is instrumented
# for coverage (fuzzer-no-link), AddressSanitizer and UndefinedBehaviorSanitizer; an undefined
# behaviour report aborts, so libFuzzer records it as a crash. -O1 -g: quick to build on a
# shared machine, with usable stacks. The fuzz targets add -fsanitize=fuzzer at link time
# (tests/fuzz/CMakeLists.txt).
set(STRATA_FUZZ ON CACHE BOOL "")
set(STRATA_BUILD_TESTS ON CACHE BOOL "")
set(STRATA_BUILD_BENCH OFF CACHE BOOL "")
set(CMAKE_BUILD_TYPE Fuzz CACHE STRING "")
set(CMAKE_C_COMPILER clang CACHE STRING "")
set(CMAKE_CXX_COMPILER clang++ CACHE STRING "")
set(_strata_fuzz_flags
    "-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined")
set(CMAKE_C_FLAGS_FUZZ "${_strata_fuzz_flags}" CACHE STRING "")
set(CMAKE_CXX_FLAGS_FUZZ "${_strata_fuzz_flags}" CACHE STRING "")
set(CMAKE_EXE_LINKER_FLAGS_FUZZ "-fsanitize=address,undefined" CACHE STRING "")
