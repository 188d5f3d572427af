#include "base/duration.h"
#include "base/file.h"
#include "base/hash64.h"
#include "base/parallel.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

namespace strata::base {
namespace {

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The incremental hasher gives the one-shot digest whatever the pieces (FIPS 180-2's
// million-"a" vector, fed in uneven pieces).
TEST(Sha256, IncrementalEqualsOneShot) {
  const std::string a(1'000'000, 'a');
  Sha256 h;
  for (size_t at = 0, piece = 1; at < a.size(); at += piece, piece = piece * 3 % 1021 + 1) {
    h.Update(std::string_view(a).substr(at, piece));
  }
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(h.FinishHex(), expected);
  EXPECT_EQ(Sha256Hex(a), expected);
}

// migrate prepares OpenSSL on its file thread while the other thread may already digest ledger
// rows: every digest is right whichever thread does the set-up, and preparing twice is harmless.
TEST(Sha256, PrepareWhileOtherThreadsDigest) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong, t] {
      if (t % 2 == 0) PrepareSha256();
      for (int i = 0; i < 50; ++i) {
        if (Sha256Hex("abc") !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++wrong;
        }
      }
      PrepareSha256();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// What the caches rely on: the parts are delimited, and no one or two flipped bits cancel (two
// flips of words' top bits did in the word-wise FNV-1a the ledger cache's check used before).
TEST(Hash64, DelimitsPartsAndCatchesEveryOneOrTwoBitFlips) {
  using base::Hash64;
  EXPECT_NE(Hash64().AddBytes("ab").AddBytes("c").value(),
            Hash64().AddBytes("a").AddBytes("bc").value());
  EXPECT_NE(Hash64().AddBytes("").value(), Hash64().AddBytes(std::string(1, '\0')).value());
  const std::string data = "0123456789abcdefghijklmnopqrstu";  // three words and a tail
  const std::uint64_t h = Hash64().AddBytes(data).value();
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string one = data;
    one[i / 8] = static_cast<char>(one[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Hash64().AddBytes(one).value(), h) << "bit " << i;
    for (size_t j = i + 1; j < data.size() * 8; ++j) {
      std::string two = one;
      two[j / 8] = static_cast<char>(two[j / 8] ^ (1 << (j % 8)));
      ASSERT_NE(Hash64().AddBytes(two).value(), h) << "bits " << i << ", " << j;
    }
  }
}

TEST(Text, NormalizeRemovesBomAndCarriageReturns) {
  EXPECT_EQ(NormalizeText("\xEF\xBB\xBF"
                          "a\r\nb\rc\n"),
            "a\nb\nc\n");
  EXPECT_EQ(NormalizeText("a\nb"), "a\nb");
}

TEST(Text, FindInvalidUtf8) {
  EXPECT_FALSE(FindInvalidUtf8("héllo ✓ 𝄞").has_value());
  EXPECT_EQ(FindInvalidUtf8("ab\xC3"), 2u);         // truncated
  EXPECT_EQ(FindInvalidUtf8("a\xC0\xAF"), 1u);      // overlong
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80"), 1u);  // surrogate
  // Past long ASCII runs (checked eight bytes at a time), at and off a word boundary.
  std::string ascii(16, 'x');
  EXPECT_EQ(FindInvalidUtf8(ascii + "\xC3"), 16u);
  EXPECT_EQ(FindInvalidUtf8(ascii + "abcde\xFF" + ascii), 21u);
  EXPECT_FALSE(FindInvalidUtf8(ascii + "é" + ascii + "✓").has_value());
  EXPECT_EQ(FindInvalidUtf8(ascii + "é" + ascii + "\xE2\x9C"), 34u);
}

TEST(Text, LineIndex) {
  std::string t = "ab\ncd\n\nef";
  LineIndex li(t);
  EXPECT_EQ(li.LineOf(0), 1);
  EXPECT_EQ(li.LineOf(3), 2);
  EXPECT_EQ(li.ColumnOf(4), 2);
  EXPECT_EQ(li.LineOf(7), 4);
  EXPECT_EQ(li.Line(t, 2), "cd");
}

TEST(Text, ClosestMatchIsTheNearestLikelyTypo) {
  std::vector<std::string_view> known = {"lock_wait", "lock_timeout", "table"};
  EXPECT_EQ(base::ClosestMatch("lock_timout", known), "lock_timeout");
  EXPECT_EQ(base::ClosestMatch("tabel", known), "table");
  EXPECT_EQ(base::ClosestMatch("colour", known), "");
  EXPECT_EQ(base::ClosestMatch("tbl", known, 1), "");
  EXPECT_EQ(base::ClosestMatch("tbl", known, 2), "table");
}

TEST(Redact, UrlPasswords) {
  EXPECT_EQ(RedactUrl("postgres://app:s3cr%40t@db:5432/x"), "postgres://app:***@db:5432/x");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db?sslmode=require&password=pw1"),
            "postgresql://u@h/db?sslmode=require&password=***");
  EXPECT_EQ(RedactUrl("host=h password='a b' user=u"), "host=h password=*** user=u");
  EXPECT_EQ(RedactUrl("sqlite:/tmp/x.db"), "sqlite:/tmp/x.db");
}

// libpq percent-decodes a URL's query keys and values: `?%70assword=` is a password.
// Issue 14.
TEST(Redact, PercentEncodedAndPrefixedPasswordKeys) {
  EXPECT_EQ(RedactUrl("postgres://u@h:5432/db?%70assword=s3cretXYZ"),
            "postgres://u@h:5432/db?%70assword=***");
  EXPECT_EQ(RedactUrl("postgres://u@h/db?sslmode=disable&%50%41%53%53%57%4f%52%44=s3cretXYZ&x=1"),
            "postgres://u@h/db?sslmode=disable&%50%41%53%53%57%4f%52%44=***&x=1");
  EXPECT_EQ(RedactUrl("postgres://u@h/db?ssl%70assword=k3y"),
            "postgres://u@h/db?ssl%70assword=***");
  EXPECT_EQ(RedactUrl("PGPASSWORD=s3cretXYZ psql -h h"), "PGPASSWORD=*** psql -h h");
  EXPECT_EQ(RedactUrl("host=h port=5 password = s3cretXYZ"), "host=h port=5 password = ***");
  EXPECT_EQ(RedactUrl("{\"url\":\"postgres://h/db?password=s3cretXYZ\"}"),
            "{\"url\":\"postgres://h/db?password=***\"}");
  EXPECT_EQ(RedactUrl("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
  // Markdown around a URL: the value ends at the backtick, and redacting again changes nothing.
  EXPECT_EQ(RedactUrl("- Target: `postgres://h/db?password=pw1`\n"),
            "- Target: `postgres://h/db?password=***`\n");
  EXPECT_EQ(RedactSecrets("- Target: `postgres://h/db?password=***`\n"),
            "- Target: `postgres://h/db?password=***`\n");
  // Not a password parameter.
  EXPECT_EQ(RedactUrl("postgres://u@h/db?passfile=/x&sslmode=require"),
            "postgres://u@h/db?passfile=/x&sslmode=require");
  EXPECT_EQ(PercentDecode("%70a%73s%ZZ%4"), "pass%ZZ%4");
  EXPECT_TRUE(MayHoldSecret("?p%61ssword=x"));
}

// The URL test, byte by byte as lint's JSON writer runs it: what MayHoldSecret answers before
// any value is registered.
TEST(Redact, UrlSecretScanIsTheUrlTest) {
  auto scan = [](std::string_view t) {
    UrlSecretScan s;
    for (size_t i = 0; i < t.size(); ++i) {
      if (UrlSecretScan::Watched(static_cast<unsigned char>(t[i]))) s.Step(t, i);
    }
    return s.holds();
  };
  for (std::string_view yes : {"postgres://h/db", "x://", "PassWord", "SSWORD=", "a%3d=b", "=%",
                               "the pasSwOrd", "ss ssword"}) {
    EXPECT_TRUE(scan(yes)) << yes;
  }
  for (std::string_view no : {"", "postgres:/h", ":/", "%", "a=b", "sswor", "s", "ssw0rd",
                              "pass word", "plain text: nothing"}) {
    EXPECT_FALSE(scan(no)) << no;
  }
  EXPECT_TRUE(MayHoldSecret("SSWORD=") && MayHoldSecret("a%3d=b") && !MayHoldSecret("a=b"));
}

// The decoded password is what a server could echo; both forms are registered.
TEST(Redact, UrlSecretsAreRegisteredDecoded) {
  RegisterUrlSecrets("postgres://u:pa%73%73wordABC@h/db?%70assword=qu%65ryPW1&user=u");
  EXPECT_EQ(RedactSecrets("echo passwordABC and queryPW1"), "echo *** and ***");
  EXPECT_EQ(RedactSecrets("raw pa%73%73wordABC and qu%65ryPW1"), "raw *** and ***");
}

TEST(Redact, RegisteredSecretsAnywhere) {
  RegisterSecret("tr0ub4dor");
  EXPECT_EQ(RedactSecrets("error near 'tr0ub4dor' at line 1"), "error near '***' at line 1");
}

// A database may echo a value back in another case: PostgreSQL lower-cases an unquoted
// identifier in "column ... does not exist".
TEST(Redact, RegisteredSecretsIgnoreCase) {
  RegisterSecret("Api-Token-XYZ");
  EXPECT_EQ(RedactSecrets("column api-token-xyz does not exist; was API-TOKEN-XYZ"),
            "column *** does not exist; was ***");
  EXPECT_TRUE(MayHoldSecret("..api-token-xyz.."));
  EXPECT_FALSE(MayHoldSecret("nothing here"));
  EXPECT_TRUE(MayHoldSecret("PassWord=x"));
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("5s")->count(), 5000);
  EXPECT_EQ(ParseDuration("1.5s")->count(), 1500);
  EXPECT_EQ(ParseDuration("2min")->count(), 120000);
  EXPECT_EQ(ParseDuration("1h")->count(), 3600000);
  EXPECT_EQ(ParseDuration("250")->count(), 250);
  EXPECT_FALSE(ParseDuration("fast").ok());
  EXPECT_FALSE(ParseDuration("5 parsecs").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
}

// Issue 14: 99999999999999999999h overflowed int64 and came out negative.
TEST(Duration, RefusesDurationsLongerThanTheMaximum) {
  auto d = ParseDuration("99999999999999999999h");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("too long"), std::string::npos) << d.error().message();
  EXPECT_FALSE(ParseDuration("99999999999999999999").ok());
  EXPECT_FALSE(ParseDuration("597h").ok());
  EXPECT_EQ(ParseDuration("596h")->count(), 596LL * 3'600'000);
  EXPECT_EQ(ParseDuration("2147483647ms")->count(), kMaxDuration.count());
}

TEST(Text, MarkdownCellKeepsATableRowIntact) {
  EXPECT_EQ(MarkdownCell("a|b\nc"), "a\\|b c");
  EXPECT_EQ(MarkdownCell("plain"), "plain");
}

TEST(File, ReadFileReadsBytesAndRefusesWhatIsNotAFile) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/strata-readfile-test.bin";
  std::string bytes("a\0b\r\nc", 6);
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  auto got = ReadFile(path);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, bytes);
  std::remove(path.c_str());
  std::string why;
  EXPECT_FALSE(ReadFile(path, &why).has_value());
  EXPECT_NE(why.find("No such file"), std::string::npos) << why;
  EXPECT_FALSE(ReadFile(dir, &why).has_value());  // a directory is not a file
  EXPECT_NE(why.find("directory"), std::string::npos) << why;
}

// migrate's stat cache stamps files relative to their open location (StampAt): the stamp is
// StampOf's, in a subdirectory and through a link too, and an edit still changes it.
TEST(File, StampAtIsStampOfRelativeToAnOpenDirectory) {
  std::string dir = ::testing::TempDir() + "/strata-stampat";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sub");
  auto write = [](const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  };
  write(dir + "/sub/V1__a.sql", "select 1;\n");
  std::filesystem::create_symlink("sub/V1__a.sql", dir + "/V2__link.sql");
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
  ASSERT_GE(fd, 0);
  for (const std::string rel : {"sub/V1__a.sql", "V2__link.sql"}) {
    auto at = StampAt(fd, rel);
    ASSERT_TRUE(at.has_value()) << rel;
    EXPECT_EQ(at, StampOf(dir + "/" + rel)) << rel;
  }
  auto before = StampAt(fd, "sub/V1__a.sql");
  write(dir + "/sub/V1__a.sql", "select 22;\n");
  EXPECT_NE(StampAt(fd, "sub/V1__a.sql"), before);
  EXPECT_FALSE(StampAt(fd, "sub").has_value());  // a directory
  EXPECT_FALSE(StampAt(fd, "missing.sql").has_value());
  close(fd);
  std::filesystem::remove_all(dir);
}

// Issue 14: /dev/zero filled memory and a FIFO with no writer blocked forever.
TEST(File, ReadFileRefusesDevicesFifosAndFilesOverTheCap) {
  std::string why;
  EXPECT_FALSE(ReadFile("/dev/zero", &why).has_value());
  EXPECT_EQ(why, "not a regular file (a character device); strata reads regular files only");
  std::string fifo = ::testing::TempDir() + "/strata-readfile-fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(ReadFile(fifo, &why).has_value());
  EXPECT_EQ(why, "not a regular file (a FIFO); strata reads regular files only");
  std::remove(fifo.c_str());
  std::string path = ::testing::TempDir() + "/strata-readfile-cap";
  ASSERT_TRUE(WriteFileAtomic(path, "0123456789"));
  EXPECT_TRUE(ReadFile(path, &why, nullptr, 10).has_value());
  EXPECT_FALSE(ReadFile(path, &why, nullptr, 9).has_value());
  EXPECT_NE(why.find("too large: 10 bytes"), std::string::npos) << why;
  std::remove(path.c_str());
}

// Every index is visited exactly once, whatever the split; small inputs stay on the caller.
TEST(ParallelFor, VisitsEveryIndexOnce) {
  for (size_t n : {0u, 1u, 63u, 64u, 129u, 1000u, 1001u}) {
    std::vector<std::atomic<int>> seen(n);
    std::atomic<int> calls{0};
    ParallelFor(
        n, 64,
        [&](size_t begin, size_t end) {
          ++calls;
          for (size_t i = begin; i < end; ++i) ++seen[i];
        },
        4);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i].load(), 1) << "n=" << n << " i=" << i;
    EXPECT_EQ(calls.load(),
              n == 0 ? 0 : static_cast<int>(std::min<size_t>(4, std::max<size_t>(1, n / 64))))
        << "n=" << n;
  }
}

}  // namespace
}  // namespace strata::base
