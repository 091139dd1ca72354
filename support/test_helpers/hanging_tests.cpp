// Tests that hang on purpose, as a broken handler does: expect_hang.cmake runs each one and
// checks that the watchdog ends it within seconds, saying which test hung and on what.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "support/test_helpers/watchdog.h"

namespace {

// The fetch thread stores the data but forgets to notify: the handler waits for ever.
TEST(Hangs, ForgetsToNotify) {
  std::mutex mutex;
  std::condition_variable fetched;
  std::optional<std::string> data;
  std::unique_lock lock(mutex);  // held until wait() releases it: the data comes after
  std::jthread fetching{[&] {
    std::lock_guard stored(mutex);
    data = "hello, world";  // and no fetched.notify_one()
  }};
  fetched.wait(lock, [&] { return data.has_value(); });
}

// The handler joins the fetch thread while holding the lock the fetch thread needs.
TEST(Hangs, JoinsWhileHoldingTheLock) {
  std::mutex mutex;
  std::unique_lock lock(mutex);
  std::jthread fetching{[&] { std::lock_guard needs(mutex); }};
  const watchdog::WaitingFor joined{"the handler to return after its request was cancelled"};
  fetching.join();
}

// The handler never returns, and no thread of the test is in any wait the watchdog knows.
TEST(Hangs, NeverReturns) {
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  never.wait(lock, [] { return false; });
}

// A wait that ends by itself after the patience is not cut short: the test reports its own
// failure, and only the hang after it is the watchdog's.
TEST(Hangs, NotWhileABoundedWaitLasts) {
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  {
    const watchdog::BoundedWait bounded;
    EXPECT_TRUE(never.wait_for(lock, watchdog::kPatience, [] { return false; })) << "the bounded wait failed";
  }
  never.wait(lock, [] { return false; });
}

}  // namespace
