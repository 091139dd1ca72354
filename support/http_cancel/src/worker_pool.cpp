#include "worker_pool.h"

#include <algorithm>
#include <system_error>
#include <utility>

namespace http_cancel {

WorkerPool::WorkerPool(Limits limits, std::function<void()> before_joining)
    : limits_{limits.min_threads, std::max<std::size_t>({limits.max_threads, limits.min_threads, 1}),
              limits.retire_after},
      before_joining_(std::move(before_joining)) {
  {
    std::lock_guard lock(mutex_);
    starting_ = unregistered_ = alive_ = limits_.min_threads;
  }
  for (std::size_t i = 0; i < limits_.min_threads; ++i) StartThread();
}

WorkerPool::~WorkerPool() {
  shutdown();
}

bool WorkerPool::NeedsAnotherThread() const {
  return tasks_.size() > idle_ + starting_ && alive_ < limits_.max_threads;
}

// Outside the lock: starting a thread takes tens of microseconds, and the listening thread and
// every thread that ends a connection would wait for it.
void WorkerPool::StartThread() {
  std::thread thread;
  try {
    thread = std::thread([this] { Work(); });
  } catch (const std::system_error&) {
    // The system has no thread to give (a limit on threads or memory): the task waits in the
    // queue for one of the threads there are.
  }
  bool all_registered = false;
  {
    std::lock_guard lock(mutex_);
    if (thread.joinable()) {
      const auto id = thread.get_id();
      threads_.emplace(id, std::move(thread));
    } else {
      --starting_, --alive_;  // it never runs
    }
    all_registered = --unregistered_ == 0 && shutting_down_;
  }
  if (all_registered) registered_.notify_all();
}

bool WorkerPool::enqueue(std::function<void()> task) {
  std::vector<std::thread> retired;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return false;
    tasks_.push_back(std::move(task));
    // While a thread is being started, it starts the next one itself if the queue needs it.
    start = starting_ == 0 && NeedsAnotherThread();
    if (start) ++starting_, ++unregistered_, ++alive_;
    retired.swap(retired_);
  }
  changed_.notify_one();
  if (start) StartThread();
  for (auto& thread : retired) thread.join();  // they have left their loop: this is quick
  return true;
}

void WorkerPool::Work() {
  std::unique_lock lock(mutex_);
  --starting_;
  ++idle_;  // from here on it takes the next task
  // Two, so that in a burst the threads being started double at each round.
  for (int started = 0; started < 2 && NeedsAnotherThread(); ++started) {
    ++starting_, ++unregistered_, ++alive_;
    lock.unlock();
    StartThread();
    lock.lock();
  }
  for (;;) {
    const bool woken =
        changed_.wait_for(lock, limits_.retire_after, [this] { return !tasks_.empty() || shutting_down_; });
    --idle_;
    if (tasks_.empty()) {
      if (shutting_down_) {
        --alive_;
        return;
      }
      const auto self = threads_.find(std::this_thread::get_id());  // not there until its starter registers it
      if (!woken && alive_ > limits_.min_threads && self != threads_.end()) {
        retired_.push_back(std::move(self->second));
        threads_.erase(self);
        --alive_;
        return;
      }
    } else {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
    ++idle_;
  }
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    shutting_down_ = true;
  }
  if (before_joining_) before_joining_();
  changed_.notify_all();
  // Tasks queued before still run, each on a thread of its own: a thread being joined may still
  // start one for them, which the next round joins. None retires now.
  for (;;) {
    std::unordered_map<std::thread::id, std::thread> threads;
    std::vector<std::thread> retired;
    {
      std::unique_lock lock(mutex_);
      registered_.wait(lock, [this] { return unregistered_ == 0; });
      if (threads_.empty() && retired_.empty()) return;
      threads.swap(threads_);
      retired.swap(retired_);
    }
    for (auto& [id, thread] : threads) thread.join();
    for (auto& thread : retired) thread.join();
  }
}

}  // namespace http_cancel
