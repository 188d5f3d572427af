// Issue 18, "A command line that helps": typos answered with the closest verb or flag,
// `strata help <verb>`, every verb's --help with the global flags and examples, completion
// scripts, man pages and colour. The real binary; the verbs are read from `strata --help`, so a
// verb added later is held to the same standard without a list here.
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace strata::testing {
namespace {

constexpr int kExitUsage = 2;
constexpr std::string_view kRed = "\033[31m";

bool Has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// Runs `cmd` with /bin/sh; returns its standard output and error.
std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) pclose(p);
  return out;
}

bool Installed(const std::string& program) {
  return std::system(("command -v " + program + " > /dev/null 2>&1").c_str()) == 0;
}

// The visible verbs, from the "Subcommands:" section of `strata --help`.
std::vector<std::string> Verbs(const std::string& cwd) {
  auto r = RunStrata({"--help"}, cwd);
  std::vector<std::string> verbs;
  std::istringstream in(r.out);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line == "Subcommands:") {
      in_section = true;
    } else if (in_section && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      verbs.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_section) {
      break;
    }
  }
  return verbs;
}

TEST(CliTest, UnknownVerbNamesTheClosestOne) {
  TempDir dir;
  auto r = RunStrata({"migrat"}, dir.path());
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_TRUE(Has(r.err, "unknown command `migrat`; did you mean `migrate`?")) << r.err;
  EXPECT_FALSE(Has(r.err, "A subcommand is required")) << r.err;
  // A swapped pair, a prefix, a nested verb, and a word that is close to nothing.
  EXPECT_TRUE(Has(RunStrata({"backfill", "rnu", "job"}, dir.path()).err,
                  "unknown command `rnu` of `strata backfill`; did you mean `run`?"));
  EXPECT_TRUE(Has(RunStrata({"valid"}, dir.path()).err, "did you mean `validate`?"));
  r = RunStrata({"frobnicate"}, dir.path());
  EXPECT_TRUE(Has(r.err, "unknown command `frobnicate`\n")) << r.err;
  EXPECT_TRUE(Has(r.err, "the commands are: migrate, info")) << r.err;
  // The machine twin: the same message in the --json envelope.
  r = RunStrata({"--json", "migrat"}, dir.path());
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "usage");
  EXPECT_EQ(j["error"]["message"], "unknown command `migrat`; did you mean `migrate`?");
}

TEST(CliTest, UnknownFlagNamesTheClosestOne) {
  TempDir dir;
  auto r = RunStrata({"migrate", "--dryrun"}, dir.path());
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_TRUE(Has(r.err, "unknown flag `--dryrun` for `strata migrate`; did you mean `--dry-run`?"))
      << r.err;
  EXPECT_TRUE(Has(r.err, "next: run `strata help migrate`")) << r.err;
  // A global flag, misspelt before the verb.
  EXPECT_TRUE(Has(RunStrata({"--urll", "sqlite::memory:", "info"}, dir.path()).err,
                  "unknown flag `--urll`; did you mean `--url`?"));
  // A flag of another verb.
  EXPECT_TRUE(Has(RunStrata({"info", "--dry-run"}, dir.path()).err,
                  "(`--dry-run` is a flag of `strata migrate`)"));
  // A global flag after the verb is not unknown.
  r = RunStrata({"info", "--url", "sqlite::memory:", "--bogus"}, dir.path());
  EXPECT_TRUE(Has(r.err, "unknown flag `--bogus` for `strata info`")) << r.err;
  // No verb at all: the verbs are listed.
  r = RunStrata({}, dir.path());
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_TRUE(Has(r.err, "`strata` needs a command: migrate, info")) << r.err;
}

