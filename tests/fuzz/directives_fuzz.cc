// `-- strata:` directives (sql::ParseDirectives) and `${name}` placeholders
// (sql::ExpandPlaceholders), as engine::Prepare reads every migration file.
#include "sql/directives.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view text = fuzz::AsText(data, size);
  auto settings = sql::ParseDirectives(text, "V1__fuzz.sql");
  if (settings) {
    for (const sql::Directive& d : settings->directives) FUZZ_CHECK(d.line >= 1);
  }
  if (sql::HasPlaceholders(text)) {
    static const sql::Placeholders kPlaceholders = {
        {"schema", {"app", false}},
        {"owner", {"app_owner", false}},
        {"password", {"s3cr3t-value", true}},
    };
    auto plain = sql::ExpandPlaceholders(text, kPlaceholders, "V1__fuzz.sql", 1, false);
    auto shown = sql::ExpandPlaceholders(text, kPlaceholders, "V1__fuzz.sql", 1, true);
    // Redaction never changes whether the text expands.
    FUZZ_CHECK(plain.ok() == shown.ok());
    if (shown)
      FUZZ_CHECK(shown->find("s3cr3t-value") == std::string::npos ||
                 text.find("s3cr3t-value") != std::string_view::npos);
  }
  return 0;
}
