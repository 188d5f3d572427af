// Issue 16, Speed: `strata lint --jobs N` lints on N threads and prints exactly what one thread
// prints, in the same order, on the real histories in ../shared/corpora (each history in apply
// order, the pending-set model carried from file to file, with and without the "each file on
// its own" reading of `lint` without --url); the streaming JSON and SARIF writers print the
// bytes the DOM renderers print; `--jobs` refuses values that are not a thread count.
#include "base/text.h"
#include "lint/cases.h"
#include "lint/linter.h"
#include "lint/render.h"
#include "report/render.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace strata::lint {
namespace {

const std::string kCorpora = std::string(STRATA_SOURCE_DIR) + "/../shared/corpora/";

std::vector<LintInput> FromApplyOrder(const std::string& corpus, const std::string& list) {
  std::vector<LintInput> out;
  std::ifstream in(kCorpora + corpus + "/" + list);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string path = line.substr(0, line.find('\t'));
    std::string text = base::NormalizeText(testing::ReadFile(kCorpora + corpus + "/" + path));
    std::filesystem::path rel(path);
    std::string script = rel.filename() == "up.sql" ? rel.parent_path().filename().string() + ".sql"
                                                    : rel.filename().string();
    out.push_back({corpus + "/" + path, script, std::move(text), true, false, ""});
  }
  return out;
}

// Every output format, as `strata lint` prints it.
struct Rendered {
  std::string text, json, sarif, github;
};
Rendered Render(const LintResult& r, int jobs) {
  Status gate = GateStatus(r, Severity::kError);
  std::string error = gate.ok() ? "null" : report::Dump(report::StatusJson(gate));
  auto json = RenderJsonText(r, Severity::kError, error, jobs);
  auto sarif = RenderSarifText(r, jobs);
  EXPECT_TRUE(json && sarif);
  return {RenderText(r, Severity::kError, false, jobs), json.value_or(""), sarif.value_or(""),
          RenderGithub(r)};
}

struct History {
  std::string corpus, list;
};

class JobsTest : public ::testing::TestWithParam<History> {};

