// Issue 16, Speed: `strata lint --jobs N` lints on N threads and prints exactly what one thread
// prints, in the same order, on the real histories in ../shared/corpora (each history in apply
// order, the pending-set model carried from file to file, with and without the "each file on
// its own" reading of `lint` without --url); the streaming JSON and SARIF writers print the
// bytes the old DOM renderers printed (kept here as the reference) and refuse what is not UTF-8;
// `--jobs` refuses values that are not a thread count.
#include "strata/version.h"

#include "base/redact.h"
#include "base/text.h"
#include "lint/cases.h"
#include "lint/linter.h"
#include "lint/registry.h"
#include "lint/render.h"
#include "report/render.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <fmt/format.h>
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

// The reference for the streaming writers' bytes: the report as the nlohmann document strata
// printed before them (report::Dump of this DOM), kept here only to check that the bytes have not
// changed.
nlohmann::json FindingJson(const Finding& f) {
  nlohmann::json j = {{"rule", f.rule_id},
                      {"name", f.rule_name},
                      {"severity", SeverityName(f.severity)},
                      {"file", f.file},
                      {"line", f.line},
                      {"column", f.column},
                      {"message", base::RedactSecrets(f.message)},
                      {"help", f.help},
                      {"suppressed", f.suppressed}};
  if (f.suppressed) j["suppression_reason"] = f.suppression_reason;
  if (f.escalated) j["escalated"] = true;
  if (!f.size_note.empty()) j["size"] = f.size_note;
  return j;
}

nlohmann::json ReferenceJson(const LintResult& r, Severity fail_on) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back(FindingJson(f));
  nlohmann::json migs = nlohmann::json::array();
  for (const auto& m : r.migrations) {
    nlohmann::json st = nlohmann::json::array();
    for (const auto& s : m.statements) {
      nlohmann::json j = {
          {"line", s.line},
          {"column", s.column},
          {"kind", s.kind},
          {"statement", base::RedactSecrets(s.summary)},
          {"target", s.target},
          {"target_is_new", s.target_is_new},
          {"lock", s.lock.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.lock)},
          {"blocks", {{"reads", s.blocks_reads}, {"writes", s.blocks_writes}}},
          {"rewrite", s.rewrite},
          {"scan", s.scan},
          {"concurrent", s.concurrent},
          {"reasons", s.reasons}};
      if (!s.other_locks.empty()) j["other_locks"] = s.other_locks;
      if (s.observed) j["observed"] = true;
      if (s.size.rows >= 0) j["size"] = {{"rows", s.size.rows}, {"bytes", s.size.bytes}};
      st.push_back(std::move(j));
    }
    migs.push_back({{"file", m.path},
                    {"risk_class", m.risk_class},
                    {"classes", m.classes},
                    {"gates", m.gates},
                    {"findings", m.findings},
                    {"statements", std::move(st)}});
  }
  nlohmann::json sups = nlohmann::json::array();
  for (const auto& s : r.suppressions) {
    sups.push_back({{"file", s.file},
                    {"line", s.line},
                    {"rules", s.rules},
                    {"reason", s.reason},
                    {"scope", s.file_scope ? "file" : "statement"},
                    {"used", s.used}});
  }
  int failing = r.CountAtLeast(fail_on);
  return {{"ok", r.status.ok() && failing == 0},
          {"dialect", r.sqlite_version.empty() ? "postgres" : "sqlite"},
          {"pg_version", r.pg_version},
          {"pg_version_source", r.pg_version_source},
          {"live", r.live},
          {"fail_on", SeverityName(fail_on)},
          {"counts",
           {{"error", r.CountAtLeast(Severity::kError)},
            {"warning", r.CountAtLeast(Severity::kWarning) - r.CountAtLeast(Severity::kError)},
            {"info", r.CountAtLeast(Severity::kInfo) - r.CountAtLeast(Severity::kWarning)},
            {"failing", failing},
            {"statements", r.statements},
            {"files", r.migrations.size()}}},
          {"findings", std::move(findings)},
          {"suppressions", std::move(sups)},
          {"migrations", std::move(migs)}};
}

