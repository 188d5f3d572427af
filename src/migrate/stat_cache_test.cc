#include "migrate/stat_cache.h"

#include "strata/options.h"

#include "base/sha256.h"
#include "migrate/discovery.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <chrono>
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
  const std::string* a = c.Find("db/migration/V1 with space.sql", Stamp(1, old));
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
      "strata-stat-cache 1\n1 x 3 4 5 " + Sum('a') + " a.sql\n",
      "strata-stat-cache 1\n1 2 3 4 5 abc a.sql\n",
      "strata-stat-cache 2\n1 2 3 4 5 " + Sum('a') + " a.sql\n",
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

// Discovery with a cache: a settled file is read once, then only stat'ed; an edit that keeps
// the size is still seen; LoadText reads a cached file's text and notices a change.
TEST(StatCache, DiscoverReadsOnlyFilesWhoseStampChanged) {
  TempDir dir;
  dir.Write("m/V1__one.sql", "create table one (a int);\n");
  dir.Write("m/V2__two.sql", "create table two (a int);\n");
  Options o;
  o.locations = {dir / "m"};
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

}  // namespace
}  // namespace strata::migrate
