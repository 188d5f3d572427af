// Which inputs `strata lint` reports (pending) and which are context: standard input, the
// ledger's view (--url) and git's (--since). The git seam (GitRunner) stands in for a repository.
#include "lint/git.h"
#include "lint/linter.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace strata::lint {
namespace {

std::vector<LintInput> Inputs(const testing::TempDir& d) {
  return {{d.Write("db/V1__a.sql", "select 1;\n"), "V1__a.sql", "select 1;\n", true, false},
          {d.Write("db/V2__b.sql", "select 2;\n"), "V2__b.sql", "select 2;\n", true, false},
          {d.Write("db/R__v.sql", "select 3;\n"), "R__v.sql", "select 3;\n", true, true}};
}

TEST(LintPending, StdinReplacesTheNamedFileOrIsAdded) {
  testing::TempDir d;
  auto in = Inputs(d);
  UseStdinInput(in, "select 20;\r\n", d / "db/V2__b.sql");
  ASSERT_EQ(in.size(), 3u);
  EXPECT_FALSE(in[0].pending);
  EXPECT_TRUE(in[1].pending);
  EXPECT_EQ(in[1].text, "select 20;\n");
  EXPECT_FALSE(in[2].pending);

  auto added = Inputs(d);
  UseStdinInput(added, "select 4;\n", "");
  ASSERT_EQ(added.size(), 4u);
  EXPECT_EQ(added[3].path, "<stdin>");
  EXPECT_TRUE(added[3].pending);
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(added[i].pending);
}

TEST(LintPending, LedgerMakesAppliedFilesContextAndFlagsEdits) {
  testing::TempDir d;
  auto in = Inputs(d);
  std::vector<InfoRow> ledger(3);
  ledger[0].script = "V1__a.sql";
  ledger[0].state = "applied";
  ledger[1].script = "V2__b.sql";
  ledger[1].state = "applied";
  ledger[1].checksum_mismatch = true;
  ledger[2].script = "R__v.sql";
  ledger[2].state = "applied";
  ledger[2].type = "REPEATABLE";
  MarkApplied(in, ledger);
  EXPECT_FALSE(in[0].pending);
  EXPECT_TRUE(in[1].pending);
  EXPECT_EQ(in[1].changed_after_apply, "checksum differs from the ledger");
  EXPECT_TRUE(in[2].pending);
}

TEST(LintPending, SinceKeepsChangedFilesAndFlagsModifiedOnes) {
  testing::TempDir d;
  auto in = Inputs(d);
  GitRunner git = [&](const std::string&,
                      const std::vector<std::string>& args) -> Result<std::string> {
    if (args[0] == "rev-parse" && args[1] == "--show-toplevel") return d.path() + "\n";
    if (args[0] == "rev-parse") return std::string("abc\n");
    if (args[0] == "diff") return std::string("M\tdb/V2__b.sql\nM\tdb/R__v.sql\n");
    return std::string();
  };
  ASSERT_TRUE(MarkChangedSince(git, {d / "db"}, "origin/main", in).ok());
  EXPECT_FALSE(in[0].pending);
  EXPECT_TRUE(in[1].pending);
  EXPECT_EQ(in[1].changed_after_apply, "modified since origin/main");
  EXPECT_TRUE(in[2].pending);
  EXPECT_EQ(in[2].changed_after_apply, "") << "a repeatable file runs again when changed";

  GitRunner no_repo = [](const std::string&,
                         const std::vector<std::string>&) -> Result<std::string> {
    return Status(ErrorCode::kIo, "not a git repository");
  };
  Status s = MarkChangedSince(no_repo, {d / "db"}, "origin/main", in);
  EXPECT_EQ(s.code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace strata::lint

namespace strata::lint {
namespace {

// `strata lint f1 ... f600`: the files named one by one are read on several threads, and come
// back in the order given, with CRLF normalised, as on one thread; the error names the first
// path that cannot be read.
TEST(LintLoadInputs, ManyFilesInTheOrderGivenOnAnyThreadCount) {
  testing::TempDir d;
  std::vector<std::string> paths;
  for (int i = 0; i < 600; ++i) {
    // Not in name order: the order given is the order linted.
    std::string name = "V" + std::to_string((i * 7919) % 600 + 1) + "__m.sql";
    paths.push_back(d.Write("db/" + name, "select " + std::to_string(i) + ";\r\n"));
  }
  paths.push_back(d.Write("db/R__view.sql", "select 1;\n"));
  auto one = LoadInputs(paths, {}, 1);
  auto four = LoadInputs(paths, {}, 4);
  ASSERT_TRUE(one.ok() && four.ok());
  ASSERT_EQ(one->size(), paths.size());
  ASSERT_EQ(four->size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ((*four)[i].path, paths[i]);
    EXPECT_EQ((*four)[i].text, (*one)[i].text);
    EXPECT_EQ((*four)[i].script, (*one)[i].script);
    EXPECT_EQ((*four)[i].repeatable, (*one)[i].repeatable);
  }
  EXPECT_EQ((*four)[5].text, "select 5;\n");
  EXPECT_TRUE(four->back().repeatable);

  auto bad = paths;
  bad[300] = d.path() + "/db/missing-1.sql";
  bad[500] = d.path() + "/db/missing-2.sql";
  for (int jobs : {1, 4}) {
    auto r = LoadInputs(bad, {}, jobs);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kIo);
    EXPECT_NE(r.error().message().find("missing-1.sql"), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace strata::lint