nlohmann::json ReferenceSarif(const LintResult& r) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : AllRules()) {
    rules.push_back({{"id", rule.id},
                     {"name", rule.name},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"helpUri", fmt::format("https://strata.dev/docs/rules/{}", rule.name)},
                     {"defaultConfiguration",
                      {{"level", rule.severity == Severity::kError     ? "error"
                                 : rule.severity == Severity::kWarning ? "warning"
                                                                       : "note"}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json res = {
        {"ruleId", f.rule_id},
        {"level", f.severity == Severity::kError     ? "error"
                  : f.severity == Severity::kWarning ? "warning"
                                                     : "note"},
        {"message", {{"text", base::RedactSecrets(f.message) + " Fix: " + f.help}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", f.file}}},
             {"region",
              {{"startLine", std::max(1, f.line)}, {"startColumn", std::max(1, f.column)}}}}}}}}};
    if (f.suppressed) {
      res["suppressions"] = {{{"kind", "inSource"}, {"justification", f.suppression_reason}}};
    }
    results.push_back(std::move(res));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "strata"},
                 {"version", kVersion},
                 {"informationUri", "https://strata.dev"},
                 {"rules", std::move(rules)}}}}},
             {"results", std::move(results)}}}}};
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
  return {RenderText(r, Severity::kError, false, jobs), json ? *json : "", sarif ? *sarif : "",
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
      EXPECT_EQ(expect.json, report::Dump(report::Envelope(ReferenceJson(one, Severity::kError),
                                                           GateStatus(one, Severity::kError))));
      EXPECT_EQ(expect.sarif, report::Dump(ReferenceSarif(one)));
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

// JSON carries UTF-8 only: a string that is not (a file name, a migration in Latin-1) makes the
// JSON and SARIF renders fail with kEncoding naming it, on one thread and on many (the old DOM
// renderer refused it too, by throwing); valid UTF-8 and control characters are escaped as
// nlohmann escapes them.
TEST(Jobs, StreamingJsonRefusesWhatIsNotUtf8) {
  LintResult r;
  Finding f;
  f.rule_id = "ST101";
  f.rule_name = "x";
  f.file = "ok.sql";
  f.message = "m";
  for (int i = 0; i < 5000; ++i) r.findings.push_back(f);
  r.findings[3000].file = "bad\xff.sql";
  r.findings[4999].message = "later \xc3(";
  for (int jobs : {1, 4}) {
    auto json = RenderJsonText(r, Severity::kError, "null", jobs);
    ASSERT_FALSE(json.has_value());
    EXPECT_EQ(json.error().code(), ErrorCode::kEncoding);
    EXPECT_NE(json.error().message().find("\"bad\\xff.sql\" is not UTF-8 (byte 0xff at offset 3)"),
              std::string::npos)
        << json.error().message();
    auto sarif = RenderSarifText(r, jobs);
    ASSERT_FALSE(sarif.has_value());
    EXPECT_EQ(sarif.error().code(), ErrorCode::kEncoding);
    EXPECT_NE(sarif.error().message().find("as SARIF: \"bad\\xff.sql\""), std::string::npos)
        << sarif.error().message();
  }
  r.findings.resize(1);
  r.findings[0].file = "caf\xc3\xa9 \"q\" \\ \t\x01.sql";  // valid UTF-8 and escapes
  auto json = RenderJsonText(r, Severity::kError,
                             report::Dump(report::StatusJson(GateStatus(r, Severity::kError))));
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(*json, report::Dump(report::Envelope(ReferenceJson(r, Severity::kError),
                                                 GateStatus(r, Severity::kError))));
}

// The writers decide in their escaping pass whether a string may hold a secret, and redact
// only those: every string that base::RedactSecrets changes (passwords in URLs, password
// parameters, percent-encoded keys, registered secret values in any case) comes out as the DOM
// renderers wrote it, around escapes and UTF-8, on one thread and on many.
// Where two long outputs first differ ("" when they are equal): gtest's diff of two megabytes of
// JSON takes gigabytes.
std::string FirstDifference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  const size_t from = i > 80 ? i - 80 : 0;
  return fmt::format("first difference at byte {}:\n got: {}\nwant: {}", i, got.substr(from, 200),
                     want.substr(from, 200));
}

