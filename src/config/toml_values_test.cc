// The typed TOML readers: each accepts its type, and each mistake is kConfig at the node's
// file:line:column, naming the dotted key, the type expected and the type found.
#include "config/toml_values.h"

#include <gtest/gtest.h>

namespace strata::config {
namespace {

constexpr const char* kPath = "dir/strata.toml";

// Parses `text` and returns the node of top-level `key` (which must exist).
class TomlValuesTest : public testing::Test {
 protected:
  const toml::node& Node(std::string_view text, std::string_view key) {
    auto t = ParseToml(text, kPath);
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    doc_ = std::move(*t);
    const toml::node* n = doc_.get(key);
    EXPECT_NE(n, nullptr) << key;
    return *n;
  }

  toml::table doc_;
};

TEST_F(TomlValuesTest, ReadsEachType) {
  EXPECT_EQ(*GetString(kPath, Node("k = \"v\"", "k"), "k"), "v");
  EXPECT_EQ(*GetText(kPath, Node("k = 2026-07-01", "k"), "k"), "2026-07-01");
  EXPECT_EQ(*GetStrings(kPath, Node("k = \"one\"", "k"), "k"), std::vector<std::string>{"one"});
  EXPECT_EQ(*GetStrings(kPath, Node("k = [\"a\", \"b\"]", "k"), "k"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*GetInt(kPath, Node("k = 7", "k"), "k", 0, 10), 7);
  EXPECT_DOUBLE_EQ(*GetNumber(kPath, Node("k = 3", "k"), "k", 0, 5), 3.0);
  EXPECT_DOUBLE_EQ(*GetNumber(kPath, Node("k = 0.5", "k"), "k", 0, 1), 0.5);
  EXPECT_TRUE(*GetBool(kPath, Node("k = true", "k"), "k"));
  EXPECT_EQ(GetDuration(kPath, Node("k = \"2s\"", "k"), "k")->count(), 2000);
  EXPECT_EQ(GetDuration(kPath, Node("k = 250", "k"), "k")->count(), 250);
  auto t = GetTable(kPath, Node("[k]\na = 1", "k"), "k");
  ASSERT_TRUE(t.ok());
  EXPECT_NE((*t)->get("a"), nullptr);
}

struct TypeCase {
  const char* name;
  std::string text;  // the key is `k` in [sec], on line 3
  std::function<Status(const toml::node&)> read;
  std::string message;  // expected inside the message
};

TEST_F(TomlValuesTest, EveryTypeErrorNamesTheSpotTheKeyAndTheTypes) {
  auto s = [](auto r) { return r.status(); };
  const std::string key = "sec.k";
  std::vector<TypeCase> cases = {
      {"string", "k = 1", [&](auto& n) { return s(GetString(kPath, n, key)); },
       "`sec.k` must be a string, not an integer"},
      {"text", "k = [1]", [&](auto& n) { return s(GetText(kPath, n, key)); },
       "`sec.k` must be a string, not an array"},
      {"strings", "k = 1.5", [&](auto& n) { return s(GetStrings(kPath, n, key)); },
       "`sec.k` must be a string or an array of strings, not a float"},
      {"strings element", "k = [\"a\", 2]", [&](auto& n) { return s(GetStrings(kPath, n, key)); },
       "`sec.k` must contain only strings, not an integer"},
      {"int type", "k = \"3\"", [&](auto& n) { return s(GetInt(kPath, n, key, 1, 10)); },
       "`sec.k` must be an integer 1..10, not a string"},
      {"int range", "k = 0", [&](auto& n) { return s(GetInt(kPath, n, key, 1, 10)); },
       "`sec.k` must be an integer 1..10, not 0"},
      {"int lower bound only", "k = -1", [&](auto& n) { return s(GetInt(kPath, n, key, 0)); },
       "`sec.k` must be an integer >= 0, not -1"},
      {"number type", "k = true", [&](auto& n) { return s(GetNumber(kPath, n, key, 0, 1)); },
       "`sec.k` must be a number 0..1, not a boolean"},
      {"number range", "k = 2.5", [&](auto& n) { return s(GetNumber(kPath, n, key, 0, 1)); },
       "`sec.k` must be a number 0..1, not 2.5"},
      {"bool", "k = \"yes\"", [&](auto& n) { return s(GetBool(kPath, n, key)); },
       "`sec.k` must be true or false, not a string"},
      {"duration type", "k = true", [&](auto& n) { return s(GetDuration(kPath, n, key)); },
       "`sec.k` must be a duration like \"5s\" or \"200ms\", not a boolean"},
      {"duration text", "k = \"soon\"", [&](auto& n) { return s(GetDuration(kPath, n, key)); },
       "`sec.k`: invalid duration 'soon'"},
      {"duration negative", "k = -5", [&](auto& n) { return s(GetDuration(kPath, n, key)); },
       "`sec.k` must not be negative"},
      {"table", "k = 1", [&](auto& n) { return s(GetTable(kPath, n, key)); },
       "`sec.k` must be a table, not an integer"},
  };
  for (const auto& c : cases) {
    auto doc = ParseToml("# a comment\n[sec]\n" + c.text + "\n", kPath);
    ASSERT_TRUE(doc.ok()) << c.name;
    const toml::node* n = doc->at_path("sec.k").node();
    ASSERT_NE(n, nullptr) << c.name;
    Status st = c.read(*n);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_EQ(st.code(), ErrorCode::kConfig) << c.name;
    EXPECT_EQ(st.span().file, kPath) << c.name;
    EXPECT_EQ(st.span().line, 3) << c.name;
    EXPECT_GT(st.span().column, 0) << c.name;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << c.name << ": " << st.message();
  }
}

TEST_F(TomlValuesTest, TypeErrorsSayHowToWriteTheValue) {
  EXPECT_EQ(GetString(kPath, Node("k = 1", "k"), "sec.k").error().hint(), "quote it: k = \"...\"");
  EXPECT_NE(GetTable(kPath, Node("k = 1", "k"), "sec.k").error().hint().find("[sec.k]"),
            std::string::npos);
}

TEST_F(TomlValuesTest, UnknownKeySuggestsTheClosestAndListsTheKnown) {
  const toml::node& n = Node("\n\nlock_timout = 1", "lock_timout");
  Status s = UnknownKey(kPath, n, "migrate", "lock_timout", {"lock_wait", "lock_timeout"});
  EXPECT_EQ(s.code(), ErrorCode::kConfig);
  EXPECT_EQ(s.span().file, kPath);
  EXPECT_EQ(s.span().line, 3);
  EXPECT_EQ(s.message(), "unknown key `migrate.lock_timout` (did you mean `lock_timeout`?)");
  EXPECT_EQ(s.hint(), "known keys in [migrate]: `lock_wait`, `lock_timeout`");
}

TEST_F(TomlValuesTest, UnknownKeyWithNothingCloseOnlyListsTheKnown) {
  Status s = UnknownKey(kPath, Node("colour = 1", "colour"), "", "colour", {"url", "locations"});
  EXPECT_EQ(s.message(), "unknown key `colour`");
  EXPECT_EQ(s.hint(), "known keys here: `url`, `locations`");
}

TEST_F(TomlValuesTest, SyntaxErrorsAndUnreadableFilesAreConfigErrors) {
  auto bad = ParseToml("a = 1\nurl = \n", kPath);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kConfig);
  EXPECT_EQ(bad.error().span().line, 2);
  EXPECT_NE(bad.error().message().find("invalid TOML"), std::string::npos);
  EXPECT_FALSE(bad.error().hint().empty());
  auto missing = ParseTomlFile("/nonexistent/strata.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kConfig);
  EXPECT_NE(missing.error().message().find("/nonexistent/strata.toml"), std::string::npos);
}

}  // namespace
}  // namespace strata::config
