#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <expected>
#include <mutex>
#include <stop_token>
#include <string>
#include <system_error>
#include <utility>

#include "store.h"
#include "support/test_helpers/watchdog.h"

// How long a test double waits at most. Only a broken handler makes it wait that long:
// the test then fails instead of hanging.
inline constexpr std::chrono::seconds kPatience{5};

// SpyStore is a slow store that stops its own work when the request is cancelled, and
// remembers that it did. Its fetch works until the test calls FinishFetch(), or until the
// request's stop_token is stop-requested. A handler may call it from another thread than
// the test's.
class SpyStore : public Store {
 public:
  explicit SpyStore(std::string response) : response_(std::move(response)) {}

  std::expected<std::string, std::error_code> Fetch(std::stop_token cancelled) override {
    std::unique_lock lock(mutex_);
    fetch_started_ = true;
    changed_.notify_all();
    // Wakes when the fetch is finished, or when `cancelled` is stop-requested.
    const watchdog::BoundedWait bounded;  // a wait that ends by itself: the watchdog lets it end
    if (changed_.wait_for(lock, cancelled, kPatience, [this] { return fetch_finished_; })) {
      return response_;
    }
    if (!cancelled.stop_requested()) {
      ADD_FAILURE()
          << "SpyStore: the fetch was still working after " << watchdog::ToText(kPatience)
          << ": the test did not finish it, and the stop_token it was given was not stop-requested";
      return std::unexpected(std::make_error_code(std::errc::timed_out));
    }
    cancelled_ = true;
    return std::unexpected(std::make_error_code(std::errc::operation_canceled));
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

  // Whether a fetch stopped because its request was cancelled.
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  const std::string response_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;  // _any: it can wait on a stop_token too
  bool fetch_started_ = false;
  bool fetch_finished_ = false;
  bool cancelled_ = false;
};

// The same Store, as a GoogleMock mock: each test says what it expects of it.
class MockStore : public Store {
 public:
  MOCK_METHOD((std::expected<std::string, std::error_code>), Fetch, (std::stop_token cancelled),
              (override));
};

// The chapter's assertWasCancelled and assertWasNotCancelled, in GoogleTest's idiom:
// EXPECT_TRUE(WasCancelled(store)) says what went wrong when it fails.
inline testing::AssertionResult WasCancelled(const SpyStore& store) {
  if (store.cancelled()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "the store did not stop for the cancelled request: was it "
                                        "given the request's stop_token?";
}

inline testing::AssertionResult WasNotCancelled(const SpyStore& store) {
  if (!store.cancelled()) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "the store stopped as if the request were cancelled, though it was not";
}

// The chapter's SpyResponseWriter: a handler that writes nothing leaves the response as
// it was made.
inline testing::AssertionResult NothingWasWritten(const httplib::Response& response) {
  if (response.status == -1 && response.headers.empty() && response.body.empty()) {
    return testing::AssertionSuccess();
  }
  return testing::AssertionFailure() << "a response was written: status " << response.status
                                     << ", body \"" << response.body << "\"";
}
