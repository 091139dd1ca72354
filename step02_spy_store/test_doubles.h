#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

#include "store.h"

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
    if (!changed_.wait_for(lock, kPatience, [this] { return fetch_finished_ || cancelled_; })) {
      ADD_FAILURE() << "SpyStore: the fetch was neither finished nor cancelled";
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
  bool WaitUntilFetchStarted() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [this] { return fetch_started_; });
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
