// InvokedVerb: which verb main() builds alone. A wrong answer is not visible in the output (a
// parse error falls back to the whole tree), only in the time before the command starts, so
// the choice is checked here.
#include "cli/invoked_verb.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::cli {
namespace {

const std::vector<std::string_view> kVerbs = {"migrate",  "info", "lint",       "tag",
                                              "backfill", "help", "completion", "man"};

// The root as main() builds it: value options (one a list), flags, --help and --version.
std::string Verb(std::vector<std::string> args) {
  CLI::App root{"strata", "strata"};
  std::string url, color;
  std::vector<std::string> locations;
  bool json = false;
  root.set_version_flag("--version", "1.0");
  root.add_option("--url", url, "");
  root.add_option("--locations", locations, "")->delimiter(',');
  root.add_option("--color,--colour", color, "");
  root.add_flag("--json", json, "");
  args.insert(args.begin(), "strata");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return std::string(InvokedVerb(root, static_cast<int>(argv.size()), argv.data(), kVerbs));
}

TEST(InvokedVerbTest, TheVerbAfterTheGlobalOptions) {
  EXPECT_EQ(Verb({"migrate"}), "migrate");
  EXPECT_EQ(Verb({"--url", "x", "migrate"}), "migrate");
  EXPECT_EQ(Verb({"--url=x", "--json", "--locations", "db/a,db/b", "migrate", "--dry-run"}),
            "migrate");
  EXPECT_EQ(Verb({"--colour", "never", "info", "--url", "sqlite::memory:"}), "info");
  EXPECT_EQ(Verb({"backfill", "run", "job"}), "backfill");
}

TEST(InvokedVerbTest, AnOptionsValueIsNotTheVerb) {
  EXPECT_EQ(Verb({"--url", "migrate"}), "");
  EXPECT_EQ(Verb({"--url", "migrate", "info"}), "info");
  EXPECT_EQ(Verb({"--locations", "lint", "migrate"}), "migrate");
  EXPECT_EQ(Verb({"--url"}), "");
}

TEST(InvokedVerbTest, EveryOtherCaseBuildsTheWholeTree) {
  EXPECT_EQ(Verb({}), "");
  EXPECT_EQ(Verb({"migrat"}), "");               // "did you mean" needs every verb
  EXPECT_EQ(Verb({"--urll", "x", "info"}), "");  // an unknown flag, before the verb
  EXPECT_EQ(Verb({"--help", "migrate"}), "");
  EXPECT_EQ(Verb({"-h"}), "");
  EXPECT_EQ(Verb({"--version"}), "");
  EXPECT_EQ(Verb({"--", "migrate"}), "");
  EXPECT_EQ(Verb({"--locations", "a", "b", "migrate"}), "");  // `b`: CLI11 takes it as a location
  // Another verb's name later: CLI11 reads it as that verb when it is in the tree.
  EXPECT_EQ(Verb({"lint", "migrate"}), "");
  EXPECT_EQ(Verb({"migrate", "help"}), "");
  // help and completion are verbs like the others here; main() builds the whole tree for them.
  EXPECT_EQ(Verb({"help", "migrate"}), "");
  EXPECT_EQ(Verb({"help"}), "help");
}

}  // namespace
}  // namespace strata::cli
