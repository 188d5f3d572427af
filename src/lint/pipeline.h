// Pipeline: the threads of `strata lint --jobs N`. Items 0..n-1 are consumed in order by one
// thread (the caller: the model-dependent rules); the work before and after that step runs on
// up to N-1 helper threads:
//   prepare(i) -> P   runs ahead of the caller, at most `window` items ahead, so the parse
//                     trees held at once stay bounded however many files there are;
//   finish(F&)        runs after the caller hands an item over; a long queue makes the caller
//                     help, so finished-but-unreported items stay bounded too.
// With N = 1 (or one item) no thread starts: Take runs prepare and Finish runs finish on the
// caller, in order. An exception thrown by prepare or finish on a helper is rethrown on the
// caller (by Take or Wait). The caller sees the same results whatever N is; only the threads
// that compute them differ.
#pragma once

#include "base/thread.h"

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace strata::lint {

template <typename P, typename F>
class Pipeline {
 public:
  Pipeline(size_t n, size_t jobs, std::function<P(size_t)> prepare, std::function<void(F&)> finish)
      : n_(n),
        window_(2 * jobs + 2),
        max_queue_(2 * jobs),
        prepare_(std::move(prepare)),
        finish_(std::move(finish)),
        slots_(n) {
    size_t helpers = std::min(jobs, n) > 1 ? std::min(jobs, n) - 1 : 0;
    workers_.reserve(helpers);
    for (size_t t = 0; t < helpers; ++t) {
      // libpg_query parses up to ~4 MB deep on the calling thread (analysis/parse.cc): the
      // helpers get a main thread's stack, mapped up front and touched only as used.
      workers_.emplace_back(std::function<void()>([this] { Work(); }), kStack);
    }
  }
  ~Pipeline() { Stop(); }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The prepared item `i` (each index once, in increasing order).
  P Take(size_t i) {
    std::unique_lock lock(mu_);
    taken_ = i + 1;
    cv_.notify_all();  // the window moved
    for (;;) {
      Slot& s = slots_[i];
      if (s.ready) {
        if (s.error) std::rethrow_exception(s.error);
        P p = std::move(*s.value);
        s.value.reset();
        return p;
      }
      if (next_ <= i) {  // nobody has started it: prepare it here
        next_ = i + 1;
        lock.unlock();
        return prepare_(i);
      }
      if (!queue_.empty()) {  // a helper is parsing it: finish something meanwhile
        RunOneLocked(lock);
        continue;
      }
      cv_.wait(lock);
    }
  }

  // Hands item `f` over to be finished (here when there are no helpers or the queue is long).
  void Finish(F f) {
    if (workers_.empty()) {
      finish_(f);
      return;
    }
    std::unique_lock lock(mu_);
    queue_.push_back(std::move(f));
    cv_.notify_one();
    while (queue_.size() > max_queue_) RunOneLocked(lock);
  }

  // Waits until every item handed over is finished; stops the helpers. Rethrows the first
  // exception a finish threw.
  void Wait() {
    {
      std::unique_lock lock(mu_);
      while (!queue_.empty()) RunOneLocked(lock);
      cv_.wait(lock, [&] { return running_ == 0; });
    }
    Stop();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr size_t kStack = size_t{16} << 20;
  struct Slot {
    std::optional<P> value;
    std::exception_ptr error;
    bool ready = false;
  };

  // Runs the oldest queued finish with the lock released; returns with it held.
  void RunOneLocked(std::unique_lock<std::mutex>& lock) {
    F f = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    std::exception_ptr e;
    try {
      finish_(f);
    } catch (...) {
      e = std::current_exception();
    }
    lock.lock();
    --running_;
    if (e && !error_) error_ = e;
    cv_.notify_all();
  }

  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stop_) return;
      if (!queue_.empty()) {  // finishing first: it frees a parse tree
        RunOneLocked(lock);
        continue;
      }
      if (next_ < n_ && next_ < taken_ + window_) {
        size_t i = next_++;
        lock.unlock();
        std::optional<P> value;
        std::exception_ptr e;
        try {
          value.emplace(prepare_(i));
        } catch (...) {
          e = std::current_exception();
        }
        lock.lock();
        slots_[i].value = std::move(value);
        slots_[i].error = e;
        slots_[i].ready = true;
        cv_.notify_all();
        continue;
      }
      cv_.wait(lock);
    }
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    for (auto& w : workers_) w.Join();
    workers_.clear();
  }

  const size_t n_;
  const size_t window_;
  const size_t max_queue_;
  std::function<P(size_t)> prepare_;
  std::function<void(F&)> finish_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Slot> slots_;
  std::deque<F> queue_;
  size_t next_ = 0;   // the next item to prepare
  size_t taken_ = 0;  // items the caller has taken
  size_t running_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<base::Thread> workers_;
};

}  // namespace strata::lint