TEST(CliTest, HelpVerbShowsTheVerbsHelpWithGlobalFlagsAndExamples) {
  TempDir dir;
  auto help = RunStrata({"help", "migrate"}, dir.path());
  auto flag = RunStrata({"migrate", "--help"}, dir.path());
  ASSERT_EQ(help.exit_code, 0) << help.All();
  EXPECT_EQ(help.out, flag.out);
  EXPECT_TRUE(Has(help.out, "Usage: strata migrate")) << help.out;
  EXPECT_TRUE(Has(help.out, "--dry-run")) << help.out;
  EXPECT_TRUE(Has(help.out, "Global options")) << help.out;
  EXPECT_TRUE(Has(help.out, "--url")) << help.out;
  EXPECT_TRUE(Has(help.out, "--lock-wait")) << help.out;
  EXPECT_TRUE(Has(help.out, "Examples:\n  strata ")) << help.out;
  // Nested, and the whole program.
  auto nested = RunStrata({"help", "backfill", "run"}, dir.path());
  EXPECT_TRUE(Has(nested.out, "Usage: strata backfill run")) << nested.All();
  auto top = RunStrata({"help"}, dir.path());
  EXPECT_TRUE(Has(top.out, "Subcommands:")) << top.All();
  auto bad = RunStrata({"help", "migrat"}, dir.path());
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_TRUE(Has(bad.err, "did you mean `migrate`?")) << bad.err;
}

