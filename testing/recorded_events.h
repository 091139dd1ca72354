#pragma once

#include <chrono>
#include <string_view>

#include "demo_server/event_log.h"
#include "support/recorded_events.h"
#include "testing/watchdog.h"

// An EventLog for tests: it keeps every event with its time, and lets a test wait for one
// (http_cancel's recorder, whose waits the watchdog lets end by themselves).
//   EXPECT_TRUE(events.WaitFor("fetch cancelled")) fails with
//   (no "fetch cancelled" within 5 s; what happened: "fetch started", "client gone").
class RecordedEvents final : public EventLog, public http_cancel::test::RecordedEvents {
 public:
  using Clock = EventLog::Clock;
  void PrintAt(std::string_view event, Clock::time_point when) override { Record(event, when); }

  testing::AssertionResult WaitFor(std::string_view event, std::chrono::milliseconds patience = watchdog::kPatience) {
    const watchdog::BoundedWait bounded;
    return http_cancel::test::RecordedEvents::WaitFor(event, patience);
  }
  testing::AssertionResult InOrder(std::string_view first, std::string_view then,
                                   std::chrono::milliseconds patience = watchdog::kPatience) {
    const watchdog::BoundedWait bounded;
    return http_cancel::test::RecordedEvents::InOrder(first, then, patience);
  }
};
