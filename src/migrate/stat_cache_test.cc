#include "migrate/stat_cache.h"

#include "strata/options.h"

#include "base/sha256.h"
#include "migrate/discovery.h"
#include "migrate/sumfile.h"
#include "support/temp_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace strata::migrate {
namespace {

using testing::TempDir;

constexpr std::int64_t kSecond = 1'000'000'000;

std::int64_t NowNs() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<std::int64_t>(t.tv_sec) * kSecond + t.tv_nsec;
}

base::FileStamp Stamp(std::uint64_t ino, std::int64_t time_ns) {
  return base::FileStamp{64769, ino, 123, time_ns, time_ns};
}

std::string Sum(char c) { return std::string(64, c); }

TEST(StatCache, SavedEntriesAreFoundOnlyUnderTheSameStamp) {
  TempDir dir;
  const std::int64_t now = NowNs();
  const std::int64_t old = now - 10 * kSecond;
  StatCache::AtFile(dir / "c").Save({{"db/migration/V2__b.sql", Stamp(2, old), Sum('b')},
                                     {"db/migration/V1 with space.sql", Stamp(1, old), Sum('a')}},
                                    now);
  StatCache c = StatCache::AtFile(dir / "c");
  ASSERT_EQ(c.size(), 2u);
  const std::string_view* a = c.Find("db/migration/V1 with space.sql", Stamp(1, old));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, Sum('a'));
  EXPECT_EQ(*c.Find("db/migration/V2__b.sql", Stamp(2, old)), Sum('b'));
  // Any field of the stamp differs: not found.
  EXPECT_EQ(c.Find("db/migration/V2__b.sql", Stamp(3, old)), nullptr);  // replaced (new inode)
  base::FileStamp touched = Stamp(2, old);
  touched.ctime_ns += 1;  // written within the same mtime
  EXPECT_EQ(c.Find("db/migration/V2__b.sql", touched), nullptr);
  base::FileStamp grown = Stamp(2, old);
  grown.size += 1;
  EXPECT_EQ(c.Find("db/migration/V2__b.sql", grown), nullptr);
  EXPECT_EQ(c.Find("db/migration/V3__c.sql", Stamp(2, old)), nullptr);
  EXPECT_TRUE(c.Has("db/migration/V2__b.sql"));
  EXPECT_FALSE(c.Has("db/migration/V3__c.sql"));
  // A file dated before 1970 (negative times) and the largest inode round-trip too.
  base::FileStamp odd{1, UINT64_MAX, 0, -5 * kSecond, -kSecond};
  StatCache::AtFile(dir / "c").Save({{"old.sql", odd, Sum('c')}}, now);
  ASSERT_NE(StatCache::AtFile(dir / "c").Find("old.sql", odd), nullptr) << dir.Read("c");
}

TEST(StatCache, FilesChangedWithinTheSettleTimeAreNotRecorded) {
  TempDir dir;
  const std::int64_t now = NowNs();
  const std::int64_t settle = std::chrono::nanoseconds(StatCache::kSettle).count();
  base::FileStamp recent_ctime = Stamp(3, now - 10 * kSecond);
  recent_ctime.ctime_ns = now - settle + 1;
  StatCache::AtFile(dir / "c").Save({{"old.sql", Stamp(1, now - settle - 1), Sum('a')},
                                     {"young.sql", Stamp(2, now - settle / 2), Sum('b')},
                                     {"chmod.sql", recent_ctime, Sum('c')}},
                                    now);
  StatCache c = StatCache::AtFile(dir / "c");
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.Has("old.sql"));
  EXPECT_FALSE(StatCache::Settled(recent_ctime, now));
}

