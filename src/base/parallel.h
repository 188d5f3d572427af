// ParallelFor: splits [0, n) into contiguous slices and runs `body(begin, end)` on up to
// `max_threads` threads (the calling thread included), returning when all slices are done.
// Small inputs (fewer than `min_per_thread` items per extra thread) run on the caller alone,
// so a project with ten migrations pays no thread start. `body` must be safe to run
// concurrently on disjoint slices and must not throw.
#pragma once

#include "base/thread.h"

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace strata::base {

template <typename Body>
void ParallelFor(size_t n, size_t min_per_thread, Body&& body, size_t max_threads = 0) {
  if (max_threads == 0) max_threads = std::max(1u, std::thread::hardware_concurrency());
  size_t threads = std::min(max_threads, min_per_thread == 0 ? n : n / min_per_thread);
  if (threads <= 1) {
    if (n > 0) body(size_t{0}, n);
    return;
  }
  size_t slice = (n + threads - 1) / threads;
  std::vector<Thread> workers;  // each started on another CPU (base/thread.h)
  workers.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) {
    size_t begin = t * slice, end = std::min(n, begin + slice);
    if (begin >= end) break;
    workers.emplace_back(std::function<void()>([&body, begin, end] { body(begin, end); }));
  }
  body(size_t{0}, std::min(n, slice));
  for (auto& w : workers) w.Join();
}

}  // namespace strata::base
