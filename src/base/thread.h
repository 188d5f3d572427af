// Thread: a joinable thread that starts on another CPU than the one that created it.
//
// Linux queues a new thread on its parent's CPU; an idle CPU takes it over only at its next
// balancing pass. On a 2-vCPU VM (an idle vCPU is halted) a new thread measured 0.5–3 ms before
// its first instruction while its parent kept running, and ~0.15 ms when created with an
// affinity that excludes the parent's CPU. So a Thread is created pinned to the other CPUs the
// process may use, and its first act is to take back the process's whole affinity mask: the
// placement is a starting hint, not a pin. Join widens it too, so a thread whose CPU is stalled
// (a vCPU the host has not scheduled) cannot keep its joiner waiting. With a single allowed CPU
// it is a plain thread.
#pragma once

#include <sched.h>

#include <cstddef>
#include <functional>

namespace strata::base {

class Thread {
 public:
  explicit Thread(std::function<void()> body);
  // With a stack of `stack_bytes` (0: the default, RLIMIT_STACK's size). The stack is mapped
  // up front but takes memory only as it is used.
  Thread(std::function<void()> body, size_t stack_bytes);
  ~Thread();  // joins
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;
  Thread(Thread&& other) noexcept;
  Thread& operator=(Thread&&) = delete;

  // Widens the thread's affinity first: a thread that has not started yet (its CPU busy or
  // stalled) may then run on the joiner's CPU.
  void Join();
  // Lets the thread run on without anyone joining it (e.g. a preload that may outlive its use).
  void Detach();

 private:
  unsigned long handle_ = 0;  // pthread_t
  bool joinable_ = false;
  bool widen_ = false;  // started pinned away from its creator's CPU
  cpu_set_t allowed_;   // the process's affinity when the thread was created
};

}  // namespace strata::base
