// The rule registry: one constant table built from rules.def. Lookup by id ("LK101") or
// kebab-case name. Thread-safe (immutable).
#pragma once

#include "lint/rule.h"

#include <span>
#include <string_view>

namespace strata::lint {

// All rules in rules.def order.
std::span<const RuleInfo> AllRules();
// By id (case-insensitive) or name; nullptr when unknown.
const RuleInfo* FindRule(std::string_view id_or_name);
// The rule's embedded Markdown doc (<name>.md), empty when missing.
std::string_view RuleDoc(const RuleInfo& rule);

}  // namespace strata::lint