// Every verb, including ones added after this test was written: `help <verb>` has the global
// flags and one or two examples (cli::Examples where the verb is registered).
TEST(CliTest, EveryVerbHasGlobalFlagsAndExamplesInItsHelp) {
  TempDir dir;
  auto verbs = Verbs(dir.path());
  ASSERT_GE(verbs.size(), 10u);
  for (const auto& v : verbs) {
    auto r = RunStrata({"help", v}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << v << ": " << r.All();
    EXPECT_TRUE(Has(r.out, "Global options")) << v << ": " << r.out;
    EXPECT_TRUE(Has(r.out, "Examples:\n  strata ") || Has(r.out, "Examples:\n  source"))
        << "`strata " << v << "` has no examples: add cli::Examples(cmd, {...}) where it is "
        << "registered\n"
        << r.out;
  }
}

// `strata <verb> ...` builds only that verb's part of the CLI11 tree (cli/invoked_verb.h);
// `strata help <verb>` builds all of it. The help is the same, with what other files add to the
// verb (validate's --drift comes from cmd_schema.cc), and so is a usage error, which is
// diagnosed with the whole tree.
TEST(CliTest, AVerbAloneIsTheSameAsInTheWholeTree) {
  TempDir dir;
  std::vector<std::vector<std::string>> paths = {
      {"backfill", "run"}, {"identifiers", "map", "fill"}, {"schema", "dump"}};
  for (const auto& v : Verbs(dir.path())) paths.push_back({v});
  for (const auto& path : paths) {
    std::vector<std::string> help = {"help"}, flag = path;
    help.insert(help.end(), path.begin(), path.end());
    flag.push_back("--help");
    auto whole = RunStrata(help, dir.path());
    auto alone = RunStrata(flag, dir.path());
    EXPECT_EQ(alone.exit_code, 0) << path[0] << ": " << alone.All();
    EXPECT_EQ(alone.out, whole.out) << path[0];
  }
  EXPECT_TRUE(Has(RunStrata({"--url", "sqlite::memory:", "validate", "--help"}, dir.path()).out,
                  "--drift-against"));
  // The value of --url is not the verb; an error names what the whole tree knows.
  auto r = RunStrata({"--url", "migrate"}, dir.path());
  EXPECT_TRUE(Has(r.err, "`strata` needs a command: migrate, info")) << r.err;
  r = RunStrata({"--url", "sqlite::memory:", "migrate", "--check"}, dir.path());
  EXPECT_TRUE(Has(r.err, "(`--check` is a flag of `strata hash`)")) << r.err;
}

// The global-options section of a verb's help (after its own options), empty when none.
std::string GlobalSection(const std::string& help) {
  size_t at = help.find("Global options");
  if (at == std::string::npos) return "";
  return help.substr(at, help.find("\n\n", at) - at);
}

// Issue 18: a verb's help lists the global flags that verb honours, not every global flag.
TEST(CliTest, VerbHelpListsOnlyTheGlobalFlagsItHonours) {
  TempDir dir;
  struct Case {
    std::vector<std::string> verb;
    std::vector<std::string_view> listed;
    std::vector<std::string_view> not_listed;
  };
  const std::vector<Case> cases = {
      {{"migrate"},
       {"--url", "--config", "--locations", "--lock-wait", "--log-json", "--json"},
       {"--color"}},
      {{"lint"}, {"--url", "--locations", "--color", "--json"}, {"--lock-wait", "--log-json"}},
      {{"hash"}, {"--config", "--locations", "--json"}, {"--url", "--connect-timeout"}},
      {{"backfill", "run"}, {"--url", "--log-json"}, {"--locations", "--lock-wait"}},
      {{"backfill", "status"}, {"--url", "--json"}, {"--log-json", "--locations"}},
      {{"seed", "apply"}, {"--lock-wait"}, {"--locations"}},
      {{"seed", "plan"}, {"--url"}, {"--lock-wait"}},
      {{"init"}, {"--url", "--json"}, {"--config", "--locations", "--lock-wait"}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), c.verb.begin(), c.verb.end());
    auto r = RunStrata(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.All();
    std::string globals = GlobalSection(r.out);
    for (auto f : c.listed) EXPECT_TRUE(Has(globals, f)) << args[1] << " " << f << "\n" << r.out;
    for (auto f : c.not_listed) {
      EXPECT_FALSE(Has(globals, std::string(f) + " ")) << args[1] << " " << f << "\n" << r.out;
    }
  }
  // Every verb, including ones added later, says which flags it honours (cli/help.cc
  // VerbGlobals): none honours all of them, so a verb missing from the table, which lists them
  // all, fails here. The program's own help lists them all.
  auto top = RunStrata({"--help"}, dir.path());
  for (auto f : {"--url", "--lock-wait", "--log-json", "--color"}) EXPECT_TRUE(Has(top.out, f));
  for (const auto& v : Verbs(dir.path())) {
    std::string globals = GlobalSection(RunStrata({"help", v}, dir.path()).out);
    bool all = Has(globals, "--url ") && Has(globals, "--lock-wait ") &&
               Has(globals, "--log-json ") && Has(globals, "--color");
    EXPECT_FALSE(all) << "`strata " << v << "` lists every global flag: say which it honours "
                      << "in cli/help.cc VerbGlobals\n"
                      << globals;
  }
}

TEST(CliTest, CompletionScriptsCoverEveryVerb) {
  TempDir dir;
  auto verbs = Verbs(dir.path());
  for (std::string shell : {"bash", "zsh", "fish"}) {
    auto r = RunStrata({"completion", shell}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << shell << ": " << r.All();
    for (const auto& v : verbs) EXPECT_TRUE(Has(r.out, v)) << shell << " lacks " << v;
  }
  auto bad = RunStrata({"completion", "bsh"}, dir.path());
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_TRUE(Has(bad.err, "did you mean `bash`?")) << bad.err;

  // bash: load the script and complete as bash-completion would.
  std::string script = dir.Write("strata.bash", RunStrata({"completion", "bash"}, dir.path()).out);
  auto complete = [&](const std::string& words) {
    std::string cmd = "bash -c 'source " + script + "; COMP_WORDS=(" + words +
                      "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _strata; "
                      "echo \"${COMPREPLY[*]}\"' > " +
                      dir / "out.txt";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::string out = dir.Read("out.txt");
    return out.substr(0, out.find('\n'));
  };
  EXPECT_EQ(complete("strata migr"), "migrate");
  EXPECT_EQ(complete("strata migrate --dry"), "--dry-run");
  EXPECT_EQ(complete("strata --color a"), "auto always");
  EXPECT_EQ(complete("strata backfill ru"), "run");
  EXPECT_TRUE(Has(complete("strata info --"), "--url")) << "global flags after a verb";
  // After a verb, only the global flags it honours (cli/help.cc VerbGlobals), as its --help.
  EXPECT_EQ(complete("strata hash --"), "--check --config --locations --json --help");
  EXPECT_TRUE(Has(complete("strata migrate --"), "--lock-wait"));
  EXPECT_FALSE(Has(complete("strata lint --"), "--lock-wait"));
  EXPECT_EQ(complete("strata evidence verify --"), "--public-key --json --help");
  EXPECT_TRUE(Has(complete("strata --"), "--lock-wait")) << "before the verb: all of them";

  // fish: its own completion engine, where installed.
  if (Installed("fish")) {
    std::string fish = dir.Write("strata.fish", RunStrata({"completion", "fish"}, dir.path()).out);
    EXPECT_EQ(Shell("fish -n " + fish), "");
    EXPECT_EQ(Shell("fish -c 'source " + fish + "; complete -C \"strata migr\"'"),
              "migrate\tapply pending migrations\n");
    EXPECT_TRUE(
        Has(Shell("fish -c 'source " + fish + "; complete -C \"strata migrate --in-flight \"'"),
            "rerun\t"));
    auto fish_flags = [&](const std::string& line) {
      std::string out = Shell("fish -c 'source " + fish + "; complete -C \"" + line + "\"'");
      std::string names;
      std::istringstream in(out);
      for (std::string l; std::getline(in, l);) names += l.substr(0, l.find('\t')) + " ";
      return names;
    };
    EXPECT_EQ(fish_flags("strata hash --"), "--check --config --json --locations ");
    EXPECT_TRUE(Has(fish_flags("strata migrate --"), "--lock-wait "));
    EXPECT_FALSE(Has(fish_flags("strata lint --"), "--lock-wait "));
    // `verify` nested under `evidence` is not the verb `verify`.
    EXPECT_EQ(fish_flags("strata evidence verify --"), "--json --public-key ");
    EXPECT_TRUE(Has(fish_flags("strata --"), "--lock-wait ")) << "before the verb: all of them";
  }
  // zsh: the syntax, and what the function offers with zsh's completion builtins stubbed.
  if (Installed("zsh")) {
    std::string zsh = dir.Write("_strata", RunStrata({"completion", "zsh"}, dir.path()).out);
    EXPECT_EQ(Shell("zsh -n " + zsh), "");
    std::string stub =
        dir.Write("stub.zsh",
                  "compdef() { :; }\n"
                  "_describe() { local -a a; a=(\"${(@P)4}\"); print -l -- \"${a[@]}\"; }\n"
                  "compadd() { shift; print -l -- \"$@\"; }\n"
                  "_files() { print files; }\n"
                  "source $1\n"
                  "words=(\"${(@)argv[2,-1]}\"); CURRENT=${#words}; "
                  "PREFIX=${words[CURRENT]}\n_strata\n");
    EXPECT_TRUE(Has(Shell("zsh " + stub + " " + zsh + " strata mig"),
                    "migrate:apply pending migrations\n"));
    EXPECT_EQ(Shell("zsh " + stub + " " + zsh + " strata migrate --in-flight ''"), "done\nrerun\n");
    std::string hash = Shell("zsh " + stub + " " + zsh + " strata hash --");
    EXPECT_TRUE(Has(hash, "--locations:")) << hash;
    EXPECT_FALSE(Has(hash, "--url:")) << hash;
    EXPECT_FALSE(Has(hash, "--lock-wait:")) << hash;
    EXPECT_TRUE(Has(Shell("zsh " + stub + " " + zsh + " strata migrate --"), "--lock-wait:"));
    EXPECT_FALSE(Has(Shell("zsh " + stub + " " + zsh + " strata lint --"), "--lock-wait:"));
    EXPECT_TRUE(Has(Shell("zsh " + stub + " " + zsh + " strata --"), "--lock-wait:"));
  }
}

TEST(CliTest, ManPagesOnePerVerbFromTheSameDefinitions) {
  TempDir dir;
  auto r = RunStrata({"man", "--dir", dir / "man"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(std::filesystem::exists(dir / "man/strata.1"));
  for (const auto& v : Verbs(dir.path())) {
    std::string page = dir / ("man/strata-" + v + ".1");
    ASSERT_TRUE(std::filesystem::exists(page)) << page;
    std::string text = dir.Read("man/strata-" + v + ".1");
    EXPECT_TRUE(Has(text, ".SH EXAMPLES")) << v;
    EXPECT_TRUE(Has(text, ".SH GLOBAL OPTIONS")) << v;
    EXPECT_TRUE(Has(text, "\\-\\-json")) << v << ": the global options it honours";
    // groff reads it without a warning.
    std::string cmd = "groff -man -Tutf8 -ww -z " + page + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    std::string warnings;
    while (p && fgets(buf, sizeof buf, p)) warnings += buf;
    if (p) pclose(p);
    EXPECT_EQ(warnings, "") << page;
  }
  EXPECT_TRUE(Has(dir.Read("man/strata-migrate.1"), "\\-\\-dry\\-run"));
  // The global options each verb honours, as in its help (VerbHelpListsOnlyTheGlobalFlags...).
  EXPECT_TRUE(Has(dir.Read("man/strata-migrate.1"), "\\-\\-lock\\-wait"));
  EXPECT_FALSE(Has(dir.Read("man/strata-hash.1"), "\\-\\-url"));
  // Hidden from the verb list: it is for the build.
  EXPECT_FALSE(Has(RunStrata({"--help"}, dir.path()).out, "  man "));
}

// A project with one applied migration and one pending that lint flags as an error.
void WriteProject(const TempDir& dir) {
  dir.Write("strata.toml", "url = \"sqlite:app.db\"\nlocations = [\"db\"]\n");
  dir.Write("db/V1__a.sql", "CREATE TABLE a (x integer);\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  ASSERT_EQ(RunStrata({"migrate"}, dir.path()).exit_code, 0);
  dir.Write("db/V2__b.sql", "CREATE INDEX a_x ON a (x);\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
}

TEST(CliTest, ColourOnATerminalOffWithNoColorNeverOrAPipe) {
  TempDir dir;
  WriteProject(dir);
  // The project is SQLite; its index would be an error on PostgreSQL (LK101), which is what
  // lint judges with --dialect postgres: a finding to colour.
  // Not a terminal: no escape codes.
  auto piped = RunStrata({"lint", "--dialect", "postgres", "db/V2__b.sql"}, dir.path());
  EXPECT_TRUE(Has(piped.out, "error[")) << piped.All();
  EXPECT_FALSE(Has(piped.out, "\033[")) << piped.out;
  // --color always: the severity and the states are coloured.
  auto forced =
      RunStrata({"--color", "always", "lint", "--dialect", "postgres", "db/V2__b.sql"}, dir.path());
  EXPECT_TRUE(Has(forced.out, std::string(kRed) + "error\033[0m[")) << forced.out;
  auto info = RunStrata({"info", "--color", "always"}, dir.path());
  EXPECT_TRUE(Has(info.out, "\033[32mapplied\033[0m")) << info.out;
  EXPECT_TRUE(Has(info.out, "\033[36mpending\033[0m")) << info.out;
  // The columns still line up: the state is padded outside the escape codes.
  auto plain_info = RunStrata({"info"}, dir.path());
  EXPECT_EQ(plain_info.out.find("installed on"), info.out.find("installed on"));
  // A terminal: colour, unless NO_COLOR or --color never.
  auto tty = RunStrataOnTty({"lint", "--dialect", "postgres", "db/V2__b.sql"}, dir.path());
  EXPECT_TRUE(Has(tty.out, std::string(kRed) + "error")) << tty.out;
  auto never = RunStrataOnTty({"--color", "never", "lint", "--dialect", "postgres", "db/V2__b.sql"},
                              dir.path());
  EXPECT_FALSE(Has(never.out, "\033[3")) << never.out;
  setenv("NO_COLOR", "1", 1);
  auto no_color = RunStrataOnTty({"lint", "--dialect", "postgres", "db/V2__b.sql"}, dir.path());
  auto no_color_forced = RunStrataOnTty(
      {"--color=always", "lint", "--dialect", "postgres", "db/V2__b.sql"}, dir.path());
  unsetenv("NO_COLOR");
  EXPECT_FALSE(Has(no_color.out, "\033[3")) << no_color.out;
  EXPECT_TRUE(Has(no_color_forced.out, std::string(kRed) + "error")) << "--color always wins";
  auto bad = RunStrata({"--color", "sometimes", "info"}, dir.path());
  EXPECT_EQ(bad.exit_code, kExitUsage);
}

TEST(CliTest, HashCheckWritesNothingAndFailsOnAStaleSum) {
  TempDir dir;
  dir.Write("strata.toml", "url = \"sqlite:app.db\"\nlocations = [\"db\"]\n");
  dir.Write("db/V1__a.sql", "CREATE TABLE a (x integer);\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  auto ok = RunStrata({"hash", "--check"}, dir.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_TRUE(Has(ok.out, "strata.sum matches 1 migration(s)")) << ok.out;
  dir.Write("db/V2__b.sql", "CREATE TABLE b (x integer);\n");
  std::string before = dir.Read("db/strata.sum");
  auto stale = RunStrata({"hash", "--check"}, dir.path());
  EXPECT_EQ(stale.exit_code, 3) << stale.All();
  EXPECT_TRUE(Has(stale.err, "added: V2__b.sql")) << stale.err;
  EXPECT_EQ(dir.Read("db/strata.sum"), before) << "--check wrote strata.sum";
}

}  // namespace
}  // namespace strata::testing
