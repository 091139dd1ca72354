#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <pthread.h>

#include "http_cancel/pinned_httplib.h"

namespace http_cancel {

// The threads that serve connections, one connection each (cpp-httplib's model), or, beyond
// CancellingServer's thread_per_connection_up_to, requests (see idle_connections.h).
//
// A connection that finds every thread busy gets a new one, up to `max_threads`; a thread idle
// for `retire_after` leaves, down to `min_threads`, which start at once. cpp-httplib's own
// ThreadPool grows too (since 0.33), but starts a thread only when none is idle at that moment:
// threads just woken for earlier connections count as idle, so in a burst later connections
// wait in its queue, while it could still grow, until a handler ends.
//
// A pool that may grow past 256 threads moves the process to the kernel's shared futex hash
// (Linux 6.16 and later): see worker_pool.cpp.
class WorkerPool final : public httplib::TaskQueue {
 public:
  struct Limits {
    std::size_t min_threads = 8;
    std::size_t max_threads = 16384;
    std::chrono::milliseconds retire_after{2000};
    std::size_t stack_size = 0;  // bytes, for each thread; 0: the system's default (ulimit -s)
  };

  // `before_joining` runs when shutdown() starts.
  WorkerPool(Limits limits, std::function<void()> before_joining);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False once shutdown() has begun: nothing is queued after it.
  bool enqueue(std::function<void()> task) override;
  // Runs the tasks already queued, then joins every thread.
  void shutdown() override;

  // Tasks wait that no thread will take: every thread is busy, and the pool may not grow.
  bool Starved();

  // Starts and joins one thread with a stack of `stack_size` bytes (0: the system's default).
  // Throws std::system_error when the system cannot, for instance a stack larger than the address
  // space: once the pool runs, such a failure only leaves its tasks waiting for a thread.
  static void TryStackSize(std::size_t stack_size);

 private:
  // A joinable thread of the size asked: std::thread cannot choose its stack.
  class Thread {
   public:
    Thread() = default;
    // Throws std::system_error when the system has no thread to give.
    Thread(std::size_t stack_size, std::function<void()> body);
    Thread(Thread&& other) noexcept : handle_(std::exchange(other.handle_, std::nullopt)) {}
    Thread& operator=(Thread&& other) noexcept;
    ~Thread();
    bool joinable() const { return handle_.has_value(); }
    void join();

   private:
    std::optional<pthread_t> handle_;
  };
  using Threads = std::list<Thread>;

  // Starts the thread of `self`, a place in threads_ that enqueue() made for it: outside the
  // lock, since a thread takes 50 µs or more to start, and every thread of the pool needs the
  // lock to take a task.
  void StartThread(Threads::iterator self);
  void Work(Threads::iterator self);

  const Limits limits_;
  std::function<void()> before_joining_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  Threads threads_;
  std::vector<Thread> retired_;  // threads that left, still to be joined
  std::size_t idle_ = 0;
  std::size_t unstarted_ = 0;        // places in threads_ whose thread is being started
  std::condition_variable started_;  // unstarted_ went down
  bool shutting_down_ = false;
};

}  // namespace http_cancel
