#include "base/thread.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <vector>

namespace strata::base {
namespace {

// The placement on another CPU is a starting hint: by the time the body runs, the thread may
// use every CPU the process may (a pin left behind would keep it off the creator's CPU for
// good, and stall it whenever the other CPU is busy).
TEST(Thread, BodyRunsOnceWithTheProcessAffinity) {
  cpu_set_t process;
  ASSERT_EQ(sched_getaffinity(0, sizeof process, &process), 0);
  std::atomic<int> runs{0};
  cpu_set_t inside;
  CPU_ZERO(&inside);
  {
    Thread t([&] {
      sched_getaffinity(0, sizeof inside, &inside);
      runs.fetch_add(1);
    });
  }  // the destructor joins
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(CPU_EQUAL(&inside, &process))
      << "CPUs allowed inside: " << CPU_COUNT(&inside) << ", process: " << CPU_COUNT(&process);
}

TEST(Thread, MovedThreadsJoinOnceAndDetachedOnesRunOn) {
  std::atomic<int> runs{0};
  std::vector<Thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { runs.fetch_add(1); });
  for (auto& t : threads) t.Join();
  for (auto& t : threads) t.Join();  // a second Join is a no-op
  EXPECT_EQ(runs.load(), 4);

  std::atomic<bool> done{false};
  Thread d([&] { done = true; });
  d.Detach();
  while (!done.load()) sched_yield();
  d.Join();  // nothing to join after Detach
}

}  // namespace
}  // namespace strata::base
