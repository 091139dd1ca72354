#pragma once

#include <chrono>
#include <expected>
#include <stop_token>
#include <string>
#include <system_error>

#include "store.h"
#include "support/demo_server/event_log.h"

// SlowStore is a real store, not a test double: a fetch takes `fetch_time` and answers
// "hello, world", unless its request is cancelled first; then it stops at once.
class SlowStore : public Store {
 public:
  SlowStore(std::chrono::milliseconds fetch_time, demo_server::EventLog& log)
      : fetch_time_(fetch_time), log_(log) {}

  std::expected<std::string, std::error_code> Fetch(std::stop_token cancelled) override;

 private:
  const std::chrono::milliseconds fetch_time_;
  demo_server::EventLog& log_;
};
