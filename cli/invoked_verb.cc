#include "cli/invoked_verb.h"

#include <algorithm>
#include <string>

namespace strata::cli {

std::string_view InvokedVerb(const CLI::App& root, int argc, const char* const* argv,
                             const std::vector<std::string_view>& verbs) {
  auto verb_named = [&verbs](std::string_view word) {
    auto it = std::find(verbs.begin(), verbs.end(), word);
    return it == verbs.end() ? std::string_view() : *it;
  };
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.size() < 2 || word[0] != '-') break;
    if (word == "--") return {};
    size_t eq = word.find('=');
    const CLI::Option* o = root.get_option_no_throw(std::string(word.substr(0, eq)));
    if (!o || !o->nonpositional() || o == root.get_help_ptr() || o == root.get_help_all_ptr() ||
        o == root.get_version_ptr()) {
      return {};
    }
    if (o->get_expected_max() > 0 && eq == std::string_view::npos) ++i;  // its value
  }
  if (i >= argc) return {};
  std::string_view verb = verb_named(argv[i]);
  for (int j = i + 1; j < argc && !verb.empty(); ++j) {
    if (!verb_named(argv[j]).empty()) return {};
  }
  return verb;
}

}  // namespace strata::cli