TEST(Jobs, StreamingJsonRedactsAsTheDomRenderersDid) {
  const std::vector<std::string> texts = {
      "postgres://app:s3cret@db.internal/x then more",
      "see https://example.com/docs, no password in it",
      "password=abc def",
      "PASSWORD = 'x y' and \"q\"\t\\",
      "sslPassWord=zz;host=h",
      "?%70assword=leak&x=1",
      "100% = ok",
      "ends in sswor",
      "SSWORD",
      "caf\xc3\xa9 password=\xc3\xa9\x01 done",
      "ALTER ROLE app PASSWORD 'hunter2-secret'",
      "plain text, nothing to hide: HUNTER2-SECRET in capitals",
      "",
  };
  LintResult r;
  MigrationReport m;
  m.path = "V1__x.sql";
  for (int i = 0; i < 5000; ++i) {
    const std::string& t = texts[static_cast<size_t>(i) % texts.size()];
    Finding f;
    f.rule_id = "ST101";
    f.rule_name = "x";
    f.file = i % 7 == 0 ? t : "ok.sql";
    f.message = t;
    f.help = texts[static_cast<size_t>(i + 3) % texts.size()];
    f.suppressed = i % 5 == 0;
    f.suppression_reason = t;
    r.findings.push_back(f);
    StatementReport st;
    st.kind = "AlterRoleStmt";
    st.summary = t;
    st.target = t;
    st.reasons = {t, "r"};
    m.statements.push_back(st);
    if (m.statements.size() == 10) {
      r.migrations.push_back(m);
      m.statements.clear();
    }
  }
  r.statements = 5000;
  auto check = [&](const char* when) {
    for (int jobs : {1, 4}) {
      Status gate = GateStatus(r, Severity::kError);
      auto json = RenderJsonText(r, Severity::kError, report::Dump(report::StatusJson(gate)), jobs);
      ASSERT_TRUE(json.has_value()) << json.error().message();
      EXPECT_EQ(FirstDifference(*json, report::Dump(report::Envelope(
                                           ReferenceJson(r, Severity::kError), gate))),
                "")
          << when << ", jobs " << jobs;
      auto sarif = RenderSarifText(r, jobs);
      ASSERT_TRUE(sarif.has_value()) << sarif.error().message();
      EXPECT_EQ(FirstDifference(*sarif, report::Dump(ReferenceSarif(r))), "")
          << when << ", jobs " << jobs;
      EXPECT_EQ(json->find("s3cret"), std::string::npos);
      EXPECT_EQ(json->find("leak"), std::string::npos);
    }
  };
  check("no secret registered");
  // A registered value (here as a --url password would be) is redacted wherever it appears.
  base::RegisterSecret("hunter2-secret");
  check("a secret registered");
  auto json = RenderJsonText(r, Severity::kError, "null", 4);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(base::ToLower(*json).find("hunter2-secret"), std::string::npos);
}

// `strata lint --format json|sarif` on a migration whose name is not UTF-8: the encoding error
// (exit 3) on stderr naming the file, nothing on stdout, where it used to abort (an uncaught
// exception); text and github print the name as it is.
TEST(Jobs, CliReportsAFileNameThatIsNotUtf8) {
  strata::testing::TempDir dir;
  const std::string file = dir.path() + "/V1__caf\xe9.sql";
  std::ofstream(file) << "CREATE INDEX i ON t (c);\n";
  for (std::string format : {"json", "sarif"}) {
    auto r = strata::testing::RunStrata({"lint", "--format", format, file}, dir.path());
    EXPECT_EQ(r.exit_code, 3) << format << ": " << r.All();
    EXPECT_EQ(r.out, "") << format;
    EXPECT_NE(r.err.find("V1__caf\\xe9.sql"), std::string::npos) << format << ": " << r.All();
    EXPECT_NE(r.err.find("is not UTF-8"), std::string::npos) << format << ": " << r.All();
  }
  auto text = strata::testing::RunStrata({"lint", file}, dir.path());
  EXPECT_EQ(text.exit_code, 7) << text.All();
  EXPECT_NE(text.out.find("V1__caf\xe9.sql:1:1: error[LK101]"), std::string::npos) << text.All();
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
