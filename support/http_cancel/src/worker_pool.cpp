#include "worker_pool.h"

#include <sys/prctl.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

namespace http_cancel {
namespace {

// Since Linux 6.16 a process has a futex hash of its own, sized for its CPUs, not for its
// threads: 16 buckets on 2 CPUs. With thousands of threads asleep, each on a futex of its own,
// every futex wake-up walks a bucket of hundreds of sleepers, even one that wakes nobody (glibc
// makes one after each timed wait on a condition variable): 13% of step04's time at 4,000
// connections. A pool that may grow that large asks for the kernel's shared hash, as every
// process had before 6.16. Older kernels refuse: nothing to do; and once shared, it stays.
constexpr std::size_t kManyThreads = 256;
void UseSharedFutexHash() {
  constexpr int kFutexHash = 78;  // PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS and _GET_SLOTS
  constexpr unsigned long kSetSlots = 1, kGetSlots = 2;
  if (::prctl(kFutexHash, kGetSlots, 0, 0, 0) > 0) ::prctl(kFutexHash, kSetSlots, 0, 0, 0);
}

void* RunBody(void* body) {
  const std::unique_ptr<std::function<void()>> owned(static_cast<std::function<void()>*>(body));
  (*owned)();
  return nullptr;
}

}  // namespace

WorkerPool::Thread::Thread(std::size_t stack_size, std::function<void()> body) {
  pthread_attr_t attributes;
  ::pthread_attr_init(&attributes);
  int error = stack_size == 0 ? 0 : ::pthread_attr_setstacksize(&attributes, stack_size);
  auto owned = std::make_unique<std::function<void()>>(std::move(body));
  pthread_t handle;
  if (error == 0) error = ::pthread_create(&handle, &attributes, RunBody, owned.get());
  ::pthread_attr_destroy(&attributes);
  if (error != 0) throw std::system_error(error, std::system_category(), "pthread_create");
  owned.release();  // the thread's now
  handle_ = handle;
}

WorkerPool::Thread& WorkerPool::Thread::operator=(Thread&& other) noexcept {
  if (joinable()) std::terminate();  // as std::thread: a thread is joined before it is replaced
  handle_ = std::exchange(other.handle_, std::nullopt);
  return *this;
}

WorkerPool::Thread::~Thread() {
  if (joinable()) std::terminate();
}

void WorkerPool::Thread::join() {
  ::pthread_join(*handle_, nullptr);
  handle_.reset();
}

WorkerPool::WorkerPool(Limits limits, std::function<void()> before_joining)
    : limits_{limits.min_threads, std::max<std::size_t>({limits.max_threads, limits.min_threads, 1}),
              limits.retire_after, limits.stack_size},
      before_joining_(std::move(before_joining)) {
  if (limits_.max_threads > kManyThreads) UseSharedFutexHash();
  for (std::size_t i = 0; i < limits_.min_threads; ++i) {
    Threads::iterator self;
    {
      std::lock_guard lock(mutex_);
      self = threads_.emplace(threads_.end());
      ++unstarted_;
    }
    StartThread(self);
  }
}

WorkerPool::~WorkerPool() {
  shutdown();
}

void WorkerPool::StartThread(Threads::iterator self) {
  Thread thread;
  try {
    thread = Thread(limits_.stack_size, [this, self] { Work(self); });
  } catch (const std::system_error&) {
    // The system has no thread to give (a limit on threads or memory): the task waits in the
    // queue for one of the threads there are.
  }
  {
    // The new thread touches `*self` only under the lock, and never before it is assigned.
    std::lock_guard lock(mutex_);
    if (thread.joinable()) {
      *self = std::move(thread);
    } else {
      threads_.erase(self);
    }
    --unstarted_;
  }
  started_.notify_all();
}

bool WorkerPool::enqueue(std::function<void()> task) {
  std::vector<Thread> retired;
  std::optional<Threads::iterator> start;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return false;
    tasks_.push_back(std::move(task));
    if (tasks_.size() > idle_ && threads_.size() < limits_.max_threads) {
      start = threads_.emplace(threads_.end());
      ++unstarted_;
    }
    retired.swap(retired_);
  }
  changed_.notify_one();
  if (start) StartThread(*start);
  for (auto& thread : retired) thread.join();  // they have left their loop: this is quick
  return true;
}

void WorkerPool::TryStackSize(std::size_t stack_size) {
  Thread(stack_size, [] {}).join();
}

bool WorkerPool::Starved() {
  std::lock_guard lock(mutex_);
  return tasks_.size() > idle_ && threads_.size() >= limits_.max_threads;
}

void WorkerPool::Work(Threads::iterator self) {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    const bool woken =
        changed_.wait_for(lock, limits_.retire_after, [this] { return !tasks_.empty() || shutting_down_; });
    --idle_;
    if (tasks_.empty()) {
      if (shutting_down_) return;
      if (!woken && threads_.size() > limits_.min_threads && self->joinable()) {
        retired_.push_back(std::move(*self));
        threads_.erase(self);
        return;
      }
      continue;
    }
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void WorkerPool::shutdown() {
  Threads threads;
  std::vector<Thread> retired;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    shutting_down_ = true;
  }
  if (before_joining_) before_joining_();
  changed_.notify_all();
  {
    // Threads still working on queued tasks never start new ones now, and none retires.
    std::unique_lock lock(mutex_);
    started_.wait(lock, [this] { return unstarted_ == 0; });
    threads.swap(threads_);
    retired.swap(retired_);
  }
  for (auto& thread : threads) thread.join();
  for (auto& thread : retired) thread.join();
}

}  // namespace http_cancel