TEST(StatCache, ACorruptForeignOrWritableCacheIsNotRead) {
  TempDir dir;
  const std::int64_t now = NowNs();
  StatCache::AtFile(dir / "c").Save({{"a.sql", Stamp(1, now - 10 * kSecond), Sum('a')}}, now);
  ASSERT_EQ(StatCache::AtFile(dir / "c").size(), 1u);
  // Writable by the group: anyone in it could hide an edit.
  ASSERT_EQ(chmod((dir / "c").c_str(), 0660), 0);
  EXPECT_EQ(StatCache::AtFile(dir / "c").size(), 0u);
  ASSERT_EQ(chmod((dir / "c").c_str(), 0600), 0);
  // Truncated mid-line, a bad number, a short checksum, another format version.
  std::string good = dir.Read("c");
  const std::vector<std::string> bads = {
      good.substr(0, good.size() - 5),
      "strata-stat-cache 2\n1 x 3 4 5 " + Sum('a') + " a.sql\n",
      "strata-stat-cache 2\n1 2 3 4 5 abc a.sql\n",
      "strata-stat-cache 2\nsum 1 2 3 4 5 12345 strata.sum\n1 2 3 4 5 " + Sum('a') + " a.sql\n",
      "strata-stat-cache 1\n1 2 3 4 5 " + Sum('a') + " a.sql\n",
      "strata-stat-cache 3\n1 2 3 4 5 " + Sum('a') + " a.sql\n",
  };
  for (const std::string& bad : bads) {
    std::ofstream(dir / "c", std::ios::trunc) << bad;
    EXPECT_EQ(StatCache::AtFile(dir / "c").size(), 0u) << bad;
  }
}

TEST(StatCache, OffByConfigOrAnEmptyCacheDir) {
  TempDir dir;
  Options o;
  o.locations = {"db/migration"};
  setenv("STRATA_CACHE_DIR", dir.path().c_str(), 1);
  StatCache on = StatCache::For(o);
  EXPECT_TRUE(on.enabled());
  EXPECT_EQ(on.file().rfind(dir.path() + "/files-", 0), 0u) << on.file();
  // Another location list is another cache.
  o.locations = {"db/other"};
  EXPECT_NE(StatCache::For(o).file(), on.file());
  o.stat_cache = false;
  EXPECT_FALSE(StatCache::For(o).enabled());
  o.stat_cache = true;
  setenv("STRATA_CACHE_DIR", "", 1);
  EXPECT_FALSE(StatCache::For(o).enabled());
  // A disabled cache finds nothing and writes nothing.
  StatCache off;
  off.Save({{"a.sql", Stamp(1, 0), Sum('a')}}, NowNs());
  EXPECT_EQ(off.Find("a.sql", Stamp(1, 0)), nullptr);
  unsetenv("STRATA_CACHE_DIR");
}

// Two migrations, V1__one.sql and V2__two.sql, in `dir`/m: the options that discover them.
Options TwoMigrations(const TempDir& dir) {
  dir.Write("m/V1__one.sql", "create table one (a int);\n");
  dir.Write("m/V2__two.sql", "create table two (a int);\n");
  Options o;
  o.locations = {dir / "m"};
  return o;
}

