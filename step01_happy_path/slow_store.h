#pragma once

#include <chrono>
#include <string>

#include "store.h"
#include "support/demo_server/event_log.h"

// SlowStore is a real store, not a test double: every fetch takes `fetch_time` and then
// answers "hello, world". Nothing can make it stop early.
class SlowStore : public Store {
 public:
  SlowStore(std::chrono::milliseconds fetch_time, demo_server::EventLog& log)
      : fetch_time_(fetch_time), log_(log) {}

  std::string Fetch() override;

 private:
  std::chrono::milliseconds fetch_time_;
  demo_server::EventLog& log_;
};
