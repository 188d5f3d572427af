#include "base/thread.h"

#include <pthread.h>
#include <sched.h>

#include <memory>
#include <system_error>

namespace strata::base {

namespace {

struct Start {
  std::function<void()> body;
  cpu_set_t allowed;
  bool widen = false;
};

void* Run(void* arg) {
  std::unique_ptr<Start> start(static_cast<Start*>(arg));
  if (start->widen) sched_setaffinity(0, sizeof start->allowed, &start->allowed);
  start->body();
  return nullptr;
}

}  // namespace

Thread::Thread(std::function<void()> body) : Thread(std::move(body), 0) {}

Thread::Thread(std::function<void()> body, size_t stack_bytes) {
  auto start = std::make_unique<Start>();
  start->body = std::move(body);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (stack_bytes > 0) {
    int rc = pthread_attr_setstacksize(&attr, stack_bytes);
    if (rc != 0) {
      pthread_attr_destroy(&attr);
      throw std::system_error(rc, std::generic_category(), "pthread_attr_setstacksize");
    }
  }
  CPU_ZERO(&start->allowed);
  const int here = sched_getcpu();
  if (here >= 0 && sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0) {
    cpu_set_t elsewhere = start->allowed;
    CPU_CLR(here, &elsewhere);
    if (CPU_COUNT(&elsewhere) > 0 &&
        pthread_attr_setaffinity_np(&attr, sizeof elsewhere, &elsewhere) == 0) {
      start->widen = true;
    }
  }
  widen_ = start->widen;
  allowed_ = start->allowed;
  pthread_t handle;
  int rc = pthread_create(&handle, &attr, Run, start.get());
  pthread_attr_destroy(&attr);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_create");
  start.release();  // owned by the thread now
  handle_ = handle;
  joinable_ = true;
}

Thread::Thread(Thread&& other) noexcept
    : handle_(other.handle_),
      joinable_(other.joinable_),
      widen_(other.widen_),
      allowed_(other.allowed_) {
  other.joinable_ = false;
}

Thread::~Thread() { Join(); }

void Thread::Join() {
  if (!joinable_) return;
  if (widen_) {
    pthread_setaffinity_np(static_cast<pthread_t>(handle_), sizeof allowed_, &allowed_);
  }
  pthread_join(static_cast<pthread_t>(handle_), nullptr);
  joinable_ = false;
}

void Thread::Detach() {
  if (!joinable_) return;
  pthread_detach(static_cast<pthread_t>(handle_));
  joinable_ = false;
}

}  // namespace strata::base