TEST_P(JobsTest, OutputIsTheSameOnOneThreadAndOnMany) {
  if (!std::filesystem::exists(kCorpora)) GTEST_SKIP() << "corpora not found at " << kCorpora;
  auto inputs = FromApplyOrder(GetParam().corpus, GetParam().list);
  ASSERT_GT(inputs.size(), 20u);
  // Files 0..k-1 already applied (context for the model only), the rest pending: the model
  // crosses from context files into pending ones, as with --url or --since.
  auto with_context = inputs;
  for (size_t i = 0; i < with_context.size() / 2; ++i) with_context[i].pending = false;
  for (bool same_file : {false, true}) {
    for (const auto* set : {&inputs, &with_context}) {
      LintConfig config;
      config.new_means_same_file = same_file;
      const LintResult one = Lint(*set, config, nullptr, 1);
      ASSERT_FALSE(one.findings.empty());
      const Rendered expect = Render(one, 1);
      // The DOM renderers are the reference for the streaming writers' bytes.
      EXPECT_EQ(expect.json, report::Dump(report::Envelope(RenderJson(one, Severity::kError),
                                                           GateStatus(one, Severity::kError))));
      EXPECT_EQ(expect.sarif, report::Dump(RenderSarif(one)));
      for (int jobs : {2, 3, 8}) {
        const LintResult many = Lint(*set, config, nullptr, jobs);
        EXPECT_EQ(many.statements, one.statements);
        EXPECT_EQ(many.Blocking(), one.Blocking());
        const Rendered got = Render(many, jobs);
        EXPECT_EQ(got.text, expect.text) << "jobs " << jobs;
        EXPECT_EQ(got.json, expect.json) << "jobs " << jobs;
        EXPECT_EQ(got.sarif, expect.sarif) << "jobs " << jobs;
        EXPECT_EQ(got.github, expect.github) << "jobs " << jobs;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpora, JobsTest,
                         ::testing::Values(History{"ory-kratos", "APPLY-ORDER.txt"},
                                           History{"kestra", "APPLY-ORDER.txt"},
                                           History{"temporal", "APPLY-ORDER-temporal-db.txt"},
                                           History{"synapse", "APPLY-ORDER.txt"},
                                           History{"crates-io", "APPLY-ORDER.txt"}),
                         [](const auto& info) {
                           std::string n = info.param.corpus;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// A table created by an earlier file is known to a later one on every thread count: the
// model-dependent rules still run in file order. With the pending set read as one (--url,
// --since), a table an earlier pending file creates is new, so adding a NOT NULL column to it
// later is fine (a file that did not see the earlier one would report CL102); read file by
// file (lint without either), the table exists and every ALTER is reported.
TEST(Jobs, LaterFilesSeeTheModelOfEarlierOnes) {
  std::vector<LintInput> inputs;
  for (int i = 0; i < 200; ++i) {
    std::string t = "t" + std::to_string(i);
    std::string v1 = "V" + std::to_string(2 * i + 1) + "__create.sql";
    std::string v2 = "V" + std::to_string(2 * i + 2) + "__alter.sql";
    inputs.push_back(
        {v1, v1, "CREATE TABLE " + t + " (id bigint PRIMARY KEY);\n", true, false, ""});
    inputs.push_back(
        {v2, v2, "ALTER TABLE " + t + " ADD COLUMN c int NOT NULL;\n", true, false, ""});
  }
  auto count = [](const LintResult& r, const std::string& id) {
    return std::count_if(r.findings.begin(), r.findings.end(),
                         [&](const Finding& f) { return f.rule_id == id; });
  };
  for (bool same_file : {false, true}) {
    LintConfig config;
    config.new_means_same_file = same_file;
    const LintResult one = Lint(inputs, config, nullptr, 1);
    const LintResult four = Lint(inputs, config, nullptr, 4);
    EXPECT_EQ(RenderText(four, Severity::kError, false, 4), RenderText(one, Severity::kError));
    EXPECT_EQ(count(four, "CL102"), same_file ? 200 : 0);
  }
}

// A string that is not UTF-8 cannot be written by nlohmann (it throws): the streaming writer
// says so (nullopt) and the CLI falls back to the DOM renderer, which reports it as before.
TEST(Jobs, StreamingJsonRefusesWhatTheDomRefuses) {
  LintResult r;
  Finding f;
  f.rule_id = "ST101";
  f.rule_name = "x";
  f.file = "bad\xff.sql";
  f.message = "m";
  r.findings.push_back(f);
  EXPECT_FALSE(RenderJsonText(r, Severity::kError, "null").has_value());
  EXPECT_FALSE(RenderSarifText(r).has_value());
  r.findings[0].file = "caf\xc3\xa9 \"q\" \\ \t\x01.sql";  // valid UTF-8 and escapes
  auto json = RenderJsonText(r, Severity::kError,
                             report::Dump(report::StatusJson(GateStatus(r, Severity::kError))));
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(*json, report::Dump(report::Envelope(RenderJson(r, Severity::kError),
                                                 GateStatus(r, Severity::kError))));
}

TEST(Jobs, CliRefusesBadJobsAndPrintsTheSameWithAny) {
  strata::testing::TempDir dir;
  const std::string file = dir.path() + "/V1__t.sql";
  std::ofstream(file) << "CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d int NOT NULL;\n";
  for (std::string bad : {"0", "-1", "two", "1.5", "", "4x", "100000"}) {
    auto r = strata::testing::RunStrata({"lint", "--jobs", bad, file}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.All();
    EXPECT_NE(r.err.find("bad --jobs"), std::string::npos) << bad << ": " << r.All();
  }
  auto one = strata::testing::RunStrata({"lint", "-j1", "--format", "json", file}, dir.path());
  auto two =
      strata::testing::RunStrata({"lint", "--jobs", "2", "--format", "json", file}, dir.path());
  auto any = strata::testing::RunStrata({"lint", "--format", "json", file}, dir.path());
  EXPECT_EQ(one.exit_code, 7) << one.All();
  EXPECT_EQ(two.out, one.out);
  EXPECT_EQ(any.out, one.out);
  EXPECT_EQ(two.exit_code, one.exit_code);
}

}  // namespace
}  // namespace strata::lint
