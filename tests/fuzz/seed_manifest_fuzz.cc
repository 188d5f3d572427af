// Seed packages (db/seed/<class>/<name>/): seed::LoadPackage reads manifest.toml, then each
// table's CSV, checks keys against headers and computes the package checksum. The input is a
// bundle (fuzz_util.h): manifest.toml first, then `==> name.csv <==` sections for data files,
// written to a scratch package directory.
#include <filesystem>

#include "fuzz_util.h"
#include "seed/package.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  static const std::string kDir = fuzz::ScratchDir() + "/pkg";
  fuzz::ClearScratch();
  std::filesystem::create_directory(kDir);
  for (const auto& [name, bytes] : fuzz::SplitBundle(fuzz::AsText(data, size), "manifest.toml")) {
    fuzz::WriteFileOrDie(kDir + "/" + name, bytes);
  }
  auto package = seed::LoadPackage(kDir, "db/seed/reference/fuzz");
  if (!package) return 0;
  for (const seed::TableSpec& t : package->tables) {
    for (const seed::CsvRow& row : t.data.rows) (void)t.KeyText(row);
    for (const std::string& column : t.data.header) (void)t.IsMeaningColumn(column);
  }
  (void)seed::ClassName(package->cls);
  return 0;
}
