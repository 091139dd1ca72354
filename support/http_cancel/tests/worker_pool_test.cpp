#include "worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>

namespace http_cancel {
namespace {

using namespace std::chrono_literals;

// Each task waits until all of them run at once: they do only if each has a thread.
int TasksThatMetAllTheOthers(WorkerPool& pool, int tasks) {
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0;
  std::atomic<int> met = 0;
  for (int i = 0; i < tasks; ++i) {
    pool.enqueue([&] {
      std::unique_lock lock(mutex);
      ++running;
      changed.notify_all();
      if (changed.wait_for(lock, 5s, [&] { return running == tasks; })) ++met;
    });
  }
  pool.shutdown();  // the tasks queued still run, each on a thread of its own
  return met;
}

TEST(WorkerPool, GivesEveryTaskAThreadWhenAllAreBusy) {
  WorkerPool pool({.min_threads = 1, .max_threads = 8, .retire_after = 10s}, {});
  EXPECT_EQ(TasksThatMetAllTheOthers(pool, 5), 5);
}

// Thousands of clients may connect at once.
TEST(WorkerPool, GivesEveryTaskOfABurstAThread) {
  WorkerPool pool({.min_threads = 0, .max_threads = 1000, .retire_after = 10s}, {});
  EXPECT_EQ(TasksThatMetAllTheOthers(pool, 300), 300);
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

}  // namespace
}  // namespace http_cancel
