// Pipeline: the threads of `strata lint --jobs N`. Items 0..n-1 are consumed in order by one
// thread (the caller: the model-dependent rules); the work before and after that step runs on
// up to N-1 helper threads:
//   prepare(i) -> P   runs ahead of the caller within a window: at least 2N+2 items, and up
//                     to 64N while the items ahead weigh (weight(i): their bytes of SQL) at
//                     most kAheadWeight, so the parse trees held at once stay bounded however
//                     many files there are and however large;
//   finish(F&)        runs after the caller hands an item over; a long queue (by count and by
//                     weight) makes the caller help, so finished-but-unreported items stay
//                     bounded too.
// A helper with nothing to do sleeps until there is a batch for it (half of the items ahead of
// the caller taken, or a quarter of the queue's bound waiting), not one item: on 10,000 small
// files a wake-up per file cost more CPU than the files' rules. The caller is woken only when
// it waits for an item a helper is preparing.
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
  // Bytes of items (weight) prepared ahead of the caller, and queued for finishing, beyond the
  // 2N+2 items always allowed: ~80 MB of analysis at ~80 bytes of memory per byte of SQL.
  static constexpr size_t kAheadWeight = size_t{1} << 20;

  // `weight(i)` (optional): item i's size; without it every item weighs 0 (the window is 64N).
  Pipeline(size_t n, size_t jobs, std::function<P(size_t)> prepare, std::function<void(F&)> finish,
           const std::function<size_t(size_t)>& weight = nullptr)
      : n_(n),
        min_window_(2 * jobs + 2),
        max_window_(64 * jobs),
        min_queue_(2 * jobs),
        max_queue_(32 * jobs),
        prepare_(std::move(prepare)),
        finish_(std::move(finish)),
        prefix_(n + 1, 0),
        slots_(n) {
    for (size_t i = 0; i < n; ++i) prefix_[i + 1] = prefix_[i] + (weight ? weight(i) : 0);
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
    if (idle_ > 0 && (taken_ >= wake_at_ || HelperHasQueueWork())) work_cv_.notify_all();
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
      ++caller_waiting_;
      caller_cv_.wait(lock);
      --caller_waiting_;
    }
  }

  // Hands item `f` (item `i`'s) over to be finished (here when there are no helpers or the
  // queue is long).
  void Finish(F f, size_t i) {
    if (workers_.empty()) {
      finish_(f);
      return;
    }
    std::unique_lock lock(mu_);
    queue_.push_back({std::move(f), Weight(i)});
    queued_weight_ += queue_.back().weight;
    if (idle_ > 0 && HelperHasQueueWork()) work_cv_.notify_all();
    while (queue_.size() > min_queue_ &&
           (queue_.size() > max_queue_ || queued_weight_ > kAheadWeight)) {
      RunOneLocked(lock);
    }
  }

  // Waits until every item handed over is finished; stops the helpers. Rethrows the first
  // exception a finish threw.
  void Wait() {
    {
      std::unique_lock lock(mu_);
      if (idle_ > 0 && !queue_.empty()) work_cv_.notify_all();
      while (!queue_.empty()) RunOneLocked(lock);
      ++caller_waiting_;
      caller_cv_.wait(lock, [&] { return running_ == 0; });
      --caller_waiting_;
    }
    Stop();
    if (error_) std::rethrow_exception(error_);
  }

  // How many times a helper went to sleep for want of work (tests: once per batch of items,
  // not per item).
  size_t Sleeps() {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  static constexpr size_t kStack = size_t{16} << 20;
  struct Slot {
    std::optional<P> value;
    std::exception_ptr error;
    bool ready = false;
  };
  struct Queued {
    F item;
    size_t weight;
  };

  size_t Weight(size_t i) const { return prefix_[i + 1] - prefix_[i]; }
  // Whether item next_ may be prepared now (the lock held).
  bool MayPrepare() const {
    if (next_ >= n_) return false;
    if (next_ < taken_ + min_window_) return true;
    return next_ < taken_ + max_window_ && prefix_[next_ + 1] - prefix_[taken_] <= kAheadWeight;
  }
  // Whether the queue holds a batch worth waking a helper for (the lock held).
  bool HelperHasQueueWork() const {
    return queue_.size() >= std::max(min_queue_, max_queue_ / 4) ||
           queued_weight_ >= kAheadWeight / 4;
  }

  // Runs the oldest queued finish with the lock released; returns with it held.
  void RunOneLocked(std::unique_lock<std::mutex>& lock) {
    F f = std::move(queue_.front().item);
    queued_weight_ -= queue_.front().weight;
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
    if (caller_waiting_ > 0 && running_ == 0) caller_cv_.notify_all();
  }

  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (stop_) return;
      if (!queue_.empty()) {  // finishing first: it frees a parse tree
        RunOneLocked(lock);
        continue;
      }
      if (MayPrepare()) {
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
        if (caller_waiting_ > 0) caller_cv_.notify_all();
        continue;
      }
      // Nothing to do: sleep until half of the items prepared ahead are taken (or the queue
      // has a batch, or the end).
      wake_at_ = taken_ + (next_ > taken_ ? (next_ - taken_ + 1) / 2 : 0);
      ++idle_;
      ++sleeps_;
      work_cv_.wait(lock);
      --idle_;
    }
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      work_cv_.notify_all();
    }
    for (auto& w : workers_) w.Join();
    workers_.clear();
  }

  const size_t n_;
  const size_t min_window_;
  const size_t max_window_;
  const size_t min_queue_;
  const size_t max_queue_;
  std::function<P(size_t)> prepare_;
  std::function<void(F&)> finish_;
  std::vector<size_t> prefix_;  // prefix_[i]: the weight of items 0..i-1
  std::mutex mu_;
  std::condition_variable work_cv_;    // helpers wait here for work
  std::condition_variable caller_cv_;  // the caller waits here for an item or the end
  std::vector<Slot> slots_;
  std::deque<Queued> queue_;
  size_t queued_weight_ = 0;
  size_t next_ = 0;   // the next item to prepare
  size_t taken_ = 0;  // items the caller has taken
  size_t running_ = 0;
  size_t idle_ = 0;     // helpers asleep
  size_t wake_at_ = 0;  // wake them when taken_ reaches it
  size_t caller_waiting_ = 0;
  size_t sleeps_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<base::Thread> workers_;
};

}  // namespace strata::lint