// Discovery with a cache: a settled file is read once, then only stat'ed; an edit that keeps
// the size is still seen; LoadText reads a cached file's text and notices a change.
TEST(StatCache, DiscoverReadsOnlyFilesWhoseStampChanged) {
  TempDir dir;
  Options o = TwoMigrations(dir);
  const StatCache first = StatCache::AtFile(dir / "cache");
  auto fresh = Discover(o, &first);
  ASSERT_TRUE(fresh.ok()) << fresh.error().ToString();
  EXPECT_TRUE(fresh->migrations[0].text_read);
  EXPECT_EQ(StatCache::AtFile(dir / "cache").size(), 0u);  // too young to record
  std::this_thread::sleep_for(StatCache::kSettle + std::chrono::milliseconds(100));

  const StatCache second = StatCache::AtFile(dir / "cache");
  auto read = Discover(o, &second);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->migrations[0].text_read);
  EXPECT_EQ(StatCache::AtFile(dir / "cache").size(), 2u);  // recorded now

  const StatCache third = StatCache::AtFile(dir / "cache");
  auto cached = Discover(o, &third);
  ASSERT_TRUE(cached.ok());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(cached->migrations[i].text_read);
    EXPECT_TRUE(cached->migrations[i].text.empty());
    EXPECT_EQ(cached->migrations[i].checksum, read->migrations[i].checksum);
    EXPECT_EQ(cached->migrations[i].script, read->migrations[i].script);
  }
  Migration one = cached->migrations[0];
  ASSERT_TRUE(LoadText(one).ok());
  EXPECT_EQ(one.text, "create table one (a int);\n");
  EXPECT_TRUE(one.text_read);

  // The same size, a moment later: ctime moved, so V1 is read again and its checksum changes.
  dir.Write("m/V1__one.sql", "create table uno(a int);\n");
  const StatCache fourth = StatCache::AtFile(dir / "cache");
  auto edited = Discover(o, &fourth);
  ASSERT_TRUE(edited.ok());
  EXPECT_TRUE(edited->migrations[0].text_read);
  EXPECT_EQ(edited->migrations[0].checksum, base::Sha256Hex("create table uno(a int);\n"));
  EXPECT_FALSE(edited->migrations[1].text_read);
  // A file changed after discovery took its checksum from the cache: LoadText refuses it.
  Migration two = edited->migrations[1];
  dir.Write("m/V2__two.sql", "drop table one;\n");
  Status s = LoadText(two);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("changed while strata was running"), std::string::npos)
      << s.ToString();
}

TEST(StatCache, SumsAreSavedWhenSettledAndFoundOnlyUnderTheSameStamp) {
  TempDir dir;
  const std::int64_t now = NowNs();
  const std::int64_t old = now - 10 * kSecond;
  const std::int64_t young = now - std::chrono::nanoseconds(StatCache::kSettle).count() / 2;
  StatCache::AtFile(dir / "c").Save({{"m/V1__a.sql", Stamp(1, old), Sum('a')}},
                                    {{"m/strata.sum", Stamp(7, old), 0x0123456789abcdefULL},
                                     {"n/strata.sum", Stamp(8, young), 42}},
                                    now);
  StatCache c = StatCache::AtFile(dir / "c");
  EXPECT_EQ(c.size(), 1u);
  ASSERT_EQ(c.sum_count(), 1u);  // n's sum file was written within the settle time
  const StatCache::Sum* u = c.FindSum("m/strata.sum", Stamp(7, old));
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->digest, 0x0123456789abcdefULL);
  base::FileStamp touched = Stamp(7, old);
  touched.ctime_ns += 1;
  EXPECT_EQ(c.FindSum("m/strata.sum", touched), nullptr);
  EXPECT_EQ(c.FindSum("n/strata.sum", Stamp(8, young)), nullptr);
  EXPECT_NE(c.Find("m/V1__a.sql", Stamp(1, old)), nullptr);
}

// One `migrate` file side, as the engine runs it: Discover, CheckSums, Commit.
Status CheckedRun(const Options& o, const std::string& cache_file, MigrationSet* out = nullptr) {
  const StatCache cache = StatCache::AtFile(cache_file);
  StatCache::Seen seen;
  auto set = Discover(o, &cache, &seen);
  if (!set) return set.error();
  Status s = CheckSums(o, *set, &cache, &seen);
  cache.Commit(std::move(seen));
  if (out) *out = std::move(*set);
  return s;
}

