#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "demo_server/event_log.h"

// An EventLog for tests: it keeps every event with its time, and lets a test wait for one.
class RecordedEvents final : public EventLog {
 public:
  void PrintAt(std::string_view event, Clock::time_point when) override;

  // Waits until an event that starts with `event` has been recorded. The wait is bounded so
  // that a bug fails the test instead of hanging it; the verdict never depends on the bound.
  bool WaitFor(std::string_view event, std::chrono::milliseconds patience = std::chrono::seconds(5));
  bool Contains(std::string_view event) const;
  // True when events starting with `first` and `then` both happened, in that order. Events
  // can be told late, so it waits for both as WaitFor() does.
  bool InOrder(std::string_view first, std::string_view then,
               std::chrono::milliseconds patience = std::chrono::seconds(5));
  std::vector<std::string> All() const;  // in the order they happened

 private:
  struct Event {
    Clock::time_point when;
    std::string text;
  };
  std::ptrdiff_t IndexOf(std::string_view event) const;  // the earliest; -1 when absent; mutex_ held

  mutable std::mutex mutex_;
  std::condition_variable recorded_;
  std::vector<Event> events_;  // in the order they happened
};
