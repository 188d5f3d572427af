// Which top-level verb argv invokes, read before the verbs are added to the CLI11 tree: main()
// then builds only that verb (its subcommands, options, help and examples) and the global
// options, not every verb's (2.5 M instructions more, most of main() before `migrate` starts).
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>
#include <vector>

namespace strata::cli {

// The verb of `verbs` (every top-level verb's name) that `argv` invokes, when that is certain
// without the other verbs; empty otherwise, and main() builds them all, as for an unknown word.
// `root` holds the global options only. It is certain when:
// - the words before the verb are global options of `root` (not --help or --version), each
//   option that takes a value followed by its value unless written `--opt=value`: in
//   `strata --url migrate info` the verb is `info`;
// - the first word after them names one of `verbs` exactly (`migrat` does not);
// - no later word names one of `verbs` (`strata lint migrate`): CLI11 reads such a word
//   differently when that verb is in the tree.
// The caller still falls back to the whole tree on a parse error, so an error's message is the
// same either way.
std::string_view InvokedVerb(const CLI::App& root, int argc, const char* const* argv,
                             const std::vector<std::string_view>& verbs);

}  // namespace strata::cli
