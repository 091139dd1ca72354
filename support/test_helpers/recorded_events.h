#pragma once

#include <chrono>
#include <string_view>

#include "http_cancel/test/recorded_events.h"
#include "support/demo_server/event_log.h"
#include "support/test_helpers/watchdog.h"

namespace loopback {

// An EventLog for tests: it keeps every event with its time, and lets a test wait for one
// (http_cancel's recorder, whose waits the watchdog lets end by themselves).
//   EXPECT_TRUE(events.WaitFor("fetch cancelled")) fails with
//   (no "fetch cancelled" within 5 s; what happened: "fetch started", "client gone").
class RecordedEvents final : public demo_server::EventLog, public http_cancel::test::RecordedEvents {
 public:
  using Clock = demo_server::EventLog::Clock;
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

}  // namespace loopback
