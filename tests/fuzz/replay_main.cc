// A main for fuzz targets in the normal build (gcc, no libFuzzer), in the spirit of OSS-Fuzz's
// StandaloneFuzzTargetMain: it runs LLVMFuzzerTestOneInput over every file of the directories
// (or files) it is given, then over a fixed-seed, deterministic batch of mutations of those
// inputs (byte flips, truncation, duplication, splices, tokens that stress parsers: quotes,
// comment and dollar-quote openers, NUL, 0xFF, deep parentheses). CTest runs it (label `fuzz`):
// the committed corpus and the crashes found so far are replayed on every test run, cheaply and
// reproducibly, without a second compiler.
//
//   <target>_fuzz [--mutations=N] [--seconds=S] [--seed=N] [--max-len=N] DIR|FILE...
//
// Defaults: 2000 mutations, at most 2 s of mutations, seed 1, inputs up to 16 KiB. A crash
// aborts like any test failure; the input being run is first written to
// fuzz-replay-crash-<target> in the working directory, and its origin (file, or mutation
// number) was printed before it ran when STRATA_FUZZ_VERBOSE is set.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash handler (written with async-signal-safe calls only).
const std::string* g_current = nullptr;
char g_crash_path[512] = "fuzz-replay-crash";

void OnCrash(int sig) {
  if (g_current) {
    int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      const char* p = g_current->data();
      size_t left = g_current->size();
      while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0) break;
        p += n;
        left -= static_cast<size_t>(n);
      }
      close(fd);
    }
    const char msg[] = "\nfuzz replay: crashing input written to ";
    (void)!write(2, msg, sizeof msg - 1);
    (void)!write(2, g_crash_path, strlen(g_crash_path));
    (void)!write(2, "\n", 1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void Run(const std::string& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

// splitmix64: a small, fixed PRNG, so every platform and run mutates the same way.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

// Tokens that open or close the constructs the parsers track.
const std::vector<std::string>& Tokens() {
  static const std::vector<std::string> kTokens = {"'",
                                                   "\"",
                                                   "/*",
                                                   "*/",
                                                   "--",
                                                   "$$",
                                                   "$tag$",
                                                   "$",
                                                   ";",
                                                   "\n",
                                                   "\r\n",
                                                   "\\",
                                                   "\\.\n",
                                                   "E'",
                                                   "U&'",
                                                   "(",
                                                   ")",
                                                   "[",
                                                   "]",
                                                   "{",
                                                   "}",
                                                   "=",
                                                   ",",
                                                   "#",
                                                   "\"\"",
                                                   "''",
                                                   std::string(1, '\0'),
                                                   "\xff",
                                                   "\xef\xbb\xbf",
                                                   "\xc3",
                                                   "\xe2\x82",
                                                   "BEGIN",
                                                   "END",
                                                   "ATOMIC",
                                                   "CASE",
                                                   "TRIGGER",
                                                   "COPY t FROM STDIN;\n",
                                                   "-- strata:",
                                                   "-- strata:intent\n",
                                                   "-- strata:pre-check ",
                                                   "-- strata:post-check ",
                                                   "-- strata:allow ",
                                                   "${",
                                                   "}",
                                                   "==> x.csv <==\n",
                                                   "[[release]]\n",
                                                   "[",
                                                   "]]",
                                                   " = ",
                                                   "\"\"\"",
                                                   "'''",
                                                   "0x",
                                                   "1e999",
                                                   "-9223372036854775809",
                                                   "99999999999999999999",
                                                   "__",
                                                   "V",
                                                   "R__",
                                                   ".sql",
                                                   "between ",
                                                   " and ",
                                                   "rows affected",
                                                   "<!-- strata-evidence-digest: ",
                                                   "<!-- strata-evidence-signature: ",
                                                   "-->",
                                                   "sha256:",
                                                   "ed25519 ",
                                                   " key "};
  return kTokens;
}

std::string Mutate(const std::vector<std::string>& corpus, Rng& rng, size_t max_len) {
  std::string s = corpus[rng.Below(corpus.size())];
  int steps = 1 + static_cast<int>(rng.Below(4));
  for (int i = 0; i < steps; ++i) {
    size_t pos = rng.Below(s.size() + 1);
    switch (rng.Below(9)) {
      case 0:  // flip a bit
        if (!s.empty()) s[rng.Below(s.size())] ^= static_cast<char>(1u << rng.Below(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[rng.Below(s.size())] = static_cast<char>(rng.Below(256));
        break;
      case 2:  // truncate
        s.resize(pos);
        break;
      case 3: {  // erase a range
        size_t n = rng.Below(std::min<size_t>(s.size() - std::min(pos, s.size()), 64) + 1);
        s.erase(std::min(pos, s.size()), n);
        break;
      }
      case 4: {  // duplicate a range
        if (s.empty()) break;
        size_t from = rng.Below(s.size());
        size_t n = 1 + rng.Below(std::min<size_t>(s.size() - from, 256));
        s.insert(pos, s.substr(from, n));
        break;
      }
      case 5:
      case 6: {  // insert a token
        const auto& tokens = Tokens();
        s.insert(pos, tokens[rng.Below(tokens.size())]);
        break;
      }
      case 7: {  // deep nesting
        size_t depth = 1 + rng.Below(rng.Below(2) ? 16 : 2000);
        std::string open(depth, "([{"[rng.Below(3)]);
        s.insert(pos, open);
        break;
      }
      case 8: {  // splice in part of another input
        const std::string& other = corpus[rng.Below(corpus.size())];
        if (other.empty()) break;
        size_t from = rng.Below(other.size());
        s.insert(pos,
                 other.substr(from, 1 + rng.Below(std::min<size_t>(other.size() - from, 512))));
        break;
      }
    }
  }
  if (s.size() > max_len) s.resize(max_len);
  return s;
}

bool ReadAll(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool Flag(std::string_view arg, std::string_view name, long long* value) {
  if (arg.substr(0, name.size()) != name) return false;
  *value = std::atoll(std::string(arg.substr(name.size())).c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long long mutations = 2000, seconds = 2, seed = 1, max_len = 16 * 1024;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (Flag(a, "--mutations=", &mutations) || Flag(a, "--seconds=", &seconds) ||
        Flag(a, "--seed=", &seed) || Flag(a, "--max-len=", &max_len)) {
      continue;
    }
    if (a.substr(0, 1) == "-") {
      std::fprintf(stderr,
                   "usage: %s [--mutations=N] [--seconds=S] [--seed=N] [--max-len=N] "
                   "DIR|FILE...\n",
                   argv[0]);
      return 2;
    }
    paths.emplace_back(a);
  }
  std::string target = fs::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "fuzz-replay-crash-%s", target.c_str());
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) signal(sig, OnCrash);
  bool verbose = std::getenv("STRATA_FUZZ_VERBOSE") != nullptr;

  // Every file, in name order, so a run is reproducible.
  std::vector<fs::path> files;
  for (const fs::path& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: %s is neither a file nor a directory\n", target.c_str(), p.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> corpus;
  for (const fs::path& f : files) {
    std::string bytes;
    if (!ReadAll(f, bytes)) {
      std::fprintf(stderr, "%s: cannot read %s\n", target.c_str(), f.c_str());
      return 2;
    }
    if (verbose) std::fprintf(stderr, "%s: running %s\n", target.c_str(), f.c_str());
    Run(bytes);
    corpus.push_back(std::move(bytes));
  }
  if (corpus.empty()) corpus.emplace_back();

  Rng rng{static_cast<uint64_t>(seed)};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  long long ran = 0;
  for (; ran < mutations; ++ran) {
    if ((ran & 63) == 0 && std::chrono::steady_clock::now() > deadline) break;
    std::string input = Mutate(corpus, rng, static_cast<size_t>(max_len));
    if (verbose) std::fprintf(stderr, "%s: mutation %lld\n", target.c_str(), ran);
    Run(input);
  }
  std::printf("%s: %zu corpus inputs, %lld mutations (seed %lld), no crash\n", target.c_str(),
              files.size(), ran, seed);
  return 0;
}
