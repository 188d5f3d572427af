// The command line's self-description, derived from the CLI11 definitions alone so every verb
// registered in the tree gets it without a list kept here: --help with the global flags and the
// verb's examples, `strata help <verb>`, "did you mean" for an unknown verb or flag, shell
// completion scripts (bash, zsh, fish) and man pages (strata.1 and one page per verb).
// Not thread-safe: call from main() only (the examples table is process-wide).
#pragma once

#include "strata/result.h"
#include "strata/status.h"

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::cli {

struct Example {
  std::string command;  // as typed, starting with `strata`
  std::string what;     // one line: what it does
};

// Sets the examples `cmd --help` and its man page show. Every visible verb has one or two
// (cli_test checks that, so a new verb fails the test until it gets them).
void Examples(CLI::App* cmd, std::vector<Example> examples);
const std::vector<Example>& ExamplesOf(const CLI::App* cmd);

// Every subcommand of `app`, depth first, in definition order; `visible_only` skips hidden ones
// (an empty group, e.g. `man`).
std::vector<CLI::App*> AllCommands(CLI::App& app, bool visible_only);

// "strata backfill run": the names from the root to `cmd`.
std::string CommandPath(const CLI::App* cmd);

// Installs the help formatter on `app` and every subcommand (call after all verbs registered):
// a verb's help lists the global flags it accepts and its examples.
void InstallHelp(CLI::App& app);

// `help [verb...]`, `completion bash|zsh|fish` and the hidden `man --dir <dir>`, in that order,
// listed last. They describe every verb, so main() builds the whole tree to run one of them.
struct VerbRegistration;
std::vector<VerbRegistration> HelpVerbs();

// After CLI11 rejected argv: a usage error that names the unknown verb or flag and the closest
// known one ("unknown command `migrat`; did you mean `migrate`?"), or a missing verb with the
// list of verbs. Falls back to `cli11_message` when argv holds neither.
Status DiagnoseUsage(CLI::App& app, int argc, char** argv, std::string_view cli11_message);

// The completion script for `shell` (bash, zsh or fish); kUsage for another shell.
Result<std::string> CompletionScript(CLI::App& app, std::string_view shell);

// Writes strata.1 and strata-<verb>[-<sub>].1 for every visible command into `dir` (created).
// Returns the paths written.
Result<std::vector<std::string>> WriteManPages(CLI::App& app, const std::string& dir);

}  // namespace strata::cli
