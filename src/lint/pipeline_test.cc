// The threads of `strata lint --jobs N` (lint/pipeline.h): the caller gets every item in order
// whatever N is; a helper that runs ahead sleeps once per batch of items, not once per item
// (a wake-up per file cost more CPU than the rules of 10,000 small files); heavy items are not
// prepared far ahead (memory stays bounded), light ones are.
#include "lint/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace strata::lint {
namespace {

// About `us` microseconds of work on the calling thread.
void Spin(int us) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < end) {
  }
}

struct Item {
  size_t index;
  std::string text;
};

TEST(Pipeline, EveryItemInOrderOnceWhateverTheThreads) {
  constexpr size_t kN = 5000;
  for (size_t jobs : {1, 2, 4}) {
    std::vector<std::atomic<int>> prepared(kN), finished(kN);
    Pipeline<Item, Item> p(
        kN, jobs,
        [&](size_t i) {
          prepared[i]++;
          return Item{i, "item " + std::to_string(i)};
        },
        [&](Item& it) { finished[it.index]++; });
    for (size_t i = 0; i < kN; ++i) {
      Item it = p.Take(i);
      ASSERT_EQ(it.index, i) << "jobs " << jobs;
      ASSERT_EQ(it.text, "item " + std::to_string(i));
      p.Finish(std::move(it), i);
    }
    p.Wait();
    for (size_t i = 0; i < kN; ++i) {
      ASSERT_EQ(prepared[i].load(), 1) << "jobs " << jobs << " item " << i;
      ASSERT_EQ(finished[i].load(), 1) << "jobs " << jobs << " item " << i;
    }
  }
}

// The caller is the slow side (its rules take longer than a parse): the helper fills the window
// and waits. It is woken when half the window is taken, not at every item (the old pipeline
// woke it per Take: ~one sleep per item).
TEST(Pipeline, AHelperAheadIsWokenPerBatchNotPerItem) {
  constexpr size_t kN = 4000;
  Pipeline<Item, Item> p(
      kN, 2,
      [](size_t i) {
        return Item{i, {}};
      },
      [](Item&) {});
  for (size_t i = 0; i < kN; ++i) {
    Item it = p.Take(i);
    Spin(5);
    p.Finish(std::move(it), i);
  }
  const size_t sleeps = p.Sleeps();
  p.Wait();
  EXPECT_LT(sleeps, kN / 16) << "a helper woken per item, not per batch";
}

// How far ahead of the caller items are prepared: up to 64N light items (10,000 small files),
// but no more than 2N+2 heavy ones (each weighs the whole budget), so a history of large files
// holds few parse trees at once.
TEST(Pipeline, HeavyItemsAreNotPreparedFarAhead) {
  constexpr size_t kN = 600;
  for (bool heavy : {false, true}) {
    std::atomic<size_t> taken{0}, most_ahead{0};
    Pipeline<Item, Item> p(
        kN, 2,
        [&](size_t i) {
          const size_t t = taken.load();
          const size_t ahead = i >= t ? i - t : 0;
          size_t m = most_ahead.load();
          while (ahead > m && !most_ahead.compare_exchange_weak(m, ahead)) {
          }
          return Item{i, {}};
        },
        [](Item&) {},
        [&](size_t) { return heavy ? Pipeline<Item, Item>::kAheadWeight : size_t{0}; });
    for (size_t i = 0; i < kN; ++i) {
      Item it = p.Take(i);
      taken = i + 1;
      Spin(20);  // the caller is the slow side: the helper runs as far ahead as it may
      p.Finish(std::move(it), i);
    }
    p.Wait();
    if (heavy) {
      EXPECT_LE(most_ahead.load(), 2u * 2 + 2);
    } else {
      EXPECT_GT(most_ahead.load(), 2u * 2 + 2);
      EXPECT_LE(most_ahead.load(), 64u * 2);
    }
  }
}

}  // namespace
}  // namespace strata::lint