// strata.sum's verdict is taken from the cache only while the sum file has its recorded stamp
// and every migration of its location is an unchanged cache entry forming the same list.
TEST(StatCache, ASumVerdictIsReusedOnlyWhileNothingChanged) {
  TempDir dir;
  Options o = TwoMigrations(dir);
  o.ignore_patterns = {"strata.sum"};
  {
    auto set = Discover(o);
    ASSERT_TRUE(set.ok());
    ASSERT_TRUE(WriteSums(o, *set).ok());
  }
  const std::string cache = dir / "cache";
  // Young files and sum file: checked in full, nothing recorded.
  Status first = CheckedRun(o, cache);
  ASSERT_TRUE(first.ok()) << first.ToString();
  EXPECT_EQ(StatCache::AtFile(cache).sum_count(), 0u);
  std::this_thread::sleep_for(StatCache::kSettle + std::chrono::milliseconds(100));
  // Settled: the files are read once more and recorded with the sum's verdict.
  ASSERT_TRUE(CheckedRun(o, cache).ok());
  ASSERT_EQ(StatCache::AtFile(cache).sum_count(), 1u);
  ASSERT_EQ(StatCache::AtFile(cache).size(), 2u);
  const std::string recorded = dir.Read("cache");
  MigrationSet set;
  ASSERT_TRUE(CheckedRun(o, cache, &set).ok());
  EXPECT_FALSE(set.migrations[0].text_read);
  EXPECT_EQ(dir.Read("cache"), recorded);  // an up-to-date run writes nothing

  // The verdict is what the cache says: forge V1's checksum and the matching digest, and the
  // sum file (which lists the real checksum) is not read; without the verdict it is.
  std::vector<const Migration*> forged_list;
  Migration forged_one = set.migrations[0];
  forged_one.checksum = Sum('f');
  forged_list = {&forged_one, &set.migrations[1]};
  std::string forged = recorded;
  size_t at = forged.find(set.migrations[0].checksum);
  ASSERT_NE(at, std::string::npos);
  forged.replace(at, 64, Sum('f'));
  size_t digest_at =
      forged.find(fmt::format("{:016x}", SumDigest({&set.migrations[0], &set.migrations[1]})));
  ASSERT_NE(digest_at, std::string::npos) << forged;
  std::string forged_without_verdict = forged;
  forged.replace(digest_at, 16, fmt::format("{:016x}", SumDigest(forged_list)));
  dir.Write("cache", forged);
  EXPECT_TRUE(CheckedRun(o, cache).ok());
  dir.Write("cache", forged_without_verdict);
  Status s = CheckedRun(o, cache);
  EXPECT_EQ(s.code(), ErrorCode::kSumMismatch);
  EXPECT_NE(s.message().find("changed: V1__one.sql"), std::string::npos) << s.ToString();
  dir.Write("cache", recorded);
  ASSERT_TRUE(CheckedRun(o, cache).ok());

  // strata.sum edited within the settle time, to the same size, the migrations untouched
  // (all cache hits): its stamp moved, so it is checked in full.
  const std::string sum = dir.Read("m/strata.sum");
  std::string edited_sum = sum;
  edited_sum[edited_sum.size() - 20] = edited_sum[edited_sum.size() - 20] == 'a' ? 'b' : 'a';
  dir.Write("m/strata.sum", edited_sum);
  s = CheckedRun(o, cache, &set);
  EXPECT_FALSE(set.migrations[0].text_read);
  EXPECT_FALSE(set.migrations[1].text_read);
  EXPECT_EQ(s.code(), ErrorCode::kSumMismatch) << s.ToString();
  // ... and again on the next run (a mismatch is never recorded).
  EXPECT_EQ(CheckedRun(o, cache).code(), ErrorCode::kSumMismatch);
  dir.Write("m/strata.sum", sum);
  ASSERT_TRUE(CheckedRun(o, cache).ok());

  // A migration removed: the others are cache hits and the sum file is untouched, but the
  // list is not the one the verdict was for.
  const std::string two = dir.Read("m/V2__two.sql");
  std::filesystem::remove(dir / "m/V2__two.sql");
  s = CheckedRun(o, cache, &set);
  ASSERT_EQ(set.migrations.size(), 1u);
  EXPECT_FALSE(set.migrations[0].text_read);
  EXPECT_EQ(s.code(), ErrorCode::kSumMismatch);
  EXPECT_NE(s.message().find("removed: V2__two.sql"), std::string::npos) << s.ToString();

  // A migration edited after it was cached (same size): read again, the sum check fails.
  dir.Write("m/V2__two.sql", two);
  dir.Write("m/V1__one.sql", "create table uno(a int);\n");
  s = CheckedRun(o, cache);
  EXPECT_EQ(s.code(), ErrorCode::kSumMismatch);
  EXPECT_NE(s.message().find("changed: V1__one.sql"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace strata::migrate
