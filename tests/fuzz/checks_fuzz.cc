// `-- strata:pre-check` / `post-check` blocks and the expectation language
// (verify::ParseChecks, verify::ParseExpectation), as engine::Prepare reads every migration file.
#include "verify/checks.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view text = fuzz::AsText(data, size);
  auto checks = verify::ParseChecks(text, "V1__fuzz.sql");
  if (checks) {
    for (const auto* list : {&checks->pre, &checks->post}) {
      for (const verify::Check& c : *list) {
        FUZZ_CHECK(c.line >= 1);
        (void)c.Name();
        (void)verify::IsDml(c.query);
        (void)verify::PhaseName(c.phase);
      }
    }
  }
  // The expectation language on its own (also `[smoke]` and `Expected rows:` values): the
  // first line of the input.
  // Then the second line judged against it, as a query's value.
  size_t eol = text.find('\n');
  std::string_view first = text.substr(0, eol);
  auto expectation = verify::ParseExpectation(first, "strata.toml", 1);
  if (expectation) {
    std::optional<std::string> value;
    if (eol != std::string_view::npos) {
      std::string_view rest = text.substr(eol + 1);
      value = std::string(rest.substr(0, rest.find('\n')));
    }
    verify::Captured captured;
    captured["before"] = "42";
    std::string expected, message;
    (void)verify::Judge(*expectation, value, 7, captured, &expected, &message);
  }
  return 0;
}
