#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "demo_server/event_log.h"
#include "testing/watchdog.h"

// An EventLog for tests: it keeps every event with its time, and lets a test wait for one.
class RecordedEvents final : public EventLog {
 public:
  void PrintAt(std::string_view event, Clock::time_point when) override;

  // Each check below says why it is false with the events that did happen, in the order they
  // happened: `EXPECT_TRUE(events.WaitFor("fetch cancelled"))` fails with
  // (no "fetch cancelled" within 5 s; what happened: "fetch started", "client gone").

  // Waits until an event that starts with `event` has been recorded. The wait is bounded so
  // that a bug fails the test instead of hanging it; the verdict never depends on the bound.
  testing::AssertionResult WaitFor(std::string_view event, std::chrono::milliseconds patience = watchdog::kPatience);
  testing::AssertionResult Contains(std::string_view event) const;
  // True when events starting with `first` and `then` both happened, in that order. Events
  // can be told late, so it waits for both as WaitFor() does.
  testing::AssertionResult InOrder(std::string_view first, std::string_view then,
                                   std::chrono::milliseconds patience = watchdog::kPatience);
  std::vector<std::string> All() const;  // in the order they happened

 private:
  struct Event {
    Clock::time_point when;
    std::string text;
  };
  std::ptrdiff_t IndexOf(std::string_view event) const;  // the earliest; -1 when absent; mutex_ held
  // The first `count` events, quoted, in the order they happened; mutex_ held.
  std::string WhatHappened(std::size_t count = std::string::npos) const;

  mutable std::mutex mutex_;
  std::condition_variable recorded_;
  std::vector<Event> events_;  // in the order they happened
};
