// Helpers shared by the fuzz targets (tests/fuzz/<target>_fuzz.cc). Each target defines
// LLVMFuzzerTestOneInput and is linked either with libFuzzer (scripts/fuzz.sh, clang) or with
// replay_main.cc (the normal build: CTest replays the corpus and a fixed batch of mutations).
//
// A target feeds its input to the entry point the CLI uses for that file kind. An error Result
// is a normal outcome; a crash, a sanitizer report, an uncaught exception or a failed
// FUZZ_CHECK is a finding. Not thread-safe: one input at a time, as libFuzzer runs them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// An invariant of the parser's result (not of its input): failing it is a finding.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace strata::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A private scratch directory for targets whose entry point reads files (a seed package, the
// release manifest, strata.toml). Created on first use under $TMPDIR (else /tmp), removed at
// exit. Returns its path.
const std::string& ScratchDir();

// Writes `bytes` to `path` (truncating). Aborts when it cannot: the environment is broken,
// not the parser.
void WriteFileOrDie(const std::string& path, std::string_view bytes);

// Removes every entry of ScratchDir() (not the directory itself).
void ClearScratch();

// A bundle of files in one input, for entry points that read several files (a seed package's
// manifest.toml and its CSVs). The first section is `first_name`'s content; each line
// `==> NAME <==` starts a section holding file NAME (as `head` prints several files). NAME is
// reduced to [A-Za-z0-9_.-] (no leading dot, at most 64 bytes) so that no input writes outside
// the scratch directory; an empty result drops the section.
std::vector<std::pair<std::string, std::string_view>> SplitBundle(std::string_view input,
                                                                  const std::string& first_name);

}  // namespace strata::fuzz
