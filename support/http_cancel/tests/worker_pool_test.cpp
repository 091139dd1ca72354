#include "worker_pool.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <latch>
#include <mutex>
#include <semaphore>
#include <thread>

#include "http_cancel/test/stack_size.h"

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

// How many of `tasks` ran at once: each waits until all of them run, which they do only if each
// has a thread. Its patience starts once all are queued (under ThreadSanitizer, starting 300
// threads takes seconds) and serves only a pool that leaves tasks in its queue: those would never
// all run, so the test stops waiting and counts the tasks that did.
int TasksRunningAtOnce(WorkerPool& pool, int tasks) {
  constexpr auto kPatience = 10s;  // with the queueing (6 s under a loaded TSan), within ctest's 20 s
  std::mutex mutex;
  std::condition_variable all_running;
  int running = 0;
  bool given_up = false;
  for (int i = 0; i < tasks; ++i) {
    pool.enqueue([&] {
      std::unique_lock lock(mutex);
      if (++running == tasks) all_running.notify_all();
      all_running.wait(lock, [&] { return running == tasks || given_up; });
    });
  }
  int ran = 0;
  {
    std::unique_lock lock(mutex);
    if (!all_running.wait_for(lock, kPatience, [&] { return running == tasks; })) given_up = true;
    ran = running;
  }
  all_running.notify_all();
  pool.shutdown();  // the tasks queued still run, each on a thread of its own
  return ran;
}

TEST(WorkerPool, GivesEveryTaskAThreadWhenAllAreBusy) {
  WorkerPool pool({.min_threads = 1, .max_threads = 8, .retire_after = 10s}, {});
  EXPECT_EQ(TasksRunningAtOnce(pool, 5), 5) << "some tasks waited in the queue while the pool could grow";
}

// Thousands of clients may connect at once.
TEST(WorkerPool, GivesEveryTaskOfABurstAThread) {
  WorkerPool pool({.min_threads = 0, .max_threads = 1000, .retire_after = 10s}, {});
  EXPECT_EQ(TasksRunningAtOnce(pool, 300), 300) << "some tasks waited in the queue while the pool could grow";
}

TEST(WorkerPool, QueuesTasksBeyondItsMaximum) {
  WorkerPool pool({.min_threads = 0, .max_threads = 1, .retire_after = 10s}, {});
  std::binary_semaphore first_may_finish{0};
  std::atomic<int> finished = 0;
  pool.enqueue([&] {
    EXPECT_TRUE(first_may_finish.try_acquire_for(5s));
    ++finished;
  });
  pool.enqueue([&] { EXPECT_EQ(finished++, 1) << "the second task ran beside the first"; });
  first_may_finish.release();
  pool.shutdown();
  EXPECT_EQ(finished, 2);
}

TEST(WorkerPool, RunsWhatIsQueuedThenRefusesMore) {
  std::atomic<int> ran = 0;
  bool told = false;
  WorkerPool pool({.min_threads = 2, .max_threads = 2, .retire_after = 10s}, [&] { told = true; });
  for (int i = 0; i < 10; ++i) pool.enqueue([&] { ++ran; });
  pool.shutdown();
  EXPECT_EQ(ran, 10);
  EXPECT_TRUE(told) << "shutdown() told no one";
  EXPECT_FALSE(pool.enqueue([&] { ++ran; })) << "a task was queued after shutdown";
  EXPECT_EQ(ran, 10);
}

// A thread is started outside the pool's lock: a shutdown that comes meanwhile still runs its
// task, and joins it.
TEST(WorkerPool, RunsEveryTaskItTookWhenShutdownComesAsAThreadStarts) {
  for (int round = 0; round < 50; ++round) {
    std::atomic<int> ran = 0;
    bool taken = false;
    {
      WorkerPool pool({.min_threads = 0, .max_threads = 4, .retire_after = 10s}, {});
      std::latch go{2};
      std::jthread enqueuing([&] {
        go.arrive_and_wait();
        taken = pool.enqueue([&] { ++ran; });
      });
      go.arrive_and_wait();
      pool.shutdown();
    }
    ASSERT_EQ(ran, taken ? 1 : 0) << "round " << round << ": a task the pool took did not run";
  }
}

// Thousands of threads start faster with stacks smaller than the system's.
TEST(WorkerPool, StartsItsThreadsWithTheStackSizeAsked) {
  constexpr std::size_t kAsked = 256 * 1024;
  WorkerPool pool({.min_threads = 0, .max_threads = 2, .retire_after = 10s, .stack_size = kAsked}, {});
  std::size_t stack_size = 0;
  pool.enqueue([&] { stack_size = test::ThisThreadsStackSize(); });
  pool.shutdown();
  const std::size_t system_default = test::DefaultStackSize();

  // ThreadSanitizer gives a thread more than 256 KiB (900 KiB here), for its own needs.
  EXPECT_GE(stack_size, kAsked) << "a task ran on a stack smaller than asked";
  EXPECT_LT(stack_size, system_default) << "a task ran on a stack of " << stack_size
                                        << " bytes: the system's default, not the " << kAsked << " asked";
}

// Linux 6.16 and later: 0 is the kernel's shared futex hash, more than 0 a hash of the process's own.
constexpr int kFutexHash = 78, kSetSlots = 1, kGetSlots = 2;  // PR_FUTEX_HASH and its operations
int FutexHashSlots() {
  return ::prctl(kFutexHash, kGetSlots, 0, 0, 0);
}

// Thousands of threads asleep on futexes of their own need more buckets than the hash a process
// is given for its CPUs.
TEST(WorkerPool, ThatMayGrowLargeTakesTheSharedFutexHash) {
  // What the kernel gives a process of 2 CPUs when it starts its first thread.
  if (::prctl(kFutexHash, kSetSlots, 16, 0, 0) != 0) {
    GTEST_SKIP() << (errno == EBUSY ? "this process took the shared futex hash before this test: run it alone"
                                    : "this kernel has no futex hash for a process of its own (Linux before 6.16)");
  }
  {
    WorkerPool small({.min_threads = 1, .max_threads = 8, .retire_after = 10s}, {});
    EXPECT_GT(FutexHashSlots(), 0) << "a pool of at most 8 threads changed the process's futex hash";
  }
  WorkerPool large({.min_threads = 1, .max_threads = 1000, .retire_after = 10s}, {});
  EXPECT_EQ(FutexHashSlots(), 0) << "a pool of up to 1,000 threads kept a futex hash sized for the CPUs";
}

}  // namespace
}  // namespace http_cancel
