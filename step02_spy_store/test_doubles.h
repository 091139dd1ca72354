#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <string>
#include <utility>

#include "store.h"
#include "support/test_helpers/watchdog.h"

// How long a test double waits at most. Only a broken handler makes it wait that long:
// the test then fails instead of hanging.
inline constexpr std::chrono::seconds kPatience{5};

// SpyStore is a slow store that remembers whether it was told to cancel. Its fetch works
// until the test calls FinishFetch(), or until the store is cancelled. A handler may call it
// from another thread than the test's.
class SpyStore : public Store {
 public:
  explicit SpyStore(std::string response) : response_(std::move(response)) {}

  std::string Fetch() override {
    std::unique_lock lock(mutex_);
    fetch_started_ = true;
    changed_.notify_all();
    const watchdog::BoundedWait bounded;  // a wait that ends by itself: the watchdog lets it end
    if (!changed_.wait_for(lock, kPatience, [this] { return fetch_finished_ || cancelled_; })) {
      ADD_FAILURE() << "SpyStore: the fetch was still working after " << watchdog::ToText(kPatience)
                    << ": the test did not finish it, and the store was not told to cancel";
    }
    return response_;
  }

  void Cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

  // The slow work is done: the fetch in progress, or the next one, returns at once.
  void FinishFetch() {
    std::lock_guard lock(mutex_);
    fetch_finished_ = true;
    changed_.notify_all();
  }

  // Waits until a fetch has started.
  testing::AssertionResult WaitUntilFetchStarted() {
    const watchdog::BoundedWait bounded;  // a wait that ends by itself: the watchdog lets it end
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, kPatience, [this] { return fetch_started_; }))
      return testing::AssertionSuccess();
    return testing::AssertionFailure() << "no fetch started within " << watchdog::ToText(kPatience)
                                       << ": the handler did not call the store's Fetch()";
  }

  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  const std::string response_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool fetch_started_ = false;
  bool fetch_finished_ = false;
  bool cancelled_ = false;
};

// The same Store, as a GoogleMock mock: each test says what it expects of it.
class MockStore : public Store {
 public:
  MOCK_METHOD(std::string, Fetch, (), (override));
  MOCK_METHOD(void, Cancel, (), (override));
};

// Waits until `called` is released, kPatience at most: a handler that never calls what
// releases it fails the test instead of hanging it.
inline testing::AssertionResult WasCalled(std::binary_semaphore& called) {
  const watchdog::BoundedWait bounded;  // a wait that ends by itself: the watchdog lets it end
  if (called.try_acquire_for(kPatience)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "not called within " << watchdog::ToText(kPatience);
}
