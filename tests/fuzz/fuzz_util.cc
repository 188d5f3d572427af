#include "fuzz_util.h"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace strata::fuzz {

namespace fs = std::filesystem;

namespace {

std::string MakeScratch() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-fuzz-XXXXXX";
  if (!mkdtemp(templ.data())) {
    std::perror("strata fuzz: mkdtemp");
    std::abort();
  }
  return templ;
}

void RemoveScratch();

const std::string& ScratchPath() {
  static const std::string path = [] {
    std::string p = MakeScratch();
    std::atexit(RemoveScratch);
    return p;
  }();
  return path;
}

void RemoveScratch() {
  std::error_code ec;
  fs::remove_all(ScratchPath(), ec);
}

}  // namespace

const std::string& ScratchDir() { return ScratchPath(); }

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "strata fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

void ClearScratch() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ScratchDir(), ec)) {
    fs::remove_all(entry.path(), ec);
  }
}

std::vector<std::pair<std::string, std::string_view>> SplitBundle(std::string_view input,
                                                                  const std::string& first_name) {
  constexpr std::string_view kOpen = "==> ";
  constexpr std::string_view kClose = " <==";
  std::vector<std::pair<std::string, std::string_view>> files;
  std::string name = first_name;
  size_t start = 0;
  size_t pos = 0;
  auto flush = [&](size_t end) {
    if (!name.empty()) files.emplace_back(name, input.substr(start, end - start));
  };
  while (pos <= input.size()) {
    size_t eol = input.find('\n', pos);
    size_t line_end = eol == std::string_view::npos ? input.size() : eol;
    std::string_view line = input.substr(pos, line_end - pos);
    if (line.size() > kOpen.size() + kClose.size() && line.substr(0, kOpen.size()) == kOpen &&
        line.substr(line.size() - kClose.size()) == kClose) {
      flush(pos);
      std::string_view raw = line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size());
      name.clear();
      for (char c : raw) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || (c == '.' && !name.empty());
        if (ok && name.size() < 64) name += c;
      }
      start = eol == std::string_view::npos ? input.size() : eol + 1;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  flush(input.size());
  return files;
}

}  // namespace strata::fuzz
