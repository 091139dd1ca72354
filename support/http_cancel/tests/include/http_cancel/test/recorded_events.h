#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "http_cancel/cancelling_server.h"
#include "http_cancel/test/loopback_client.h"

namespace http_cancel::test {

// What happened, as text, in the order it happened, for tests to wait for and check: a
// server's events (Listener()), and whatever else a test records.
class RecordedEvents {
 public:
  using Clock = std::chrono::steady_clock;

  // Records the server's events as ToText() has them, with their request ids.
  CancellingServer::EventListener Listener();
  void Record(std::string_view text, Clock::time_point when, std::uint64_t request = 0);

  // Each check below says why it is false with the events that did happen, in the order they
  // happened: (no "response written" within 5 s; what happened: "request received GET /").

  // Waits until an event that starts with `text` has been recorded. The wait is bounded so
  // that a bug fails the test instead of hanging it; the verdict never depends on the bound.
  testing::AssertionResult WaitFor(std::string_view text, std::chrono::milliseconds patience = kPatience);
  testing::AssertionResult Contains(std::string_view text) const;
  // True when events starting with `first` and `then` both happened, in that order. Events
  // can be told late, so it waits for both as WaitFor() does.
  testing::AssertionResult InOrder(std::string_view first, std::string_view then,
                                   std::chrono::milliseconds patience = kPatience);
  std::vector<std::string> All() const;  // in the order they happened
  // One request's events, in the order they were told.
  std::vector<std::string> Of(std::uint64_t request) const;

 private:
  struct Recorded {
    Clock::time_point when;
    std::string text;
    std::uint64_t request;  // 0: not a request's
  };
  std::ptrdiff_t IndexOf(std::string_view text) const;  // the earliest; -1 when absent; mutex_ held
  // The first `count` events, quoted, in the order they happened; mutex_ held.
  std::string WhatHappened(std::size_t count = std::string::npos) const;

  mutable std::mutex mutex_;
  std::condition_variable recorded_;
  std::vector<Recorded> events_;  // in the order they happened
  std::vector<Recorded> told_;    // in the order they were told
};

}  // namespace http_cancel::test
