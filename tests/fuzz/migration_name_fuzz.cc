// Migration file names and discovery: migrate::Version::Parse and migrate::Resolve (V/R name
// rules, version order, duplicate versions, encoding of the content), what Discover runs after
// reading the locations, and the ignore globs (migrate::GlobMatch).
//
// Input: one script name per line up to the first empty line (at most 32), then the content
// every one of those files holds.
#include "migrate/discovery.h"
#include "migrate/version.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view text = fuzz::AsText(data, size);
  std::vector<std::string_view> names;
  size_t pos = 0;
  while (pos < text.size() && names.size() < 32) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) break;
    names.push_back(line);
  }
  std::string_view content = pos < text.size() ? text.substr(pos) : std::string_view();

  // A version parses back to itself from its display form, and the order is a strict weak
  // order consistent with equality.
  std::vector<migrate::Version> versions;
  for (std::string_view n : names) {
    auto v = migrate::Version::Parse(n);
    if (!v) continue;
    auto again = migrate::Version::Parse(v->text());
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *v);
    FUZZ_CHECK(again->text() == v->text());
    versions.push_back(*v);
  }
  for (const auto& a : versions) {
    for (const auto& b : versions) {
      FUZZ_CHECK((a < b) == (b > a));
      FUZZ_CHECK((a == b) == !(a < b || b < a));
    }
  }
  if (names.size() >= 2) (void)migrate::GlobMatch(names[0], names[1]);

  std::vector<migrate::SourceFile> files;
  for (std::string_view n : names) {
    migrate::SourceFile f;
    f.location = "db/migration";
    f.script = std::string(n);
    f.path = "db/migration/" + f.script;
    f.bytes = std::string(content);
    files.push_back(std::move(f));
  }
  auto set = migrate::Resolve(std::move(files));
  if (!set) return 0;
  // Versioned files first, in strictly increasing version order; then repeatable ones.
  bool repeatable_seen = false;
  const migrate::Migration* last = nullptr;
  for (const migrate::Migration& m : set->migrations) {
    if (m.kind == migrate::Kind::kRepeatable) {
      repeatable_seen = true;
      FUZZ_CHECK(m.version.empty());
      continue;
    }
    FUZZ_CHECK(!repeatable_seen);
    FUZZ_CHECK(!m.version.empty());
    if (last) FUZZ_CHECK(last->version < m.version);
    last = &m;
  }
  return 0;
}
