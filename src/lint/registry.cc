#include "lint/registry.h"

#include "base/text.h"

namespace strata::lint {

// Each rule's check lives in rules/<name>.cc.
#define STRATA_RULE(ident, id, name, sev, scope, on, size, squawk, summary) \
  void Check##ident(Context&);
#include "lint/rules.def"
#undef STRATA_RULE

namespace embedded {
std::string_view EmbeddedFile(std::string_view name);
}

namespace {
constexpr RuleInfo kRules[] = {
#define STRATA_RULE(ident, id, name, sev, scope, on, size, squawk, summary) \
  {id, name, Severity::sev, Scope::scope, on, size, summary, squawk, &Check##ident},
#include "lint/rules.def"
#undef STRATA_RULE
};
}  // namespace

std::span<const RuleInfo> AllRules() { return kRules; }

const RuleInfo* FindRule(std::string_view key) {
  for (const auto& r : kRules) {
    if (r.name == key || base::EqualsIgnoreCase(r.id, key)) return &r;
  }
  return nullptr;
}

std::string_view RuleDoc(const RuleInfo& rule) {
  std::string file(rule.name);
  file += ".md";
  return embedded::EmbeddedFile(file);
}

}  // namespace strata::lint
